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
use std::sync::LazyLock;

use cocoprep_formats::pickle::{Pickler, write_torch_legacy_preamble};
use rayon::prelude::*;

/// The one storage's key (torch uses `str(id)`; any string that matches the key list works).
const STORAGE_KEY: &str = "0";

/// Items per `APPENDS` batch: CPython's `_BATCHSIZE`, what `Pickler::append_items` uses.
pub(crate) const APPEND_BATCH_SIZE: usize = 1000;

/// The pickle protocol of the target sets (what `pickle.dump` in the notebook wrote).
const PROTOCOL: u8 = 3;

/// `APPENDS` batches made in parallel before they are written: 32,000 entries (about
/// 13 MB of pickle for caption-length tensors), written while the next group is made.
const BATCHES_PER_GROUP: usize = 32;

/// One element of a target set's `data` list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetEntry {
    /// One 1-D `int64` tensor (a class name's ids).
    Tensor(Vec<i64>),
    /// A list of tensors (ImageNet-22k: one per synonym).
    Synonyms(Vec<Vec<i64>>),
}

/// Writes `{'data': [...], 'modality': 'text'}` as a protocol-3 pickle.
///
/// Each entry's bytes depend on that entry alone, so the `data` list is made a batch of
/// [`APPEND_BATCH_SIZE`] entries at a time on the rayon pool and written in order; the
/// bytes are those of one `Pickler` writing the entries one by one (CPython's `APPENDS`
/// batches of 1000).
pub fn write_target_set<W: Write + Send>(mut out: W, data: &[TargetEntry]) -> io::Result<W> {
    let (head, tail) = target_set_head_and_tail()?;
    out.write_all(&head)?;
    let mut pending: Vec<Vec<u8>> = Vec::new();
    for group in data.chunks(APPEND_BATCH_SIZE * BATCHES_PER_GROUP) {
        let (written, made) = rayon::join(
            || pending.iter().try_for_each(|batch| out.write_all(batch)),
            || {
                group
                    .par_chunks(APPEND_BATCH_SIZE)
                    .map(append_batch_bytes)
                    .collect::<io::Result<Vec<Vec<u8>>>>()
            },
        );
        written?;
        pending = made?;
    }
    pending.iter().try_for_each(|batch| out.write_all(batch))?;
    out.write_all(&tail)?;
    out.flush()?;
    Ok(out)
}

/// The opcodes `write` pushes, without the protocol header and `STOP` a whole pickle has:
/// a part of a larger pickle, made on its own.
fn fragment(
    capacity: usize,
    write: impl FnOnce(&mut Pickler<Vec<u8>>) -> io::Result<()>,
) -> io::Result<Vec<u8>> {
    let mut pickler = Pickler::with_protocol(Vec::with_capacity(capacity), PROTOCOL)?;
    write(&mut pickler)?;
    let mut bytes = pickler.finish()?;
    // `PROTO n` … `STOP`.
    bytes.pop();
    bytes.drain(..2);
    Ok(bytes)
}

/// One `APPENDS` batch of the `data` list: `MARK`, the entries, `APPENDS` (at most
/// [`APPEND_BATCH_SIZE`] entries, so `append_items` writes exactly one batch).
fn append_batch_bytes(entries: &[TargetEntry]) -> io::Result<Vec<u8>> {
    let mut scratch = Vec::new();
    let capacity = entries.iter().map(entry_size_hint).sum::<usize>() + 8;
    fragment(capacity, |pickler| {
        pickler.append_items(entries, |pickler, entry| match entry {
            TargetEntry::Tensor(ids) => tensor_with(pickler, ids, &mut scratch),
            TargetEntry::Synonyms(synonyms) => {
                pickler.empty_list()?;
                pickler.append_items(synonyms, |pickler, ids| {
                    tensor_with(pickler, ids, &mut scratch)
                })
            }
        })
    })
}

/// About how many pickle bytes an entry takes (its tensors' fixed part plus their ids).
fn entry_size_hint(entry: &TargetEntry) -> usize {
    const TENSOR_BYTES: usize = 360;
    match entry {
        TargetEntry::Tensor(ids) => TENSOR_BYTES + 8 * ids.len(),
        TargetEntry::Synonyms(synonyms) => synonyms
            .iter()
            .map(|ids| TENSOR_BYTES + 8 * ids.len())
            .sum(),
    }
}

