"""Reference numbers for `cocoprep eval detection --tide / --confusion-matrix`.

usage: detection_diagnostics.py GT.json OUT.json RESULTS.json bbox|segm [RESULTS.json bbox|segm ...]

OUT.json holds one entry per results file, in order.

TIDE from the `tidecv` package (1.0.1: `TIDE().evaluate(datasets.COCO(gt),
datasets.COCOResult(results), mode)`), the confusion matrix from hotcoco 1.3
(`COCOeval.confusion_matrix()`, IoU 0.5, the default max detections).
"""

import json
import sys

from tidecv import TIDE, datasets
import hotcoco


def tide_numbers(gt_path, results_path, iou_type):
    mode = TIDE.BOX if iou_type == "bbox" else TIDE.MASK
    tide = TIDE()
    run = tide.evaluate(datasets.COCO(gt_path), datasets.COCOResult(results_path), mode=mode, name="run")
    main = tide.get_main_errors()["run"]
    special = tide.get_special_errors()["run"]
    counts = {error.short_name: count for error, count in run.count_errors().items()}
    return {"ap": run.ap, "main": main, "special": special, "counts": counts}


def confusion(gt_path, results_path, iou_type):
    gt = hotcoco.COCO(gt_path)
    dt = gt.load_res(results_path)
    evaluator = hotcoco.COCOeval(gt, dt, iou_type)
    matrix = evaluator.confusion_matrix(iou_thr=0.5)["matrix"]
    return [[int(value) for value in row] for row in matrix]


def main():
    gt_path, out = sys.argv[1:3]
    cases = sys.argv[3:]
    numbers = [
        {
            "tide": tide_numbers(gt_path, results_path, iou_type),
            "confusion": confusion(gt_path, results_path, iou_type),
        }
        for results_path, iou_type in zip(cases[::2], cases[1::2])
    ]
    with open(out, "w") as file:
        json.dump(numbers, file)


if __name__ == "__main__":
    main()
