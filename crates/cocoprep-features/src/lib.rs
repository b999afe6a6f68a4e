//! Region-feature files for image-captioning models.
//!
//! * [`butd`]: the bottom-up-attention TSVs (Faster R-CNN region features) converted to the
//!   per-image `.npz`/`.npy` files (or LMDB stores) that self-critical, AoANet, VSUA and
//!   their descendants read — `make_bu_data.py`, parallel and resumable, with the mean
//!   features bit-identical to NumPy's.
//! * [`resnet`]: ResNet-101/152 grid features (`prepro_feats.py`): `.pth` weights read
//!   directly, a CPU inference engine of our own (im2col + GEMM), decoding that matches
//!   PIL, resumable parallel pipeline.
//! * [`store`]: where both put their outputs: per-image files, or one LMDB or HDF5 file
//!   per kind, built under a hidden name and renamed when complete.
//! * [`vsua`]: VSUA's pairwise box geometry and geometry graphs, from the box-info pickle,
//!   with or without the all-pairs intermediate pickle.
//!
//! Libraries never print: progress goes through a [`cocoprep_base::progress::Reporter`].

#![deny(missing_docs)]

pub mod butd;
mod error;
pub mod resnet;
pub mod store;
pub mod vsua;

pub use error::Error;
