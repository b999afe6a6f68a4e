#!/usr/bin/env python3
"""Benchmark `cocoprep masks` against the reference tools, in one run, on the same inputs.

1. Every segmentation of a train2017-scale instances file to compressed RLE + area + bbox:
   `cocoprep masks rle --recompute-area --recompute-bbox` vs a pycocotools loop
   (`COCO(file)`, then `annToRLE`, `mask.area`, `mask.toBbox` per annotation, then
   `json.dump`), both end to end from JSON in to JSON out.
2. Semantic PNG label maps for the first N images of that file: `cocoprep masks semantic`
   vs cocostuffapi's per-image `cocoSegmentationToPng` (reproduced faithfully in
   bench/reference/cocostuffapi_png.py, with its pixel-uniqueness check off because
   instance masks overlap; cocoprep's default `--overlap last` is the same painting).

Prints the medians and ratios as a markdown table. One command re-runs it all:

    .venv/bin/python bench/masks.py            # after scripts/setup-python.sh

Inputs: /work/bench-data/instances_train2017_scale.json (made by bench/gen_instances.py
from the shared coco-mini data if missing); generated files go to /work/bench-data/masks/.
"""
import argparse
import contextlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH_DATA = os.environ.get("COCOPREP_BENCH_DATA", "/work/bench-data")
SHARED = os.environ.get("COCOPREP_SHARED", os.path.join(ROOT, "..", "shared"))


def ensure_input():
    path = os.path.join(BENCH_DATA, "instances_train2017_scale.json")
    if not os.path.exists(path):
        mini = os.path.join(SHARED, "data", "coco-mini", "annotations")
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_instances.py"), path,
                        os.path.join(mini, "instances_train2017.json"),
                        os.path.join(mini, "instances_val2017.json")], check=True)
    return path


def build():
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "cocoprep"], cwd=ROOT, check=True)
    return os.path.join(ROOT, "target", "release", "cocoprep")


