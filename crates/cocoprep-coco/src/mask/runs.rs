//! [`RunLengthMask`]: a binary mask as pycocotools' run lengths, always well formed.

use super::MaskError;
use crate::bbox::BBoxXywh;
use crate::segmentation::{Rle, RleCounts};

/// A binary mask of `height × width` pixels as run lengths, pycocotools' `RLE`.
///
/// Pixels are taken in column-major (Fortran) order: pixel `(row y, column x)` is number
/// `x * height + y`. Runs alternate background and foreground, starting with background,
/// so a mask whose first pixel is foreground starts with a zero-length run.
///
/// Unlike pycocotools, a `RunLengthMask` always covers its pixels exactly: every
/// constructor checks that the runs sum to `height × width` (see
/// [`MaskError::CountsDoNotCoverMask`]), so decoding never reads or leaves undefined pixels.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RunLengthMask {
    height: u32,
    width: u32,
    counts: Vec<u32>,
}

/// `height × width`, if run lengths (32-bit in pycocotools) can count that many pixels.
pub(crate) fn pixel_count(height: u32, width: u32) -> Result<u32, MaskError> {
    u32::try_from(height as u64 * width as u64).map_err(|_| MaskError::TooLarge { height, width })
}

impl RunLengthMask {
    /// A mask from run lengths, checked to sum to exactly `height × width`.
    pub fn new(height: u32, width: u32, counts: Vec<u32>) -> Result<Self, MaskError> {
        let pixels = pixel_count(height, width)?;
        let total: u64 = counts.iter().map(|&count| count as u64).sum();
        if total != pixels as u64 {
            return Err(MaskError::CountsDoNotCoverMask {
                height,
                width,
                total,
            });
        }
        Ok(Self {
            height,
            width,
            counts,
        })
    }

    /// For run lengths the caller built to sum to `height × width`.
    pub(crate) fn from_trusted_counts(height: u32, width: u32, counts: Vec<u32>) -> Self {
        debug_assert_eq!(
            counts.iter().map(|&c| c as u64).sum::<u64>(),
            height as u64 * width as u64
        );
        Self {
            height,
            width,
            counts,
        }
    }

    /// A mask with no foreground pixels (one background run, as pycocotools encodes it).
    pub fn empty(height: u32, width: u32) -> Result<Self, MaskError> {
        Ok(Self::from_trusted_counts(
            height,
            width,
            vec![pixel_count(height, width)?],
        ))
    }

    /// A mask from pycocotools' compressed counts string (`rleFrString`).
    pub fn from_compressed(height: u32, width: u32, counts: &str) -> Result<Self, MaskError> {
        let counts =
            RleCounts::decode_compressed(counts).map_err(MaskError::InvalidCompressedCounts)?;
        Self::new(height, width, counts)
    }

    /// A mask from an RLE as COCO files store it, compressed or not (`frUncompressedRLE`,
    /// `_frString`). Its own `size` is used, as pycocotools does.
    pub fn from_rle(rle: &Rle) -> Result<Self, MaskError> {
        match &rle.counts {
            RleCounts::Uncompressed(counts) => Self::new(rle.height, rle.width, counts.clone()),
            RleCounts::Compressed(text) => Self::from_compressed(rle.height, rle.width, text),
        }
    }

    /// Encodes a binary mask given in column-major order (`rleEncode`, `mask.encode`).
    ///
    /// Any non-zero byte is foreground. pycocotools starts a new run at every change of
    /// *value*, so a non-binary mask such as `0, 2, 2, 1` gives runs `[1, 2, 1]` that
    /// decode to `0, 1, 1, 0`: that quirk is not reproduced (for 0/1 masks, the only ones
    /// pycocotools decodes back faithfully, the output is identical).
    pub fn encode_column_major(height: u32, width: u32, mask: &[u8]) -> Result<Self, MaskError> {
        check_buffer(height, width, mask.len())?;
        // hotcoco's encoder (MIT) skips whole words inside a run; it is ~30× faster than a
        // byte loop on typical masks and gives maskApi.c's runs for binary masks.
        let rle = hotcoco::mask::encode(mask, height, width)
            .map_err(|_| MaskError::TooLarge { height, width })?;
        Ok(Self::from_trusted_counts(height, width, rle.counts))
    }

