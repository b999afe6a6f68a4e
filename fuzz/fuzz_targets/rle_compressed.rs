//! pycocotools' compressed RLE counts (`rleFrString`): decoding never panics; counts that
//! decode encode to a string that decodes to the same counts (and is canonical: encoding
//! it again changes nothing); and the mask they make decodes, re-encodes and measures
//! (area, bbox) the same in column-major and row-major order.
#![no_main]

use cocoprep_coco::RleCounts;
use cocoprep_coco::mask::RunLengthMask;
use libfuzzer_sys::fuzz_target;

/// Masks up to this many pixels are decoded (the stuff examples are 640×480).
const MAX_DECODED_PIXELS: u64 = 1 << 19;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // A size that cannot match (or is zero) is an error, never a panic.
    let _ = RunLengthMask::from_compressed(3, 5, text);
    let _ = RunLengthMask::from_compressed(0, 0, text);
    let _ = RunLengthMask::from_compressed(u32::MAX, u32::MAX, text);
    let Ok(counts) = RleCounts::decode_compressed(text) else {
        assert!(RunLengthMask::from_compressed(1, 1, text).is_err());
        return;
    };
    let encoded = RleCounts::encode_compressed(&counts);
    assert_eq!(
        RleCounts::decode_compressed(&encoded).as_deref(),
        Ok(counts.as_slice()),
        "{text:?} → {counts:?} → {encoded:?}"
    );
    assert_eq!(RleCounts::encode_compressed(&counts), encoded);
    let total: u64 = counts.iter().map(|&count| u64::from(count)).sum();
    if total == 0 || total > MAX_DECODED_PIXELS {
        return;
    }
    let height = tallest_divisor(total);
    let width = (total / height) as u32;
    let height = height as u32;
    let mask = RunLengthMask::from_compressed(height, width, text)
        .expect("counts that sum to height × width make a mask");
    assert_eq!(mask.counts(), counts.as_slice());
    if total > 1 {
        assert!(RunLengthMask::from_compressed(height, width + 1, text).is_err());
    }

    let column_major = mask.decode_column_major();
    let row_major = mask.decode_row_major();
    assert_eq!(column_major.len() as u64, total);
    let ones = column_major.iter().filter(|&&pixel| pixel == 1).count() as u64;
    assert_eq!(mask.area(), ones);

    // The canonical runs of the same pixels: identical pixels, area and bbox.
    let canonical = RunLengthMask::encode_column_major(height, width, &column_major).unwrap();
    assert_eq!(canonical.decode_column_major(), column_major);
    assert_eq!(canonical.area(), mask.area());
    assert_eq!(
        canonical.bbox(),
        mask.bbox(),
        "{counts:?} in {height}×{width}"
    );
    let from_rows = RunLengthMask::encode_row_major(height, width, &row_major).unwrap();
    assert_eq!(from_rows, canonical);
    assert_eq!(from_rows.decode_row_major(), row_major);
    let again = RunLengthMask::from_compressed(height, width, &canonical.to_compressed()).unwrap();
    assert_eq!(again, canonical);

    // The bbox is the tightest box around the foreground pixels.
    let (h, w) = (height as usize, width as usize);
    let mut bounds: Option<(usize, usize, usize, usize)> = None;
    for x in 0..w {
        for y in 0..h {
            if column_major[x * h + y] == 1 {
                let (x0, y0, x1, y1) = bounds.unwrap_or((x, y, x, y));
                bounds = Some((x0.min(x), y0.min(y), x1.max(x), y1.max(y)));
            }
        }
    }
    let expected = match bounds {
        Some((x0, y0, x1, y1)) => [x0, y0, x1 - x0 + 1, y1 - y0 + 1].map(|v| v as f64),
        None => [0.0; 4],
    };
    assert_eq!(
        canonical.bbox().to_array(),
        expected,
        "{counts:?} in {height}×{width}"
    );
});

/// The largest divisor of `total` not above its square root (so masks are roughly square,
/// and a prime total gives a 1-pixel-tall strip).
fn tallest_divisor(total: u64) -> u64 {
    let mut best = 1;
    let mut candidate = 1;
    while candidate * candidate <= total {
        if total % candidate == 0 {
            best = candidate;
        }
        candidate += 1;
    }
    best
}
