//! NumPy `.npy` files, written byte for byte as `np.save` writes them.
//!
//! Format: <https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html>. A file
//! is the magic `\x93NUMPY`, a version, the length of a header, the header (a Python dict
//! literal naming the dtype, the order and the shape, padded with spaces and a newline so
//! the data starts on a 64-byte boundary), then the raw little-endian C-order data.

use crate::Error;

/// The magic string every `.npy` file starts with.
pub const MAGIC: &[u8; 6] = b"\x93NUMPY";

/// Data is aligned to this many bytes (`numpy.lib.format.ARRAY_ALIGN`).
const ARRAY_ALIGN: usize = 64;

/// NumPy ≥ 1.24 leaves room in the header so that the first axis can grow in place
/// (`numpy.lib.format.GROWTH_AXIS_MAX_DIGITS`); writing the same slack keeps our headers
/// byte-identical to `np.save`'s.
const GROWTH_AXIS_MAX_DIGITS: usize = 21;

/// Element types, with the `descr` strings NumPy writes for them on a little-endian machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dtype {
    /// `<f4`, `np.float32`.
    Float32,
    /// `<f8`, `np.float64`.
    Float64,
    /// `<i4`, `np.int32`.
    Int32,
    /// `<i8`, `np.int64`.
    Int64,
    /// `|u1`, `np.uint8`.
    UInt8,
    /// `<u4`, `np.uint32`.
    UInt32,
    /// `|O`, Python objects; the data is a pickle (see [`crate::pickle`]).
    Object,
}

impl Dtype {
    /// The `descr` string of the header (`'<f4'`).
    pub fn descr(self) -> &'static str {
        match self {
            Dtype::Float32 => "<f4",
            Dtype::Float64 => "<f8",
            Dtype::Int32 => "<i4",
            Dtype::Int64 => "<i8",
            Dtype::UInt8 => "|u1",
            Dtype::UInt32 => "<u4",
            Dtype::Object => "|O",
        }
    }

    /// The dtype a `descr` string names, if supported.
    pub fn from_descr(descr: &str) -> Option<Self> {
        Some(match descr {
            "<f4" => Dtype::Float32,
            "<f8" => Dtype::Float64,
            "<i4" => Dtype::Int32,
            "<i8" => Dtype::Int64,
            "|u1" | "<u1" => Dtype::UInt8,
            "<u4" => Dtype::UInt32,
            "|O" => Dtype::Object,
            _ => return None,
        })
    }

    /// Bytes per element (8 for object pointers, as NumPy reports).
    pub fn item_size(self) -> usize {
        match self {
            Dtype::UInt8 => 1,
            Dtype::Float32 | Dtype::Int32 | Dtype::UInt32 => 4,
            Dtype::Float64 | Dtype::Int64 | Dtype::Object => 8,
        }
    }
}

/// The header of a `.npy` file: what the data is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NpyHeader {
    /// The element type.
    pub dtype: Dtype,
    /// Whether the data is in Fortran (column-major) order. cocoprep writes C order.
    pub fortran_order: bool,
    /// The shape; empty for a 0-d array.
    pub shape: Vec<usize>,
}

impl NpyHeader {
    /// A C-order header.
    pub fn new(dtype: Dtype, shape: &[usize]) -> Self {
        Self {
            dtype,
            fortran_order: false,
            shape: shape.to_vec(),
        }
    }

    /// Number of elements (1 for a 0-d array).
    pub fn element_count(&self) -> usize {
        self.shape.iter().product()
    }

    /// Bytes of data that follow the header, for fixed-size dtypes (`None` for objects).
    pub fn data_len(&self) -> Option<usize> {
        (self.dtype != Dtype::Object).then(|| self.element_count() * self.dtype.item_size())
    }

