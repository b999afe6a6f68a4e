//! Encoding resized images: JPEG (jpeg-encoder, 4:2:0 like OpenCV's default) at a quality,
//! or PNG at a compression level 0-9 (OpenCV's `IMWRITE_PNG_COMPRESSION`).

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
    let (Ok(width), Ok(height)) = (u16::try_from(image.width), u16::try_from(image.height)) else {
        return Err("image too large for jpeg (sides up to 65535)".to_owned());
    };
    let mut bytes = Vec::with_capacity(image.pixels.len() / 8);
    let mut encoder = jpeg_encoder::Encoder::new(&mut bytes, quality.clamp(1, 100));
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_0);
    encoder
        .encode(&image.pixels, width, height, jpeg_encoder::ColorType::Rgb)
        .map_err(|error| format!("jpeg encoding error: {error}"))?;
    Ok(bytes)
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