/// Pushes one 1-D `int64` tensor.
pub fn tensor<W: Write>(pickler: &mut Pickler<W>, ids: &[i64]) -> io::Result<()> {
    tensor_with(pickler, ids, &mut Vec::new())
}

/// [`tensor`], with `scratch` as the buffer the storage bytes are made in.
fn tensor_with<W: Write>(
    pickler: &mut Pickler<W>,
    ids: &[i64],
    scratch: &mut Vec<u8>,
) -> io::Result<()> {
    scratch.clear();
    legacy_storage_bytes_into(ids, scratch)?;
    pickler.global("torch._utils", "_rebuild_tensor_v2")?;
    pickler.begin_tuple(6)?;
    pickler.global("torch.storage", "_load_from_bytes")?;
    pickler.begin_tuple(1)?;
    pickler.bytes(scratch)?;
    tensor_tail(pickler, ids.len())
}

/// What follows a tensor's storage bytes (which end with its ids): the rest of the
/// `_rebuild_tensor_v2` call, which depends on the length alone.
fn tensor_tail<W: Write>(pickler: &mut Pickler<W>, length: usize) -> io::Result<()> {
    let length = i64::try_from(length).map_err(io::Error::other)?;
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

/// The pickle bytes of 1-D `int64` tensors, as [`tensor`] writes them, from one template
/// per length: a tensor of `n` ids is `before(n)`, the ids as little-endian `int64`, then
/// `after(n)` ([`tensor_tail`]); the templates are made by [`tensor`] itself, once per
/// length met.
#[derive(Default)]
pub(crate) struct TensorTemplates {
    by_length: Vec<Option<Template>>,
}

/// The bytes of a tensor before its ids and after them.
type Template = (Box<[u8]>, Box<[u8]>);

impl TensorTemplates {
    /// Appends the tensor of `ids` to `out`.
    pub(crate) fn push(&mut self, out: &mut Vec<u8>, ids: &[u32]) -> io::Result<()> {
        let n = ids.len();
        if self.by_length.len() <= n {
            self.by_length.resize(n + 1, None);
        }
        if self.by_length[n].is_none() {
            self.by_length[n] = Some(Self::make(n)?);
        }
        let (before, after) = self.by_length[n].as_ref().expect("made above");
        out.reserve(before.len() + 8 * n + after.len());
        out.extend_from_slice(before);
        for &id in ids {
            out.extend_from_slice(&i64::from(id).to_le_bytes());
        }
        out.extend_from_slice(after);
        Ok(())
    }

    fn make(n: usize) -> io::Result<Template> {
        let whole = fragment(512 + 8 * n, |pickler| tensor(pickler, &vec![0; n]))?;
        let after = fragment(64, |pickler| tensor_tail(pickler, n))?;
        let ids_end = whole.len() - after.len();
        debug_assert!(whole[ids_end..] == after[..]);
        Ok((whole[..ids_end - 8 * n].into(), after.into()))
    }
}

/// The `MARK` and `APPENDS` opcodes around one batch of appended items.
pub(crate) fn append_batch_frame() -> io::Result<(u8, u8)> {
    let frame = fragment(2, |pickler| pickler.append_items([()], |_, ()| Ok(())))?;
    Ok((frame[0], frame[1]))
}

/// The bytes of a target-set pickle before its `data` items (`{` `(` `'data'` `[`) and
/// after them (`'modality'` `'text'` `SETITEMS` `STOP`), as [`write_target_set`] writes them.
pub(crate) fn target_set_head_and_tail() -> io::Result<(Vec<u8>, Vec<u8>)> {
    let mut head = Vec::with_capacity(16);
    {
        let mut pickler = Pickler::with_protocol(&mut head, PROTOCOL)?;
        pickler.empty_dict()?;
        pickler.mark()?;
        pickler.str("data")?;
        pickler.empty_list()?;
    }
    let mut tail = fragment(32, |pickler| {
        pickler.str("modality")?;
        pickler.str("text")?;
        pickler.set_items_from_mark()
    })?;
    tail.push(b'.');
    Ok((head, tail))
}

/// `torch.save(storage, _use_new_zipfile_serialization=False)` of a `LongStorage`.
pub fn legacy_storage_bytes(ids: &[i64]) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(256 + ids.len() * 8);
    legacy_storage_bytes_into(ids, &mut out)?;
    Ok(out)
}

