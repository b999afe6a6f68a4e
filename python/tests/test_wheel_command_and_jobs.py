"""The wheel's ``cocoprep`` command and the jobs as Python functions."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cocoprep
from conftest import ROOT


def test_the_wheel_installs_the_cocoprep_command():
    command = Path(sys.executable).parent / "cocoprep"
    assert command.exists(), "the wheel's console script"
    output = subprocess.run([str(command), "--version"], capture_output=True, text=True, check=True)
    assert output.stdout.startswith("cocoprep ")


def test_inspect_returns_the_summary_as_json():
    summary = cocoprep.inspect(ROOT / "fixtures/coco-sample/annotations/instances_val2017.json")
    assert summary["summary"]["annotations"] > 0


def test_a_failing_command_raises_with_the_rust_message(tmp_path):
    lines = []
    with pytest.raises(cocoprep.CommandError) as error:
        cocoprep.convert_yolo(tmp_path / "missing.json", output=tmp_path / "out", progress=lines.append)
    assert "missing.json" in error.value.message
    assert error.value.returncode == 2
    assert any("missing.json" in line for line in lines)


def test_validate_raises_problems_found_with_the_report():
    with pytest.raises(cocoprep.ProblemsFound) as error:
        cocoprep.validate(ROOT / "fixtures/broken/duplicate_ids.json")
    assert error.value.output["counts"]["annotations"] >= 1


def test_convert_yolo_writes_labels(tmp_path):
    cocoprep.convert_yolo(ROOT / "fixtures/coco-sample/annotations/instances_val2017.json", output=tmp_path / "yolo", link="none", segments=True, progress=lambda line: None)
    labels = list((tmp_path / "yolo").rglob("*.txt"))
    assert labels and (tmp_path / "yolo").exists()
