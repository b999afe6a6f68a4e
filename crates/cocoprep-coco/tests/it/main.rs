//! Integration tests of `cocoprep-coco`: one test binary, one module per behaviour area.

mod mask_parity;
mod pycocotools_parity;
mod read_errors;
mod round_trip;
