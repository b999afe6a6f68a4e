#!/usr/bin/env python3
"""Uni-Perceiver data/preprocess/coco_preprocess.py, as the spec describes it
(multi-dataset-and-web-scale.md §1.4.4): Karpathy splits as COCO caption files.

usage: coco_preprocess.py DATASET_COCO.json OUT_DIR
"""
import json
import os
import sys


def main(dataset_path, out_dir):
    data = json.load(open(dataset_path))
    splits = {"train": {"images": [], "annotations": []},
              "val": {"images": [], "annotations": []},
              "test": {"images": [], "annotations": []}}
    for img in data["images"]:
        image_id = int(img["filename"].split(".")[0].split("_")[-1])
        split = "train" if img["split"] == "restval" else img["split"]
        splits[split]["images"].append({"file_name": img["filename"], "file_path": img["filepath"], "id": image_id})
        for sentence in img["sentences"]:
            splits[split]["annotations"].append({"image_id": image_id, "id": sentence["sentid"], "caption": sentence["raw"]})
    names = {"train": "captions_train113k.json", "val": "captions_val5k.json", "test": "captions_test5k.json"}
    for split, name in names.items():
        json.dump(splits[split], open(os.path.join(out_dir, name), "w"))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
