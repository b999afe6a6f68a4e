//! Polygons from RLE masks, for YOLO segment rows.
//!
//! Ultralytics 8.4 decodes a non-crowd RLE `segmentation` and takes the outer contours
//! that OpenCV's `findContours(mask, RETR_EXTERNAL, CHAIN_APPROX_SIMPLE)` returns. This
//! module does the same without OpenCV: the core's
//! [`RunLengthMask`](cocoprep_coco::mask::RunLengthMask) expands the runs (run lengths that
//! do not cover the mask exactly are an error there, not undefined memory) and
//! [`outer_contours`] follows OpenCV's implementation of Suzuki and Abe's border following
//! (same start pixels, direction order, corner compression and contour order), so the
//! polygons are the ones Ultralytics writes.
//!
//! What is lossy: only outer borders are kept (holes are filled), pieces inside a hole of
//! another piece are dropped, and the polygon runs through pixel centres (integer
//! coordinates), so a mask rebuilt from it differs from the original along the border.

mod contour;

pub use contour::outer_contours;
