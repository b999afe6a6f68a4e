//! PyTorch `.pth` state dicts, read without Python: the zip format `torch.save` writes
//! since 1.6 (`<name>/data.pkl` plus one raw little-endian file per storage,
//! `<name>/data/<key>`) and the legacy format before it (a run of pickles — magic number,
//! protocol version, system info, the object, the storage keys — followed by each storage's
//! element count and bytes). The object pickle refers to storages by persistent id
//! `('storage', torch.FloatStorage, key, location, numel[, view_metadata])` and builds
//! each tensor with `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)`.
//!
//! Format: `torch/serialization.py` (`_save`, `_legacy_save`, `_load`, `_legacy_load`).

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use cocoprep_formats::pickle::{Pickle, PickleRef};

use crate::Error;

/// The first pickle of a legacy file: `torch.serialization.MAGIC_NUMBER`
/// (0x1950a86a20f9469cfc6c, 80 bits, so too long for the pickle reader's integers) as
/// `PROTO 2, LONG1 10 bytes, STOP`.
const LEGACY_MAGIC_PICKLE: &[u8] = b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.";

/// One floating-point tensor of a state dict, converted to `f32`, in C order.
#[derive(Clone, Debug, PartialEq)]
pub struct Tensor {
    /// The tensor's size.
    pub shape: Vec<usize>,
    /// The elements, row-major.
    pub values: Vec<f32>,
}

/// The floating-point tensors of a state dict by name (`layer1.0.conv1.weight`). Integer
/// tensors (`num_batches_tracked`) are left out: inference does not use them.
#[derive(Clone, Debug, Default)]
pub struct StateDict {
    tensors: HashMap<String, Tensor>,
}

impl StateDict {
    /// A state dict holding `tensors`.
    pub fn from_tensors(tensors: HashMap<String, Tensor>) -> Self {
        Self { tensors }
    }

    /// The tensor called `name`.
    pub fn get(&self, name: &str) -> Option<&Tensor> {
        self.tensors.get(name)
    }

    /// The tensor names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.tensors.keys().map(String::as_str)
    }

    /// How many tensors there are.
    pub fn len(&self) -> usize {
        self.tensors.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.tensors.is_empty()
    }
}

/// Reads the state dict in `path` (either format). A checkpoint dict holding the weights
/// under `state_dict` or `model` is accepted too, and a `module.` prefix
/// (`nn.DataParallel`) is removed from every name.
pub fn read_state_dict(path: &Path) -> Result<StateDict, Error> {
    let bytes = fs_err::read(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    let weights_error = |message: String| Error::Weights {
        path: path.to_owned(),
        message,
    };
    let tensors = if bytes.starts_with(b"PK\x03\x04") {
        read_zip(path, &bytes)?
    } else {
        read_legacy(&bytes).map_err(weights_error)?
    };
    let tensors = tensors
        .into_iter()
        .map(|(name, tensor)| match name.strip_prefix("module.") {
            Some(stripped) => (stripped.to_owned(), tensor),
            None => (name, tensor),
        })
        .collect();
    Ok(StateDict { tensors })
}

/// The element type of a storage, from the class in its persistent id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StorageType {
    Float,
    Double,
    Half,
    BFloat16,
    /// Integer and boolean storages: skipped.
    Other(usize),
}

impl StorageType {
    fn from_class(name: &str) -> Option<Self> {
        Some(match name {
            "FloatStorage" => Self::Float,
            "DoubleStorage" => Self::Double,
            "HalfStorage" => Self::Half,
            "BFloat16Storage" => Self::BFloat16,
            "LongStorage" => Self::Other(8),
            "IntStorage" => Self::Other(4),
            "ShortStorage" => Self::Other(2),
            "CharStorage" | "ByteStorage" | "BoolStorage" => Self::Other(1),
            _ => return None,
        })
    }

    fn element_size(self) -> usize {
        match self {
            Self::Float => 4,
            Self::Double => 8,
            Self::Half | Self::BFloat16 => 2,
            Self::Other(size) => size,
        }
    }

    fn element(self, bytes: &[u8]) -> f32 {
        match self {
            Self::Float => f32::from_le_bytes(bytes.try_into().expect("4 bytes")),
            #[expect(clippy::cast_possible_truncation, reason = "weights are used as f32")]
            Self::Double => f64::from_le_bytes(bytes.try_into().expect("8 bytes")) as f32,
            Self::Half => half_to_f32(u16::from_le_bytes(bytes.try_into().expect("2 bytes"))),
            Self::BFloat16 => f32::from_bits(
                u32::from(u16::from_le_bytes(bytes.try_into().expect("2 bytes"))) << 16,
            ),
            Self::Other(_) => 0.0,
        }
    }
}

