//! Pictures in and out: JPEG/PNG files decoded into a [`Pixmap`], pixmaps encoded as PNG
//! (lossless, for `show` and the golden tests) or JPEG (thumbnails).

use std::path::Path;

use tiny_skia::{Pixmap, PremultipliedColorU8};
use zune_jpeg::zune_core::bytestream::ZCursor;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;

use crate::Error;

/// The largest picture side drawn (COCO's largest images are 640 px; this leaves room for
/// other datasets while refusing absurd sizes).
pub const MAX_SIDE: u32 = 16_384;

/// An empty opaque picture of this size filled with `color`.
pub fn blank(width: u32, height: u32, color: [u8; 3]) -> Result<Pixmap, Error> {
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(Error::PictureSize { width, height });
    }
    let mut pixmap = Pixmap::new(width, height).ok_or(Error::PictureSize { width, height })?;
    pixmap.fill(tiny_skia::Color::from_rgba8(
        color[0], color[1], color[2], 255,
    ));
    Ok(pixmap)
}

/// Reads and decodes a JPEG or PNG file.
pub fn read_picture(path: &Path) -> Result<Pixmap, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::ReadImage {
        path: path.to_owned(),
        source,
    })?;
    decode_picture(&bytes).map_err(|message| Error::DecodeImage {
        path: path.to_owned(),
        message,
    })
}

/// Decodes JPEG or PNG bytes into an opaque picture (transparency is flattened on white).
pub fn decode_picture(bytes: &[u8]) -> Result<Pixmap, String> {
    if bytes.starts_with(&[0xff, 0xd8]) {
        decode_jpeg(bytes)
    } else if bytes.starts_with(b"\x89PNG") {
        decode_png(bytes)
    } else {
        Err("not a JPEG or PNG file".to_owned())
    }
}

fn decode_jpeg(bytes: &[u8]) -> Result<Pixmap, String> {
    let options = DecoderOptions::default().jpeg_set_out_colorspace(ColorSpace::RGB);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    let rgb = decoder.decode().map_err(|error| error.to_string())?;
    let (width, height) = decoder
        .dimensions()
        .ok_or_else(|| "no image size in the header".to_owned())?;
    from_rgb(width as u32, height as u32, &rgb, 3)
}

fn decode_png(bytes: &[u8]) -> Result<Pixmap, String> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(|error| error.to_string())?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| "image too large".to_owned())?;
    let mut buffer = vec![0; size];
    let frame = reader
        .next_frame(&mut buffer)
        .map_err(|error| error.to_string())?;
    let channels = frame.color_type.samples();
    let expanded: Vec<u8>;
    let (data, channels) = match frame.color_type {
        png::ColorType::Grayscale | png::ColorType::GrayscaleAlpha => {
            expanded = buffer[..frame.buffer_size()]
                .chunks_exact(channels)
                .flat_map(|pixel| {
                    let alpha = pixel.get(1).copied().unwrap_or(255);
                    [pixel[0], pixel[0], pixel[0], alpha]
                })
                .collect();
            (&expanded[..], 4)
        }
        _ => (&buffer[..frame.buffer_size()], channels),
    };
    from_rgb(frame.width, frame.height, data, channels)
}

/// Builds an opaque picture from interleaved RGB (3 channels) or RGBA (4, flattened on
/// white) samples.
fn from_rgb(width: u32, height: u32, samples: &[u8], channels: usize) -> Result<Pixmap, String> {
    let mut pixmap = blank(width, height, [255, 255, 255]).map_err(|error| error.to_string())?;
    let expected = width as usize * height as usize * channels;
    if samples.len() < expected {
        return Err(format!(
            "decoded {} bytes, expected {expected}",
            samples.len()
        ));
    }
    for (pixel, sample) in pixmap
        .pixels_mut()
        .iter_mut()
        .zip(samples.chunks_exact(channels))
    {
        let alpha = if channels == 4 { sample[3] } else { 255 };
        let flatten = |value: u8| -> u8 {
            ((u32::from(value) * u32::from(alpha) + 255 * (255 - u32::from(alpha))) / 255) as u8
        };
        *pixel = PremultipliedColorU8::from_rgba(
            flatten(sample[0]),
            flatten(sample[1]),
            flatten(sample[2]),
            255,
        )
        .expect("opaque");
    }
    Ok(pixmap)
}

/// The picture's pixels as straight RGBA (tiny-skia keeps them premultiplied).
pub fn to_rgba(pixmap: &Pixmap) -> Vec<u8> {
    let mut out = Vec::with_capacity(pixmap.pixels().len() * 4);
    for pixel in pixmap.pixels() {
        let color = pixel.demultiply();
        out.extend_from_slice(&[color.red(), color.green(), color.blue(), color.alpha()]);
    }
    out
}