    /// Encodes a binary mask given in row-major order (as images and PNG label maps are
    /// stored): `mask[y * width + x]`, non-zero = foreground.
    pub fn encode_row_major(height: u32, width: u32, mask: &[u8]) -> Result<Self, MaskError> {
        check_buffer(height, width, mask.len())?;
        Self::encode_row_major_where(height, width, |index| mask[index] != 0)
    }

    /// Encodes the mask of the pixels of a row-major image for which `is_foreground(index)`
    /// holds, where `index = y * width + x`.
    pub fn encode_row_major_where(
        height: u32,
        width: u32,
        is_foreground: impl Fn(usize) -> bool,
    ) -> Result<Self, MaskError> {
        pixel_count(height, width)?;
        let (rows, columns) = (height as usize, width as usize);
        let mut counts = Vec::new();
        let mut current = false;
        let mut run = 0u32;
        for x in 0..columns {
            for y in 0..rows {
                let value = is_foreground(y * columns + x);
                if value != current {
                    counts.push(run);
                    run = 0;
                    current = value;
                }
                run += 1;
            }
        }
        counts.push(run);
        Ok(Self::from_trusted_counts(height, width, counts))
    }

    /// Mask height (`size[0]`).
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Mask width (`size[1]`).
    pub fn width(&self) -> u32 {
        self.width
    }

    /// `(height, width)`, pycocotools' `size`.
    pub fn size(&self) -> (u32, u32) {
        (self.height, self.width)
    }

    /// The run lengths, background first.
    pub fn counts(&self) -> &[u32] {
        &self.counts
    }

    /// The run lengths, background first.
    pub fn into_counts(self) -> Vec<u32> {
        self.counts
    }

    /// pycocotools' compressed counts string (`rleToString`).
    pub fn to_compressed(&self) -> String {
        RleCounts::encode_compressed(&self.counts)
    }

    /// The mask as a COCO compressed RLE (`{"size": [h, w], "counts": "..."}`).
    pub fn to_rle(&self) -> Rle {
        Rle {
            height: self.height,
            width: self.width,
            counts: RleCounts::Compressed(self.to_compressed()),
        }
    }

    /// The mask as a COCO uncompressed RLE (`{"size": [h, w], "counts": [...]}`).
    pub fn to_uncompressed_rle(&self) -> Rle {
        Rle {
            height: self.height,
            width: self.width,
            counts: RleCounts::Uncompressed(self.counts.clone()),
        }
    }

    /// Decodes to one byte per pixel (0 or 1) in column-major order (`rleDecode`), the
    /// memory layout of `mask.decode(rle)` (a Fortran-ordered `h × w` array).
    pub fn decode_column_major(&self) -> Vec<u8> {
        let mut mask = vec![0u8; self.height as usize * self.width as usize];
        for (start, length) in self.foreground_runs() {
            mask[start..start + length].fill(1);
        }
        mask
    }

    /// Decodes to one byte per pixel (0 or 1) in row-major order (`mask[y * width + x]`).
    pub fn decode_row_major(&self) -> Vec<u8> {
        let mut mask = vec![0u8; self.height as usize * self.width as usize];
        self.for_each_foreground_pixel_row_major(|index| mask[index] = 1);
        mask
    }

    /// `(first pixel, length)` of each non-empty foreground run, in column-major pixel
    /// numbers.
    pub fn foreground_runs(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let mut position = 0usize;
        self.counts
            .iter()
            .enumerate()
            .filter_map(move |(index, &count)| {
                let start = position;
                position += count as usize;
                (index % 2 == 1 && count > 0).then_some((start, count as usize))
            })
    }

    /// Calls `visit(y * width + x)` for every foreground pixel, column by column.
    pub fn for_each_foreground_pixel_row_major(&self, mut visit: impl FnMut(usize)) {
        let height = self.height as usize;
        let width = self.width as usize;
        for (start, length) in self.foreground_runs() {
            let end = start + length;
            let mut position = start;
            while position < end {
                let (x, y) = (position / height, position % height);
                let stop = end.min((x + 1) * height);
                for row in y..y + (stop - position) {
                    visit(row * width + x);
                }
                position = stop;
            }
        }
    }

    /// The number of foreground pixels (`rleArea`, `mask.area`).
    pub fn area(&self) -> u64 {
        self.counts
            .iter()
            .skip(1)
            .step_by(2)
            .map(|&count| count as u64)
            .sum()
    }

