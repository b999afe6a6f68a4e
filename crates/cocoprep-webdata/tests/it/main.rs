//! Integration tests of cocoprep-webdata: one test binary, one module per behaviour area.

#![expect(clippy::print_stderr, reason = "tests say on stderr why they skip")]

mod inputs;
mod resize_parity;
