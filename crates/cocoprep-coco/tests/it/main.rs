//! Integration tests of `cocoprep-coco`: one test binary, one module per behaviour area.

#![expect(clippy::print_stderr, reason = "tests say on stderr why they skip")]

mod mask_parity;
mod pycocotools_parity;
mod read_errors;
mod round_trip;
