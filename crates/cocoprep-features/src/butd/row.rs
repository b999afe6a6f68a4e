//! One row of a bottom-up TSV, decoded.
//!
//! `generate_tsv.py` writes `image_id, image_w, image_h, num_boxes, boxes, features` with
//! tabs, no header; `boxes` and `features` are base64 of raw little-endian float32 arrays
//! of `num_boxes` rows. `make_bu_data.py` reshapes both with `reshape(num_boxes, -1)`, so
//! any column count is accepted (4 and 2048 in the published files).

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use cocoprep_formats::npy::{Dtype, NpyHeader};

/// Standard alphabet; padding optional. Trailing `=` beyond the padding are stripped
/// before decoding, because Delphboy's variant appends up to four extra and Python's
/// non-strict `b64decode` ignores them.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Why a row could not be converted. The row is skipped and listed in the report.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RowError {
    /// Fewer than six tab-separated fields.
    #[error("expected 6 tab-separated fields, found {found}")]
    MissingFields {
        /// How many there were.
        found: usize,
    },
    /// An integer field is not an integer.
    #[error("`{field}` is not a non-negative integer: `{value}`")]
    BadInteger {
        /// The field name.
        field: &'static str,
        /// Its text (shortened).
        value: String,
    },
    /// `num_boxes` is zero, so there is nothing to reshape.
    #[error("num_boxes is 0")]
    NoBoxes,
    /// A base64 field has a length no base64 text has.
    #[error(
        "`{field}` is not valid base64: {symbols} symbols is an impossible length (one symbol too many or too few)"
    )]
    BadBase64Length {
        /// The field name.
        field: &'static str,
        /// Its number of symbols, padding excluded.
        symbols: usize,
    },
    /// A base64 field does not decode.
    #[error("`{field}` is not valid base64")]
    BadBase64 {
        /// The field name.
        field: &'static str,
        /// What the decoder said.
        #[source]
        source: base64::DecodeError,
    },
    /// A decoded field cannot be reshaped to `(num_boxes, -1)` float32.
    #[error(
        "`{field}` decodes to {bytes} bytes, which is not num_boxes={num_boxes} rows of float32"
    )]
    WrongLength {
        /// The field name.
        field: &'static str,
        /// Decoded length.
        bytes: usize,
        /// The row's `num_boxes`.
        num_boxes: usize,
    },
}

/// A row as `generate_tsv.py` writes it (`\r\n` included): float32 boxes
/// `[x1, y1, x2, y2]` and `boxes.len()` rows of features, base64-encoded. Useful to make
/// test inputs and samples.
pub fn encode_row(
    image_id: u64,
    image_width: u32,
    image_height: u32,
    boxes: &[[f32; 4]],
    features: &[f32],
) -> String {
    let encode = |values: &mut dyn Iterator<Item = f32>| {
        let bytes: Vec<u8> = values.flat_map(f32::to_le_bytes).collect();
        base64::engine::general_purpose::STANDARD.encode(bytes)
    };
    format!(
        "{image_id}\t{image_width}\t{image_height}\t{}\t{}\t{}\r\n",
        boxes.len(),
        encode(&mut boxes.iter().flatten().copied()),
        encode(&mut features.iter().copied())
    )
}

/// The fields of a row, not decoded yet.
#[derive(Clone, Copy, Debug)]
pub struct RowFields<'a> {
    /// `image_id` (the COCO id).
    pub image_id: u64,
    /// `num_boxes`.
    pub num_boxes: usize,
    /// `boxes`, base64.
    pub boxes: &'a [u8],
    /// `features`, base64.
    pub features: &'a [u8],
}

impl<'a> RowFields<'a> {
    /// Splits a row (without its line ending) into its fields and parses the integers.
    /// `image_w` and `image_h` are read by `make_bu_data.py` but not used, so they are not
    /// checked here either.
    pub fn parse(row: &'a [u8]) -> Result<Self, RowError> {
        // memchr finds the tabs with SIMD: the last two fields are hundreds of KB long.
        let mut tabs = memchr::memchr_iter(b'\t', row);
        let mut start = 0;
        let mut next = || {
            let field_start = start;
            if field_start > row.len() {
                return None;
            }
            let end = tabs.next().unwrap_or(row.len());
            start = end + 1;
            Some(&row[field_start..end])
        };
        let found = [next(), next(), next(), next(), next(), next()];
        let count = found.iter().flatten().count();
        let [
            Some(image_id),
            _,
            _,
            Some(num_boxes),
            Some(boxes),
            Some(features),
        ] = found
        else {
            return Err(RowError::MissingFields { found: count });
        };
        let image_id = parse_integer("image_id", image_id)?;
        let num_boxes = parse_integer("num_boxes", num_boxes)?;
        let num_boxes = usize::try_from(num_boxes).map_err(|_| RowError::BadInteger {
            field: "num_boxes",
            value: num_boxes.to_string(),
        })?;
        if num_boxes == 0 {
            return Err(RowError::NoBoxes);
        }
        Ok(Self {
            image_id,
            num_boxes,
            boxes,
            features,
        })
    }
}

/// The image id at the start of a row, if it parses (used to spot duplicates cheaply).
pub fn peek_image_id(row: &[u8]) -> Option<u64> {
    let end = memchr::memchr(b'\t', row)?;
    parse_integer("image_id", &row[..end]).ok()
}

/// Python's `int(text)` for the non-negative decimal integers these files hold
/// (surrounding whitespace allowed).
fn parse_integer(field: &'static str, text: &[u8]) -> Result<u64, RowError> {
    let trimmed = text.trim_ascii();
    let digits = trimmed.strip_prefix(b"+").unwrap_or(trimmed);
    let bad = || RowError::BadInteger {
        field,
        value: String::from_utf8_lossy(&text[..text.len().min(40)]).into_owned(),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(bad());
    }
    std::str::from_utf8(digits)
        .ok()
        .and_then(|d| d.parse().ok())
        .ok_or_else(bad)
}

