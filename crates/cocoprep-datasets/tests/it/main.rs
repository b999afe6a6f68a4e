//! Integration tests of `cocoprep-datasets`: one test binary, one module per dataset and
//! one for the tree check.

#![expect(clippy::print_stderr, reason = "tests say on stderr why they skip")]

mod msrvtt;
mod msvd;
mod text_corpora;
mod tree;
mod video;
