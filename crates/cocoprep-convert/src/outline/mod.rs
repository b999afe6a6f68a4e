//! Polygons from RLE masks, for YOLO segment rows.
//!
//! Ultralytics 8.4 decodes a non-crowd RLE `segmentation` and takes the outer contours
//! that OpenCV's `findContours(mask, RETR_EXTERNAL, CHAIN_APPROX_SIMPLE)` returns. This
//! module does the same without OpenCV: [`decode_rle`] expands the runs and
//! [`outer_contours`] follows OpenCV's implementation of Suzuki and Abe's border following
//! (same start pixels, direction order, corner compression and contour order), so the
//! polygons are the ones Ultralytics writes.
//!
//! What is lossy: only outer borders are kept (holes are filled), pieces inside a hole of
//! another piece are dropped, and the polygon runs through pixel centres (integer
//! coordinates), so a mask rebuilt from it differs from the original along the border.

mod contour;
mod rle;

pub use contour::outer_contours;
pub use rle::{RleError, decode_rle};
