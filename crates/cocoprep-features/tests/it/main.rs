//! Integration tests of `cocoprep-features`: one test binary, one module per behaviour area.

mod butd_parity;
mod vsua_parity;
