#!/usr/bin/env python3
"""Generate a Karpathy-scale dataset_coco.json by replicating real captions.

Every image of the source (the real val2017 captions in Karpathy format,
shared/golden/captions/dataset_coco_val2017.json: 5,000 images, 25,014 captions) is copied
`--copies` times with fresh ids: `cocoid` and `sentid` are offset by one million per copy,
`imgid` is the position, `filename` follows the new `cocoid`. As in Karpathy's file, the
first 5,000 images are `test`, the next 5,000 `val`, and the rest keep the source's
`train`/`restval` (source val/test images become `restval`). 25 copies give 125,000 images
and 625,350 captions, the size of dataset_coco.json (123,287 / 616,767). Written with
`json.dump` defaults, like the original.

usage: gen_karpathy.py OUT.json [--copies 25] [--source dataset_coco_val2017.json]
"""
import argparse
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
# `shared/` next to the checkout, or $COCOPREP_SHARED (as for the tests).
SHARED = os.environ.get("COCOPREP_SHARED", os.path.join(HERE, "..", "..", "shared"))
DEFAULT_SOURCE = os.path.join(SHARED, "golden", "captions", "dataset_coco_val2017.json")
STRIDE = 1_000_000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output")
    parser.add_argument("--copies", type=int, default=25)
    parser.add_argument("--source", default=DEFAULT_SOURCE)
    args = parser.parse_args()

    source = json.load(open(args.source))
    assert max(i["cocoid"] for i in source["images"]) < STRIDE
    images = []
    for copy in range(args.copies):
        for image in source["images"]:
            imgid = len(images)
            cocoid = image["cocoid"] + copy * STRIDE
            if imgid < 5000:
                split = "test"
            elif imgid < 10000:
                split = "val"
            else:
                split = image["split"] if image["split"] in ("train", "restval") else "restval"
            sentences = [
                {"tokens": s["tokens"], "raw": s["raw"], "imgid": imgid, "sentid": s["sentid"] + copy * STRIDE}
                for s in image["sentences"]
            ]
            images.append({
                "filepath": image["filepath"],
                "sentids": [s["sentid"] for s in sentences],
                "filename": "%012d.jpg" % cocoid,
                "imgid": imgid,
                "split": split,
                "sentences": sentences,
                "cocoid": cocoid,
            })
    temporary = args.output + ".tmp"
    with open(temporary, "w") as out:
        json.dump({"images": images, "dataset": source["dataset"]}, out)
    os.replace(temporary, args.output)
    captions = sum(len(i["sentences"]) for i in images)
    print("%s: %d images, %d captions" % (args.output, len(images), captions))


if __name__ == "__main__":
    main()
