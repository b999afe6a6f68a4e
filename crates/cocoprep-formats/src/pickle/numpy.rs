//! NumPy arrays inside pickles, both ways.
//!
//! NumPy pickles an array through `__reduce__` as
//! `numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), b'b')` followed by `BUILD`
//! with the state `(1, shape, dtype, is_fortran, data)`, where `dtype` is itself
//! `numpy.dtype('f8', False, True)` built with `(3, '<', None, None, None, -1, -1, 0)`
//! and `data` is the raw bytes (or, for object arrays, a list of the objects).
//! NumPy 2 names the module `numpy._core.multiarray`; both are read. We write the NumPy 1
//! name, which NumPy 1.x and 2.x both load (files written by NumPy 2 do not load in
//! NumPy < 1.26).
//!
//! `.npy` files of object arrays (`np.save(path, {'edges': ..., 'feats': ...})`) hold a
//! pickle of a 0-d object array after the header: [`object_npy`] writes them as NumPy
//! 1.26 does (protocol 3).

use std::borrow::Cow;
use std::io;

use super::read::PickleRef;
use super::value::{Global, Object, Value, to_writer_with_protocol};
use crate::Error;
use crate::npy::{Dtype, NpyHeader};

const RECONSTRUCT: Global = Global::new("numpy.core.multiarray", "_reconstruct");
const NDARRAY: Global = Global::new("numpy", "ndarray");
const DTYPE: Global = Global::new("numpy", "dtype");

/// The pickle protocol NumPy 1.26 uses in `.npy` files of objects.
pub const NPY_PICKLE_PROTOCOL: u8 = 3;

/// `(descr, byte order)` as they appear in a pickled `numpy.dtype`.
fn dtype_parts(dtype: Dtype) -> (&'static str, &'static str) {
    match dtype {
        Dtype::Float32 => ("f4", "<"),
        Dtype::Float64 => ("f8", "<"),
        Dtype::Int32 => ("i4", "<"),
        Dtype::Int64 => ("i8", "<"),
        Dtype::UInt8 => ("u1", "|"),
        Dtype::UInt32 => ("u4", "<"),
        Dtype::Object => ("O8", "|"),
    }
}

fn dtype_value(dtype: Dtype) -> Value {
    let (descr, order) = dtype_parts(dtype);
    // Object dtypes carry the flags NPY_ITEM_REFCOUNT | NPY_ITEM_HASOBJECT | ... = 63.
    let flags = if dtype == Dtype::Object { 63 } else { 0 };
    Value::Object(Box::new(Object {
        callable: Value::Global(DTYPE),
        arguments: vec![Value::from(descr), Value::Bool(false), Value::Bool(true)],
        state: Some(Value::Tuple(vec![
            Value::Int(3),
            Value::from(order),
            Value::None,
            Value::None,
            Value::None,
            Value::Int(-1),
            Value::Int(-1),
            Value::Int(flags),
        ])),
        dict_items: Vec::new(),
    }))
}

fn array_value(dtype: Dtype, shape: &[usize], data: Value) -> Value {
    Value::Object(Box::new(Object {
        callable: Value::Global(RECONSTRUCT),
        arguments: vec![
            Value::Global(NDARRAY),
            Value::Tuple(vec![Value::Int(0)]),
            Value::Bytes(b"b".to_vec()),
        ],
        state: Some(Value::Tuple(vec![
            Value::Int(1),
            Value::Tuple(shape.iter().map(|&n| Value::Int(n as i64)).collect()),
            dtype_value(dtype),
            Value::Bool(false),
            data,
        ])),
        dict_items: Vec::new(),
    }))
}

/// A C-order NumPy array of a fixed-size dtype, from its little-endian bytes.
pub fn ndarray(dtype: Dtype, shape: &[usize], data: Vec<u8>) -> Result<Value, Error> {
    let expected = NpyHeader::new(dtype, shape)
        .data_len()
        .ok_or_else(|| Error::Pickle("object arrays are made with `object_array`".to_owned()))?;
    if data.len() != expected {
        return Err(Error::Pickle(format!(
            "array of shape {shape:?} and dtype {} needs {expected} bytes, got {}",
            dtype.descr(),
            data.len()
        )));
    }
    Ok(array_value(dtype, shape, Value::Bytes(data)))
}