/// IEEE half precision to single precision (exact).
fn half_to_f32(bits: u16) -> f32 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exponent = i32::from((bits >> 10) & 0x1f);
    let mantissa = f32::from(bits & 0x3ff);
    match exponent {
        0 => sign * mantissa * 2f32.powi(-24),
        31 if mantissa == 0.0 => sign * f32::INFINITY,
        31 => f32::NAN,
        _ => sign * (1.0 + mantissa / 1024.0) * 2f32.powi(exponent - 15),
    }
}

/// A tensor as the pickle describes it, before its storage is read.
struct TensorRecord {
    name: String,
    storage_key: String,
    storage_type: StorageType,
    offset: usize,
    shape: Vec<usize>,
    stride: Vec<usize>,
}

fn usize_of(value: PickleRef<'_, '_>, what: &str) -> Result<usize, String> {
    value
        .as_int()
        .ok()
        .and_then(|v| usize::try_from(v).ok())
        .ok_or_else(|| format!("{what} is not a non-negative int ({})", value.describe()))
}

/// The tensors named in the object pickle, with their storage references.
fn tensor_records(pickle: &Pickle<'_>) -> Result<Vec<TensorRecord>, String> {
    let mut root = pickle.root();
    for key in ["state_dict", "model"] {
        if let Ok(Some(inner)) = root.dict_get(key)
            && inner.as_dict().is_ok()
        {
            root = inner;
        }
    }
    let items = root
        .as_dict()
        .map_err(|_| format!("expected a state dict, found {}", root.describe()))?;
    let mut records = Vec::new();
    for (key, value) in items {
        let name = key
            .as_str()
            .map_err(|_| format!("a state-dict key is not a str ({})", key.describe()))?
            .into_owned();
        let context = |message: String| format!("`{name}`: {message}");
        let Some((callable, arguments, _)) = value.as_object() else {
            return Err(context(format!(
                "expected a tensor, found {}",
                value.describe()
            )));
        };
        match callable.as_global() {
            Some(("torch._utils", "_rebuild_tensor_v2" | "_rebuild_tensor")) => {}
            Some(("torch._utils", "_rebuild_parameter")) => {
                return Err(context(
                    "parameters pickled as nn.Parameter are not supported; save model.state_dict()"
                        .to_owned(),
                ));
            }
            _ => {
                return Err(context(format!(
                    "expected a tensor, found {}",
                    value.describe()
                )));
            }
        }
        let arguments = arguments
            .as_sequence()
            .map_err(|e| context(e.to_string()))?;
        if arguments.len() < 4 {
            return Err(context(
                "_rebuild_tensor_v2 with fewer than 4 arguments".to_owned(),
            ));
        }
        let storage = arguments[0];
        let pid = match storage.as_object() {
            Some((loader, pid, _)) if loader.as_global() == Some(("", "persistent_load")) => pid
                .as_sequence()
                .ok()
                .and_then(|items| items.first().copied())
                .ok_or_else(|| context("persistent id without arguments".to_owned()))?,
            _ => return Err(context(format!("storage is {}", storage.describe()))),
        };
        let pid = pid.as_sequence().map_err(|e| context(e.to_string()))?;
        if pid.len() < 5 || pid[0].as_str().ok().as_deref() != Some("storage") {
            return Err(context(
                "persistent id is not ('storage', type, key, location, numel)".to_owned(),
            ));
        }
        let class = pid[1]
            .as_global()
            .map(|(_, name)| name)
            .ok_or_else(|| context("storage type is not a class".to_owned()))?;
        let storage_type = StorageType::from_class(class)
            .ok_or_else(|| context(format!("storage type `{class}` is not supported")))?;
        let storage_key = pid[2]
            .as_str()
            .map_err(|e| context(e.to_string()))?
            .into_owned();
        let offset = usize_of(arguments[1], "storage offset").map_err(context)?;
        let shape = arguments[2]
            .as_sequence()
            .map_err(|e| context(e.to_string()))?
            .into_iter()
            .map(|v| usize_of(v, "size"))
            .collect::<Result<Vec<_>, _>>()
            .map_err(context)?;
        let stride = arguments[3]
            .as_sequence()
            .map_err(|e| context(e.to_string()))?
            .into_iter()
            .map(|v| usize_of(v, "stride"))
            .collect::<Result<Vec<_>, _>>()
            .map_err(context)?;
        if stride.len() != shape.len() {
            return Err(context("size and stride differ in length".to_owned()));
        }
        records.push(TensorRecord {
            name,
            storage_key,
            storage_type,
            offset,
            shape,
            stride,
        });
    }
    Ok(records)
}

