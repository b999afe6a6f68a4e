#!/usr/bin/env python3
"""Benchmark `cocoprep eval detection` on LVIS ground truth against the official LVIS API
(lvis 0.5.3, LVISEval), in one run, on the same inputs, and compare their 13 results.

The ground truth is the val-scale instances of bench/eval_detection.py (~5k images, made
from coco-mini) made LVIS-like: crowd regions dropped, `frequency` r/c/f on the categories,
and on each image up to 6 `neg_category_ids` and sometimes one `not_exhaustive_category_ids`
(seeded). The results are eval_detection.py's val-scale box results.

    .venv/bin/python bench/eval_lvis.py [--binary target/release/cocoprep]
"""
import argparse
import json
import os
import random
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import REPO, peak_rss_mib  # noqa: E402

BENCH_DATA = os.environ.get("COCOPREP_BENCH_DATA", "/work/bench-data")

LVIS_SCRIPT = r'''
import json, sys
import numpy as np
if not hasattr(np, "float"):
    np.float = float  # lvis 0.5.3 uses the alias NumPy 1.24 removed
from lvis import LVIS, LVISEval, LVISResults
gt = LVIS(sys.argv[1])
ev = LVISEval(gt, LVISResults(gt, sys.argv[2]), sys.argv[3])
ev.run()
print(json.dumps({k: float(v) for k, v in ev.get_results().items()}))
'''


def lvis_like(source, out):
    data = json.load(open(source))
    rng = random.Random(11)
    data["annotations"] = [a for a in data["annotations"] if not a.get("iscrowd")]
    ids = [c["id"] for c in data["categories"]]
    for index, category in enumerate(data["categories"]):
        category["frequency"] = "rcf"[index % 3]
    present = {}
    for a in data["annotations"]:
        present.setdefault(a["image_id"], set()).add(a["category_id"])
    for image in data["images"]:
        here = present.get(image["id"], set())
        absent = [c for c in ids if c not in here]
        image["neg_category_ids"] = sorted({rng.choice(absent) for _ in range(6)})
        image["not_exhaustive_category_ids"] = (
            [min(here)] if here and rng.random() < 0.3 else [])
    json.dump(data, open(out, "w"), separators=(",", ":"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=str(REPO / "target" / "release" / "cocoprep"))
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--types", default="bbox", help="bbox,segm")
    args = parser.parse_args()
    source = os.path.join(BENCH_DATA, "eval", "instances_val_scale.json")
    if not os.path.exists(source):
        raise SystemExit("run bench/eval_detection.py first (it makes the inputs)")
    with tempfile.TemporaryDirectory() as tmp:
        gt = os.path.join(tmp, "lvis_val_scale.json")
        lvis_like(source, gt)
        for iou_type in args.types.split(","):
            results = os.path.join(BENCH_DATA, "eval", f"{iou_type}_val_results.json")
            run(args, tmp, gt, results, iou_type)


def run(args, tmp, gt, results, iou_type):
    ours_wall, ours_mib, out, _ = peak_rss_mib(
        [args.binary, "eval", "detection", gt, results, "--iou-type", iou_type, "--json"])
    ours = json.loads(out)["results"]
    script = os.path.join(tmp, "lvis_eval.py")
    open(script, "w").write(LVIS_SCRIPT)
    theirs_wall, theirs_mib, out, _ = peak_rss_mib([args.python, script, gt, results, iou_type])
    theirs = json.loads(out.strip().splitlines()[-1])
    equal = sum(ours[name] == value for name, value in theirs.items())
    print(f"lvis-like val scale, {iou_type}: {equal}/{len(theirs)} results equal to lvis 0.5.3")
    for name, value in theirs.items():
        print(f"  {name:8} lvis {value!r:24} cocoprep {ours[name]!r}")
    print(f"cocoprep {args.binary}: {ours_wall:.2f} s, {ours_mib:.0f} MiB peak")
    print(f"lvis 0.5.3:            {theirs_wall:.2f} s, {theirs_mib:.0f} MiB peak")
    print(f"ratio: {theirs_wall / ours_wall:.1f}x wall, {theirs_mib / ours_mib:.1f}x memory")


if __name__ == "__main__":
    main()
