//! Expanding run-length encoded masks.

use cocoprep_coco::Rle;

/// An RLE whose runs do not describe its `size`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RleError {
    /// The compressed counts string is malformed.
    #[error("RLE counts: {0}")]
    Counts(String),
    /// The runs add up to more pixels than `size` holds.
    #[error("RLE runs cover {covered} pixels but the mask is {height}x{width}")]
    TooLong {
        /// Pixels the runs cover.
        covered: u64,
        /// Mask height.
        height: u32,
        /// Mask width.
        width: u32,
    },
}

/// Expands `rle` into a row-major `height × width` mask of 0/1 bytes.
///
/// COCO runs are column-major (Fortran order), alternating background and foreground and
/// starting with background. Runs that stop short of the last pixel leave the rest as
/// background, as pycocotools' `rleDecode` does; runs that overflow the mask are an error.
pub fn decode_rle(rle: &Rle) -> Result<Vec<u8>, RleError> {
    let counts = rle.counts.to_counts().map_err(RleError::Counts)?;
    let (height, width) = (rle.height as usize, rle.width as usize);
    let total = height * width;
    let covered: u64 = counts.iter().map(|&count| count as u64).sum();
    if covered > total as u64 {
        return Err(RleError::TooLong {
            covered,
            height: rle.height,
            width: rle.width,
        });
    }
    let mut mask = vec![0u8; total];
    let mut position = 0usize;
    for (index, &count) in counts.iter().enumerate() {
        let count = count as usize;
        if index % 2 == 1 {
            for column_major in position..position + count {
                let (x, y) = (column_major / height, column_major % height);
                mask[y * width + x] = 1;
            }
        }
        position += count;
    }
    Ok(mask)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cocoprep_coco::RleCounts;

    #[test]
    fn runs_fill_columns_first() {
        // 3x2 mask, column-major runs: 1 background, 3 foreground, 2 background.
        let rle = Rle {
            height: 3,
            width: 2,
            counts: RleCounts::Uncompressed(vec![1, 3, 2]),
        };
        assert_eq!(decode_rle(&rle).unwrap(), vec![0, 1, 1, 0, 1, 0]);
        let overflowing = Rle {
            height: 1,
            width: 1,
            counts: RleCounts::Uncompressed(vec![0, 2]),
        };
        assert!(decode_rle(&overflowing).is_err());
    }
}
