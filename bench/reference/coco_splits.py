#!/usr/bin/env python3
"""Delphboy/coco-scripts coco_splits.py, as the spec describes it (captioning.md §10):
a seeded fraction of the training images (train + restval), val and test kept.

usage: coco_splits.py --dataset_json X --output_location D [--percentage 0.1]
"""
import argparse
import json
import os
import random

random.seed(42)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset_json", required=True)
    parser.add_argument("--output_location", required=True)
    parser.add_argument("--percentage", type=float, default=0.1)
    args = parser.parse_args()
    data = json.load(open(args.dataset_json))
    train, val, test = [], [], []
    for img in data["images"]:
        if img["split"] == "val":
            val.append(img)
        elif img["split"] == "test":
            test.append(img)
        else:
            train.append(img)
    mini_train = random.sample(train, int(len(train) * args.percentage))
    out = {"images": mini_train + val + test, "dataset": data["dataset"]}
    path = os.path.join(args.output_location, "dataset_coco_%d.json" % int(args.percentage * 100))
    json.dump(out, open(path, "w"))


if __name__ == "__main__":
    main()
