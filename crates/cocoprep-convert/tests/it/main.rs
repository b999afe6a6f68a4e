//! Integration tests of `cocoprep-convert`: one test binary, one module per behaviour area.

#![expect(clippy::print_stderr, reason = "tests say on stderr why they skip")]

mod contours;
mod golden;
mod number_format;
