#!/usr/bin/env python3
"""Write bottom-up-attention TSV rows for the Slurm test (scripts/slurm-test.sh).

Usage: make_butd_rows.py OUTPUT.tsv ROWS [SOURCE_DIR]

With SOURCE_DIR (the golden trainval TSVs of ../shared/golden/butd), every output row is a
real row with a new image id and its boxes shuffled (boxes and features moved together), so
the rows keep the real structure: K from the Faster R-CNN selection, non-negative pool5
features, pixel boxes. Without it the rows are synthetic: K in 10..100, features in [0, 8),
boxes inside a 640x480 image. Rows are in the format of generate_tsv.py (no header, `\\r\\n`).
Only the standard library is used, so any python3 can run it.
"""
import array
import base64
import pathlib
import random
import sys

FEATURE_SIZE = 2048


def real_rows(source):
    rows = []
    for path in sorted(pathlib.Path(source).glob("*.tsv*")):
        for line in path.read_text().splitlines():
            fields = line.split("\t")
            if len(fields) != 6:
                continue
            _, width, height, box_count, boxes, features = fields
            box_count = int(box_count)
            boxes = array.array("f", base64.b64decode(boxes))
            features = array.array("f", base64.b64decode(features))
            if len(boxes) != 4 * box_count or len(features) != FEATURE_SIZE * box_count:
                continue
            rows.append((width, height, box_count, boxes, features))
    return rows


def shuffled(row, rng):
    width, height, box_count, boxes, features = row
    order = list(range(box_count))
    rng.shuffle(order)
    new_boxes = array.array("f")
    new_features = array.array("f")
    for index in order:
        new_boxes.extend(boxes[4 * index : 4 * index + 4])
        new_features.extend(features[FEATURE_SIZE * index : FEATURE_SIZE * (index + 1)])
    return width, height, box_count, new_boxes, new_features


def synthetic(rng, pool):
    box_count = rng.randint(10, 100)
    start = rng.randrange(len(pool) - FEATURE_SIZE * box_count)
    features = pool[start : start + FEATURE_SIZE * box_count]
    boxes = array.array("f")
    for _ in range(box_count):
        x1, y1 = rng.uniform(0, 600), rng.uniform(0, 440)
        boxes.extend([x1, y1, rng.uniform(x1, 640), rng.uniform(y1, 480)])
    return "640", "480", box_count, boxes, features


def main():
    output, count = sys.argv[1], int(sys.argv[2])
    source = sys.argv[3] if len(sys.argv) > 3 else None
    rng = random.Random(16)
    rows = real_rows(source) if source else []
    pool = None
    if not rows:
        pool = array.array("f", (rng.random() * 8 for _ in range(FEATURE_SIZE * 200)))
    with open(output, "w", newline="") as out:
        for number in range(count):
            if rows:
                row = shuffled(rows[number % len(rows)], rng)
            else:
                row = synthetic(rng, pool)
            width, height, box_count, boxes, features = row
            fields = [
                str(1_000_000 + number),
                width,
                height,
                str(box_count),
                base64.b64encode(boxes.tobytes()).decode("ascii"),
                base64.b64encode(features.tobytes()).decode("ascii"),
            ]
            out.write("\t".join(fields) + "\r\n")


if __name__ == "__main__":
    main()