/// Gathers a (possibly strided) tensor out of its storage's bytes.
fn gather(record: &TensorRecord, storage: &[u8]) -> Result<Tensor, String> {
    let size = record.storage_type.element_size();
    let count: usize = record.shape.iter().product();
    let mut values = Vec::with_capacity(count);
    if count > 0 {
        let last = record.offset
            + record
                .shape
                .iter()
                .zip(&record.stride)
                .map(|(n, s)| (n - 1) * s)
                .sum::<usize>();
        if (last + 1) * size > storage.len() {
            return Err(format!(
                "`{}` reaches past the end of its storage `{}`",
                record.name, record.storage_key
            ));
        }
        let mut index = vec![0usize; record.shape.len()];
        for _ in 0..count {
            let element: usize = record.offset
                + index
                    .iter()
                    .zip(&record.stride)
                    .map(|(i, s)| i * s)
                    .sum::<usize>();
            values.push(
                record
                    .storage_type
                    .element(&storage[element * size..(element + 1) * size]),
            );
            for axis in (0..index.len()).rev() {
                index[axis] += 1;
                if index[axis] < record.shape[axis] {
                    break;
                }
                index[axis] = 0;
            }
        }
    }
    Ok(Tensor {
        shape: record.shape.clone(),
        values,
    })
}

fn read_zip(path: &Path, bytes: &[u8]) -> Result<HashMap<String, Tensor>, Error> {
    let zip_error = |source| Error::Zip {
        path: path.to_owned(),
        source,
    };
    let weights_error = |message: String| Error::Weights {
        path: path.to_owned(),
        message,
    };
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(zip_error)?;
    let pickle_name = archive
        .file_names()
        .filter_map(Result::ok)
        .find(|name| name == "data.pkl" || name.ends_with("/data.pkl"))
        .map(|name| name.into_owned())
        .ok_or_else(|| {
            weights_error("the zip holds no `data.pkl`: not a torch.save file".to_owned())
        })?;
    let folder = pickle_name
        .strip_suffix("data.pkl")
        .unwrap_or_default()
        .to_owned();
    let mut read_member = |name: &str| -> Result<Vec<u8>, Error> {
        let mut member = archive.by_name(name).map_err(zip_error)?;
        let mut data = Vec::with_capacity(usize::try_from(member.size()).unwrap_or(0));
        member
            .read_to_end(&mut data)
            .map_err(|source| Error::Read {
                path: PathBuf::from(format!("{}:{name}", path.display())),
                source,
            })?;
        Ok(data)
    };
    let pickle_bytes = read_member(&pickle_name)?;
    let pickle = Pickle::parse(&pickle_bytes)?;
    let records = tensor_records(&pickle).map_err(weights_error)?;
    let mut storages: HashMap<String, Vec<u8>> = HashMap::new();
    let mut tensors = HashMap::new();
    for record in records {
        if matches!(record.storage_type, StorageType::Other(_)) {
            continue;
        }
        if !storages.contains_key(&record.storage_key) {
            let data = read_member(&format!("{folder}data/{}", record.storage_key))?;
            storages.insert(record.storage_key.clone(), data);
        }
        let tensor = gather(&record, &storages[&record.storage_key]).map_err(weights_error)?;
        tensors.insert(record.name, tensor);
    }
    Ok(tensors)
}

fn read_legacy(bytes: &[u8]) -> Result<HashMap<String, Tensor>, String> {
    if !bytes.starts_with(LEGACY_MAGIC_PICKLE) {
        return Err("not a torch.save file (neither a zip nor the legacy magic number)".to_owned());
    }
    let mut position = LEGACY_MAGIC_PICKLE.len();
    let next_pickle = |position: &mut usize| -> Result<Pickle<'_>, String> {
        let (pickle, used) = Pickle::parse_prefix(&bytes[*position..])
            .map_err(|e| format!("not a torch.save file: {e}"))?;
        *position += used;
        Ok(pickle)
    };
    let _protocol_version = next_pickle(&mut position)?;
    let _system_info = next_pickle(&mut position)?;
    let object = next_pickle(&mut position)?;
    let records = tensor_records(&object)?;
    let keys_pickle = next_pickle(&mut position)?;
    let keys = keys_pickle
        .root()
        .as_sequence()
        .map_err(|e| format!("storage key list: {e}"))?
        .into_iter()
        .map(|key| key.as_str().map(|k| k.into_owned()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("storage key list: {e}"))?;
    let element_sizes: HashMap<&str, usize> = records
        .iter()
        .map(|r| (r.storage_key.as_str(), r.storage_type.element_size()))
        .collect();
    let mut storages: HashMap<&str, &[u8]> = HashMap::new();
    for key in &keys {
        let count_bytes = bytes
            .get(position..position + 8)
            .ok_or("truncated storage data")?;
        let count = usize::try_from(u64::from_le_bytes(count_bytes.try_into().expect("8 bytes")))
            .map_err(|_| "storage size does not fit in memory")?;
        position += 8;
        let size = element_sizes.get(key.as_str()).copied().unwrap_or(4);
        let length = count.checked_mul(size).ok_or("storage size overflows")?;
        let data = bytes
            .get(position..position + length)
            .ok_or_else(|| format!("storage `{key}` is truncated"))?;
        position += length;
        storages.insert(key.as_str(), data);
    }
    let mut tensors = HashMap::new();
    for record in records {
        if matches!(record.storage_type, StorageType::Other(_)) {
            continue;
        }
        let storage = storages
            .get(record.storage_key.as_str())
            .ok_or_else(|| format!("storage `{}` is missing", record.storage_key))?;
        let tensor = gather(&record, storage)?;
        tensors.insert(record.name, tensor);
    }
    Ok(tensors)
}