    /// The tight bounding box of the foreground pixels (`rleToBbox`, `mask.toBbox`), in the
    /// fixed form that PyPI pycocotools 2.0.x uses (cocoapi master mishandles zero-length
    /// foreground runs).
    ///
    /// A mask without foreground gives `[0, 0, 0, 0]`. (pycocotools does too for
    /// canonical run lengths; for hand-made ones with only zero-length foreground runs
    /// its unsigned arithmetic wraps to a box near 2³² wide.)
    pub fn bbox(&self) -> BBoxXywh {
        let height = self.height as u64;
        // maskApi.c drops a trailing background run: `m = (m / 2) * 2`.
        let even = self.counts.len() / 2 * 2;
        let (mut x_start, mut y_start) = (u64::MAX, u64::MAX);
        let (mut x_end, mut y_end) = (0u64, 0u64);
        let mut found = false;
        let mut position = 0u64;
        for (index, &count) in self.counts[..even].iter().enumerate() {
            let start = position;
            position += count as u64;
            if index % 2 == 0 || count == 0 {
                continue;
            }
            found = true;
            let (first_x, first_y) = (start / height, start % height);
            let (last_x, last_y) = ((position - 1) / height, (position - 1) % height);
            x_start = x_start.min(first_x);
            x_end = x_end.max(last_x);
            if first_x < last_x {
                // A run that crosses a column boundary spans the full height.
                y_start = 0;
                y_end = height - 1;
            } else {
                y_start = y_start.min(first_y);
                y_end = y_end.max(last_y);
            }
        }
        if !found {
            return BBoxXywh::default();
        }
        BBoxXywh {
            x: x_start as f64,
            y: y_start as f64,
            width: (x_end - x_start + 1) as f64,
            height: (y_end - y_start + 1) as f64,
        }
    }
}

fn check_buffer(height: u32, width: u32, found: usize) -> Result<(), MaskError> {
    let expected = pixel_count(height, width)? as usize;
    if found != expected {
        return Err(MaskError::BufferLength {
            height,
            width,
            expected,
            found,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_matches_maskapi_examples() {
        // `M=[0 0 1 1 1 0 1]` → `[2 3 1 1]` and `[1 1 1 1 1 1 0]` → `[0 6 1]` (maskApi.h).
        let mask = RunLengthMask::encode_column_major(7, 1, &[0, 0, 1, 1, 1, 0, 1]).unwrap();
        assert_eq!(mask.counts(), [2, 3, 1, 1]);
        assert_eq!(mask.to_compressed(), "231N");
        let mask = RunLengthMask::encode_column_major(1, 7, &[1, 1, 1, 1, 1, 1, 0]).unwrap();
        assert_eq!(mask.counts(), [0, 6, 1]);
        let empty = RunLengthMask::encode_column_major(4, 4, &[0; 16]).unwrap();
        assert_eq!(empty.to_compressed(), "`0");
        assert_eq!(empty.bbox(), BBoxXywh::default());
    }

    #[test]
    fn run_lengths_that_do_not_cover_the_mask_are_errors() {
        // `decode({'size': [2, 2], 'counts': '02'})` returns uninitialised memory in
        // pycocotools; here it is an error that says so.
        let error = RunLengthMask::from_compressed(2, 2, "02").unwrap_err();
        assert!(matches!(
            error,
            MaskError::CountsDoNotCoverMask { total: 2, .. }
        ));
        assert!(error.to_string().contains("uninitialised"), "{error}");
        assert!(RunLengthMask::new(2, 2, vec![3, 2]).is_err());
        assert!(RunLengthMask::new(2, 2, vec![1, 2, 1]).is_ok());
    }

    #[test]
    fn row_and_column_major_agree() {
        // 2 rows × 3 columns, row-major: [[1, 0, 1], [1, 1, 0]].
        let row_major = [1, 0, 1, 1, 1, 0];
        let column_major = [1, 1, 0, 1, 1, 0];
        let a = RunLengthMask::encode_row_major(2, 3, &row_major).unwrap();
        let b = RunLengthMask::encode_column_major(2, 3, &column_major).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.decode_row_major(), row_major);
        assert_eq!(a.decode_column_major(), column_major);
        assert_eq!(a.area(), 4);
        assert_eq!(a.bbox().to_array(), [0.0, 0.0, 3.0, 2.0]);
    }
}