/// A float64 array.
pub fn ndarray_f64(shape: &[usize], values: &[f64]) -> Result<Value, Error> {
    ndarray(
        Dtype::Float64,
        shape,
        values.iter().flat_map(|v| v.to_le_bytes()).collect(),
    )
}

/// An int64 array.
pub fn ndarray_i64(shape: &[usize], values: &[i64]) -> Result<Value, Error> {
    ndarray(
        Dtype::Int64,
        shape,
        values.iter().flat_map(|v| v.to_le_bytes()).collect(),
    )
}

/// A C-order object array holding `items` (as many as the shape calls for).
pub fn object_array(shape: &[usize], items: Vec<Value>) -> Result<Value, Error> {
    let expected: usize = shape.iter().product();
    if items.len() != expected {
        return Err(Error::Pickle(format!(
            "object array of shape {shape:?} needs {expected} items, got {}",
            items.len()
        )));
    }
    Ok(array_value(Dtype::Object, shape, Value::List(items)))
}

/// The bytes of `np.save(path, value)` for a non-array `value` (a dict, say): a `.npy`
/// of a 0-d object array, loadable with `np.load(path, allow_pickle=True)[()]`.
pub fn object_npy(value: Value) -> io::Result<Vec<u8>> {
    let array = object_array(&[], vec![value]).map_err(io::Error::other)?;
    let header = NpyHeader::new(Dtype::Object, &[]).to_bytes();
    to_writer_with_protocol(header, &array, NPY_PICKLE_PROTOCOL)
}

/// An array read from a pickle, converted to C order and little-endian.
#[derive(Debug)]
pub struct PickledArray<'p> {
    /// The element type.
    pub dtype: Dtype,
    /// The shape.
    pub shape: Vec<usize>,
    /// The data, little-endian and in C order (empty for object arrays).
    pub data: Cow<'p, [u8]>,
}

impl PickledArray<'_> {
    /// The elements as `f64`, converting from any float or integer dtype.
    pub fn to_f64(&self) -> Result<Vec<f64>, Error> {
        let size = self.dtype.item_size();
        let values = self.data.chunks_exact(size);
        Ok(match self.dtype {
            Dtype::Float32 => values
                .map(|c| f64::from(f32::from_le_bytes(c.try_into().expect("4"))))
                .collect(),
            Dtype::Float64 => values
                .map(|c| f64::from_le_bytes(c.try_into().expect("8")))
                .collect(),
            Dtype::Int32 => values
                .map(|c| f64::from(i32::from_le_bytes(c.try_into().expect("4"))))
                .collect(),
            Dtype::Int64 => values
                .map(|c| i64::from_le_bytes(c.try_into().expect("8")) as f64)
                .collect(),
            Dtype::UInt8 => self.data.iter().map(|&b| f64::from(b)).collect(),
            Dtype::UInt32 => values
                .map(|c| f64::from(u32::from_le_bytes(c.try_into().expect("4"))))
                .collect(),
            Dtype::Object => {
                return Err(Error::Pickle("object arrays hold no numbers".to_owned()));
            }
        })
    }

    /// The elements as `f32`, if the array is float32.
    pub fn to_f32(&self) -> Result<Vec<f32>, Error> {
        if self.dtype != Dtype::Float32 {
            return Err(Error::Pickle(format!(
                "expected a float32 array, found {}",
                self.dtype.descr()
            )));
        }
        Ok(self
            .data
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().expect("4")))
            .collect())
    }
}

fn is_reconstruct(value: PickleRef) -> bool {
    value.as_global().is_some_and(|(module, name)| {
        matches!(module, "numpy.core.multiarray" | "numpy._core.multiarray")
            && name == "_reconstruct"
    })
}

/// Whether a pickled value is a NumPy array.
pub fn is_ndarray(value: PickleRef) -> bool {
    value
        .as_object()
        .is_some_and(|(callable, _, _)| is_reconstruct(callable))
}

