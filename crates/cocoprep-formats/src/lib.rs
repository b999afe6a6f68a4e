//! Readers and writers for the files that existing training code reads, byte-compatible
//! with the Python tools that made them until now.
//!
//! * [`pickle`]: Python pickles (protocol 2, loadable by Python 2 and 3) of plain values and
//!   of objects rebuilt through `__reduce__`, such as `collections.defaultdict(float, ...)`.
//! * [`hdf5`]: HDF5 files with datasets at the root, readable by h5py (pure Rust, no C
//!   library needed).
//! * [`hdf5_store`]: HDF5 files of one dataset per image, filled in bounded memory, as
//!   self-critical's `dump_to_h5df.py` lays them out.
//! * [`python_json`]: JSON formatted exactly as Python's `json.dump(obj, f)` formats it, so
//!   outputs are byte-identical to the reference scripts'.
//! * [`npy`]: `.npy` arrays exactly as `np.save` writes them.
//! * [`npz`]: `.npz` archives laid out as `np.savez_compressed` writes them.
//! * [`dataset_yaml`]: the ultralytics dataset YAML (`path`, `train`, `val`, `names`, ...),
//!   read and written.
//! * [`lmdb`]: single-file LMDB stores of file bytes, as self-critical's `dump_to_lmdb.py`.
//!
//! Writers take any [`std::io::Write`] or return bytes; callers decide where the bytes go
//! (cocoprep writes every output to a temporary file and renames it when complete).
//!
//! ```
//! use cocoprep_formats::pickle::{Pickler, Value};
//! use cocoprep_formats::python_json::PythonJsonWriter;
//!
//! // {'document_frequency': defaultdict(float, {('a',): 2.0}), 'ref_len': 1}
//! let value = Value::Dict(vec![
//!     (Value::from("document_frequency"),
//!      Value::default_dict_of_floats(vec![(Value::Tuple(vec![Value::from("a")]), Value::Float(2.0))])),
//!     (Value::from("ref_len"), Value::Int(1)),
//! ]);
//! let bytes = cocoprep_formats::pickle::to_vec(&value)?;
//! assert!(bytes.starts_with(b"\x80\x02"));
//!
//! let mut json = PythonJsonWriter::new(Vec::new());
//! json.begin_object()?;
//! json.key("ix_to_word")?;
//! json.begin_object()?;
//! json.key("1")?;
//! json.string("caf\u{e9}")?;
//! json.end_object()?;
//! json.end_object()?;
//! assert_eq!(json.into_inner()?, br#"{"ix_to_word": {"1": "caf\u00e9"}}"#);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! A region-feature file as `np.savez_compressed(path, feat=features)` writes it:
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

pub mod dataset_yaml;
mod error;
pub mod hdf5;
pub mod hdf5_store;
pub mod lmdb;
pub mod npy;
pub mod npz;
pub mod pickle;
pub mod python_json;

pub use error::Error;
