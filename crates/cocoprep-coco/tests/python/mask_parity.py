"""pycocotools side of the mask parity test (crates/cocoprep-coco/tests/mask_parity.rs).

Reads the cases the Rust test wrote (argv[1]) and prints, as one JSON document, what
PyPI pycocotools computes for them: RLE strings, areas, boxes, CRC-32 of the decoded
masks (column-major bytes) and IoU matrices. Floats are printed with repr, so they parse
back to the identical doubles.
"""
import contextlib
import json
import sys
import zlib

import numpy as np
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO


def describe(rle):
    counts = rle["counts"]
    if isinstance(counts, bytes):
        counts = counts.decode("ascii")
    decoded = mask_utils.decode(rle)
    return {
        "size": [int(v) for v in rle["size"]],
        "counts": counts,
        "area": int(mask_utils.area(rle)),
        "bbox": [float(v) for v in mask_utils.toBbox(rle)],
        "crc32": zlib.crc32(decoded.tobytes(order="F")),
    }


def iou_matrix(dt, gt, iscrowd):
    result = mask_utils.iou(dt, gt, iscrowd)
    if isinstance(result, list):
        return []
    return [float(v) for v in np.asarray(result).ravel(order="C")]


def annotation_file(entry):
    with contextlib.redirect_stdout(sys.stderr):
        coco = COCO(entry["file"])
        if entry.get("results"):
            coco = coco.loadRes(entry["results"])
    out = []
    by_image = {}
    for index, ann in enumerate(coco.dataset["annotations"]):
        if "segmentation" not in ann:
            out.append(None)
            continue
        try:
            rle = coco.annToRLE(ann)
        except Exception as error:  # pycocotools crashes on some inputs; report it
            out.append({"error": repr(error)})
            continue
        if isinstance(rle["counts"], str):
            rle = dict(rle, counts=rle["counts"].encode("ascii"))
        out.append(describe(rle))
        by_image.setdefault(ann["image_id"], []).append((index, rle, int(ann.get("iscrowd", 0))))
    ious = {}
    for image_id, items in by_image.items():
        rles = [rle for _, rle, _ in items]
        crowd = [c for _, _, c in items]
        ious[str(image_id)] = {
            "indices": [i for i, _, _ in items],
            "iou": iou_matrix(rles, rles, crowd),
        }
    return {"annotations": out, "ious": ious}


def main():
    cases = json.load(open(sys.argv[1]))
    result = {"files": [annotation_file(entry) for entry in cases["files"]]}

    polygons = []
    for case in cases["polygons"]:
        rles = mask_utils.frPyObjects(case["parts"], case["height"], case["width"])
        polygons.append(describe(mask_utils.merge(rles)))
    result["polygons"] = polygons

    boxes = []
    for case in cases["boxes"]:
        rle = mask_utils.frPyObjects(np.array([case["bbox"]], dtype=np.double), case["height"], case["width"])[0]
        boxes.append(describe(rle))
    result["boxes"] = boxes

    masks = []
    rles = []
    for case in cases["masks"]:
        h, w = case["height"], case["width"]
        flat = np.frombuffer(bytes.fromhex(case["column_major"]), dtype=np.uint8)
        mask = np.asfortranarray(flat.reshape((h, w), order="F"))
        rle = mask_utils.encode(mask)
        rles.append(rle)
        masks.append(describe(rle))
    result["masks"] = masks

    result["merges"] = [
        describe(mask_utils.merge([rles[i] for i in case["masks"]], intersect=case["intersect"]))
        for case in cases["merges"]
    ]
    result["mask_ious"] = [
        iou_matrix([rles[i] for i in case["dt"]], [rles[i] for i in case["gt"]], case["iscrowd"])
        for case in cases["mask_ious"]
    ]
    result["bbox_ious"] = [
        iou_matrix(np.array(case["dt"], dtype=np.double).reshape(-1, 4),
                   np.array(case["gt"], dtype=np.double).reshape(-1, 4), case["iscrowd"])
        for case in cases["bbox_ious"]
    ]
    json.dump(result, sys.stdout)


main()
