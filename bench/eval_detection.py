#!/usr/bin/env python3
"""Benchmark `cocoprep eval detection` against pycocotools, faster-coco-eval, hotcoco,
ultrafast-pycocotools and vernier, in one run, on the same inputs.

For each scale (val: ~5k images; train: ~118k images) and IoU type (bbox, segm,
keypoints) it generates a results file from the ground truth (jittered and missed
objects, wrong classes, duplicates, ~10 false positives per image, tied scores), then runs
every evaluator end to end (load GT + results, evaluate, accumulate, summarize) in its own
process under /usr/bin/time, and compares the stats and the full precision array of each
with pycocotools'.

    .venv/bin/python bench/eval_detection.py                      # val scale, all types
    .venv/bin/python bench/eval_detection.py --scales val,train --types bbox

Inputs go to $COCOPREP_BENCH_DATA/eval (default /work/bench-data/eval), made from the shared
coco-mini data by bench/gen_instances.py.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import REPO, bench_python, cargo_build, machine, median, peak_rss_mib, table  # noqa: E402

BENCH_DATA = os.environ.get("COCOPREP_BENCH_DATA", "/work/bench-data")
SHARED = os.environ.get("COCOPREP_SHARED", str(REPO.parent / "shared"))
TOOLS = ["pycocotools", "faster-coco-eval", "hotcoco", "ultrafast-pycocotools", "vernier"]
COPIES = {"val": 32, "train": 745}


def ground_truth(scale, kind):
    """instances or person_keypoints at the given scale, from coco-mini train+val."""
    folder = os.path.join(BENCH_DATA, "eval")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{kind}_{scale}_scale.json")
    shared_train = os.path.join(BENCH_DATA, "instances_train2017_scale.json")
    if scale == "train" and kind == "instances" and os.path.exists(shared_train):
        return shared_train  # the one the load and masks benchmarks use (same recipe)
    if not os.path.exists(path):
        mini = os.path.join(SHARED, "data", "coco-mini", "annotations")
        subprocess.run([sys.executable, str(REPO / "bench" / "gen_instances.py"), path,
                        os.path.join(mini, f"{kind}_train2017.json"),
                        os.path.join(mini, f"{kind}_val2017.json"),
                        "--copies", str(COPIES[scale])], check=True)
    return path


def generate_results(gt_path, iou_type, out_path, python):
    """Writes a results list; run in the bench venv (it needs pycocotools for masks)."""
    script = r'''
import json, os, random, sys
from pycocotools import mask as mask_utils
gt_path, iou_type, out_path = sys.argv[1:4]
gt = json.load(open(gt_path))
rng = random.Random(7)
sizes = {i["id"]: (i["height"], i["width"]) for i in gt["images"]}
categories = [c["id"] for c in gt["categories"]]
score = lambda: rng.randrange(1000) / 1000.0
out = open(out_path + ".tmp", "w")
out.write("[")
count = 0
def write(record):
    # Streamed (a train-scale segm list held whole takes GBs): the bytes equal json.dump's.
    global count
    out.write(("," if count else "") + json.dumps(record, separators=(",", ":")))
    count += 1
def box_mask(b, h, w):
    rle = mask_utils.frPyObjects([[b[0], b[1], b[0], b[1] + b[3], b[0] + b[2], b[1] + b[3], b[0] + b[2], b[1]]], h, w)[0]
    return {"size": rle["size"], "counts": rle["counts"].decode("ascii")}
def emit(image_id, category_id, b, segmentation=None):
    h, w = sizes[image_id]
    record = {"image_id": image_id, "category_id": category_id, "score": score()}
    if iou_type == "bbox":
        record["bbox"] = [round(v, 2) for v in b]
    else:
        record["segmentation"] = segmentation or box_mask(b, h, w)
    write(record)
if iou_type == "keypoints":
    for a in gt["annotations"]:
        if a["num_keypoints"] == 0 or rng.random() < 0.1:
            continue
        s = max(a["area"], 1.0) ** 0.5 * 0.15
        kp = []
        for k in range(17):
            x, y, v = a["keypoints"][3 * k: 3 * k + 3]
            kp += [0, 0, 0] if rng.random() < 0.1 else [round(x + rng.uniform(-s, s), 2), round(y + rng.uniform(-s, s), 2), 1]
        write({"image_id": a["image_id"], "category_id": 1, "keypoints": kp, "score": score()})
    for image_id, (h, w) in sizes.items():
        for _ in range(rng.randrange(4)):
            x, y = rng.uniform(0, w), rng.uniform(0, h)
            kp = []
            for k in range(17):
                kp += [round(x + rng.uniform(0, 60)), round(y + rng.uniform(0, 120)), 2]
            write({"image_id": image_id, "category_id": 1, "keypoints": kp, "score": score()})
else:
    for a in gt["annotations"]:
        h, w = sizes[a["image_id"]]
        x, y, bw, bh = a["bbox"]
        if rng.random() < 0.15:
            continue
        for copy in range(1 + (rng.random() < 0.3)):
            j = 0.25 * max(min(bw, bh), 1.0)
            dx, dy = rng.uniform(-j, j), rng.uniform(-j, j)
            b = [x + dx, y + dy, max(bw + rng.uniform(-j, j), 0.5), max(bh + rng.uniform(-j, j), 0.5)]
            category = a["category_id"] if rng.random() < 0.9 else rng.choice(categories)
            segmentation = None
            if iou_type == "segm" and isinstance(a["segmentation"], list) and a["segmentation"] and len(a["segmentation"][0]) > 4:
                polygons = [[v + (dx if i % 2 == 0 else dy) for i, v in enumerate(p)] for p in a["segmentation"] if len(p) > 4]
                rle = mask_utils.merge(mask_utils.frPyObjects(polygons, h, w))
                segmentation = {"size": rle["size"], "counts": rle["counts"].decode("ascii")}
            emit(a["image_id"], category, b, segmentation)
    for image_id, (h, w) in sizes.items():
        for _ in range(rng.randrange(20)):
            bw, bh = rng.uniform(1, w / 3), rng.uniform(1, h / 3)
            emit(image_id, rng.choice(categories), [rng.uniform(0, w - bw), rng.uniform(0, h - bh), bw, bh])
out.write("]")
out.close()
os.replace(out_path + ".tmp", out_path)
print(count)
'''
    output = subprocess.run([python, "-c", script, gt_path, iou_type, out_path], check=True,
                            capture_output=True, text=True)
    return int(output.stdout.strip())


def result_count(path):
    """The number of records of a generated results file, without parsing it (a train-scale
    segm file takes GBs in Python): each record has one `"score"` key."""
    count, tail = 0, b""
    with open(path, "rb") as f:
        while chunk := f.read(1 << 24):
            block = tail + chunk
            count += block.count(b'"score":')
            tail = block[-7:]  # shorter than the key: a key across chunks is counted once
    return count


def run_tool(python, cocoprep, tool, gt, results, iou_type, folder):
    precision = os.path.join(folder, f"{tool}.npy")
    if tool == "cocoprep":
        command = [str(cocoprep), "eval", "detection", gt, results, "--iou-type", iou_type,
                   "--json", "-q", "--arrays", os.path.join(folder, "cocoprep")]
    else:
        command = [python, str(REPO / "bench" / "reference" / "eval_detection_tool.py"), tool, gt,
                   results, iou_type, precision]
    seconds, rss, stdout, _ = peak_rss_mib(command)
    stats = json.loads(stdout)["stats"]
    if tool == "cocoprep":
        precision = os.path.join(folder, "cocoprep", "precision.npy")
    return seconds, rss, stats, precision


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="val")
    parser.add_argument("--types", default="bbox,segm,keypoints")
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    python = bench_python()
    cocoprep = cargo_build("-p", "cocoprep") / "cocoprep"
    tools = ["cocoprep"] + [t for t in args.tools.split(",") if t]
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f} at start\n")
    for scale in args.scales.split(","):
        for iou_type in args.types.split(","):
            kind = "person_keypoints" if iou_type == "keypoints" else "instances"
            gt = ground_truth(scale, kind)
            results = os.path.join(BENCH_DATA, "eval", f"{iou_type}_{scale}_results.json")
            if not os.path.exists(results):
                generate_results(gt, iou_type, results, python)
            count = result_count(results)
            with tempfile.TemporaryDirectory(prefix="cocoprep-eval-bench-") as folder:
                rows, measured = [], {}
                for tool in tools:
                    runs = [run_tool(python, cocoprep, tool, gt, results, iou_type, folder)
                            for _ in range(args.runs)]
                    seconds = median([run[0] for run in runs])
                    measured[tool] = (seconds, max(run[1] for run in runs), runs[-1][2], runs[-1][3])
                # At train scale pycocotools takes hours: without it, compare with cocoprep.
                reference_tool = "pycocotools" if "pycocotools" in measured else "cocoprep"
                reference = measured[reference_tool]
                compare = f"""