/// Reads a pickled NumPy array of a fixed-size dtype.
pub fn read_ndarray<'p>(value: PickleRef<'p, '_>) -> Result<PickledArray<'p>, Error> {
    let bad = |message: String| Error::NotNumpy {
        kind: "array",
        message,
    };
    let (callable, _, state) = value.as_object().ok_or_else(|| bad(value.describe()))?;
    if !is_reconstruct(callable) {
        return Err(bad(format!("made by {}", callable.describe())));
    }
    let state = state
        .ok_or_else(|| bad("no state".to_owned()))?
        .as_sequence()?;
    // (version, shape, dtype, is_fortran, data), or the same without the version.
    let fields = match state.len() {
        5 => &state[1..],
        4 => &state[..],
        other => return Err(bad(format!("state has {other} items"))),
    };
    let shape = fields[0]
        .as_sequence()?
        .iter()
        .map(|dimension| {
            usize::try_from(dimension.as_int()?).map_err(|_| bad("negative dimension".to_owned()))
        })
        .collect::<Result<Vec<usize>, Error>>()?;
    let (dtype, big_endian) = read_dtype(fields[1])?;
    let fortran_order = fields[2].as_int()? != 0;
    if dtype == Dtype::Object {
        return Err(bad(
            "object arrays are read with `read_object_array`".to_owned()
        ));
    }
    let data = fields[3].as_bytes()?;
    let size = dtype.item_size();
    let needed = crate::npy::byte_len(&shape, size).ok_or_else(|| {
        bad(format!(
            "shape {shape:?} of {} is larger than memory can hold",
            dtype.descr()
        ))
    })?;
    if data.len() != needed {
        return Err(bad(format!(
            "shape {shape:?} of {} needs {needed} bytes, the pickle holds {}",
            dtype.descr(),
            data.len()
        )));
    }
    let mut data = Cow::Borrowed(data);
    if big_endian && size > 1 {
        let mut swapped = data.into_owned();
        for element in swapped.chunks_exact_mut(size) {
            element.reverse();
        }
        data = Cow::Owned(swapped);
    }
    if fortran_order && shape.len() > 1 {
        data = Cow::Owned(fortran_to_c(&data, &shape, size));
    }
    Ok(PickledArray { dtype, shape, data })
}

/// Reads a pickled object array: its shape and its items in C order.
pub fn read_object_array<'p, 'a>(
    value: PickleRef<'p, 'a>,
) -> Result<(Vec<usize>, Vec<PickleRef<'p, 'a>>), Error> {
    let bad = |message: String| Error::NotNumpy {
        kind: "object array",
        message,
    };
    let (callable, _, state) = value.as_object().ok_or_else(|| bad(value.describe()))?;
    if !is_reconstruct(callable) {
        return Err(bad(format!("made by {}", callable.describe())));
    }
    let state = state
        .ok_or_else(|| bad("no state".to_owned()))?
        .as_sequence()?;
    let fields = if state.len() == 5 {
        &state[1..]
    } else {
        &state[..]
    };
    if fields.len() != 4 {
        return Err(bad(format!("state has {} items", state.len())));
    }
    let shape = fields[0]
        .as_sequence()?
        .iter()
        .map(|d| usize::try_from(d.as_int()?).map_err(|_| bad("negative dimension".to_owned())))
        .collect::<Result<Vec<usize>, Error>>()?;
    if read_dtype(fields[1])?.0 != Dtype::Object {
        return Err(bad("not an object dtype".to_owned()));
    }
    Ok((shape, fields[3].as_sequence()?))
}

