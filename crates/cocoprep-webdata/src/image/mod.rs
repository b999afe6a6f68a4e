//! The image path: decode, filter, resize, encode (img2dataset's `Resizer`).

mod area;
pub mod decode;
pub mod encode;
pub mod resize;

pub use fast_image_resize::Resizer;

pub use decode::{RgbImage, SourceFormat};
pub use encode::EncodeFormat;
pub use resize::ResizeMode;

/// What to do with each fetched image.
#[derive(Clone, Debug)]
pub struct ImageOptions {
    /// `--image-size` (img2dataset default 256).
    pub image_size: u32,
    /// `--resize-mode`.
    pub resize_mode: ResizeMode,
    /// Never upscale.
    pub resize_only_if_bigger: bool,
    /// Output format.
    pub encode_format: EncodeFormat,
    /// JPEG quality 0-100, PNG compression 0-9, or WebP quality (1-100 lossy, above 100
    /// lossless).
    pub encode_quality: u8,
    /// Keep the original bytes when the image was not resized and is already in the
    /// output format.
    pub skip_reencode: bool,
    /// Images whose shorter side is below this fail ("image too small").
    pub min_image_size: u32,
    /// Images with more pixels fail ("image area too large").
    pub max_image_area: Option<u64>,
    /// Images with longer/shorter above this fail ("aspect ratio too large").
    pub max_aspect_ratio: Option<f64>,
}

impl Default for ImageOptions {
    fn default() -> Self {
        Self {
            image_size: 256,
            resize_mode: ResizeMode::KeepRatio,
            resize_only_if_bigger: false,
            encode_format: EncodeFormat::Jpeg,
            encode_quality: 95,
            skip_reencode: false,
            min_image_size: 0,
            max_image_area: None,
            max_aspect_ratio: None,
        }
    }
}

/// A processed image.
#[derive(Clone, Debug)]
pub struct Processed {
    /// The encoded output (or the original bytes, see `skip_reencode`).
    pub bytes: Vec<u8>,
    /// Output width.
    pub width: u32,
    /// Output height.
    pub height: u32,
    /// Width of the fetched image.
    pub original_width: u32,
    /// Height of the fetched image.
    pub original_height: u32,
}

/// Decodes, filters, resizes and encodes `bytes`; the error is the row's message.
pub fn process(
    bytes: &[u8],
    options: &ImageOptions,
    resizer: &mut Resizer,
) -> Result<Processed, String> {
    let (image, source_format, had_alpha) = decode::decode(bytes)?;
    let (original_width, original_height) = (image.width, image.height);
    let shorter = original_width.min(original_height);
    let longer = original_width.max(original_height);
    if shorter < options.min_image_size {
        return Err("image too small".to_owned());
    }
    if let Some(max_area) = options.max_image_area
        && u64::from(original_width) * u64::from(original_height) > max_area
    {
        return Err("image area too large".to_owned());
    }
    if let Some(max_ratio) = options.max_aspect_ratio
        && f64::from(longer) / f64::from(shorter.max(1)) > max_ratio
    {
        return Err("aspect ratio too large".to_owned());
    }
    let plan = resize::plan(
        options.resize_mode,
        options.image_size,
        original_width,
        original_height,
        options.resize_only_if_bigger,
    );
    let unchanged = plan.output == (original_width, original_height)
        && plan
            .scaled
            .is_none_or(|scaled| scaled == (original_width, original_height));
    let same_format = matches!(
        (source_format, options.encode_format),
        (SourceFormat::Jpeg, EncodeFormat::Jpeg)
            | (SourceFormat::Png, EncodeFormat::Png)
            | (SourceFormat::Webp, EncodeFormat::Webp)
    );
    if options.skip_reencode && unchanged && same_format && !had_alpha {
        return Ok(Processed {
            bytes: bytes.to_vec(),
            width: original_width,
            height: original_height,
            original_width,
            original_height,
        });
    }
    let image = resize::apply(image, plan, resizer)?;
    let encoded = encode::encode(&image, options.encode_format, options.encode_quality)?;
    Ok(Processed {
        bytes: encoded,
        width: image.width,
        height: image.height,
        original_width,
        original_height,
    })
}
