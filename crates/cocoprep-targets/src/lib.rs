//! Uni-Perceiver's CLIP tokenizer and the shared target sets it encodes.
//!
//! * [`ClipTokenizer`]: a pure-Rust port of `uniperceiver/tokenization/tokenization_clip.py`
//!   (CLIP's byte-pair encoder with 49,411 ids: CLIP's 49,408 plus `<|mask|>`, `<|gen|>`,
//!   `<|spe|>`), token-exact, with the merges file embedded and the text cleaning it runs
//!   first ([`clean`]: ftfy 6.3.1's `fix_text`, Python's `html.unescape` twice, whitespace
//!   collapsed);
//! * [`targets`]: the class-name target sets of `tools/generate_target_sets.ipynb`, each
//!   name encoded as `name + " <|endoftext|>"`, written as the pickle Uni-Perceiver loads
//!   (`{'data': [1-D int64 torch tensors], 'modality': 'text'}`).

#![forbid(unsafe_code)]

pub mod clean;
mod error;
mod ftfy_tables;
pub mod html;
mod html_entities;
pub mod names;
pub mod targets;
mod tokenizer;
pub mod torch_pickle;

pub use error::Error;
pub use tokenizer::{ClipTokenizer, END_OF_TEXT, SPECIAL_TOKENS, START_OF_TEXT, VOCAB_SIZE};
