//! Source-over blending of one colour into an opaque picture, pixel by pixel (for glyph
//! coverage and mask tints, which tiny-skia's path filler does not cover).

use tiny_skia::{Pixmap, PremultipliedColorU8};

/// Blends `color` at `alpha` (0..=1) into pixel (`x`, `y`) of an opaque `pixmap`;
/// pixels outside it are ignored.
pub fn blend_pixel(pixmap: &mut Pixmap, x: i64, y: i64, color: [u8; 3], alpha: f32) {
    if x < 0 || y < 0 || x >= i64::from(pixmap.width()) || y >= i64::from(pixmap.height()) {
        return;
    }
    let index = y as usize * pixmap.width() as usize + x as usize;
    blend_index(pixmap.pixels_mut(), index, color, alpha);
}

/// [`blend_pixel`] by index into the pixel slice.
pub fn blend_index(pixels: &mut [PremultipliedColorU8], index: usize, color: [u8; 3], alpha: f32) {
    blend_index_fixed(pixels, index, color, alpha_256(alpha));
}

/// `alpha` (0..=1) as a weight out of 256, for [`blend_index_fixed`].
pub fn alpha_256(alpha: f32) -> u32 {
    (alpha.clamp(0.0, 1.0) * 256.0).round() as u32
}

/// [`blend_index`] with the weight already in 0..=256: integer arithmetic, for loops over
/// every pixel of a mask.
pub fn blend_index_fixed(
    pixels: &mut [PremultipliedColorU8],
    index: usize,
    color: [u8; 3],
    weight: u32,
) {
    let pixel = pixels[index];
    let mix = |under: u8, over: u8| -> u8 {
        ((u32::from(under) * (256 - weight) + u32::from(over) * weight + 128) >> 8) as u8
    };
    pixels[index] = PremultipliedColorU8::from_rgba(
        mix(pixel.red(), color[0]),
        mix(pixel.green(), color[1]),
        mix(pixel.blue(), color[2]),
        255,
    )
    .expect("an opaque colour is a valid premultiplied colour");
}
