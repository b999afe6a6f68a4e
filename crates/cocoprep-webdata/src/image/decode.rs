//! Decoding fetched bytes to 8-bit RGB: JPEG with libjpeg-turbo's decoder and its SIMD code
//! (the `mozjpeg` crate, as OpenCV's `imdecode` in img2dataset: slow-integer IDCT, fancy
//! upsampling), CMYK JPEGs with zune-jpeg (libjpeg-turbo has no CMYK to RGB conversion), PNG
//! with the png crate (palette, grey and 16-bit expanded; alpha composited on white as
//! img2dataset does), still WebP with libwebp (the decoder OpenCV bundles; alpha composited
//! the same way; animated WebP is refused).

use zune_jpeg::zune_core::bytestream::ZCursor;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;

/// Pixels, 3 bytes each, row by row.
#[derive(Clone, Debug)]
pub struct RgbImage {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width * height * 3` bytes.
    pub pixels: Vec<u8>,
}

/// The container format of encoded bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceFormat {
    /// JPEG (`FF D8 FF`).
    Jpeg,
    /// PNG.
    Png,
    /// WebP (`RIFF....WEBP`).
    Webp,
}

/// Sniffs the format from the first bytes.
pub fn sniff(bytes: &[u8]) -> Option<SourceFormat> {
    if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some(SourceFormat::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(SourceFormat::Png)
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some(SourceFormat::Webp)
    } else {
        None
    }
}

/// The largest side accepted: larger images are refused before allocating.
const MAX_SIDE: usize = 30_000;

/// Decodes `bytes`; `alpha` tells whether an alpha channel was composited (which forces a
/// re-encode, as in img2dataset).
pub fn decode(bytes: &[u8]) -> Result<(RgbImage, SourceFormat, bool), String> {
    match sniff(bytes) {
        Some(SourceFormat::Jpeg) => {
            decode_jpeg(bytes).map(|image| (image, SourceFormat::Jpeg, false))
        }
        Some(SourceFormat::Png) => {
            decode_png(bytes).map(|(image, alpha)| (image, SourceFormat::Png, alpha))
        }
        Some(SourceFormat::Webp) => {
            decode_webp(bytes).map(|(image, alpha)| (image, SourceFormat::Webp, alpha))
        }
        None => Err(if looks_like_text(bytes) {
            "not an image (text or html body)".to_owned()
        } else {
            "unsupported image format".to_owned()
        }),
    }
}

fn looks_like_text(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(256)];
    !head.is_empty()
        && head
            .iter()
            .all(|&b| b.is_ascii_graphic() || b.is_ascii_whitespace())
}

fn decode_jpeg(bytes: &[u8]) -> Result<RgbImage, String> {
    // A JPEG cut off by a dropped connection has no end-of-image marker; the decoders would
    // fill the missing rows with grey, which is not an image anyone wants to train on.
    if !has_end_of_image(bytes) {
        return Err("truncated image (no jpeg end marker)".to_owned());
    }
    // libjpeg reports fatal errors by unwinding out of its error handler (the `mozjpeg`
    // crate's design); the unwind ends here, as a row error.
    let decoded =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| decode_jpeg_libjpeg(bytes)))
            .unwrap_or_else(|payload| {
                let message = payload
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| payload.downcast_ref::<&str>().copied())
                    .unwrap_or("libjpeg error");
                Err(format!("image decoding error: {message}"))
            })?;
    match decoded {
        Some(image) => Ok(image),
        None => decode_jpeg_zune(bytes),
    }
}

/// libjpeg-turbo's decode to RGB (grey expanded); `None` for CMYK/YCCK files.
fn decode_jpeg_libjpeg(bytes: &[u8]) -> Result<Option<RgbImage>, String> {
    let error = |e: std::io::Error| format!("image decoding error: {e}");
    let decompress = mozjpeg::Decompress::new_mem(bytes).map_err(error)?;
    if matches!(
        decompress.color_space(),
        mozjpeg::ColorSpace::JCS_CMYK | mozjpeg::ColorSpace::JCS_YCCK
    ) {
        return Ok(None);
    }
    let (width, height) = decompress.size();
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err("image decoding error: image too large to decode".to_owned());
    }
    let mut started = decompress.rgb().map_err(error)?;
    let mut pixels = vec![0u8; width * height * 3];
    started
        .read_scanlines_into::<u8>(&mut pixels)
        .map_err(error)?;
    started.finish().map_err(error)?;
    Ok(Some(RgbImage {
        width: width as u32,
        height: height as u32,
        pixels,
    }))
}

fn decode_jpeg_zune(bytes: &[u8]) -> Result<RgbImage, String> {
    let options = DecoderOptions::default()
        .jpeg_set_out_colorspace(ColorSpace::RGB)
        .set_max_width(MAX_SIDE)
        .set_max_height(MAX_SIDE);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    let pixels = decoder
        .decode()
        .map_err(|error| format!("image decoding error: {error}"))?;
    let (width, height) = decoder
        .dimensions()
        .ok_or_else(|| "image decoding error: no dimensions".to_owned())?;
    if pixels.len() != width * height * 3 {
        return Err("image decoding error: unexpected pixel count".to_owned());
    }
    Ok(RgbImage {
        width: width as u32,
        height: height as u32,
        pixels,
    })
}

/// JPEG files end with `FF D9`; some writers append padding, so look at the last KiB.
fn has_end_of_image(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    tail.windows(2).any(|pair| pair == [0xff, 0xd9])
}

fn decode_png(bytes: &[u8]) -> Result<(RgbImage, bool), String> {
    let error = |e: png::DecodingError| format!("image decoding error: {e}");
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(error)?;
    let (width, height) = {
        let info = reader.info();
        (info.width, info.height)
    };
    if width as usize > MAX_SIDE || height as usize > MAX_SIDE {
        return Err("image decoding error: image too large to decode".to_owned());
    }
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| "image decoding error: image too large".to_owned())?;
    let mut buffer = vec![0; size];
    let frame = reader.next_frame(&mut buffer).map_err(error)?;
    buffer.truncate(frame.buffer_size());
    let pixel_count = width as usize * height as usize;
    let (pixels, alpha) = match frame.color_type {
        png::ColorType::Rgb => (buffer, false),
        png::ColorType::Rgba => (composite_on_white(&buffer, 4), true),
        png::ColorType::Grayscale => (buffer.iter().flat_map(|&g| [g, g, g]).collect(), false),
        png::ColorType::GrayscaleAlpha => {
            let rgba: Vec<u8> = buffer
                .chunks_exact(2)
                .flat_map(|pair| [pair[0], pair[0], pair[0], pair[1]])
                .collect();
            (composite_on_white(&rgba, 4), true)
        }
        png::ColorType::Indexed => {
            return Err("image decoding error: palette not expanded".to_owned());
        }
    };
    if pixels.len() != pixel_count * 3 {
        return Err("image decoding error: unexpected pixel count".to_owned());
    }
    Ok((
        RgbImage {
            width,
            height,
            pixels,
        },
        alpha,
    ))
}

/// Decodes a still WebP: RGB, or RGBA composited on white when the file has alpha (OpenCV's
/// `IMREAD_UNCHANGED` gives img2dataset 4 channels exactly then).
#[expect(
    unsafe_code,
    reason = "libwebp's decoder is C: it reads `bytes` and writes into a buffer we size"
)]
fn decode_webp(bytes: &[u8]) -> Result<(RgbImage, bool), String> {
    let mut features = std::mem::MaybeUninit::<libwebp_sys::WebPBitstreamFeatures>::zeroed();
    // SAFETY: `bytes` is valid for its length and only read; `features` is a valid place for
    // the struct libwebp fills.
    let status =
        unsafe { libwebp_sys::WebPGetFeatures(bytes.as_ptr(), bytes.len(), features.as_mut_ptr()) };
    if status != libwebp_sys::VP8StatusCode::VP8_STATUS_OK {
        return Err(format!("image decoding error: invalid webp ({status:?})"));
    }
    // SAFETY: the struct is plain integers, zeroed above and filled by libwebp on success.
    let features = unsafe { features.assume_init() };
    if features.has_animation != 0 {
        return Err("image decoding error: animated webp".to_owned());
    }
    let (width, height) = (features.width, features.height);
    if width <= 0 || height <= 0 || width as usize > MAX_SIDE || height as usize > MAX_SIDE {
        return Err("image decoding error: image too large to decode".to_owned());
    }
    let alpha = features.has_alpha != 0;
    let channels = if alpha { 4 } else { 3 };
    let stride = width * channels;
    let mut buffer = vec![0u8; stride as usize * height as usize];
    let decoded = if alpha {
        // SAFETY: `buffer` holds `height` rows of `stride` bytes, the most libwebp writes for
        // a `width` x `height` image; `bytes` is only read.
        unsafe {
            libwebp_sys::WebPDecodeRGBAInto(
                bytes.as_ptr(),
                bytes.len(),
                buffer.as_mut_ptr(),
                buffer.len(),
                stride,
            )
        }
    } else {
        // SAFETY: as for the RGBA call above.
        unsafe {
            libwebp_sys::WebPDecodeRGBInto(
                bytes.as_ptr(),
                bytes.len(),
                buffer.as_mut_ptr(),
                buffer.len(),
                stride,
            )
        }
    };
    if decoded.is_null() {
        return Err("image decoding error: invalid or truncated webp".to_owned());
    }
    let pixels = if alpha {
        composite_on_white(&buffer, 4)
    } else {
        buffer
    };
    Ok((
        RgbImage {
            width: width as u32,
            height: height as u32,
            pixels,
        },
        alpha,
    ))
}

/// img2dataset: `alpha / 255 * rgb + 255 - alpha`, rounded and clipped.
fn composite_on_white(rgba: &[u8], stride: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(rgba.len() / stride * 3);
    for pixel in rgba.chunks_exact(stride) {
        let alpha = f64::from(pixel[3]);
        for &channel in &pixel[..3] {
            let value = alpha / 255.0 * f64::from(channel) + 255.0 - alpha;
            out.push(value.round_ties_even().clamp(0.0, 255.0) as u8);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_bodies_are_named() {
        assert_eq!(
            decode(b"<html><body>not found</body></html>").unwrap_err(),
            "not an image (text or html body)"
        );
        assert_eq!(
            decode(&[0, 1, 2, 3]).unwrap_err(),
            "unsupported image format"
        );
    }

    #[test]
    fn transparent_pixels_become_white() {
        assert_eq!(composite_on_white(&[10, 20, 30, 0], 4), [255, 255, 255]);
        assert_eq!(composite_on_white(&[10, 20, 30, 255], 4), [10, 20, 30]);
    }
}
