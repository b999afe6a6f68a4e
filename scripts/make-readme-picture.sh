#!/usr/bin/env bash
# Draws the README's picture (docs/show.jpg) from the built-in sample with `cocoprep show`:
# image 397133 of val2017 with its person keypoints, skeleton and masks, and image 139 with
# boxes, class names and polygon masks. Re-run after changing the drawing code.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet -p cocoprep
cocoprep=target/debug/cocoprep
sample=fixtures/coco-sample/annotations
"$cocoprep" show "$sample/instances_val2017.json" --image 139 --max-side 480 -o docs/show.jpg -q
"$cocoprep" show "$sample/person_keypoints_val2017.json" --image 397133 --max-side 480 -o docs/show-keypoints.jpg -q
ls -l docs/show.jpg docs/show-keypoints.jpg
