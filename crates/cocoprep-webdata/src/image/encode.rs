//! Encoding resized images: JPEG at a quality, or PNG at a compression level 0-9 (OpenCV's
//! `IMWRITE_PNG_COMPRESSION`).
//!
//! JPEG goes through libjpeg-turbo's compressor and its SIMD code (the `mozjpeg` crate with
//! mozjpeg's extras switched off by `set_fastest_defaults`), set as OpenCV's
//! `cv2.imencode(".jpg", image, [IMWRITE_JPEG_QUALITY, q])` sets it in img2dataset: baseline
//! (not progressive), the standard Annex K quantisation tables scaled by the quality, the
//! standard Huffman tables (no optimisation pass), 4:2:0 chroma subsampling, slow-integer
//! DCT, a JFIF header.

use super::decode::RgbImage;

/// The output image format (`--encode-format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodeFormat {
    /// JPEG; `--encode-quality` 0-100.
    Jpeg,
    /// PNG; `--encode-quality` is the compression level 0-9.
    Png,
}

impl EncodeFormat {
    /// The file extension and WebDataset member suffix (`jpg`, `png`).
    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
        }
    }
}

/// Encodes `image`.
pub fn encode(image: &RgbImage, format: EncodeFormat, quality: u8) -> Result<Vec<u8>, String> {
    match format {
        EncodeFormat::Jpeg => encode_jpeg(image, quality),
        EncodeFormat::Png => encode_png(image, quality),
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
