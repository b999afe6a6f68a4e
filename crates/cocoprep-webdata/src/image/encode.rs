//! Encoding resized images: JPEG at a quality, PNG at a compression level 0-9 (OpenCV's
//! `IMWRITE_PNG_COMPRESSION`), or WebP at a quality (OpenCV's `IMWRITE_WEBP_QUALITY`).
//!
//! JPEG goes through libjpeg-turbo's compressor and its SIMD code (the `mozjpeg` crate with
//! mozjpeg's extras switched off by `set_fastest_defaults`), set as OpenCV's
//! `cv2.imencode(".jpg", image, [IMWRITE_JPEG_QUALITY, q])` sets it in img2dataset: baseline
//! (not progressive), the standard Annex K quantisation tables scaled by the quality, the
//! standard Huffman tables (no optimisation pass), 4:2:0 chroma subsampling, slow-integer
//! DCT, a JFIF header.
//!
//! WebP goes through libwebp's simple encoding API, the calls OpenCV's `WebPEncoder::write`
//! (`modules/imgcodecs/src/grfmt_webp.cpp`) makes for a 3-channel image: `WebPEncodeRGB` at
//! the quality (lossy VP8, libwebp's default preset and method 4), with OpenCV's mapping of
//! `IMWRITE_WEBP_QUALITY`: below 1 is 1, above 100 is lossless (`WebPEncodeLosslessRGB`).

use super::decode::RgbImage;

/// The output image format (`--encode-format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodeFormat {
    /// JPEG; `--encode-quality` 0-100.
    Jpeg,
    /// PNG; `--encode-quality` is the compression level 0-9.
    Png,
    /// WebP; `--encode-quality` 1-100 lossy, above 100 lossless (OpenCV's mapping).
    Webp,
}

impl EncodeFormat {
    /// The file extension, WebDataset member suffix and Parquet column (`jpg`, `png`,
    /// `webp`), as img2dataset names them after its `encode_format`.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Webp => "webp",
        }
    }
}

/// Encodes `image`.
pub fn encode(image: &RgbImage, format: EncodeFormat, quality: u8) -> Result<Vec<u8>, String> {
    match format {
        EncodeFormat::Jpeg => encode_jpeg(image, quality),
        EncodeFormat::Png => encode_png(image, quality),
        EncodeFormat::Webp => encode_webp(image, quality),
    }
}

fn encode_jpeg(image: &RgbImage, quality: u8) -> Result<Vec<u8>, String> {
    if image.width > 65_535 || image.height > 65_535 {
        return Err("image too large for jpeg (sides up to 65535)".to_owned());
    }
    // libjpeg reports fatal errors by unwinding out of its error handler (the `mozjpeg`
    // crate's design); the unwind ends here, as a row error.
    std::panic::catch_unwind(|| compress_jpeg(image, quality)).unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("libjpeg error");
        Err(format!("jpeg encoding error: {message}"))
    })
}

fn compress_jpeg(image: &RgbImage, quality: u8) -> Result<Vec<u8>, String> {
    let error = |e: std::io::Error| format!("jpeg encoding error: {e}");
    let mut compress = mozjpeg::Compress::new(mozjpeg::ColorSpace::JCS_RGB);
    // libjpeg-turbo's own defaults (what OpenCV links): no trellis quantisation, no
    // progressive scans, Annex K tables; then OpenCV's settings.
    compress.set_fastest_defaults();
    compress.set_size(image.width as usize, image.height as usize);
    compress.set_quality(f32::from(quality.clamp(1, 100)));
    compress.set_optimize_coding(false);
    compress.set_chroma_sampling_pixel_sizes((2, 2), (2, 2));
    let capacity = image.pixels.len() / 4;
    let mut started = compress
        .start_compress(Vec::with_capacity(capacity))
        .map_err(error)?;
    started.write_scanlines(&image.pixels).map_err(error)?;
    started.finish().map_err(error)
}

fn encode_png(image: &RgbImage, level: u8) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, image.width, image.height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(match level {
        0 => png::Compression::NoCompression,
        1 | 2 => png::Compression::Fastest,
        3..=5 => png::Compression::Fast,
        6 | 7 => png::Compression::Balanced,
        _ => png::Compression::High,
    });
    let error = |e: png::EncodingError| format!("png encoding error: {e}");
    let mut writer = encoder.write_header().map_err(error)?;
    writer.write_image_data(&image.pixels).map_err(error)?;
    writer.finish().map_err(error)?;
    Ok(bytes)
}

/// WebP's largest side (`WEBP_MAX_DIMENSION` in libwebp's `encode.h`).
const WEBP_MAX_SIDE: u32 = 16_383;

