//! Python pickles: writing (protocol 2, or 3 for binary payloads) and reading (protocols
//! 0–5, see [`Pickle`]), with NumPy arrays both ways ([`numpy`]).
//!
//! Protocol 2 is the newest protocol Python 2 can read, and what the captioning code bases
//! write (`pickle.dump(obj, f, protocol=2)` in self-critical's `utils.pickle_dump`, and
//! `cPickle.HIGHEST_PROTOCOL` under Python 2). Python 3 reads it too.
//!
//! Two layers:
//! * [`Pickler`] emits opcodes onto a writer, one value at a time, so large objects (millions
//!   of n-grams) stream out without being built in memory first;
//! * [`Value`] is a small tree of Python values for everything else, written by [`to_writer`]
//!   or [`to_vec`].
//!
//! Objects that Python pickles through `__reduce__` (a `collections.defaultdict`, a NumPy
//! array) are [`Value::Object`]: a callable, its arguments, an optional state for `BUILD`
//! and optional dict items, exactly the parts of `__reduce__`'s tuple. A NumPy array is
//! `numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), b'b')` plus a `BUILD` state,
//! so it fits the same shape.
//!
//! Opcodes and their layout: CPython's `Lib/pickle.py` and `Lib/pickletools.py`.

pub mod numpy;
mod opcodes;
mod pickler;
mod read;
mod torch_legacy;
mod value;

pub use pickler::{MemoId, Pickler};
pub use read::{NodeId, Pickle, PickleRef, PickleValue};
pub use torch_legacy::{
    TORCH_LEGACY_MAGIC_NUMBER, TORCH_LEGACY_PROTOCOL_VERSION, write_torch_legacy_preamble,
};
pub use value::{Global, Object, Value, to_vec, to_writer, to_writer_with_protocol, write};
