#!/usr/bin/env python3
"""Rebuild fixtures/coco-sample from ../shared/data/coco-mini.

The sample embedded in cocoprep (used by `cocoprep demo` and the core tests) is a handful
of real COCO 2017 images with their real instances, person keypoints and captions
annotations. Images were chosen for variety: many categories, crowd regions, people with
keypoints. Annotation files keep `info`, `licenses` and all `categories`.
"""
import json
import pathlib
import shutil
import sys

SPLITS = {
    "train2017": [790, 535506, 370162, 214704],
    "val2017": [397133, 139, 229358, 151938, 255165, 311002],
}
KINDS = ["instances", "person_keypoints", "captions"]


def main():
    repo = pathlib.Path(__file__).resolve().parent.parent
    source = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else repo.parent / "shared/data/coco-mini"
    target = repo / "fixtures/coco-sample"
    for split, image_ids in SPLITS.items():
        keep = set(image_ids)
        (target / split).mkdir(parents=True, exist_ok=True)
        (target / "annotations").mkdir(parents=True, exist_ok=True)
        for kind in KINDS:
            with open(source / "annotations" / f"{kind}_{split}.json") as f:
                data = json.load(f)
            data["images"] = [image for image in data["images"] if image["id"] in keep]
            data["annotations"] = [a for a in data["annotations"] if a["image_id"] in keep]
            with open(target / "annotations" / f"{kind}_{split}.json", "w") as f:
                json.dump(data, f, separators=(",", ":"))
        for image in data["images"]:
            shutil.copyfile(source / split / image["file_name"], target / split / image["file_name"])


if __name__ == "__main__":
    main()