/// The WebP quality above which OpenCV (and so img2dataset) encodes losslessly.
pub const WEBP_LOSSLESS_ABOVE: u8 = 100;

#[expect(
    unsafe_code,
    reason = "libwebp's simple encoding API is C: it reads our pixels and returns a buffer it allocated"
)]
fn encode_webp(image: &RgbImage, quality: u8) -> Result<Vec<u8>, String> {
    let (width, height) = (image.width, image.height);
    if width == 0 || height == 0 || width > WEBP_MAX_SIDE || height > WEBP_MAX_SIDE {
        return Err(format!(
            "image size {width}x{height} not encodable as webp (sides 1-{WEBP_MAX_SIDE})"
        ));
    }
    // Both sides are at most 16383, so these fit a C int.
    let (width, height) = (width as core::ffi::c_int, height as core::ffi::c_int);
    let stride = width * 3;
    let needed = stride as usize * height as usize;
    if image.pixels.len() < needed {
        return Err(format!(
            "webp encoding error: {} pixel bytes for a {width}x{height} image",
            image.pixels.len()
        ));
    }
    let mut output: *mut u8 = std::ptr::null_mut();
    let size = if quality > WEBP_LOSSLESS_ABOVE {
        // SAFETY: `pixels` holds `height` rows of `stride` bytes (checked above), which
        // libwebp only reads; `output` is a valid place for the pointer it returns.
        unsafe {
            libwebp_sys::WebPEncodeLosslessRGB(
                image.pixels.as_ptr(),
                width,
                height,
                stride,
                &mut output,
            )
        }
    } else {
        let quality = f32::from(quality.max(1));
        // SAFETY: as for the lossless call above.
        unsafe {
            libwebp_sys::WebPEncodeRGB(
                image.pixels.as_ptr(),
                width,
                height,
                stride,
                quality,
                &mut output,
            )
        }
    };
    if output.is_null() {
        return Err("webp encoding error: libwebp returned no data".to_owned());
    }
    let bytes = if size == 0 {
        None
    } else {
        // SAFETY: libwebp returned a buffer of `size` initialised bytes at `output`; it stays
        // valid until the `WebPFree` below.
        Some(unsafe { std::slice::from_raw_parts(output, size) }.to_vec())
    };
    // SAFETY: `output` was allocated by libwebp's encoder and is freed exactly once, here.
    unsafe { libwebp_sys::WebPFree(output.cast()) };
    bytes.ok_or_else(|| "webp encoding error: libwebp wrote 0 bytes".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient(width: u32, height: u32) -> RgbImage {
        let pixels = (0..height)
            .flat_map(|y| {
                (0..width).flat_map(move |x| {
                    [
                        (x * 255 / width) as u8,
                        (y * 255 / height) as u8,
                        ((x + y) % 256) as u8,
                    ]
                })
            })
            .collect();
        RgbImage {
            width,
            height,
            pixels,
        }
    }

    fn is_webp(bytes: &[u8], chunk: &[u8; 4]) -> bool {
        bytes.len() > 16
            && &bytes[..4] == b"RIFF"
            && &bytes[8..12] == b"WEBP"
            && &bytes[12..16] == chunk
            && u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize + 8 == bytes.len()
    }

    #[test]
    fn webp_quality_up_to_100_is_lossy_vp8_and_above_is_lossless_vp8l() {
        let image = gradient(64, 48);
        let lossy = encode(&image, EncodeFormat::Webp, 95).unwrap();
        assert!(is_webp(&lossy, b"VP8 "), "{:?}", &lossy[..16]);
        let lossless = encode(&image, EncodeFormat::Webp, 101).unwrap();
        assert!(is_webp(&lossless, b"VP8L"), "{:?}", &lossless[..16]);
    }

    #[test]
    fn webp_quality_0_is_encoded_as_quality_1_as_opencv_does() {
        let image = gradient(40, 30);
        assert_eq!(
            encode(&image, EncodeFormat::Webp, 0).unwrap(),
            encode(&image, EncodeFormat::Webp, 1).unwrap()
        );
        let low = encode(&image, EncodeFormat::Webp, 1).unwrap().len();
        let high = encode(&image, EncodeFormat::Webp, 100).unwrap().len();
        assert!(low < high, "q1 {low} bytes, q100 {high} bytes");
    }

    #[test]
    fn webp_refuses_sides_beyond_16383() {
        let image = RgbImage {
            width: 16_384,
            height: 1,
            pixels: vec![0; 16_384 * 3],
        };
        let error = encode(&image, EncodeFormat::Webp, 95).unwrap_err();
        assert!(error.contains("16384x1"), "{error}");
    }
}