import numpy as np, sys
ref = np.load(sys.argv[1])
for path in sys.argv[2:]:
    try:
        ours = np.load(path)
        print((ours.view(np.uint64) == ref.view(np.uint64)).sum() if ours.shape == ref.shape else -1)
    except OSError:
        print(-2)
"""
                equal = {}
                if reference:
                    out = subprocess.run([python, "-c", compare, reference[3]] +
                                         [measured[t][3] for t in tools], capture_output=True,
                                         text=True, check=True).stdout.split()
                    size = subprocess.run([python, "-c", "import numpy as np,sys; print(np.load(sys.argv[1]).size)",
                                           reference[3]], capture_output=True, text=True).stdout.strip()
                    equal = {t: f"{v}/{size}" for t, v in zip(tools, out)}
                base = measured["cocoprep"][0]
                for tool in tools:
                    seconds, rss, stats, _ = measured[tool]
                    same_stats = "yes" if reference and stats == reference[2] else (
                        "-" if not reference else "no")
                    rows.append([tool, f"{seconds:.2f}", f"{seconds / base:.1f}×", f"{rss:.0f}",
                                 same_stats, equal.get(tool, "-")])
                print(f"### {iou_type}, {scale} scale: {os.path.basename(gt)}, {count:,} results\n")
                print(table(["tool", "wall s", "vs cocoprep", "peak RSS MiB",
                             f"stats == {reference_tool}",
                             f"precision entries == {reference_tool}"], rows))
                print(f"\nload average after: {os.getloadavg()[0]:.1f}\n", flush=True)


if __name__ == "__main__":
    main()
