//! The base every cocoprep crate stands on: one implementation of each utility that the
//! long-running jobs share.
//!
//! * [`output`]: files (and folders) that appear under their final name only when complete,
//!   with or without fsync, and the clean-up of what a killed run left behind.
//! * [`progress`]: the [`Reporter`] trait through which libraries report progress and
//!   warnings (libraries never print; the binary draws bars or log lines).
//! * [`threads`]: the worker-thread policy. The binary builds rayon's global pool once, from
//!   `-j/--jobs` or `COCOPREP_JOBS`; libraries use whatever pool they are called in.
//! * [`cluster`]: the shard layer of every long job: `--shard I/N`, `--shard-from-env`,
//!   done markers, `--emit` job scripts and array expressions.
//! * [`position`]: byte offsets in a source file turned into line and column for error
//!   messages, and serde_json's own positions removed from its messages.
//!
//! Nothing here knows about COCO: the crates above it do.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod cluster;
pub mod output;
pub mod permits;
pub mod position;
pub mod progress;
pub mod threads;

pub use output::{AtomicFile, StagedFolder, write_atomic, write_atomic_unsynced};
pub use position::{Locator, SourcePosition, strip_position};
pub use progress::{NoReporter, ProgressUnit, Reporter, TaskId};
