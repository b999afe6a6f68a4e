# Runs pycocotools' COCOeval on each case of a JSON list and saves what the parity test
# compares. argv[1]: the cases file, a list of {"gt", "results", "iou_type", "out",
# "use_cats", "max_dets" (null or a list), "area_ranges" (null or a list of [min, max])}.
import contextlib
import io
import json
import os
import sys

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

for case in json.load(open(sys.argv[1])):
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(case["gt"])
        evaluator = COCOeval(gt, gt.loadRes(case["results"]), case["iou_type"])
        evaluator.params.useCats = case["use_cats"]
        if case["max_dets"] is not None:
            evaluator.params.maxDets = case["max_dets"]
        if case["area_ranges"] is not None:
            evaluator.params.areaRng = case["area_ranges"]
            labels = ["all", "small", "medium", "large"]
            evaluator.params.areaRngLbl = labels[: len(case["area_ranges"])]
        evaluator.evaluate()
        evaluator.accumulate()
        text = io.StringIO()
        with contextlib.redirect_stdout(text):
            evaluator.summarize()
    out = case["out"]
    os.makedirs(out, exist_ok=True)
    np.save(os.path.join(out, "stats.npy"), np.asarray(evaluator.stats, dtype=np.float64))
    for name in ("precision", "recall", "scores"):
        np.save(os.path.join(out, name + ".npy"), evaluator.eval[name].astype(np.float64))
    with open(os.path.join(out, "summary.txt"), "w") as f:
        f.write(text.getvalue())
