//! HDF5 files that h5py reads, written in pure Rust.
//!
//! Captioning code reads HDF5 with `h5py.File(path, 'r')` and slices datasets by name
//! (`labels`, `label_start_ix`, ... at the root), so any valid HDF5 file with the right
//! names, dtypes and shapes is compatible: byte identity with h5py is not needed. The
//! datasets are written as h5py's `create_dataset(name, data=...)` writes them by default:
//! contiguous, uncompressed, little-endian, no attributes.
//!
//! Built on [`hdf5_pure`] so cocoprep builds and runs without the HDF5 C library.
//!
//! ```
//! use cocoprep_formats::hdf5::Hdf5Builder;
//!
//! let mut file = Hdf5Builder::new();
//! file.dataset("label_length", &[3], &[3u32, 16, 2])?;
//! file.dataset("labels", &[2, 2], &[1u32, 2, 3, 0])?;
//! let mut bytes = Vec::new();
//! file.write_to(&mut bytes)?;
//! assert!(bytes.starts_with(b"\x89HDF\r\n\x1a\n"));
//! # Ok::<(), cocoprep_formats::hdf5::Hdf5Error>(())
//! ```

use std::io::Write;

/// Why an HDF5 file could not be built or written.
#[derive(Debug, thiserror::Error)]
pub enum Hdf5Error {
    /// A dataset's data does not fill its shape.
    #[error("dataset `{name}`: shape {shape:?} holds {expected} values but {actual} were given")]
    ShapeMismatch {
        /// The dataset.
        name: String,
        /// Its shape.
        shape: Vec<usize>,
        /// The product of the shape.
        expected: usize,
        /// The number of values given.
        actual: usize,
    },
    /// Two datasets with the same name.
    #[error("dataset `{name}` is written twice")]
    DuplicateDataset {
        /// The dataset.
        name: String,
    },
    /// The HDF5 writer failed (including I/O errors on the output).
    #[error("cannot write the HDF5 file")]
    Write(#[source] hdf5_pure::Error),
}

/// A value type HDF5 datasets can hold, mapped to the HDF5 type h5py reads as the NumPy
/// dtype of the same name (`u32` ↔ `uint32`, `f32` ↔ `float32`).
pub trait Element: sealed::Sealed + Copy {
    #[doc(hidden)]
    fn stage(builder: &mut hdf5_pure::DatasetBuilder, data: &[Self]);
}

mod sealed {
    pub trait Sealed {}
}

macro_rules! element {
    ($($type:ty),*) => {$(
        impl sealed::Sealed for $type {}
        impl Element for $type {
            fn stage(builder: &mut hdf5_pure::DatasetBuilder, data: &[Self]) {
                builder.with_data(data);
            }
        }
    )*};
}
element!(u8, u16, u32, u64, i8, i16, i32, i64, f32, f64);

/// An HDF5 file being assembled in memory, written in one go by [`write_to`](Self::write_to).
///
/// Datasets are staged whole; files of many large datasets (region features) will want a
/// streaming variant that writes each dataset as it comes.
pub struct Hdf5Builder {
    builder: hdf5_pure::FileBuilder,
    names: Vec<String>,
}

impl Default for Hdf5Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl Hdf5Builder {
    /// An empty file.
    pub fn new() -> Self {
        Self {
            builder: hdf5_pure::FileBuilder::new(),
            names: Vec::new(),
        }
    }

    /// Adds a dataset at the root: `shape` in C order (the last index varies fastest) and
    /// `data` row-major, as NumPy lays out an array of that shape.
    pub fn dataset<T: Element>(
        &mut self,
        name: &str,
        shape: &[usize],
        data: &[T],
    ) -> Result<&mut Self, Hdf5Error> {
        let expected: usize = shape.iter().product();
        if expected != data.len() {
            return Err(Hdf5Error::ShapeMismatch {
                name: name.to_owned(),
                shape: shape.to_vec(),
                expected,
                actual: data.len(),
            });
        }
        if self.names.iter().any(|existing| existing == name) {
            return Err(Hdf5Error::DuplicateDataset {
                name: name.to_owned(),
            });
        }
        self.names.push(name.to_owned());
        let dimensions: Vec<u64> = shape.iter().map(|&size| size as u64).collect();
        let builder = self.builder.create_dataset(name);
        T::stage(builder, data);
        builder.with_shape(&dimensions);
        Ok(self)
    }

    /// Writes the file onto `out`, front to back (no seeking, so any writer works).
    pub fn write_to<W: Write>(self, out: W) -> Result<(), Hdf5Error> {
        self.builder.finish_to(out).map_err(Hdf5Error::Write)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_must_match_data() {
        let mut file = Hdf5Builder::new();
        let error = file.dataset("x", &[2, 3], &[1u32; 5]).err().unwrap();
        assert_eq!(
            error.to_string(),
            "dataset `x`: shape [2, 3] holds 6 values but 5 were given"
        );
        file.dataset("x", &[5], &[1u32; 5]).unwrap();
        assert!(matches!(
            file.dataset("x", &[5], &[1u32; 5]),
            Err(Hdf5Error::DuplicateDataset { .. })
        ));
    }
}
