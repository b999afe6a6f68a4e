//! Checking image files on disk: header size and full decode.
//!
//! Used by `validate --images`, by `verify` after downloads (the known-corrupt
//! `COCO_train2014_000000167126.jpg` is truncated) and wherever a width/height must be
//! read from a file.

use std::io::Read;
use std::path::{Path, PathBuf};

/// The formats cocoprep can fully check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageFormat {
    /// JPEG (COCO's images).
    Jpeg,
    /// PNG (label maps, panoptic masks).
    Png,
}

/// What a header or decode found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageFileInfo {
    /// The detected format.
    pub format: ImageFormat,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// An image file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ImageFileError {
    /// The file could not be opened or read.
    #[error("cannot read `{}`", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Not a JPEG or PNG, or the header is damaged.
    #[error("`{}` is not a readable JPEG or PNG: {message}", path.display())]
    Header {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        message: String,
    },
    /// The header is fine but the pixel data does not decode (truncated or corrupt).
    #[error("`{}` does not decode: {message}", path.display())]
    Decode {
        /// The file.
        path: PathBuf,
        /// What the decoder said.
        message: String,
    },
}

fn detect(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some(ImageFormat::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else {
        None
    }
}

/// Reads the format and size from the start of the file, without decoding pixels.
pub fn read_image_header(path: &Path) -> Result<ImageFileInfo, ImageFileError> {
    let mut file = fs_err::File::open(path).map_err(|source| ImageFileError::Io {
        path: path.to_owned(),
        source,
    })?;
    // JPEG headers can sit after large EXIF blocks; 256 KiB covers real files, and
    // `imagesize` reports an error rather than guessing when it is not enough.
    let mut head = Vec::with_capacity(64 << 10);
    file.by_ref()
        .take(256 << 10)
        .read_to_end(&mut head)
        .map_err(|source| ImageFileError::Io {
            path: path.to_owned(),
            source,
        })?;
    header_of(path, &head)
}

fn header_of(path: &Path, bytes: &[u8]) -> Result<ImageFileInfo, ImageFileError> {
    let header_error = |message: String| ImageFileError::Header {
        path: path.to_owned(),
        message,
    };
    let format = detect(bytes)
        .ok_or_else(|| header_error("unknown signature (expected JPEG or PNG)".to_owned()))?;
    let size = imagesize::blob_size(bytes).map_err(|error| header_error(error.to_string()))?;
    let (width, height) = (u32::try_from(size.width), u32::try_from(size.height));
    match (width, height) {
        (Ok(width), Ok(height)) if width > 0 && height > 0 => Ok(ImageFileInfo {
            format,
            width,
            height,
        }),
        _ => Err(header_error(format!(
            "invalid size {}x{}",
            size.width, size.height
        ))),
    }
}

/// Decodes the whole image to prove it is intact. JPEGs must also end with an
/// end-of-image marker: decoders fill in a truncated scan silently, which is exactly how
/// the corrupt COCO image slips through other tools.
pub fn check_image_file(path: &Path) -> Result<ImageFileInfo, ImageFileError> {
    let bytes = fs_err::read(path).map_err(|source| ImageFileError::Io {
        path: path.to_owned(),
        source,
    })?;
    check_image_bytes(path, &bytes)
}

/// [`check_image_file`] on bytes already in memory; `path` names them in errors.
pub fn check_image_bytes(path: &Path, bytes: &[u8]) -> Result<ImageFileInfo, ImageFileError> {
    let info = header_of(path, bytes)?;
    let decode_error = |message: String| ImageFileError::Decode {
        path: path.to_owned(),
        message,
    };
    match info.format {
        ImageFormat::Jpeg => {
            if !has_end_of_image(bytes) {
                return Err(decode_error(
                    "no end-of-image marker: the file is truncated".to_owned(),
                ));
            }
            let mut decoder =
                zune_jpeg::JpegDecoder::new(zune_jpeg::zune_core::bytestream::ZCursor::new(bytes));
            let pixels = decoder
                .decode()
                .map_err(|error| decode_error(error.to_string()))?;
            if pixels.is_empty() {
                return Err(decode_error("decoded to no pixels".to_owned()));
            }
        }
        ImageFormat::Png => {
            let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
            let mut reader = decoder
                .read_info()
                .map_err(|error| decode_error(error.to_string()))?;
            let mut buffer = vec![
                0;
                reader
                    .output_buffer_size()
                    .ok_or_else(|| decode_error("image too large".to_owned()))?
            ];
            reader
                .next_frame(&mut buffer)
                .map_err(|error| decode_error(error.to_string()))?;
        }
    }
    Ok(info)
}

/// JPEG files end with `FF D9`; some writers append padding, so look at the last KiB.
fn has_end_of_image(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    tail.windows(2).any(|pair| pair == [0xff, 0xd9])
}
