#!/usr/bin/env python3
"""Runs one COCO evaluator end to end (load GT, load results, evaluate, accumulate,
summarize) the way its documentation shows, for bench/eval_detection.py.

usage: eval_detection_tool.py TOOL GT.json RESULTS.json IOU_TYPE PRECISION_OUT.npy
TOOL: pycocotools | faster-coco-eval | hotcoco | ultrafast-pycocotools | vernier
Prints {"stats": [...]} on stdout; the evaluator's own messages go to stderr.
"""
import contextlib
import json
import sys

import numpy as np


def run(tool, gt_path, results_path, iou_type):
    if tool == "pycocotools":
        from pycocotools.coco import COCO
        from pycocotools.cocoeval import COCOeval
        gt = COCO(gt_path)
        evaluator = COCOeval(gt, gt.loadRes(results_path), iou_type)
    elif tool == "faster-coco-eval":
        from faster_coco_eval import COCO, COCOeval_faster
        gt = COCO(gt_path)
        evaluator = COCOeval_faster(gt, gt.loadRes(results_path), iou_type)
    elif tool == "hotcoco":
        import hotcoco
        gt = hotcoco.COCO(gt_path)
        evaluator = hotcoco.COCOeval(gt, gt.load_res(results_path), iou_type)
    elif tool == "ultrafast-pycocotools":
        from ultrafast_pycocotools import COCO, COCOeval
        gt = COCO(gt_path)
        evaluator = COCOeval(gt, gt.loadRes(results_path), iou_type)
    elif tool == "vernier":
        # vernier evaluates pycocotools-style COCO objects (its documented drop-in use).
        import vernier
        from pycocotools.coco import COCO
        gt = COCO(gt_path)
        dt = gt.loadRes(results_path)
        # loadRes gives segm results an ndarray bbox, which vernier rejects.
        for annotation in dt.dataset["annotations"]:
            if isinstance(annotation.get("bbox"), np.ndarray):
                annotation["bbox"] = annotation["bbox"].tolist()
        evaluator = vernier.COCOeval(gt, dt, iou_type)
    else:
        raise SystemExit(f"unknown tool {tool}")
    evaluator.evaluate()
    evaluator.accumulate()
    evaluator.summarize()
    precision = evaluator.eval["precision"] if hasattr(evaluator, "eval") else None
    return [float(v) for v in evaluator.stats], precision


def main():
    tool, gt_path, results_path, iou_type, precision_out = sys.argv[1:6]
    with contextlib.redirect_stdout(sys.stderr):
        stats, precision = run(tool, gt_path, results_path, iou_type)
    if precision is not None:
        np.save(precision_out, np.asarray(precision, dtype=np.float64))
    print(json.dumps({"stats": stats}))


if __name__ == "__main__":
    main()
