//! Torch tensors in a plain pickle, written without Python: what `pickle.dump` makes of a
//! 1-D CPU `int64` tensor (`torch/_tensor.py` `_reduce_ex_internal`, `torch/storage.py`
//! `TypedStorage.__reduce__`, `torch/serialization.py` `_legacy_save`):
//!
//! ```text
//! torch._utils._rebuild_tensor_v2(
//!     torch.storage._load_from_bytes(<legacy torch.save of the storage>),
//!     0, (n,), (1,), False, collections.OrderedDict())
//! ```
//!
//! The legacy `torch.save` bytes are five protocol-2 pickles and the raw data: the magic
//! number `0x1950a86a20f9469cfc6c`, the protocol version 1001, a `sys_info` dict, the
//! storage as the persistent id `('storage', torch.LongStorage, '0', 'cpu', n, None)`, the
//! list of storage keys `['0']`, then per storage its element count (`int64`) and its
//! elements (little-endian `int64`).

use std::io::{self, Write};

use cocoprep_formats::pickle::{Pickler, write_torch_legacy_preamble};

/// The one storage's key (torch uses `str(id)`; any string that matches the key list works).
const STORAGE_KEY: &str = "0";

/// One element of a target set's `data` list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetEntry {
    /// One 1-D `int64` tensor (a class name's ids).
    Tensor(Vec<i64>),
    /// A list of tensors (ImageNet-22k: one per synonym).
    Synonyms(Vec<Vec<i64>>),
}

/// Writes `{'data': [...], 'modality': 'text'}` as a protocol-3 pickle.
pub fn write_target_set<W: Write>(out: W, data: &[TargetEntry]) -> io::Result<W> {
    let mut pickler = Pickler::with_protocol(out, 3)?;
    pickler.empty_dict()?;
    pickler.mark()?;
    pickler.str("data")?;
    pickler.empty_list()?;
    pickler.append_items(data, |pickler, entry| match entry {
        TargetEntry::Tensor(ids) => tensor(pickler, ids),
        TargetEntry::Synonyms(synonyms) => {
            pickler.empty_list()?;
            pickler.append_items(synonyms, |pickler, ids| tensor(pickler, ids))
        }
    })?;
    pickler.str("modality")?;
    pickler.str("text")?;
    pickler.set_items_from_mark()?;
    pickler.finish()
}

/// Pushes one 1-D `int64` tensor.
pub fn tensor<W: Write>(pickler: &mut Pickler<W>, ids: &[i64]) -> io::Result<()> {
    let length = i64::try_from(ids.len()).map_err(io::Error::other)?;
    pickler.global("torch._utils", "_rebuild_tensor_v2")?;
    pickler.begin_tuple(6)?;
    pickler.global("torch.storage", "_load_from_bytes")?;
    pickler.begin_tuple(1)?;
    pickler.bytes(&legacy_storage_bytes(ids)?)?;
    pickler.end_tuple(1)?;
    pickler.reduce()?;
    pickler.int(0)?;
    pickler.begin_tuple(1)?;
    pickler.int(length)?;
    pickler.end_tuple(1)?;
    pickler.begin_tuple(1)?;
    pickler.int(1)?;
    pickler.end_tuple(1)?;
    pickler.bool(false)?;
    pickler.global("collections", "OrderedDict")?;
    pickler.end_tuple(0)?;
    pickler.reduce()?;
    pickler.end_tuple(6)?;
    pickler.reduce()
}

/// `torch.save(storage, _use_new_zipfile_serialization=False)` of a `LongStorage`.
pub fn legacy_storage_bytes(ids: &[i64]) -> io::Result<Vec<u8>> {
    let length = i64::try_from(ids.len()).map_err(io::Error::other)?;
    let mut out = Vec::with_capacity(256 + ids.len() * 8);

    write_torch_legacy_preamble(&mut out)?;

    let mut storage = Pickler::new(&mut out)?;
    storage.begin_tuple(6)?;
    storage.str("storage")?;
    storage.global("torch", "LongStorage")?;
    storage.str(STORAGE_KEY)?;
    storage.str("cpu")?;
    storage.int(length)?;
    storage.none()?;
    storage.end_tuple(6)?;
    storage.persistent_id()?;
    storage.finish()?;

    let mut keys = Pickler::new(&mut out)?;
    keys.empty_list()?;
    keys.append_items([STORAGE_KEY], |pickler, key| pickler.str(key))?;
    keys.finish()?;

    out.extend_from_slice(&length.to_le_bytes());
    for id in ids {
        out.extend_from_slice(&id.to_le_bytes());
    }
    Ok(out)
}
