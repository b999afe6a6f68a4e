//! img2dataset's resize modes (`img2dataset/resizer.py`, albumentations' `SmallestMaxSize`,
//! `LongestMaxSize`, `CenterCrop`, `PadIfNeeded`), with the same output sizes: the scale is
//! `size / shorter` (or `/ longer`) and each side is `round(side * scale)` with Python's
//! round-half-to-even. Downscaling averages over each output pixel's exact area ([`super::area`],
//! OpenCV's `INTER_AREA`); upscaling uses Lanczos-3 (img2dataset: OpenCV's Lanczos-4).

use fast_image_resize::images::Image;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};

use super::decode::RgbImage;

/// How an image is fitted to `--image-size`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResizeMode {
    /// Keep the image as it is.
    No,
    /// The shorter side becomes the size, the ratio is kept (the default: nothing is lost
    /// for training at sizes up to the size).
    KeepRatio,
    /// As `KeepRatio`, then the centre size×size square.
    CenterCrop,
    /// The longer side becomes the size, then white borders make it size×size
    /// (img2dataset's default).
    Border,
    /// The longer side becomes the size, the ratio is kept.
    KeepRatioLargest,
}

impl ResizeMode {
    /// The mode's name as in `--resize-mode`.
    pub fn name(self) -> &'static str {
        match self {
            Self::No => "no",
            Self::KeepRatio => "keep_ratio",
            Self::CenterCrop => "center_crop",
            Self::Border => "border",
            Self::KeepRatioLargest => "keep_ratio_largest",
        }
    }
}

/// The size after scaling so that `side_of(width, height)` becomes `size`.
fn scaled(width: u32, height: u32, size: u32, shorter: bool) -> (u32, u32) {
    let reference = if shorter {
        width.min(height)
    } else {
        width.max(height)
    };
    let scale = f64::from(size) / f64::from(reference);
    if scale == 1.0 {
        return (width, height);
    }
    let side = |value: u32| ((f64::from(value) * scale).round_ties_even() as u32).max(1);
    (side(width), side(height))
}

/// What a mode does to an image of `width`×`height`: the scaled size (if it scales), and
/// the final canvas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Size after scaling (`None`: not scaled).
    pub scaled: Option<(u32, u32)>,
    /// Final size after crop or border.
    pub output: (u32, u32),
}

/// The plan of `mode` at `size`; `only_if_bigger` skips upscaling (img2dataset's
/// `resize_only_if_bigger`).
pub fn plan(mode: ResizeMode, size: u32, width: u32, height: u32, only_if_bigger: bool) -> Plan {
    let (shorter, crop, border) = match mode {
        ResizeMode::No => {
            return Plan {
                scaled: None,
                output: (width, height),
            };
        }
        ResizeMode::KeepRatio => (true, false, false),
        ResizeMode::CenterCrop => (true, true, false),
        ResizeMode::Border => (false, false, true),
        ResizeMode::KeepRatioLargest => (false, false, false),
    };
    let reference = if shorter {
        width.min(height)
    } else {
        width.max(height)
    };
    let downscale = reference > size;
    if only_if_bigger && !downscale {
        return Plan {
            scaled: None,
            output: (width, height),
        };
    }
    let (w, h) = scaled(width, height, size, shorter);
    let output = if crop {
        (size.min(w), size.min(h))
    } else if border {
        (w.max(size), h.max(size))
    } else {
        (w, h)
    };
    Plan {
        scaled: Some((w, h)),
        output,
    }
}

/// Applies `plan` to `image`.
pub fn apply(image: RgbImage, plan: Plan, resizer: &mut Resizer) -> Result<RgbImage, String> {
    let mut image = image;
    if let Some((width, height)) = plan.scaled
        && (width, height) != (image.width, image.height)
    {
        if width <= image.width && height <= image.height {
            return Ok(finish(super::area::downscale(&image, width, height), plan));
        }
        let algorithm = ResizeAlg::Convolution(FilterType::Lanczos3);
        let source = Image::from_vec_u8(image.width, image.height, image.pixels, PixelType::U8x3)
            .map_err(|error| format!("resize error: {error}"))?;
        let mut target = Image::new(width, height, PixelType::U8x3);
        resizer
            .resize(
                &source,
                &mut target,
                &ResizeOptions::new().resize_alg(algorithm),
            )
            .map_err(|error| format!("resize error: {error}"))?;
        image = RgbImage {
            width,
            height,
            pixels: target.into_vec(),
        };
    }
    Ok(finish(image, plan))
}

