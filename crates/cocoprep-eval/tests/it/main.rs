//! Integration tests of cocoprep-eval: parity with pycocotools on real data.

#![expect(clippy::print_stderr, reason = "tests say on stderr why they skip")]

mod parity;
mod results;