    /// The header as `np.save` writes it, magic and version included.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut dict = format!(
            "{{'descr': '{}', 'fortran_order': {}, 'shape': {}, }}",
            self.dtype.descr(),
            if self.fortran_order { "True" } else { "False" },
            python_tuple(&self.shape)
        );
        let growth_axis = if self.fortran_order {
            self.shape.last()
        } else {
            self.shape.first()
        };
        if let Some(length) = growth_axis {
            let digits = length.to_string().len();
            dict.extend(std::iter::repeat_n(
                ' ',
                GROWTH_AXIS_MAX_DIGITS.saturating_sub(digits),
            ));
        }
        // Version 1.0 has a 2-byte header length; version 2.0 (4 bytes) is only used when
        // the header does not fit, as `numpy.lib.format._wrap_header_guess_version` does.
        let (version, length_bytes) = if padded_len(dict.len(), 2) <= usize::from(u16::MAX) {
            (1u8, 2)
        } else {
            (2u8, 4)
        };
        let header_len = padded_len(dict.len(), length_bytes);
        let mut bytes = Vec::with_capacity(MAGIC.len() + 2 + length_bytes + header_len);
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&[version, 0]);
        if length_bytes == 2 {
            bytes.extend_from_slice(&(header_len as u16).to_le_bytes());
        } else {
            bytes.extend_from_slice(&(header_len as u32).to_le_bytes());
        }
        bytes.extend_from_slice(dict.as_bytes());
        bytes.resize(bytes.len() + header_len - dict.len() - 1, b' ');
        bytes.push(b'\n');
        bytes
    }

    /// Parses the header at the start of `bytes`; returns it and the offset of the data.
    pub fn parse(bytes: &[u8]) -> Result<(Self, usize), Error> {
        let bad = |message: &str| Error::Npy(message.to_owned());
        if bytes.len() < 10 || &bytes[..6] != MAGIC {
            return Err(bad("missing the \\x93NUMPY magic"));
        }
        let (header_len, start) = match bytes[6] {
            1 => (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10),
            2 | 3 => {
                let length = bytes
                    .get(8..12)
                    .ok_or_else(|| bad("truncated header length"))?;
                (
                    u32::from_le_bytes(length.try_into().expect("4 bytes")) as usize,
                    12,
                )
            }
            version => return Err(Error::Npy(format!("unsupported format version {version}"))),
        };
        let text = bytes
            .get(start..start + header_len)
            .ok_or_else(|| bad("truncated header"))?;
        let text = std::str::from_utf8(text).map_err(|_| bad("header is not text"))?;
        let header = parse_header_dict(text).ok_or_else(|| {
            Error::Npy(format!(
                "cannot understand the header `{}`",
                text.trim_end()
            ))
        })?;
        // Checked here so that `element_count` and `data_len` of a parsed header cannot
        // overflow: a 100-byte file may claim a shape of 2⁶⁴ elements.
        if byte_len(&header.shape, header.dtype.item_size()).is_none() {
            return Err(Error::Npy(format!(
                "shape {:?} of {} is larger than memory can hold",
                header.shape,
                header.dtype.descr()
            )));
        }
        Ok((header, start + header_len))
    }
}

/// The bytes an array of `shape` takes at `item_size` bytes per element, `None` if that
/// does not fit in a `usize` (even when a zero dimension makes it empty, as NumPy refuses
/// such shapes too).
pub(crate) fn byte_len(shape: &[usize], item_size: usize) -> Option<usize> {
    shape
        .iter()
        .try_fold(item_size, |bytes, &dimension| bytes.checked_mul(dimension))
}

/// `padlen` as `numpy.lib.format._wrap_header` computes it: the header (with its
/// newline) is padded so that magic + version + length + header is a multiple of 64. When
/// it already is, NumPy adds a full 64 bytes, and so do we.
fn padded_len(dict_len: usize, length_bytes: usize) -> usize {
    let unpadded = dict_len + 1;
    let prefix = MAGIC.len() + 2 + length_bytes;
    let padding = ARRAY_ALIGN - (prefix + unpadded) % ARRAY_ALIGN;
    unpadded + padding
}