/// The crop or border of `plan` on the scaled image.
fn finish(image: RgbImage, plan: Plan) -> RgbImage {
    let (out_width, out_height) = plan.output;
    if (out_width, out_height) == (image.width, image.height) {
        return image;
    }
    if out_width <= image.width && out_height <= image.height {
        center_crop(&image, out_width, out_height)
    } else {
        pad_white(&image, out_width, out_height)
    }
}

/// albumentations' `center_crop`: `y1 = (height - crop_height) // 2`.
fn center_crop(image: &RgbImage, width: u32, height: u32) -> RgbImage {
    let top = ((image.height - height) / 2) as usize;
    let left = ((image.width - width) / 2) as usize;
    let mut pixels = Vec::with_capacity(width as usize * height as usize * 3);
    let stride = image.width as usize * 3;
    for row in top..top + height as usize {
        let start = row * stride + left * 3;
        pixels.extend_from_slice(&image.pixels[start..start + width as usize * 3]);
    }
    RgbImage {
        width,
        height,
        pixels,
    }
}

/// albumentations' `PadIfNeeded` with a constant white border: top = `int((H - h) / 2)`,
/// the rest at the bottom (and likewise left/right).
fn pad_white(image: &RgbImage, width: u32, height: u32) -> RgbImage {
    let top = ((height - image.height) / 2) as usize;
    let left = ((width - image.width) / 2) as usize;
    let mut pixels = vec![255u8; width as usize * height as usize * 3];
    let source_stride = image.width as usize * 3;
    let target_stride = width as usize * 3;
    for row in 0..image.height as usize {
        let target = (top + row) * target_stride + left * 3;
        pixels[target..target + source_stride]
            .copy_from_slice(&image.pixels[row * source_stride..(row + 1) * source_stride]);
    }
    RgbImage {
        width,
        height,
        pixels,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_match_albumentations() {
        // 640x480 at 384: shorter side 480 -> 384, 640 * 0.8 = 512.
        assert_eq!(
            plan(ResizeMode::KeepRatio, 384, 640, 480, false).output,
            (512, 384)
        );
        assert_eq!(
            plan(ResizeMode::CenterCrop, 384, 640, 480, false).output,
            (384, 384)
        );
        assert_eq!(
            plan(ResizeMode::KeepRatioLargest, 384, 640, 480, false).output,
            (384, 288)
        );
        assert_eq!(
            plan(ResizeMode::Border, 384, 640, 480, false).output,
            (384, 384)
        );
        assert_eq!(
            plan(ResizeMode::No, 384, 640, 480, false).output,
            (640, 480)
        );
        // Upscaling happens unless only_if_bigger.
        assert_eq!(
            plan(ResizeMode::KeepRatio, 256, 100, 50, false).output,
            (512, 256)
        );
        assert_eq!(
            plan(ResizeMode::KeepRatio, 256, 100, 50, true).output,
            (100, 50)
        );
        // Round half to even: 333 * (256 / 500) = 170.496 -> 170; 425 * 0.6024 = 256.02.
        assert_eq!(scaled(500, 333, 256, false), (256, 170));
    }

    #[test]
    fn border_pads_with_white_and_crop_takes_the_centre() {
        let image = RgbImage {
            width: 2,
            height: 1,
            pixels: vec![0; 6],
        };
        let padded = pad_white(&image, 2, 4);
        assert_eq!(&padded.pixels[..6], &[255; 6]);
        assert_eq!(&padded.pixels[6..12], &[0; 6]);
        let wide = RgbImage {
            width: 4,
            height: 1,
            pixels: (0..12).collect(),
        };
        assert_eq!(center_crop(&wide, 2, 1).pixels, [3, 4, 5, 6, 7, 8]);
    }
}
