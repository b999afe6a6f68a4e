"""Shared helpers of the Python package's tests (run by scripts/test.sh against the wheel
installed in a fresh venv)."""

import contextlib
import io
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = ROOT.parent / "shared" / "data"


def shared_data():
    return SHARED_DATA if SHARED_DATA.is_dir() else None


def require_shared_data():
    if shared_data() is None:
        pytest.skip("../shared/data is absent (real COCO data); skipped")
    return SHARED_DATA


def annotation_files():
    """The same files, in the same order, as cocoprep_test::annotation_files()."""
    files = []
    fixtures = ROOT / "fixtures"
    files += [p for p in fixtures.rglob("*.json")]
    data = shared_data()
    if data is not None:
        for folder in ["coco-mini/annotations", "coco-val2017-captions", "cocoapi-eval", "cocostuff-examples/annotations"]:
            if (data / folder).is_dir():
                files += [p for p in (data / folder).rglob("*.json")]
        for name in ["panoptic_examples.json", "panoptic_coco_detection_format.json", "images_info_examples.json"]:
            files.append(data / "panoptic-examples/sample_data" / name)
    # Karpathy files and the Uni-Perceiver preparers' fixtures are not COCO annotation files
    # (the same exclusions as cocoprep-test's `annotation_files`).
    not_coco = [fixtures / "captions", fixtures / "uni-perceiver"]
    files = [
        p
        for p in files
        if p.exists() and "/broken/" not in str(p) and not any(folder in p.parents for folder in not_coco)
    ]
    return sorted(files, key=lambda p: os.fsencode(str(p)))


@contextlib.contextmanager
def quiet():
    with contextlib.redirect_stdout(io.StringIO()):
        yield
