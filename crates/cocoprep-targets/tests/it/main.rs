//! Integration tests of `cocoprep-targets`: one test binary, one module per behaviour area.

#![expect(clippy::print_stderr, reason = "tests say on stderr why they skip")]

mod golden;
mod names;
mod parity;
mod pickles;
mod sets;