/// Writes `tensors` as `torch.save(state_dict, f, _use_new_zipfile_serialization=False)`
/// does (float32, contiguous, one storage each, in the given order): the legacy format,
/// which `torch.load` still reads. Used by the demo's random-weight network.
pub fn write_state_dict<W: std::io::Write>(
    mut out: W,
    tensors: &[(String, Tensor)],
) -> std::io::Result<W> {
    use cocoprep_formats::pickle::Pickler;
    cocoprep_formats::pickle::write_torch_legacy_preamble(&mut out)?;
    let int = |value: usize| i64::try_from(value).map_err(std::io::Error::other);
    let mut object = Pickler::new(&mut out)?;
    object.global("collections", "OrderedDict")?;
    object.end_tuple(0)?;
    object.reduce()?;
    object.set_items(tensors, |pickler, (name, tensor)| {
        pickler.str(name)?;
        pickler.global("torch._utils", "_rebuild_tensor_v2")?;
        pickler.begin_tuple(6)?;
        pickler.begin_tuple(6)?;
        pickler.str("storage")?;
        pickler.global("torch", "FloatStorage")?;
        pickler.str(name)?;
        pickler.str("cpu")?;
        pickler.int(int(tensor.values.len())?)?;
        pickler.none()?;
        pickler.end_tuple(6)?;
        pickler.persistent_id()?;
        pickler.int(0)?;
        pickler.begin_tuple(tensor.shape.len())?;
        for &size in &tensor.shape {
            pickler.int(int(size)?)?;
        }
        pickler.end_tuple(tensor.shape.len())?;
        pickler.begin_tuple(tensor.shape.len())?;
        let mut stride = 1;
        let mut strides = vec![0; tensor.shape.len()];
        for (axis, &size) in tensor.shape.iter().enumerate().rev() {
            strides[axis] = stride;
            stride *= size;
        }
        for stride in strides {
            pickler.int(int(stride)?)?;
        }
        pickler.end_tuple(tensor.shape.len())?;
        pickler.bool(false)?;
        pickler.global("collections", "OrderedDict")?;
        pickler.end_tuple(0)?;
        pickler.reduce()?;
        pickler.end_tuple(6)?;
        pickler.reduce()
    })?;
    object.finish()?;
    let mut keys = Pickler::new(&mut out)?;
    keys.empty_list()?;
    keys.append_items(tensors, |pickler, (name, _)| pickler.str(name))?;
    keys.finish()?;
    for (_, tensor) in tensors {
        out.write_all(&(int(tensor.values.len())?).to_le_bytes())?;
        for value in &tensor.values {
            out.write_all(&value.to_le_bytes())?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_legacy_state_dict_reads_back_identically() {
        let tensors = crate::resnet::random_state_dict([1, 1, 1, 1], 4, 3);
        let mut bytes = Vec::new();
        write_state_dict(&mut bytes, &tensors).unwrap();
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("weights.pth");
        std::fs::write(&path, &bytes).unwrap();
        let read = read_state_dict(&path).unwrap();
        assert_eq!(read.len(), tensors.len());
        for (name, tensor) in &tensors {
            assert_eq!(read.get(name), Some(tensor), "{name}");
        }
    }

    #[test]
    fn half_precision_converts_exactly() {
        assert_eq!(half_to_f32(0x3c00), 1.0);
        assert_eq!(half_to_f32(0xc000), -2.0);
        assert_eq!(half_to_f32(0x0001), 2f32.powi(-24));
        assert_eq!(half_to_f32(0x7c00), f32::INFINITY);
    }
}
