//! Which downloaded web images are usable: the scripts' `check_valid.py`, as a header probe.
//!
//! Uni-Perceiver's download scripts delete 0-byte files and then every image that
//! `PIL.Image.open(path).convert('RGB')` rejects or whose width or height is below 10 or
//! above 10000 pixels (`data/preprocess/{cc3m,cc12m,sbu}/check_valid.py`). cocoprep reads
//! the file's header instead of decoding it: the file must exist, be non-empty, be in a
//! format `imagesize` recognises (JPEG, PNG, GIF, WebP, BMP, TIFF, ...) and have both
//! sides in 10..=10000. A file whose header is intact but whose pixel data is truncated
//! passes this check (PIL would reject it); the loaders retry another sample when an image
//! fails to load, so such a file costs one retry, not the run. [`ImageCheckLevel::Decode`]
//! also decodes JPEG and PNG files in full (a JPEG must end with its end-of-image marker),
//! which rejects truncated downloads as PIL does; other formats get the header check.

use std::path::Path;

/// Smallest accepted width and height, in pixels (`check_valid.py`).
pub const MIN_SIDE_PIXELS: usize = 10;
/// Largest accepted width and height, in pixels (`check_valid.py`).
pub const MAX_SIDE_PIXELS: usize = 10_000;

/// What the probe found for one image file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageCheck {
    /// Present, recognised and within the size bounds.
    Usable,
    /// No such file.
    Missing,
    /// Empty, unreadable, or not a recognised image format.
    Unreadable,
    /// Recognised, but a side is below [`MIN_SIDE_PIXELS`] or above [`MAX_SIDE_PIXELS`].
    OutOfBounds,
}

/// How thoroughly images are checked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ImageCheckLevel {
    /// Format and size from the header (fast: a few KiB read per file).
    #[default]
    Header,
    /// The header check, then a full decode of JPEG and PNG files.
    Decode,
}

/// Checks `path` at `level` (see the module docs for what is checked).
pub fn check_image_at(path: &Path, level: ImageCheckLevel) -> ImageCheck {
    let check = check_image(path);
    if check != ImageCheck::Usable || level == ImageCheckLevel::Header {
        return check;
    }
    let Ok(bytes) = std::fs::read(path) else {
        return ImageCheck::Unreadable;
    };
    let decodable =
        bytes.starts_with(&[0xff, 0xd8, 0xff]) || bytes.starts_with(b"\x89PNG\r\n\x1a\n");
    if decodable && cocoprep_coco::image_file::check_image_bytes(path, &bytes).is_err() {
        return ImageCheck::Unreadable;
    }
    ImageCheck::Usable
}

/// Probes `path`'s header (see the module docs for what is checked).
pub fn check_image(path: &Path) -> ImageCheck {
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return ImageCheck::Missing,
        Err(_) => return ImageCheck::Unreadable,
    };
    if !metadata.is_file() || metadata.len() == 0 {
        return ImageCheck::Unreadable;
    }
    match imagesize::size(path) {
        Ok(size) => {
            let bounds = MIN_SIDE_PIXELS..=MAX_SIDE_PIXELS;
            if bounds.contains(&size.width) && bounds.contains(&size.height) {
                ImageCheck::Usable
            } else {
                ImageCheck::OutOfBounds
            }
        }
        Err(_) => ImageCheck::Unreadable,
    }
}

/// Counts of [`ImageCheck`] results over a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImageCounts {
    /// Usable images (their rows are written).
    pub usable: u64,
    /// Rows whose image file is absent (never downloaded, or deleted).
    pub missing: u64,
    /// Rows whose file is empty or not a recognised image.
    pub unreadable: u64,
    /// Rows whose image has a side outside 10..=10000 pixels.
    pub out_of_bounds: u64,
}

impl ImageCounts {
    /// Adds one result.
    pub fn add(&mut self, check: ImageCheck) {
        match check {
            ImageCheck::Usable => self.usable += 1,
            ImageCheck::Missing => self.missing += 1,
            ImageCheck::Unreadable => self.unreadable += 1,
            ImageCheck::OutOfBounds => self.out_of_bounds += 1,
        }
    }

    /// Rows left out, for whatever reason.
    pub fn left_out(&self) -> u64 {
        self.missing + self.unreadable + self.out_of_bounds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        // Only the signature and IHDR matter to a header probe.
        let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        bytes.extend_from_slice(&width.to_be_bytes());
        bytes.extend_from_slice(&height.to_be_bytes());
        bytes.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
        bytes
    }

    #[test]
    fn sides_outside_ten_to_ten_thousand_are_rejected_like_check_valid() {
        let folder = tempfile::tempdir().unwrap();
        let cases = [
            ((10, 10), ImageCheck::Usable),
            ((10_000, 640), ImageCheck::Usable),
            ((9, 100), ImageCheck::OutOfBounds),
            ((100, 10_001), ImageCheck::OutOfBounds),
        ];
        for ((width, height), expected) in cases {
            let path = folder.path().join(format!("{width}x{height}.png"));
            std::fs::write(&path, png(width, height)).unwrap();
            assert_eq!(check_image(&path), expected, "{width}x{height}");
        }
        let empty = folder.path().join("empty.jpg");
        std::fs::write(&empty, b"").unwrap();
        assert_eq!(check_image(&empty), ImageCheck::Unreadable);
        let html = folder.path().join("page.jpg");
        std::fs::write(&html, b"<html>404 not found</html>").unwrap();
        assert_eq!(check_image(&html), ImageCheck::Unreadable);
        assert_eq!(
            check_image(&folder.path().join("absent.jpg")),
            ImageCheck::Missing
        );
    }
}