/// Encodes the picture as a PNG: RGB when every pixel is opaque, RGBA otherwise.
pub fn encode_png(pixmap: &Pixmap) -> Result<Vec<u8>, Error> {
    let opaque = pixmap.pixels().iter().all(|pixel| pixel.alpha() == 255);
    let rgba = to_rgba(pixmap);
    let (color_type, data) = if opaque {
        let rgb: Vec<u8> = rgba
            .chunks_exact(4)
            .flat_map(|pixel| [pixel[0], pixel[1], pixel[2]])
            .collect();
        (png::ColorType::Rgb, rgb)
    } else {
        (png::ColorType::Rgba, rgba)
    };
    let encode_error = |error: png::EncodingError| Error::Encode {
        format: "PNG",
        message: error.to_string(),
    };
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_color(color_type);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().map_err(encode_error)?;
    writer.write_image_data(&data).map_err(encode_error)?;
    writer.finish().map_err(encode_error)?;
    Ok(out)
}

/// Encodes an opaque picture as a JPEG of `quality` (1..=100).
pub fn encode_jpeg(pixmap: &Pixmap, quality: u8) -> Result<Vec<u8>, Error> {
    let rgb: Vec<u8> = pixmap
        .pixels()
        .iter()
        .flat_map(|pixel| [pixel.red(), pixel.green(), pixel.blue()])
        .collect();
    let (Ok(width), Ok(height)) = (
        u16::try_from(pixmap.width()),
        u16::try_from(pixmap.height()),
    ) else {
        return Err(Error::PictureSize {
            width: pixmap.width(),
            height: pixmap.height(),
        });
    };
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, quality)
        .encode(&rgb, width, height, jpeg_encoder::ColorType::Rgb)
        .map_err(|error| Error::Encode {
            format: "JPEG",
            message: error.to_string(),
        })?;
    Ok(out)
}

/// The picture scaled so that its longer side is at most `max_side`; smaller pictures are
/// returned as they are. Each output pixel is the mean of the source pixels it covers (a
/// box filter): no aliasing at the 2–4× reductions of thumbnails, and one pass over the
/// source.
pub fn scale_down(pixmap: &Pixmap, max_side: u32) -> Pixmap {
    let (width, height) = (pixmap.width() as usize, pixmap.height() as usize);
    let longer = width.max(height);
    let max_side = max_side.max(1) as usize;
    if longer <= max_side {
        return pixmap.clone();
    }
    let out_width = (width * max_side).div_ceil(longer).clamp(1, width);
    let out_height = (height * max_side).div_ceil(longer).clamp(1, height);
    // Source columns [starts[x], starts[x + 1]) make output column x; the same for rows.
    let edges = |source: usize, out: usize| -> Vec<usize> {
        (0..=out).map(|index| index * source / out).collect()
    };
    let columns = edges(width, out_width);
    let rows = edges(height, out_height);
    let mut out = Pixmap::new(out_width as u32, out_height as u32)
        .expect("a smaller picture than one that exists");
    let source = pixmap.pixels();
    let mut sums = vec![[0u32; 4]; out_width];
    let output = out.pixels_mut();
    for out_y in 0..out_height {
        sums.iter_mut().for_each(|sum| *sum = [0; 4]);
        for y in rows[out_y]..rows[out_y + 1] {
            let line = &source[y * width..(y + 1) * width];
            for (out_x, sum) in sums.iter_mut().enumerate() {
                for pixel in &line[columns[out_x]..columns[out_x + 1]] {
                    sum[0] += u32::from(pixel.red());
                    sum[1] += u32::from(pixel.green());
                    sum[2] += u32::from(pixel.blue());
                    sum[3] += u32::from(pixel.alpha());
                }
            }
        }
        let cell_height = (rows[out_y + 1] - rows[out_y]) as u32;
        for (out_x, sum) in sums.iter().enumerate() {
            let count = cell_height * (columns[out_x + 1] - columns[out_x]) as u32;
            let mean = |total: u32| ((total + count / 2) / count) as u8;
            // The mean of premultiplied pixels is premultiplied: each component stays at
            // or below the mean alpha.
            output[out_y * out_width + out_x] = PremultipliedColorU8::from_rgba(
                mean(sum[0]),
                mean(sum[1]),
                mean(sum[2]),
                mean(sum[3]),
            )
            .unwrap_or(PremultipliedColorU8::TRANSPARENT);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_round_trips_and_jpeg_decodes_back() {
        let mut pixmap = blank(8, 4, [10, 200, 30]).unwrap();
        crate::blend::blend_pixel(&mut pixmap, 1, 1, [255, 0, 0], 1.0);
        let png = encode_png(&pixmap).unwrap();
        let back = decode_picture(&png).unwrap();
        assert_eq!(back.data(), pixmap.data());
        let jpeg = encode_jpeg(&pixmap, 90).unwrap();
        let back = decode_picture(&jpeg).unwrap();
        assert_eq!((back.width(), back.height()), (8, 4));
        assert!(decode_picture(b"GIF89a").is_err());
    }

    #[test]
    fn scaling_down_keeps_the_aspect_ratio() {
        let pixmap = blank(640, 480, [0, 0, 0]).unwrap();
        let small = scale_down(&pixmap, 160);
        assert_eq!((small.width(), small.height()), (160, 120));
    }
}
