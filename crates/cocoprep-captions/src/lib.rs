//! Karpathy-format captioning data, prepared exactly as the captioning code bases expect.
//!
//! * [`karpathy`]: reading Karpathy's `dataset_coco.json` (and the Flickr ones) into a
//!   compact model.
//! * [`words`]: the corpus' words in first-occurrence order with their counts.

#![deny(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod error;
pub mod karpathy;
pub mod words;

pub use error::{Error, ImageRef};
