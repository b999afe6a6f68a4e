#!/usr/bin/env bash
# Draws the README's picture (docs/show.jpg) from the built-in sample with `cocoprep show`:
# image 397133 of val2017 with its person keypoints, skeleton and masks, and image 139 with
# boxes, class names and polygon masks; and docs/pr-curves.png, the precision-recall curves of
# cocoapi's fake bbox results (from ../shared/data/cocoapi-eval, when present). Re-run after
# changing the drawing code.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet -p cocoprep
cocoprep=target/debug/cocoprep
sample=fixtures/coco-sample/annotations
"$cocoprep" show "$sample/instances_val2017.json" --image 139 --max-side 480 -o docs/show.jpg -q
"$cocoprep" show "$sample/person_keypoints_val2017.json" --image 397133 --max-side 480 -o docs/show-keypoints.jpg -q
cocoapi=../shared/data/cocoapi-eval
if [ -d "$cocoapi" ]; then
  "$cocoprep" eval detection "$cocoapi/instances_val2014_100.json" \
    "$cocoapi/instances_val2014_fakebbox100_results.json" --iou-type bbox \
    --pr-curves docs/pr-curves.png -q > /dev/null
else
  echo "skipped docs/pr-curves.png: $cocoapi is absent" >&2
fi
ls -l docs/show.jpg docs/show-keypoints.jpg docs/pr-curves.png
