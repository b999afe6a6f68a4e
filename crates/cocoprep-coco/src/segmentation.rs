//! The `segmentation` field of an annotation.

use crate::packed::PackedNumbers;

/// An object's shape, in one of the three forms COCO files use.
#[derive(Clone, Debug, PartialEq)]
pub enum Segmentation {
    /// `[[x1, y1, x2, y2, ...], ...]`: one or more polygons (parts) that together make the
    /// object, in absolute pixel coordinates. Kept packed; see [`PackedNumbers`].
    Polygons(PackedNumbers),
    /// `{"size": [height, width], "counts": ...}`: run-length encoded mask.
    Rle(Rle),
}

/// A run-length encoded binary mask, pycocotools' representation.
///
/// Runs alternate background/foreground starting with background, over the mask in
/// column-major (Fortran) order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rle {
    /// Mask height (`size[0]`).
    pub height: u32,
    /// Mask width (`size[1]`).
    pub width: u32,
    /// The run lengths, as a list or as pycocotools' compressed string.
    pub counts: RleCounts,
}

/// The two encodings of RLE run lengths.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RleCounts {
    /// `"counts": [int, ...]`, used by `iscrowd: 1` ground truth.
    Uncompressed(Vec<u32>),
    /// `"counts": "<string>"`, pycocotools' LEB128-like text codec (`rleToString`).
    Compressed(String),
}

impl Segmentation {
    /// `"polygons"`, `"uncompressed RLE"` or `"compressed RLE"`: for messages and stats.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Segmentation::Polygons(_) => "polygons",
            Segmentation::Rle(Rle {
                counts: RleCounts::Uncompressed(_),
                ..
            }) => "uncompressed RLE",
            Segmentation::Rle(Rle {
                counts: RleCounts::Compressed(_),
                ..
            }) => "compressed RLE",
        }
    }
}

impl RleCounts {
    /// Decodes pycocotools' compressed counts string (`rleFrString`): 6 bits per character
    /// in ASCII 48..=111, little-endian groups of 5 value bits with a continuation bit and
    /// sign extension, and counts from index 3 on stored as the difference from the count
    /// two places back.
    ///
    /// pycocotools accepts any input and silently wraps out-of-range values into `uint32`;
    /// here characters outside the alphabet, a string that ends mid-number and counts that
    /// are negative or above `u32::MAX` are errors.
    pub fn decode_compressed(text: &str) -> Result<Vec<u32>, String> {
        let bytes = text.as_bytes();
        let mut counts: Vec<u32> = Vec::with_capacity(bytes.len());
        let mut position = 0;
        while position < bytes.len() {
            let mut value: i64 = 0;
            let mut shift = 0u32;
            loop {
                let Some(&byte) = bytes.get(position) else {
                    return Err(format!(
                        "compressed counts end in the middle of a number (at character {position})"
                    ));
                };
                if !(48..=111).contains(&byte) {
                    return Err(format!(
                        "character {:?} at position {position} is outside the RLE alphabet (ASCII 48..=111)",
                        byte as char
                    ));
                }
                if shift > 55 {
                    return Err(format!("number too long at character {position}"));
                }
                let chunk = (byte - 48) as i64;
                value |= (chunk & 0x1f) << shift;
                position += 1;
                shift += 5;
                if chunk & 0x20 == 0 {
                    if chunk & 0x10 != 0 {
                        value |= -1i64 << shift;
                    }
                    break;
                }
            }
            if counts.len() > 2 {
                value += counts[counts.len() - 2] as i64;
            }
            let count = u32::try_from(value).map_err(|_| {
                format!(
                    "run length {} at index {} is out of range",
                    value,
                    counts.len()
                )
            })?;
            counts.push(count);
        }
        Ok(counts)
    }

    /// Encodes run lengths as pycocotools' compressed string (`rleToString`).
    pub fn encode_compressed(counts: &[u32]) -> String {
        let mut out = String::with_capacity(counts.len() * 2);
        for (index, &count) in counts.iter().enumerate() {
            let mut value = count as i64;
            if index > 2 {
                value -= counts[index - 2] as i64;
            }
            loop {
                let mut chunk = value & 0x1f;
                value >>= 5;
                let more = if chunk & 0x10 != 0 {
                    value != -1
                } else {
                    value != 0
                };
                if more {
                    chunk |= 0x20;
                }
                out.push((chunk as u8 + 48) as char);
                if !more {
                    break;
                }
            }
        }
        out
    }

    /// The run lengths, decoding the compressed form if needed.
    pub fn to_counts(&self) -> Result<Vec<u32>, String> {
        match self {
            RleCounts::Uncompressed(counts) => Ok(counts.clone()),
            RleCounts::Compressed(text) => Self::decode_compressed(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RleCounts;

    #[test]
    fn compressed_counts_match_pycocotools_examples() {
        let examples: [(&[u32], &str); 6] = [
            (&[2, 3, 1, 1], "231N"),
            (&[0, 6, 1], "061"),
            (&[16], "`0"),
            (&[1, 2, 6], "126"),
            (&[0, 100, 1000000, 31, 32, 5], "0T3Pb`n0kMP__QOVO"),
            (&[10, 100, 5, 50, 200, 1], ":T35^NS6_N"),
        ];
        for (counts, text) in examples {
            assert_eq!(RleCounts::encode_compressed(counts), text);
            assert_eq!(RleCounts::decode_compressed(text).unwrap(), counts);
        }
    }

    #[test]
    fn invalid_compressed_counts_are_errors() {
        assert!(RleCounts::decode_compressed("`").is_err()); // ends mid-number
        assert!(RleCounts::decode_compressed("0~").is_err()); // outside the alphabet
        assert!(RleCounts::decode_compressed("5O").is_err()); // negative run
    }
}
