#!/usr/bin/env python3
"""Benchmark `cocoprep convert yolo --segments` against Ultralytics `convert_coco(use_segments=True)`.

One command re-runs everything: it makes the train2017-scale input if it is missing
(bench/gen_instances.py on ../shared/data/coco-mini), installs ultralytics 8.4.190 into a
venv if none is given, runs both tools on the same file in the same run, checks that they
wrote the same label files byte for byte, and prints medians and the ratio as a markdown
table.

usage: bench/convert_yolo.py [--input FILE] [--work DIR] [--runs N] [--reference-runs N]
                             [--ultralytics-python PY] [--cocoprep BIN]
"""
import argparse
import filecmp
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = """
import sys
from ultralytics.data.converter import convert_coco
convert_coco(labels_dir=sys.argv[1], save_dir=sys.argv[2], use_segments=True, cls91to80=True)
"""


def ensure_input(path: Path) -> Path:
    if path.exists():
        return path
    shared = ROOT.parent / "shared" / "data" / "coco-mini" / "annotations"
    if not shared.is_dir():
        shared = Path(os.environ.get("COCOPREP_SHARED", "/work/shared")) / "data/coco-mini/annotations"
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, str(ROOT / "bench/gen_instances.py"), str(path), "--copies", "745",
         str(shared / "instances_train2017.json"), str(shared / "instances_val2017.json")],
        check=True,
    )
    return path


def ensure_ultralytics(python: Path) -> Path:
    if python.exists():
        return python
    venv = python.parent.parent
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "ultralytics==8.4.190"], check=True)
    return python


def timed(command, **kwargs):
    """Wall-clock seconds and CPU seconds (user + system, all threads) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def same_tree(a: Path, b: Path) -> bool:
    comparison = filecmp.dircmp(a, b)
    if comparison.left_only or comparison.right_only or comparison.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, comparison.common_files, shallow=False)
    if mismatch or errors:
        return False
    return all(same_tree(a / d, b / d) for d in comparison.common_dirs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, default=Path("/work/bench-data/instances_train2017_scale.json"))
    parser.add_argument("--work", type=Path, default=Path("/work/bench-data/convert"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reference-runs", type=int, default=1)
    parser.add_argument("--ultralytics-python", type=Path, default=Path("/work/bench-data/convert/venv/bin/python"))
    parser.add_argument("--cocoprep", type=Path, default=ROOT / "target/release/cocoprep")
    parser.add_argument(
        "--outputs",
        type=Path,
        default=Path("/dev/shm/cocoprep-bench-convert") if Path("/dev/shm").is_dir() else None,
        help="where the label trees are written (default: tmpfs, so both tools are measured "
        "rather than the disk; on this machine's `discard` mount every deleted file costs a "
        "synchronous TRIM that leaks into later runs)",
    )
    args = parser.parse_args()

    source = ensure_input(args.input)
    python = ensure_ultralytics(args.ultralytics_python)
    if not args.cocoprep.exists():
        subprocess.run(["cargo", "build", "--release", "-p", "cocoprep"], cwd=ROOT, check=True)

    # Ultralytics converts every *.json of a folder; the split is named after the file.
    labels_dir = args.work / "annotations"
    labels_dir.mkdir(parents=True, exist_ok=True)
    link = labels_dir / "instances_train2017.json"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(source.resolve())

    # Every run writes a fresh folder. On a disk, deleting 118k files between runs would put
    # the file system's work (on a `discard` mount, one synchronous TRIM per file) into the
    # next timed run, so the folders are left for inspection there.
    runs_dir = (args.outputs or args.work) / time.strftime("runs-%Y%m%d-%H%M%S")
    runs_dir.mkdir(parents=True)
    ours, theirs = [], []
    # Interleaved, so both tools see the same machine state.
    # On tmpfs the previous tree of a tool is deleted (untimed) before its next run, so that
    # hundreds of thousands of leftover files do not slow later runs of either tool; the
    # last tree of each is kept for the comparison.
    ours_dir = theirs_dir = None
    for run in range(max(args.runs, args.reference_runs)):
        if run < args.runs:
            if args.outputs and ours_dir:
                shutil.rmtree(ours_dir)
            ours_dir = runs_dir / f"cocoprep-{run}"
            ours.append(timed([str(args.cocoprep), "-q", "convert", "yolo", str(link), "--segments", "-o", str(ours_dir)]))
        if run < args.reference_runs:
            if args.outputs and theirs_dir:
                shutil.rmtree(theirs_dir)
            theirs_dir = runs_dir / f"ultralytics-{run}"
            theirs.append(timed([str(python), "-c", REFERENCE, str(labels_dir), str(theirs_dir)],
                                env=dict(os.environ, YOLO_OFFLINE="1")))
    size_mb = source.stat().st_size / 1e6
    print(f"input: {source} ({size_mb:.0f} MB); outputs in {runs_dir}")
    print(f"cocoprep runs (wall s): {', '.join(f'{w:.2f}' for w, _ in ours)}")
    print(f"ultralytics runs (wall s): {', '.join(f'{w:.2f}' for w, _ in theirs)}")
    print()
    print("| measure | cocoprep (median of %d) | ultralytics 8.4.190 (median of %d) | ratio |" % (len(ours), len(theirs)))
    print("|---|---|---|---|")
    for label, index in [("wall clock", 0), ("CPU time (user + system)", 1)]:
        mine = statistics.median(run[index] for run in ours)
        reference = statistics.median(run[index] for run in theirs)
        print(f"| {label} | {mine:.2f} s | {reference:.2f} s | {reference / mine:.1f}× |")
    sys.stdout.flush()
    identical = same_tree(ours_dir / "labels", theirs_dir / "labels")
    files = sum(1 for _ in (ours_dir / "labels/train2017").iterdir())
    print()
    print(f"{files} label files; cocoprep's and ultralytics' label trees identical: {identical}")
    if args.outputs:
        shutil.rmtree(runs_dir, ignore_errors=True)
    if not identical:
        sys.exit("the two label trees differ")


if __name__ == "__main__":
    main()
