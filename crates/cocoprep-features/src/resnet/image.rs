//! Images as `prepro_feats.py` sees them: `skimage.io.imread` (PIL, i.e. libjpeg-turbo with
//! its default slow-integer IDCT and fancy upsampling), grey stacked to three channels, no
//! resize, `float32 / 255`, then `Normalize(ImageNet mean, std)`.
//!
//! The decoder is libjpeg-turbo's own code (mozjpeg's fork of it), so the pixels equal
//! PIL's. CMYK JPEGs, which the script cannot normalise (four channels), are converted to
//! RGB exactly as PIL's `Image.convert("RGB")` does (inverted Adobe CMYK first).
//!
//! PNGs are read as `skimage.io.imread` (imageio's Pillow plugin) reads them: 8-bit RGB
//! as is, grey stacked, palettes looked up (a `tRNS` transparency is ignored, as there),
//! 16-bit RGB reduced to its high bytes (Pillow's `RGB;16B`). Two differences, on
//! purpose: 16-bit grey is reduced to its high bytes too (skimage returns the `uint16`
//! values, which the script divides by 255, 257 times too bright), and PNGs with an alpha
//! channel (grey + alpha, RGBA), on which the script fails (`Normalize` of 2 or 4
//! channels), are refused with a message saying so.

use super::map::FeatureMap;

/// torchvision's ImageNet statistics, as `prepro_feats.py` passes them to `Normalize`.
pub const MEAN: [f32; 3] = [0.485, 0.456, 0.406];
/// See [`MEAN`].
pub const STD: [f32; 3] = [0.229, 0.224, 0.225];

/// Decoded 8-bit RGB pixels, row-major, interleaved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RgbImage {
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// `height · width · 3` bytes.
    pub pixels: Vec<u8>,
}

/// Decodes a JPEG or a PNG to RGB (see the module documentation for what is read how).
pub fn decode_image(bytes: &[u8]) -> Result<RgbImage, String> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        decode_png(bytes)
    } else if bytes.starts_with(&[0xff, 0xd8]) {
        decode_jpeg(bytes)
    } else {
        Err("not a JPEG or PNG file".to_owned())
    }
}

/// Decodes a PNG to 8-bit RGB as `skimage.io.imread` reads it (module documentation).
pub fn decode_png(bytes: &[u8]) -> Result<RgbImage, String> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    // Palettes and grey below 8 bits expanded to 8 bits; 16-bit samples kept.
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder
        .read_info()
        .map_err(|e| format!("invalid PNG: {e}"))?;
    let source = reader.info().color_type;
    if matches!(
        source,
        png::ColorType::GrayscaleAlpha | png::ColorType::Rgba
    ) {
        return Err(format!(
            "{} PNG: skimage.io.imread keeps the alpha channel and prepro_feats.py fails on \
             {} channels; save the image without alpha (e.g. PIL `convert(\"RGB\")`) first",
            if source == png::ColorType::Rgba {
                "RGBA"
            } else {
                "grey + alpha"
            },
            if source == png::ColorType::Rgba { 4 } else { 2 },
        ));
    }
    let (color, depth) = reader.output_color_type();
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| "PNG too large to decode".to_owned())?;
    let mut buffer = vec![0; size];
    let frame = reader
        .next_frame(&mut buffer)
        .map_err(|e| format!("invalid PNG: {e}"))?;
    buffer.truncate(frame.buffer_size());
    let (width, height) = (frame.width as usize, frame.height as usize);
    // A `tRNS` chunk adds an alpha channel to grey, RGB and palette images; Pillow keeps
    // it aside (`info["transparency"]`) and skimage returns the colours only.
    let channels = color.samples();
    let bytes_per_sample = if depth == png::BitDepth::Sixteen {
        2
    } else {
        1
    };
    let mut pixels = Vec::with_capacity(width * height * 3);
    for pixel in buffer.chunks_exact(channels * bytes_per_sample) {
        // The high byte of a big-endian 16-bit sample, or the 8-bit sample.
        let sample = |index: usize| pixel[index * bytes_per_sample];
        match color {
            png::ColorType::Grayscale | png::ColorType::GrayscaleAlpha => {
                pixels.extend_from_slice(&[sample(0); 3]);
            }
            png::ColorType::Rgb | png::ColorType::Rgba => {
                pixels.extend_from_slice(&[sample(0), sample(1), sample(2)]);
            }
            png::ColorType::Indexed => return Err("PNG palette was not expanded".to_owned()),
        }
    }
    if pixels.len() != width * height * 3 {
        return Err(format!(
            "decoded {} bytes for a {width}x{height} PNG: the file is truncated",
            pixels.len()
        ));
    }
    Ok(RgbImage {
        width,
        height,
        pixels,
    })
}