fn strip_padding(field: &[u8]) -> &[u8] {
    let field = field.trim_ascii();
    let end = field
        .iter()
        .rposition(|b| *b != b'=')
        .map_or(0, |last| last + 1);
    &field[..end]
}

/// The number of bytes a base64 field decodes to, without decoding it (`None` if the
/// length is impossible for base64).
pub fn decoded_len(field: &[u8]) -> Option<usize> {
    let symbols = strip_padding(field).len();
    match symbols % 4 {
        1 => None,
        remainder => Some(symbols / 4 * 3 + remainder.saturating_sub(1)),
    }
}

/// The number of float32 columns a field holds for `num_boxes` rows, from its length.
pub fn columns(field: &'static str, data: &[u8], num_boxes: usize) -> Result<usize, RowError> {
    let bytes = decoded_len(data).ok_or_else(|| RowError::BadBase64Length {
        field,
        symbols: strip_padding(data).len(),
    })?;
    // A `num_boxes` near `usize::MAX` (the field is not bounded) has no rows that fit.
    let Some(row_bytes) = num_boxes.checked_mul(4) else {
        return Err(RowError::WrongLength {
            field,
            bytes,
            num_boxes,
        });
    };
    if bytes == 0 || bytes % row_bytes != 0 {
        return Err(RowError::WrongLength {
            field,
            bytes,
            num_boxes,
        });
    }
    Ok(bytes / row_bytes)
}

/// Decodes a base64 float32 field of `num_boxes` rows straight into a complete `.npy`
/// file: the header for `(num_boxes, columns)` followed by the decoded bytes. Returns the
/// file and the header length.
pub fn decode_to_npy(
    field: &'static str,
    data: &[u8],
    num_boxes: usize,
) -> Result<(Vec<u8>, usize), RowError> {
    let columns = columns(field, data, num_boxes)?;
    let mut npy = NpyHeader::new(Dtype::Float32, &[num_boxes, columns]).to_bytes();
    let header_len = npy.len();
    npy.reserve(num_boxes * columns * 4);
    LENIENT
        .decode_vec(strip_padding(data), &mut npy)
        .map_err(|source| RowError::BadBase64 { field, source })?;
    let bytes = npy.len() - header_len;
    if bytes != num_boxes * columns * 4 {
        return Err(RowError::WrongLength {
            field,
            bytes,
            num_boxes,
        });
    }
    Ok((npy, header_len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(values: &[f32]) -> String {
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    #[test]
    fn padding_may_be_missing_or_doubled() {
        let field = encode(&[1.0, 2.0, 3.0]); // 12 bytes: no padding
        let field5 = encode(&[1.0, 2.0, 3.0, 4.0, 5.0]); // 20 bytes: one `=`
        for text in [
            field5.clone(),
            field5.trim_end_matches('=').to_owned(),
            format!("{field5}===="),
        ] {
            let (npy, header) = decode_to_npy("boxes", text.as_bytes(), 5).unwrap();
            assert_eq!(npy.len() - header, 20);
        }
        let (npy, header) = decode_to_npy("boxes", format!("{field}====").as_bytes(), 1).unwrap();
        assert_eq!(npy.len() - header, 12);
    }

    #[test]
    fn undecodable_fields_are_errors() {
        let field = encode(&[1.0, 2.0, 3.0, 4.0]);
        assert!(matches!(
            decode_to_npy("boxes", field.as_bytes(), 3),
            Err(RowError::WrongLength { .. })
        ));
        assert!(matches!(
            decode_to_npy("boxes", &field.as_bytes()[..field.len() - 3], 1),
            Err(RowError::BadBase64Length { .. }
                | RowError::BadBase64 { .. }
                | RowError::WrongLength { .. })
        ));
        let mut broken = field.clone().into_bytes();
        broken[3] = b'!';
        assert!(matches!(
            decode_to_npy("boxes", &broken, 1),
            Err(RowError::BadBase64 { .. })
        ));
    }

    #[test]
    fn a_num_boxes_too_large_for_any_field_is_a_wrong_length() {
        // Found by the `butd_row` fuzz target: `4 * num_boxes` overflowed.
        let row = format!("139\t640\t426\t{}\tAAAA\tAAAA", usize::MAX / 2);
        let fields = RowFields::parse(row.as_bytes()).unwrap();
        assert!(matches!(
            columns("boxes", fields.boxes, fields.num_boxes),
            Err(RowError::WrongLength { .. })
        ));
        assert!(matches!(
            decode_to_npy("boxes", fields.boxes, fields.num_boxes),
            Err(RowError::WrongLength { .. })
        ));
    }

    #[test]
    fn fields_are_parsed_like_int() {
        let row = b"139\t640\t426\t 2 \tAAAA\tBBBB";
        let fields = RowFields::parse(row).unwrap();
        assert_eq!((fields.image_id, fields.num_boxes), (139, 2));
        assert_eq!(peek_image_id(row), Some(139));
        assert!(matches!(
            RowFields::parse(b"139\t640\t426\t2\tAAAA"),
            Err(RowError::MissingFields { found: 5 })
        ));
        assert!(matches!(
            RowFields::parse(b"x\t1\t1\t2\tA\tB"),
            Err(RowError::BadInteger { .. })
        ));
        assert_eq!(
            RowFields::parse(b"1\t1\t1\t0\tA\tB").unwrap_err(),
            RowError::NoBoxes
        );
    }
}
