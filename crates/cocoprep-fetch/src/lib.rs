//! Getting COCO and its companion datasets onto disk, verified.
//!
//! * [`catalog`]: every resource cocoprep can download (URLs, mirrors, published sizes and
//!   checksums, how to unpack) and the bundles that name what a workflow needs.
//! * [`download`]: resumable multi-connection HTTP downloads with retries, mirror fallback,
//!   streaming verification and Google Drive's confirmation flow.
//! * [`extract`]: zip (zip64) and tar(.gz) extraction in parallel where the format allows,
//!   refusing path traversal and links, checking every member's CRC.
//! * [`manifest`]: what was verified, so re-runs do no network work and `verify` can
//!   re-check a tree later.
//! * [`get`]: the `cocoprep get` workflow that ties them together, and [`subset`] for
//!   FiftyOne-style partial downloads from `coco_url`.
//!
//! ```no_run
//! use cocoprep_fetch::download::{DownloadOptions, DownloadRequest, Downloader, ProgressSink};
//! use cocoprep_base::progress::NoReporter;
//!
//! let downloader = Downloader::new(DownloadOptions::default());
//! let request = DownloadRequest {
//!     label: "val2017.zip".into(),
//!     urls: vec!["http://images.cocodataset.org/zips/val2017.zip".into()],
//!     destination: "coco/val2017.zip".into(),
//!     expected_bytes: Some(815_585_330),
//!     checksum: cocoprep_fetch::Checksum::from_hex(
//!         "4f7e2ccb2866ec5041993c9cf2a952bbed69647b115d0f74da7ce8f4bef82f05",
//!     ),
//! };
//! let file = downloader.download(&request, ProgressSink { reporter: &NoReporter, total: None })?;
//! assert_eq!(file.bytes, 815_585_330);
//! # Ok::<(), cocoprep_fetch::FetchError>(())
//! ```

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod catalog;
mod checksum;
pub mod defects;
pub mod disk;
pub mod download;
mod error;
pub mod extract;
pub mod gdrive;
pub mod get;
mod http;
pub mod manifest;
pub mod shard;
pub mod subset;
pub mod verify;

pub use checksum::{Checksum, Digests, StreamingHasher, hash_file, hash_file_bytes, to_hex};
pub use error::{FetchError, TransferError, error_chain};
pub use http::{HttpOptions, agent_config};
