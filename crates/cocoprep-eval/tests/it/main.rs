//! Integration tests of `cocoprep-eval` against the reference tools.

#![expect(clippy::print_stderr, reason = "tests say on stderr why they skip")]

mod caption_metrics;
mod meteor;
mod ptb_tokenizer;
mod support;