/// `repr(tuple)` for a shape: `()`, `(5,)`, `(5, 4)`.
fn python_tuple(shape: &[usize]) -> String {
    match shape {
        [] => "()".to_owned(),
        [single] => format!("({single},)"),
        _ => {
            let items: Vec<String> = shape.iter().map(usize::to_string).collect();
            format!("({})", items.join(", "))
        }
    }
}

/// Parses the dict literal of a header, in any key order, as `ast.literal_eval` would for
/// the headers NumPy writes.
fn parse_header_dict(text: &str) -> Option<NpyHeader> {
    let inner = text
        .trim()
        .strip_prefix('{')?
        .trim_end()
        .strip_suffix('}')?;
    let mut descr = None;
    let mut fortran_order = None;
    let mut shape = None;
    let mut rest = inner.trim_start();
    while !rest.is_empty() {
        let (key, after_key) = parse_quoted(rest)?;
        rest = after_key.trim_start().strip_prefix(':')?.trim_start();
        match key {
            "descr" => {
                let (value, after) = parse_quoted(rest)?;
                descr = Some(Dtype::from_descr(value)?);
                rest = after;
            }
            "fortran_order" => {
                let (value, after) = if let Some(after) = rest.strip_prefix("True") {
                    (true, after)
                } else {
                    (false, rest.strip_prefix("False")?)
                };
                fortran_order = Some(value);
                rest = after;
            }
            "shape" => {
                let close = rest.find(')')?;
                let items = rest.strip_prefix('(')?[..close - 1].trim();
                let mut dims = Vec::new();
                for item in items.split(',') {
                    let item = item.trim();
                    if !item.is_empty() {
                        dims.push(item.trim_end_matches('L').parse().ok()?);
                    }
                }
                shape = Some(dims);
                rest = &rest[close + 1..];
            }
            _ => return None,
        }
        rest = rest.trim_start();
        rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
    }
    Some(NpyHeader {
        dtype: descr?,
        fortran_order: fortran_order?,
        shape: shape?,
    })
}

/// A `'quoted'` or `"quoted"` string at the start of `text`, and what follows it.
fn parse_quoted(text: &str) -> Option<(&str, &str)> {
    let quote = text.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let body = &text[1..];
    let end = body.find(quote)?;
    Some((&body[..end], &body[end + 1..]))
}

/// Encodes an array given as its raw little-endian C-order bytes.
///
/// Fails if `data` does not hold exactly the elements the shape calls for.
pub fn encode_raw(dtype: Dtype, shape: &[usize], data: &[u8]) -> Result<Vec<u8>, Error> {
    let header = NpyHeader::new(dtype, shape);
    let expected = header.data_len().ok_or_else(|| {
        Error::Npy("object arrays are written through `pickle::encode_object_npy`".to_owned())
    })?;
    if data.len() != expected {
        return Err(Error::Npy(format!(
            "shape {shape:?} of {} needs {expected} bytes, got {}",
            dtype.descr(),
            data.len()
        )));
    }
    let mut bytes = header.to_bytes();
    bytes.extend_from_slice(data);
    Ok(bytes)
}

/// Encodes a float32 array of the given shape.
pub fn encode_f32(shape: &[usize], values: &[f32]) -> Result<Vec<u8>, Error> {
    encode_raw(Dtype::Float32, shape, &f32_bytes(values))
}

/// The little-endian bytes of `values`.
pub fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values
        .iter()
        .flat_map(|value| value.to_le_bytes())
        .collect()
}

/// An array read from a `.npy` file.
#[derive(Clone, Debug, PartialEq)]
pub struct NpyArray {
    /// What the data is.
    pub header: NpyHeader,
    /// The raw data after the header (a pickle for object arrays).
    pub data: Vec<u8>,
}

