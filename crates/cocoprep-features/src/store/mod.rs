//! Where feature jobs put their per-image outputs, shared by `features butd` and `features
//! resnet`: per-image files (the scripts' own layout), or one LMDB or HDF5 file per kind of
//! output (self-critical's `dump_to_lmdb.py` / `dump_to_h5df.py` layouts, read by its
//! `HybridLoader`).
//!
//! Each job writes the per-image files itself (their resume checks differ); the databases
//! are written by [`DatabaseStore`], which both jobs feed with [`EncodedImage`]s.

mod database;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

pub use database::{DatabaseStore, EncodedImage, partial_path, stored_ids};

/// How the outputs are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum StoreKind {
    /// `PREFIX_<kind>/<id>.npz` or `.npy`, one file per image and kind.
    #[default]
    Files,
    /// `PREFIX_<kind>.lmdb`: keys are the ids in decimal, values the bytes the files would
    /// hold.
    Lmdb,
    /// `PREFIX_<kind>.h5`: one float32 dataset per id at the root, as `dump_to_h5df.py`
    /// writes them.
    Hdf5,
}

impl StoreKind {
    /// `files`, `lmdb` or `hdf5`, as `--store` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Files => "files",
            Self::Lmdb => "lmdb",
            Self::Hdf5 => "hdf5",
        }
    }

    /// The extension appended to `PREFIX_<kind>`: none (a folder), `.lmdb` or `.h5`.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Files => "",
            Self::Lmdb => ".lmdb",
            Self::Hdf5 => ".h5",
        }
    }
}

/// `PREFIX_<kind><extension>`: the scripts append to the prefix, they do not join.
pub fn output_path(prefix: &Path, kind: &str, extension: &str) -> PathBuf {
    let mut name: OsString = prefix.as_os_str().to_owned();
    name.push(format!("_{kind}{extension}"));
    PathBuf::from(name)
}