def cpu_seconds():
    """CPU time (user + system) of this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(function, runs, setup=lambda: None):
    """Median wall-clock seconds, the runs, and the median CPU seconds. `setup` runs
    before each timed run, outside the timing."""
    seconds, cpu = [], []
    for _ in range(runs):
        setup()
        started, started_cpu = time.perf_counter(), cpu_seconds()
        function()
        seconds.append(time.perf_counter() - started)
        cpu.append(cpu_seconds() - started_cpu)
    return statistics.median(seconds), (seconds, statistics.median(cpu))


def python_rle(source, output):
    from pycocotools import mask as mask_utils
    from pycocotools.coco import COCO
    with contextlib.redirect_stdout(sys.stderr):
        coco = COCO(source)
    for ann in coco.dataset["annotations"]:
        rle = coco.annToRLE(ann)
        ann["area"] = float(mask_utils.area(rle))
        ann["bbox"] = [float(v) for v in mask_utils.toBbox(rle)]
        if isinstance(rle["counts"], bytes):
            rle = {"size": rle["size"], "counts": rle["counts"].decode("ascii")}
        ann["segmentation"] = rle
    with open(output, "w") as f:
        json.dump(coco.dataset, f, separators=(",", ":"))


def python_semantic(source, folder):
    sys.path.insert(0, os.path.join(ROOT, "bench", "reference"))
    from cocostuffapi_png import cocoSegmentationToPng
    from pycocotools.coco import COCO
    with contextlib.redirect_stdout(sys.stderr):
        coco = COCO(source)
    for image_id in coco.getImgIds():
        name = coco.imgs[image_id]["file_name"].replace(".jpg", "") + ".png"
        cocoSegmentationToPng(coco, image_id, os.path.join(folder, name), checkUniquePixelLabel=False)


def subset(source, count, output):
    with open(source) as f:
        data = json.load(f)
    images = data["images"][:count]
    keep = {image["id"] for image in images}
    data["images"] = images
    data["annotations"] = [a for a in data["annotations"] if a["image_id"] in keep]
    with open(output, "w") as f:
        json.dump(data, f, separators=(",", ":"))
    return len(images), len(data["annotations"])


def fresh(folder):
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per tool (median reported)")
    parser.add_argument("--images", type=int, default=5000, help="images for the PNG benchmark")
    parser.add_argument("--jobs", type=int, default=0, help="cocoprep --jobs (0 = all cores)")
    parser.add_argument("--only", choices=["rle", "semantic"], help="run one of the two benchmarks")
    args = parser.parse_args()

    source = ensure_input()
    binary = build()
    work = os.path.join(BENCH_DATA, "masks")
    os.makedirs(work, exist_ok=True)
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    rows = []

    # 1. RLE + area + bbox for every segmentation.
    if args.only != "semantic":
        rows.append(benchmark_rle(binary, source, work, jobs, args.runs))
    if args.only != "rle":
        rows.append(benchmark_semantic(binary, source, work, jobs, args.runs, args.images))
    print_table(rows, source, args)


def benchmark_rle(binary, source, work, jobs, runs):
    ours_out, reference_out = os.path.join(work, "rle_cocoprep.json"), os.path.join(work, "rle_pycocotools.json")
    ours, ours_runs = timed(lambda: subprocess.run(
        [binary, "-q", *jobs, "masks", "rle", source, "-o", ours_out, "--recompute-area", "--recompute-bbox"],
        check=True), runs)
    reference, reference_runs = timed(lambda: python_rle(source, reference_out), runs)
    with open(ours_out) as f:
        mine = json.load(f)["annotations"]
    with open(reference_out) as f:
        theirs = json.load(f)["annotations"]
    same = all(a["segmentation"] == b["segmentation"] and a["area"] == b["area"] and a["bbox"] == b["bbox"]
               for a, b in zip(mine, theirs)) and len(mine) == len(theirs)
    return (f"segmentations → RLE + area + bbox ({len(mine):,} annotations, JSON in → JSON out)",
            "pycocotools 2.0.11 `annToRLE` + `area` + `toBbox` loop", ours, reference, same,
            ours_runs, reference_runs)


def benchmark_semantic(binary, source, work, jobs, runs, images):
    small = os.path.join(work, f"instances_first{images}.json")
    image_count, annotation_count = subset(source, images, small)
    ours_png, reference_png = os.path.join(work, "png_cocoprep"), os.path.join(work, "png_cocostuffapi")

    def run_ours():
        subprocess.run([binary, "-q", *jobs, "masks", "semantic", small, "-o", ours_png], check=True)

    def run_reference():
        python_semantic(small, reference_png)

    # Each run starts from an empty output folder, emptied outside the timing.
    ours, ours_runs = timed(run_ours, runs, setup=lambda: fresh(ours_png))
    reference, reference_runs = timed(run_reference, runs, setup=lambda: fresh(reference_png))
    import numpy as np
    from PIL import Image
    names = sorted(os.listdir(reference_png))
    same = names == sorted(os.listdir(ours_png)) and all(
        np.array_equal(np.array(Image.open(os.path.join(ours_png, n))), np.array(Image.open(os.path.join(reference_png, n))))
        for n in names)
    return (f"semantic PNG label maps ({image_count:,} images, {annotation_count:,} annotations)",
            "cocostuffapi `cocoSegmentationToPng` per image", ours, reference, same, ours_runs, reference_runs)


def print_table(rows, source, args):
    print(f"\ninput: {source} (runs per tool: {args.runs}, cocoprep jobs: {args.jobs or os.cpu_count()})\n")
    print("| task | reference | cocoprep (median s) | reference (median s) | speed-up | CPU s cocoprep / reference | identical output |")
    print("|---|---|---:|---:|---:|---:|---|")
    for task, tool, ours, reference, same, (_, ours_cpu), (_, reference_cpu) in rows:
        print(f"| {task} | {tool} | {ours:.2f} | {reference:.2f} | {reference / ours:.1f}× "
              f"| {ours_cpu:.2f} / {reference_cpu:.2f} | {'yes' if same else 'NO'} |")
    print()
    for task, _, _, _, _, (ours_runs, _), (reference_runs, _) in rows:
        print(f"- {task}: cocoprep runs {[round(s, 2) for s in ours_runs]}, reference runs {[round(s, 2) for s in reference_runs]}")


if __name__ == "__main__":
    main()
