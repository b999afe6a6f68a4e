//! Integration tests of `cocoprep-captions`: one test binary, one module per behaviour area.

mod golden;
mod parity;
mod support;
mod test_vectors;
