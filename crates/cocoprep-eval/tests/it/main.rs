//! Integration tests of `cocoprep-eval` against the reference tools.

#![expect(clippy::print_stderr, reason = "tests say on stderr why they skip")]

mod caption_metrics;
mod ptb_tokenizer;