/// Decodes a JPEG to RGB (grey replicated to three channels, CMYK converted as PIL does).
pub fn decode_jpeg(bytes: &[u8]) -> Result<RgbImage, String> {
    if !bytes.starts_with(&[0xff, 0xd8]) {
        return Err("not a JPEG file".to_owned());
    }
    let decompress = mozjpeg::Decompress::new_mem(bytes).map_err(|e| e.to_string())?;
    let (width, height) = decompress.size();
    let pixels: Vec<u8> = match decompress.color_space() {
        mozjpeg::ColorSpace::JCS_CMYK | mozjpeg::ColorSpace::JCS_YCCK => {
            let mut started = decompress
                .to_colorspace(mozjpeg::ColorSpace::JCS_CMYK)
                .map_err(|e| e.to_string())?;
            let cmyk: Vec<[u8; 4]> = started.read_scanlines().map_err(|e| e.to_string())?;
            started.finish().map_err(|e| e.to_string())?;
            let inverted = has_adobe_marker(bytes);
            cmyk.iter()
                .flat_map(|&pixel| cmyk_to_rgb(pixel, inverted))
                .collect()
        }
        _ => {
            let mut started = decompress.rgb().map_err(|e| e.to_string())?;
            let rgb: Vec<[u8; 3]> = started.read_scanlines().map_err(|e| e.to_string())?;
            started.finish().map_err(|e| e.to_string())?;
            rgb.into_iter().flatten().collect()
        }
    };
    if pixels.len() != width * height * 3 {
        return Err(format!(
            "decoded {} bytes for a {width}x{height} image: the file is truncated",
            pixels.len()
        ));
    }
    Ok(RgbImage {
        width,
        height,
        pixels,
    })
}

/// PIL reads Adobe CMYK JPEGs as `CMYK;I` (inverted), then `convert("RGB")` computes
/// `r = (255 − k) − c·(255 − k)/255` with its rounding `MULDIV255` (Pillow `Convert.c`,
/// `cmyk2rgb`).
fn cmyk_to_rgb(pixel: [u8; 4], inverted: bool) -> [u8; 3] {
    let [c, m, y, k] = if inverted {
        pixel.map(|v| 255 - v)
    } else {
        pixel
    };
    let not_k = 255 - i32::from(k);
    let channel = |v: u8| {
        let product = i32::from(v) * not_k + 128;
        let scaled = ((product >> 8) + product) >> 8;
        u8::try_from((not_k - scaled).clamp(0, 255)).expect("clamped to a byte")
    };
    [channel(c), channel(m), channel(y)]
}

/// Whether the JPEG has an APP14 `Adobe` segment (before the first scan).
fn has_adobe_marker(bytes: &[u8]) -> bool {
    let mut position = 2;
    while position + 4 <= bytes.len() {
        if bytes[position] != 0xff {
            return false;
        }
        let marker = bytes[position + 1];
        if marker == 0xff {
            position += 1;
            continue;
        }
        if marker == 0xda {
            return false;
        }
        let length = usize::from(u16::from_be_bytes([
            bytes[position + 2],
            bytes[position + 3],
        ]));
        let segment =
            &bytes[(position + 4).min(bytes.len())..(position + 2 + length).min(bytes.len())];
        if marker == 0xee && segment.starts_with(b"Adobe") {
            return true;
        }
        position += 2 + length;
    }
    false
}

/// `(pixels / 255 − mean) / std` in float32, channel-major: the tensor the network sees.
pub fn normalise(image: &RgbImage) -> FeatureMap {
    let plane = image.width * image.height;
    let mut map = FeatureMap::zeros(3, image.height, image.width);
    for (channel, values) in map.values.chunks_mut(plane).enumerate() {
        for (value, pixel) in values.iter_mut().zip(image.pixels.chunks_exact(3)) {
            *value = (f32::from(pixel[channel]) / 255.0 - MEAN[channel]) / STD[channel];
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cmyk_conversion_matches_pillow_formula() {
        assert_eq!(cmyk_to_rgb([0, 0, 0, 0], false), [255, 255, 255]);
        assert_eq!(cmyk_to_rgb([255, 255, 255, 255], true), [255, 255, 255]);
        assert_eq!(cmyk_to_rgb([0, 0, 0, 255], false), [0, 0, 0]);
        assert_eq!(cmyk_to_rgb([128, 0, 255, 0], false), [127, 255, 0]);
    }
}
