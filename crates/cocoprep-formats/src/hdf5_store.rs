//! HDF5 files of many datasets at the root, one per image, written in bounded memory:
//! the layout of self-critical's `scripts/dump_to_h5df.py` (dataset `str(cocoid)`,
//! float32, read by `h5py.File(path, 'r')[key]`).
//!
//! [`crate::hdf5::Hdf5Builder`] assembles a whole file in memory, which does not scale to
//! 123k feature arrays (tens of GB). [`Hdf5Store`] instead opens the file for editing
//! (hdf5-pure's bounded `File::open_rw`) and commits datasets in batches: each commit
//! appends the new data and repoints the superblock last, so an interrupted run leaves a
//! valid file holding every committed batch, and reopening it continues
//! ([`Hdf5Store::contains`]).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::Error;
use crate::npy::{Dtype, NpyArray};

/// Staged data is committed when it reaches this many bytes ...
const COMMIT_BYTES: usize = 256 << 20;
/// ... or this many datasets (each commit rewrites the root group's links, so fewer,
/// larger commits are faster).
const COMMIT_DATASETS: usize = 2000;

/// An HDF5 file being filled with one dataset per key.
pub struct Hdf5Store {
    path: PathBuf,
    file: Option<hdf5_pure::File>,
    names: HashSet<String>,
    staged_bytes: usize,
    staged_datasets: usize,
}

impl Hdf5Store {
    /// Opens the file at `path` for adding datasets, creating it if needed.
    pub fn open(path: &Path) -> Result<Self, Error> {
        let error = |source| Error::Hdf5 {
            path: path.to_owned(),
            source,
        };
        if !path.exists() {
            let mut builder = hdf5_pure::FileBuilder::new();
            // HDF5 1.10 format: what h5py ≥ 3 reads, and what hdf5-pure edits in place
            // without holding the file in memory.
            builder.with_libver_bounds(hdf5_pure::LibVer::V110, hdf5_pure::LibVer::V114);
            let bytes = builder.finish().map_err(error)?;
            // The empty file appears under its name only once complete.
            cocoprep_base::output::write_atomic(path, &bytes)?;
        }
        let file = hdf5_pure::File::open_rw(path).map_err(error)?;
        let names = file.root().datasets().map_err(error)?.into_iter().collect();
        Ok(Self {
            path: path.to_owned(),
            file: Some(file),
            names,
            staged_bytes: 0,
            staged_datasets: 0,
        })
    }

    /// The dataset names of the file at `path`, read without opening it for editing.
    pub fn read_names(path: &Path) -> Result<Vec<String>, Error> {
        let error = |source| Error::Hdf5 {
            path: path.to_owned(),
            source,
        };
        let file = hdf5_pure::File::open(path).map_err(error)?;
        file.root().datasets().map_err(error)
    }

    fn error(&self, source: hdf5_pure::Error) -> Error {
        Error::Hdf5 {
            path: self.path.clone(),
            source,
        }
    }

    fn file(&self) -> &hdf5_pure::File {
        self.file.as_ref().expect("open until finish")
    }

    /// Whether a dataset of this name exists (committed, or staged in this session).
    pub fn contains(&self, name: &str) -> bool {
        self.names.contains(name)
    }

    /// The dataset names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }

    /// Adds (or replaces) dataset `name` with the array of a `.npy` file. Commits when
    /// enough is staged.
    pub fn put_npy(&mut self, name: &str, npy: &[u8]) -> Result<(), Error> {
        let array = NpyArray::parse(npy)?;
        if array.header.fortran_order {
            return Err(Error::Npy(
                "Fortran-order arrays are not supported".to_owned(),
            ));
        }
        if array.header.dtype == Dtype::Object {
            return Err(Error::Npy("object arrays cannot go into HDF5".to_owned()));
        }
        let shape: Vec<u64> = array.header.shape.iter().map(|&n| n as u64).collect();
        let bytes = array.data.len();
        let root = self.file().root();
        if self.names.contains(name) {
            root.delete(name).map_err(|e| self.error(e))?;
        }
        let data = &array.data;
        macro_rules! typed {
            ($type:ty, $size:literal) => {
                data.chunks_exact($size)
                    .map(|c| <$type>::from_le_bytes(c.try_into().expect("element")))
                    .collect::<Vec<$type>>()
            };
        }
        root.create_dataset(name, |builder| {
            match array.header.dtype {
                Dtype::Float32 => builder.with_data(&typed!(f32, 4)),
                Dtype::Float64 => builder.with_data(&typed!(f64, 8)),
                Dtype::Int32 => builder.with_data(&typed!(i32, 4)),
                Dtype::Int64 => builder.with_data(&typed!(i64, 8)),
                Dtype::UInt8 => builder.with_data(data.as_slice()),
                Dtype::UInt32 => builder.with_data(&typed!(u32, 4)),
                Dtype::Object => unreachable!("rejected above"),
            };
            builder.with_shape(&shape);
        })
        .map_err(|e| self.error(e))?;
        self.names.insert(name.to_owned());
        self.staged_bytes += bytes;
        self.staged_datasets += 1;
        if self.staged_bytes >= COMMIT_BYTES || self.staged_datasets >= COMMIT_DATASETS {
            self.commit()?;
        }
        Ok(())
    }

    /// Writes what is staged to the file.
    pub fn commit(&mut self) -> Result<(), Error> {
        if self.staged_datasets > 0 {
            self.file().commit().map_err(|e| self.error(e))?;
            self.staged_bytes = 0;
            self.staged_datasets = 0;
        }
        Ok(())
    }

    /// Commits and closes the file.
    pub fn finish(mut self) -> Result<(), Error> {
        self.commit()?;
        let file = self.file.take().expect("open until finish");
        file.close().map_err(|source| Error::Hdf5 {
            path: self.path.clone(),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::npy::encode_f32;

    #[test]
    fn reopened_store_keeps_its_datasets() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("fc.h5");
        let mut store = Hdf5Store::open(&path).unwrap();
        store
            .put_npy("139", &encode_f32(&[3], &[1.0, 2.0, 3.0]).unwrap())
            .unwrap();
        store
            .put_npy("802", &encode_f32(&[2, 2], &[1.0; 4]).unwrap())
            .unwrap();
        store.finish().unwrap();
        let mut store = Hdf5Store::open(&path).unwrap();
        assert!(store.contains("139") && store.contains("802"));
        store
            .put_npy("139", &encode_f32(&[1], &[7.0]).unwrap())
            .unwrap();
        store.finish().unwrap();
        let file = hdf5_pure::File::open(&path).unwrap();
        assert_eq!(file.dataset("139").unwrap().read_f32().unwrap(), vec![7.0]);
        assert_eq!(file.dataset("802").unwrap().shape().unwrap(), vec![2, 2]);
    }
}