/// `(dtype, big_endian)` of a pickled `numpy.dtype`.
fn read_dtype(value: PickleRef) -> Result<(Dtype, bool), Error> {
    let bad = |message: String| Error::NotNumpy {
        kind: "dtype",
        message,
    };
    let (callable, arguments, state) = value.as_object().ok_or_else(|| bad(value.describe()))?;
    if callable.as_global().map(|(_, name)| name) != Some("dtype") {
        return Err(bad(format!("made by {}", callable.describe())));
    }
    let arguments = arguments.as_sequence()?;
    let descr = arguments
        .first()
        .ok_or_else(|| bad("no type code".to_owned()))?
        .as_str()?;
    let order = match state {
        Some(state) => state
            .as_sequence()?
            .get(1)
            .map(|order| order.as_str().map(|o| o.into_owned()))
            .transpose()?
            .unwrap_or_else(|| "|".to_owned()),
        None => "|".to_owned(),
    };
    let dtype = match descr.as_ref() {
        "f4" => Dtype::Float32,
        "f8" => Dtype::Float64,
        "i4" => Dtype::Int32,
        "i8" => Dtype::Int64,
        "u1" | "b1" => Dtype::UInt8,
        "u4" => Dtype::UInt32,
        "O8" | "O4" => Dtype::Object,
        other => return Err(bad(format!("dtype `{other}` is not supported"))),
    };
    Ok((dtype, order == ">"))
}

/// Reorders Fortran-order elements into C order. `shape` was checked against the data's
/// length, so the products below do not overflow.
fn fortran_to_c(data: &[u8], shape: &[usize], size: usize) -> Vec<u8> {
    let count: usize = shape.iter().product();
    let mut out = vec![0u8; data.len()];
    let mut index = vec![0usize; shape.len()];
    for c_position in 0..count {
        // Fortran offset of the C-order multi-index.
        let mut offset = 0;
        let mut stride = 1;
        for (axis, &i) in index.iter().enumerate() {
            offset += i * stride;
            stride *= shape[axis];
        }
        out[c_position * size..(c_position + 1) * size]
            .copy_from_slice(&data[offset * size..(offset + 1) * size]);
        for axis in (0..shape.len()).rev() {
            index[axis] += 1;
            if index[axis] < shape[axis] {
                break;
            }
            index[axis] = 0;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pickle::Pickle;

    #[test]
    fn arrays_round_trip() {
        let value = ndarray_f64(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
        for protocol in [2, 3] {
            let bytes = to_writer_with_protocol(Vec::new(), &value, protocol).unwrap();
            let pickle = Pickle::parse(&bytes).unwrap();
            assert!(is_ndarray(pickle.root()));
            let array = read_ndarray(pickle.root()).unwrap();
            assert_eq!(array.shape, vec![2, 3]);
            assert_eq!(array.to_f64().unwrap(), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        }
    }

    #[test]
    fn fortran_order_becomes_c_order() {
        // [[1, 2, 3], [4, 5, 6]] stored column by column.
        let data: Vec<u8> = [1u8, 4, 2, 5, 3, 6].to_vec();
        assert_eq!(fortran_to_c(&data, &[2, 3], 1), vec![1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn object_npy_header_and_protocol() {
        let bytes = object_npy(Value::Dict(vec![(
            Value::from("edges"),
            ndarray_i64(&[1, 2], &[0, 1]).unwrap(),
        )]))
        .unwrap();
        assert!(bytes.starts_with(b"\x93NUMPY\x01\x00v\x00{'descr': '|O'"));
        assert_eq!(&bytes[128..130], b"\x80\x03");
        let pickle = Pickle::parse(&bytes[128..]).unwrap();
        let (shape, items) = read_object_array(pickle.root()).unwrap();
        assert!(shape.is_empty());
        let edges = items[0].dict_get("edges").unwrap().unwrap();
        assert_eq!(read_ndarray(edges).unwrap().shape, vec![1, 2]);
    }

    #[test]
    fn an_array_shape_larger_than_memory_is_an_error() {
        // Found by review (the `npy_read` finding, in the pickled form): the element count
        // of a (2³², 2³², 0) shape overflowed.
        let array = array_value(
            Dtype::Float64,
            &[1 << 32, 1 << 32, 0],
            Value::Bytes(Vec::new()),
        );
        let bytes = crate::pickle::to_vec(&array).unwrap();
        let pickle = Pickle::parse(&bytes).unwrap();
        let error = read_ndarray(pickle.root()).unwrap_err().to_string();
        assert!(error.contains("larger than memory"), "{error}");
    }
}
