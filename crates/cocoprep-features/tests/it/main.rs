//! Integration tests of `cocoprep-features`: one test binary, one module per behaviour area.

#![expect(clippy::print_stderr, reason = "tests say on stderr why they skip")]

mod butd_parity;
mod resnet_parity;
mod vsua_parity;