impl NpyArray {
    /// Parses a whole `.npy` file. Fixed-size data must have exactly the length the shape
    /// calls for, which also catches truncated files.
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let (header, offset) = NpyHeader::parse(bytes)?;
        let data = &bytes[offset..];
        if let Some(expected) = header.data_len()
            && data.len() != expected
        {
            return Err(Error::Npy(format!(
                "shape {:?} of {} needs {expected} bytes of data, the file has {}",
                header.shape,
                header.dtype.descr(),
                data.len()
            )));
        }
        Ok(Self {
            header,
            data: data.to_vec(),
        })
    }

    /// The elements as `f32`, if the array is float32.
    pub fn to_f32(&self) -> Result<Vec<f32>, Error> {
        self.expect_dtype(Dtype::Float32)?;
        Ok(self
            .data
            .chunks_exact(4)
            .map(|chunk| f32::from_le_bytes(chunk.try_into().expect("4 bytes")))
            .collect())
    }

    /// The elements as `f64`, if the array is float64.
    pub fn to_f64(&self) -> Result<Vec<f64>, Error> {
        self.expect_dtype(Dtype::Float64)?;
        Ok(self
            .data
            .chunks_exact(8)
            .map(|chunk| f64::from_le_bytes(chunk.try_into().expect("8 bytes")))
            .collect())
    }

    fn expect_dtype(&self, dtype: Dtype) -> Result<(), Error> {
        if self.header.dtype == dtype {
            Ok(())
        } else {
            Err(Error::Npy(format!(
                "expected {}, the array is {}",
                dtype.descr(),
                self.header.dtype.descr()
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_matches_numpy_bytes() {
        // `np.save` of float32 (2048,) and (20, 4), and of a 0-d object array, NumPy 2.4.
        let fc = NpyHeader::new(Dtype::Float32, &[2048]).to_bytes();
        assert_eq!(fc.len(), 128);
        assert_eq!(
            &fc[..70],
            b"\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (2048,), }"
        );
        assert!(fc[70..127].iter().all(|&b| b == b' ') && fc[127] == b'\n');
        let boxes = NpyHeader::new(Dtype::Float32, &[20, 4]).to_bytes();
        assert_eq!(boxes.len(), 128);
        assert!(boxes.starts_with(
            b"\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (20, 4), }"
        ));
        let object = NpyHeader::new(Dtype::Object, &[]).to_bytes();
        assert_eq!(object.len(), 128);
        assert!(object.starts_with(
            b"\x93NUMPY\x01\x00v\x00{'descr': '|O', 'fortran_order': False, 'shape': (), }"
        ));
    }

    #[test]
    fn header_round_trips() {
        for shape in [vec![], vec![7], vec![3, 4], vec![100, 2048], vec![2, 3, 8]] {
            let header = NpyHeader::new(Dtype::Float64, &shape);
            let bytes = header.to_bytes();
            assert_eq!(bytes.len() % ARRAY_ALIGN, 0);
            let (parsed, offset) = NpyHeader::parse(&bytes).unwrap();
            assert_eq!(parsed, header);
            assert_eq!(offset, bytes.len());
        }
    }

    #[test]
    fn truncated_data_is_rejected() {
        let bytes = encode_f32(&[2, 2], &[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert!(NpyArray::parse(&bytes).is_ok());
        assert!(NpyArray::parse(&bytes[..bytes.len() - 1]).is_err());
        assert!(encode_f32(&[2, 2], &[1.0]).is_err());
    }

    #[test]
    fn a_shape_larger_than_memory_is_an_error() {
        // Found by review, confirmed with the `npy_read` fuzz target: the element count
        // of a claimed (2³², 2³², 0) shape overflowed.
        for shape in [
            "(4294967296, 4294967296, 0)",
            "(18446744073709551615,)",
            "(4611686018427387904,)",
        ] {
            let dict = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}");
            let mut bytes = MAGIC.to_vec();
            bytes.extend_from_slice(&[1, 0]);
            bytes.extend_from_slice(&(dict.len() as u16 + 1).to_le_bytes());
            bytes.extend_from_slice(dict.as_bytes());
            bytes.push(b'\n');
            let error = NpyArray::parse(&bytes).unwrap_err().to_string();
            assert!(error.contains("larger than memory"), "{shape}: {error}");
        }
    }
}