/// [`legacy_storage_bytes`], appended to `out`.
fn legacy_storage_bytes_into(ids: &[i64], out: &mut Vec<u8>) -> io::Result<()> {
    // The magic number, protocol version and `sys_info` pickles are the same for every
    // storage: made once.
    static PREAMBLE: LazyLock<Vec<u8>> = LazyLock::new(|| {
        let mut preamble = Vec::new();
        write_torch_legacy_preamble(&mut preamble).expect("writing to a Vec cannot fail");
        preamble
    });
    let length = i64::try_from(ids.len()).map_err(io::Error::other)?;
    out.reserve(PREAMBLE.len() + 96 + ids.len() * 8);
    out.extend_from_slice(&PREAMBLE);

    let mut storage = Pickler::new(&mut *out)?;
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

    let mut keys = Pickler::new(&mut *out)?;
    keys.empty_list()?;
    keys.append_items([STORAGE_KEY], |pickler, key| pickler.str(key))?;
    keys.finish()?;

    out.extend_from_slice(&length.to_le_bytes());
    for id in ids {
        out.extend_from_slice(&id.to_le_bytes());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{Pickler, TargetEntry, tensor, write_target_set};

    /// The entries one by one through one `Pickler`: what the parallel batches must equal.
    fn sequential(data: &[TargetEntry]) -> Vec<u8> {
        let mut pickler = Pickler::with_protocol(Vec::new(), 3).unwrap();
        pickler.empty_dict().unwrap();
        pickler.mark().unwrap();
        pickler.str("data").unwrap();
        pickler.empty_list().unwrap();
        pickler
            .append_items(data, |pickler, entry| match entry {
                TargetEntry::Tensor(ids) => tensor(pickler, ids),
                TargetEntry::Synonyms(synonyms) => {
                    pickler.empty_list()?;
                    pickler.append_items(synonyms, |pickler, ids| tensor(pickler, ids))
                }
            })
            .unwrap();
        pickler.str("modality").unwrap();
        pickler.str("text").unwrap();
        pickler.set_items_from_mark().unwrap();
        pickler.finish().unwrap()
    }

    #[test]
    fn tensor_templates_write_the_bytes_of_the_pickler() {
        let mut templates = super::TensorTemplates::default();
        let mut out = Vec::new();
        let mut expected = super::fragment(0, |_| Ok(())).unwrap();
        for n in [3_usize, 0, 1, 2, 30, 31, 32, 33, 200, 300, 3] {
            let ids: Vec<u32> = (0..n as u32)
                .map(|i| (i * 7919 + 49_000) % 49_411)
                .collect();
            let wide: Vec<i64> = ids.iter().map(|&id| i64::from(id)).collect();
            templates.push(&mut out, &ids).unwrap();
            expected.extend(super::fragment(0, |pickler| tensor(pickler, &wide)).unwrap());
            assert!(out == expected, "{n} ids");
        }
    }

    #[test]
    fn parallel_batches_write_the_bytes_of_one_sequential_pickler() {
        // Across batch (1000) and group (32,000) boundaries, with empty, long and synonym
        // entries (1200 synonyms: an inner list of more than one batch).
        for count in [0, 1, 999, 1000, 1001, 32_000, 33_500] {
            let data: Vec<TargetEntry> = (0..count)
                .map(|index: i64| match index % 7 {
                    0 => TargetEntry::Tensor(Vec::new()),
                    1 => TargetEntry::Synonyms(vec![vec![index, 49407]; (index % 3) as usize]),
                    2 => TargetEntry::Tensor((0..40).map(|id| id * 1000 + index).collect()),
                    _ => TargetEntry::Tensor(vec![index % 49411, 49407]),
                })
                .chain((count == 1001).then(|| TargetEntry::Synonyms(vec![vec![1, 2]; 1200])))
                .collect();
            let parallel = write_target_set(Vec::new(), &data).unwrap();
            assert!(parallel == sequential(&data), "{count} entries");
        }
    }
}
