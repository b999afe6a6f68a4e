//! Integration tests of `cocoprep-eval` against the reference tools (pycocotools,
//! pycocoevalcap and its Java tokenizer) on real data.

#![expect(clippy::print_stderr, reason = "tests say on stderr why they skip")]

mod caption_metrics;
mod diagnostics;
mod lvis;
mod meteor;
mod parity;
mod ptb_tokenizer;
mod results;
mod spice;
mod support;
