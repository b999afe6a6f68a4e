//! Readers and writers for the files that training code reads, byte-compatible with the
//! Python tools that write them today.
//!
//! * [`npy`]: `.npy` arrays exactly as `np.save` writes them.
//! * [`npz`]: `.npz` archives laid out as `np.savez_compressed` writes them.
//! * [`lmdb`]: single-file LMDB stores of file bytes, as self-critical's `dump_to_lmdb.py`.
//!
//! ```
//! use cocoprep_formats::{npy, npz};
//!
//! let feat = npy::encode_f32(&[2, 2], &[0.0, 1.0, 2.0, 3.0])?;
//! let archive = npz::NpzEncoder::new(npz::DEFAULT_COMPRESSION_LEVEL)?.encode(&[("feat", &feat)])?;
//! let members = npz::read_members(&archive)?;
//! assert_eq!(members[0].0, "feat");
//! assert_eq!(npy::NpyArray::parse(&members[0].1)?.to_f32()?, vec![0.0, 1.0, 2.0, 3.0]);
//! # Ok::<(), cocoprep_formats::Error>(())
//! ```

#![deny(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod error;
pub mod lmdb;
pub mod npy;
pub mod npz;

pub use error::Error;
