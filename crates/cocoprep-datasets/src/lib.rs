//! The Uni-Perceiver data tree (`$DATA_PATH/open_source_dataset/`).
//!
//! * a check of the tree against every file the configs read, dataset by dataset, with the
//!   exact fix for each problem (and `init` / cache clean-up);
//! * one preparer per dataset that writes exactly the files the configs read (the config
//!   names, not the original scripts' names) from the official downloads.
//!
//! Formats and the reference scripts' behaviour: `shared/specs/multi-dataset-and-web-scale.md` §0–§1.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod bookswiki;
pub mod coco_style;
pub mod csv_table;
pub mod error;
mod folder;
pub mod glue;
pub mod imagenet;
pub mod layout;
pub mod msrvtt;
pub mod msvd;
pub mod python_text;
pub mod tree;
pub mod video_classes;

pub use error::Error;
pub use layout::DataRoot;
