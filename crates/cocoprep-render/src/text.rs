//! Text drawn with the embedded DejaVu Sans, so pictures look the same on every machine.
//!
//! The font is DejaVu Sans 2.37 (Debian `fonts-dejavu-core`), whose licence allows
//! embedding; its text is in `assets/DejaVu-LICENSE.txt`.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use tiny_skia::Pixmap;

use crate::blend::blend_pixel;

static FONT_BYTES: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

fn font() -> &'static FontRef<'static> {
    static FONT: OnceLock<FontRef<'static>> = OnceLock::new();
    FONT.get_or_init(|| {
        FontRef::try_from_slice(FONT_BYTES).expect("the embedded DejaVu Sans is a valid font")
    })
}

/// The advance width of `text` at `size_px`, with kerning.
pub fn text_width(text: &str, size_px: f32) -> f32 {
    let font = font().as_scaled(PxScale::from(size_px));
    let mut width = 0.0;
    let mut previous = None;
    for character in text.chars() {
        let glyph = font.glyph_id(character);
        if let Some(previous) = previous {
            width += font.kern(previous, glyph);
        }
        width += font.h_advance(glyph);
        previous = Some(glyph);
    }
    width
}

/// The height of a line of text at `size_px` (ascent + descent).
pub fn line_height(size_px: f32) -> f32 {
    let font = font().as_scaled(PxScale::from(size_px));
    font.ascent() - font.descent()
}

/// Draws `text` with its top-left corner at (`x`, `y`), anti-aliased, in `color`.
pub fn draw_text(pixmap: &mut Pixmap, text: &str, x: f32, y: f32, size_px: f32, color: [u8; 3]) {
    let scaled = font().as_scaled(PxScale::from(size_px));
    let baseline = y + scaled.ascent();
    let mut caret = x;
    let mut previous = None;
    for character in text.chars() {
        let glyph_id = scaled.glyph_id(character);
        if let Some(previous) = previous {
            caret += scaled.kern(previous, glyph_id);
        }
        let glyph = glyph_id.with_scale_and_position(size_px, point(caret, baseline));
        caret += scaled.h_advance(glyph_id);
        previous = Some(glyph_id);
        let Some(outlined) = font().outline_glyph(glyph) else {
            continue; // a space
        };
        let bounds = outlined.px_bounds();
        outlined.draw(|glyph_x, glyph_y, coverage| {
            let pixel_x = bounds.min.x as i64 + i64::from(glyph_x);
            let pixel_y = bounds.min.y as i64 + i64::from(glyph_y);
            blend_pixel(pixmap, pixel_x, pixel_y, color, coverage);
        });
    }
}

/// Draws `text` turned a quarter turn anticlockwise (reading upwards, as a y-axis label),
/// with the top-left corner of its bounding box at (`x`, `y`); the box is
/// [`line_height`] wide and [`text_width`] tall. The area under it must be `background`.
pub fn draw_text_upwards(
    pixmap: &mut Pixmap,
    text: &str,
    (x, y): (f32, f32),
    size_px: f32,
    color: [u8; 3],
    background: [u8; 3],
) {
    let width = text_width(text, size_px).ceil() as u32 + 2;
    let height = line_height(size_px).ceil() as u32 + 2;
    let Some(mut upright) = Pixmap::new(width, height) else {
        return;
    };
    upright.fill(tiny_skia::Color::from_rgba8(
        background[0],
        background[1],
        background[2],
        255,
    ));
    draw_text(&mut upright, text, 1.0, 1.0, size_px, color);
    // Upright (column, row) lands at (row, width - 1 - column) of the turned box.
    let (left, top) = (x.round() as i64, y.round() as i64);
    for row in 0..height {
        for column in 0..width {
            let pixel = upright.pixels()[(row * width + column) as usize];
            let (target_x, target_y) = (left + i64::from(row), top + i64::from(width - 1 - column));
            if target_x < 0
                || target_y < 0
                || target_x >= i64::from(pixmap.width())
                || target_y >= i64::from(pixmap.height())
            {
                continue;
            }
            let index = target_y as usize * pixmap.width() as usize + target_x as usize;
            pixmap.pixels_mut()[index] = pixel;
        }
    }
}

/// Splits `text` into lines no wider than `max_width` at `size_px` (a word longer than
/// the width gets a line of its own).
pub fn wrap(text: &str, size_px: f32, max_width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if !line.is_empty() && text_width(&candidate, size_px) > max_width {
            lines.push(std::mem::replace(&mut line, word.to_owned()));
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_measured_and_wrapped_by_width() {
        let wide = text_width("a man riding a horse", 14.0);
        assert!(wide > text_width("a man", 14.0));
        assert_eq!(
            wrap(
                "a man riding a horse",
                14.0,
                text_width("a man riding", 14.0) + 0.5
            ),
            ["a man riding", "a horse"]
        );
    }

    #[test]
    fn drawn_text_darkens_pixels() {
        let mut pixmap = Pixmap::new(60, 20).unwrap();
        pixmap.fill(tiny_skia::Color::WHITE);
        draw_text(&mut pixmap, "dog", 2.0, 2.0, 14.0, [0, 0, 0]);
        let dark = pixmap
            .pixels()
            .iter()
            .filter(|pixel| pixel.red() < 128)
            .count();
        assert!(dark > 20, "{dark} dark pixels");
    }
}
