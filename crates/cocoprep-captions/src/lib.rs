//! Karpathy-format captioning data, prepared exactly as the captioning code bases expect.
//!
//! * [`convert`]: building Karpathy dataset files from COCO caption files or Flickr8k.
//! * [`karpathy`]: reading Karpathy's `dataset_coco.json` (and the Flickr ones) into a
//!   compact model.
//! * [`words`]: the corpus' words in first-occurrence order with their counts.
//! * [`labels`]: `prepro_labels.py`: vocabulary, `cocotalk.json` and the label HDF5 file.
//! * [`ngrams`]: `prepro_ngrams.py`: CIDEr-D document frequency pickles.
//! * [`reference`](mod@reference): `prepro_reference_json.py`: the coco-caption reference file.
//! * [`splits`]: Uni-Perceiver's `coco_preprocess.py`: Karpathy splits as COCO caption
//!   files.
//! * [`subsample`]: coco-scripts' `coco_splits.py`: a seeded fraction of the training
//!   images, with [`python_random`], CPython's generator.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod convert;
mod error;
pub mod karpathy;
pub mod labels;
pub mod ngrams;
mod output;
pub mod python_random;
pub mod reference;
pub mod splits;
pub mod subsample;
pub mod text;
pub mod words;

pub use error::{Error, ImageRef};
