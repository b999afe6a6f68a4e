//! Integration tests of `cocoprep-convert`: one test binary, one module per behaviour area.

mod contours;
mod golden;
mod number_format;
