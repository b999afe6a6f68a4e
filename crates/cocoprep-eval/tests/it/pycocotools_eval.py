# Runs pycocotools' COCOeval and saves what the parity test compares.
# argv: GT RESULTS IOU_TYPE OUT_DIR USE_CATS MAX_DETS AREA_RANGES
#   MAX_DETS: "-" or "1,10,200"; AREA_RANGES: "-" or a JSON list of [min, max]
import contextlib
import io
import json
import os
import sys

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

gt_path, res_path, iou_type, out, use_cats, max_dets, area_ranges = sys.argv[1:8]
with contextlib.redirect_stdout(io.StringIO()):
    gt = COCO(gt_path)
    dt = gt.loadRes(res_path)
    evaluator = COCOeval(gt, dt, iou_type)
    evaluator.params.useCats = int(use_cats)
    if max_dets != "-":
        evaluator.params.maxDets = [int(m) for m in max_dets.split(",")]
    if area_ranges != "-":
        ranges = json.loads(area_ranges)
        evaluator.params.areaRng = ranges
        evaluator.params.areaRngLbl = ["all", "small", "medium", "large"][: len(ranges)]
    evaluator.evaluate()
    evaluator.accumulate()
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        try:
            evaluator.summarize()
            stats = evaluator.stats
        except (IndexError, ValueError):
            stats = np.zeros(0)
os.makedirs(out, exist_ok=True)
np.save(os.path.join(out, "stats.npy"), np.asarray(stats, dtype=np.float64))
for name in ("precision", "recall", "scores"):
    np.save(os.path.join(out, name + ".npy"), evaluator.eval[name].astype(np.float64))
with open(os.path.join(out, "summary.txt"), "w") as f:
    f.write(text.getvalue())
