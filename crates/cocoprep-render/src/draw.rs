//! Annotations drawn on an image: translucent masks (polygons and RLE), polygon outlines,
//! boxes with class names, keypoints with their skeleton, and captions under the picture.

use cocoprep_coco::mask::segmentation_to_mask;
use cocoprep_coco::{Annotation, Category, Image, Segmentation};
use tiny_skia::{LineCap, Paint, PathBuilder, Pixmap, Stroke, StrokeDash, Transform};

use crate::Error;
use crate::blend::{alpha_256, blend_index_fixed};
use crate::palette::category_color;
use crate::picture::blank;
use crate::text::{draw_text, line_height, text_width, wrap};

/// Which kinds of overlay to draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layers {
    /// Bounding boxes (dashed for crowd annotations).
    pub boxes: bool,
    /// Class names (and scores, for results) on the boxes.
    pub labels: bool,
    /// Polygon and RLE masks, filled translucently; polygons also outlined.
    pub masks: bool,
    /// Keypoints and the category's skeleton.
    pub keypoints: bool,
    /// Captions, in a panel under the picture.
    pub captions: bool,
}

impl Default for Layers {
    fn default() -> Self {
        Self {
            boxes: true,
            labels: true,
            masks: true,
            keypoints: true,
            captions: true,
        }
    }
}

/// How strongly masks tint the picture.
pub const MASK_ALPHA: f32 = 0.45;

/// What to draw: one image's record, its annotations and a way to find categories.
pub struct Scene<'a> {
    /// The image record (its `width`/`height` set the drawing size).
    pub image: &'a Image,
    /// The annotations to draw, in order (later ones on top).
    pub annotations: Vec<&'a Annotation>,
    /// Looks up a category by id (name, skeleton).
    pub category: &'a dyn Fn(cocoprep_coco::CategoryId) -> Option<&'a Category>,
}

/// Draws `scene` over `photo` (stretched to the image record's size when they differ; a
/// grey canvas when there is no photo) and returns the picture, taller than the image
/// when captions are drawn.
pub fn draw_scene(
    scene: &Scene<'_>,
    photo: Option<&Pixmap>,
    layers: &Layers,
) -> Result<Pixmap, Error> {
    let (width, height) = match (scene.image.size(), photo) {
        (Some(size), _) => size,
        (None, Some(photo)) => (photo.width(), photo.height()),
        (None, None) => (0, 0),
    };
    let mut canvas = match photo {
        // The usual case: the photo has the record's size and is the canvas as it is.
        Some(photo) if (photo.width(), photo.height()) == (width, height) => photo.clone(),
        Some(photo) => {
            let mut canvas = blank(width, height, [128, 128, 128])?;
            let paint = tiny_skia::PixmapPaint {
                quality: tiny_skia::FilterQuality::Bilinear,
                ..tiny_skia::PixmapPaint::default()
            };
            let transform = Transform::from_scale(
                width as f32 / photo.width() as f32,
                height as f32 / photo.height() as f32,
            );
            canvas.draw_pixmap(0, 0, photo.as_ref(), &paint, transform, None);
            canvas
        }
        None => blank(width, height, [128, 128, 128])?,
    };
    let style = Style::for_size(width, height);
    if layers.masks {
        for annotation in &scene.annotations {
            fill_mask(&mut canvas, scene, annotation);
        }
        for annotation in &scene.annotations {
            if let Some(Segmentation::Polygons(polygons)) = &annotation.segmentation {
                let color = annotation_color(annotation, scene);
                for part in polygons.parts() {
                    stroke_polyline(
                        &mut canvas,
                        &part,
                        true,
                        color,
                        style.line_width * 0.75,
                        None,
                    );
                }
            }
        }
    }
    if layers.keypoints {
        for annotation in &scene.annotations {
            draw_keypoints(&mut canvas, annotation, scene, &style);
        }
    }
    if layers.boxes {
        for annotation in &scene.annotations {
            let Some(bbox) = annotation.bbox else {
                continue;
            };
            let corners = [
                bbox.x,
                bbox.y,
                bbox.x + bbox.width,
                bbox.y,
                bbox.x + bbox.width,
                bbox.y + bbox.height,
                bbox.x,
                bbox.y + bbox.height,
            ];
            let dash = annotation
                .is_crowd()
                .then(|| vec![style.line_width * 4.0, style.line_width * 2.0]);
            stroke_polyline(
                &mut canvas,
                &corners,
                true,
                annotation_color(annotation, scene),
                style.line_width,
                dash,
            );
        }
    }
    if layers.labels {
        for annotation in &scene.annotations {
            draw_label(&mut canvas, annotation, scene, &style);
        }
    }
    if layers.captions {
        let captions: Vec<&str> = scene
            .annotations
            .iter()
            .filter_map(|annotation| annotation.caption.as_deref())
            .collect();
        if !captions.is_empty() {
            canvas = with_captions(&canvas, &captions, &style)?;
        }
    }
    Ok(canvas)
}

/// Line width and text size for a picture of this size (COCO's 640 px → 2 px, 14 px).
struct Style {
    line_width: f32,
    font_px: f32,
}

impl Style {
    fn for_size(width: u32, height: u32) -> Self {
        let longer = width.max(height).max(1) as f32;
        Self {
            line_width: (longer / 320.0).clamp(1.0, 6.0),
            font_px: (longer / 640.0 * 14.0).clamp(10.0, 40.0),
        }
    }
}

fn annotation_color(annotation: &Annotation, scene: &Scene<'_>) -> [u8; 3] {
    annotation.category_id.map_or([255, 255, 255], |id| {
        category_color(
            id,
            (scene.category)(id).map(|category| category.name.as_str()),
        )
    })
}

fn fill_mask(canvas: &mut Pixmap, scene: &Scene<'_>, annotation: &Annotation) {
    let image = scene.image;
    let Some(segmentation) = &annotation.segmentation else {
        return;
    };
    let size = (canvas.height(), canvas.width());
    let Ok(mask) = segmentation_to_mask(segmentation, Some(size), image.id) else {
        return; // a malformed mask (validate reports it) is left out of the picture
    };
    if mask.size() != size {
        return;
    }
    let color = annotation_color(annotation, scene);
    let pixels = canvas.pixels_mut();
    let weight = alpha_256(MASK_ALPHA);
    mask.for_each_foreground_pixel_row_major(|index| {
        blend_index_fixed(pixels, index, color, weight);
    });
}

fn paint_of(color: [u8; 3]) -> Paint<'static> {
    let mut paint = Paint::default();
    paint.set_color_rgba8(color[0], color[1], color[2], 255);
    paint.anti_alias = true;
    paint
}

/// Strokes the polyline through `points` (`x0, y0, x1, y1, ...`).
fn stroke_polyline(
    canvas: &mut Pixmap,
    points: &[f64],
    closed: bool,
    color: [u8; 3],
    width: f32,
    dash: Option<Vec<f32>>,
) {
    let mut builder = PathBuilder::new();
    for (index, point) in points.chunks_exact(2).enumerate() {
        let (x, y) = (point[0] as f32, point[1] as f32);
        if index == 0 {
            builder.move_to(x, y);
        } else {
            builder.line_to(x, y);
        }
    }
    if closed {
        builder.close();
    }
    let Some(path) = builder.finish() else {
        return;
    };
    let stroke = Stroke {
        width,
        line_cap: LineCap::Round,
        dash: dash.and_then(|intervals| StrokeDash::new(intervals, 0.0)),
        ..Stroke::default()
    };
    canvas.stroke_path(
        &path,
        &paint_of(color),
        &stroke,
        Transform::identity(),
        None,
    );
}

fn draw_keypoints(canvas: &mut Pixmap, annotation: &Annotation, scene: &Scene<'_>, style: &Style) {
    let Some(keypoints) = &annotation.keypoints else {
        return;
    };
    let values = keypoints.values();
    let points: Vec<(f32, f32, u8)> = values
        .chunks_exact(3)
        .map(|triple| (triple[0] as f32, triple[1] as f32, triple[2] as u8))
        .collect();
    let color = annotation_color(annotation, scene);
    let skeleton = annotation
        .category_id
        .and_then(|id| (scene.category)(id))
        .and_then(|category| category.skeleton.as_ref());
    if let Some(skeleton) = skeleton {
        // COCO's skeleton is 1-based: [16, 14] joins keypoints 15 and 13 (0-based).
        for [from, to] in skeleton {
            let (Some(a), Some(b)) = (
                points.get((*from as usize).wrapping_sub(1)),
                points.get((*to as usize).wrapping_sub(1)),
            ) else {
                continue;
            };
            if a.2 == 0 || b.2 == 0 {
                continue;
            }
            let line = [
                f64::from(a.0),
                f64::from(a.1),
                f64::from(b.0),
                f64::from(b.1),
            ];
            stroke_polyline(canvas, &line, false, color, style.line_width, None);
        }
    }
    let radius = style.line_width * 1.75;
    for &(x, y, visibility) in &points {
        if visibility == 0 {
            continue;
        }
        let Some(circle) = PathBuilder::from_circle(x, y, radius) else {
            continue;
        };
        // Visible points are filled; labelled-but-occluded ones (v = 1) are rings.
        if visibility >= 2 {
            canvas.fill_path(
                &circle,
                &paint_of(color),
                tiny_skia::FillRule::Winding,
                Transform::identity(),
                None,
            );
        }
        let ring = Stroke {
            width: style.line_width * 0.6,
            ..Stroke::default()
        };
        canvas.stroke_path(
            &circle,
            &paint_of([255, 255, 255]),
            &ring,
            Transform::identity(),
            None,
        );
    }
}

fn draw_label(canvas: &mut Pixmap, annotation: &Annotation, scene: &Scene<'_>, style: &Style) {
    let (Some(bbox), Some(category_id)) = (annotation.bbox, annotation.category_id) else {
        return;
    };
    let mut text = (scene.category)(category_id).map_or_else(
        || format!("category {}", category_id.0),
        |category| category.name.clone(),
    );
    if let Some(score) = annotation.score {
        text = format!("{text} {score:.2}");
    }
    let color = category_color(
        category_id,
        (scene.category)(category_id).map(|category| category.name.as_str()),
    );
    let padding = style.font_px * 0.2;
    let label_width = text_width(&text, style.font_px) + 2.0 * padding;
    let label_height = line_height(style.font_px) + padding;
    let x = (bbox.x as f32).clamp(0.0, (canvas.width() as f32 - label_width).max(0.0));
    // Above the box when there is room, else inside its top edge.
    let mut y = bbox.y as f32 - label_height;
    if y < 0.0 {
        y = (bbox.y as f32).max(0.0);
    }
    if let Some(rect) = tiny_skia::Rect::from_xywh(x, y, label_width, label_height) {
        canvas.fill_rect(rect, &paint_of(color), Transform::identity(), None);
    }
    let luminance =
        0.299 * f32::from(color[0]) + 0.587 * f32::from(color[1]) + 0.114 * f32::from(color[2]);
    let ink = if luminance > 150.0 {
        [0, 0, 0]
    } else {
        [255, 255, 255]
    };
    draw_text(
        canvas,
        &text,
        x + padding,
        y + padding * 0.5,
        style.font_px,
        ink,
    );
}

/// The picture with a white panel under it holding the numbered captions.
fn with_captions(canvas: &Pixmap, captions: &[&str], style: &Style) -> Result<Pixmap, Error> {
    let margin = style.font_px * 0.6;
    let max_width = canvas.width() as f32 - 2.0 * margin;
    let mut lines = Vec::new();
    for (number, caption) in captions.iter().enumerate() {
        for (index, line) in wrap(
            &format!("{}. {}", number + 1, caption.trim()),
            style.font_px,
            max_width,
        )
        .into_iter()
        .enumerate()
        {
            lines.push((index > 0, line));
        }
    }
    let step = line_height(style.font_px) * 1.15;
    let panel = (lines.len() as f32 * step + 2.0 * margin).ceil() as u32;
    let mut out = blank(canvas.width(), canvas.height() + panel, [255, 255, 255])?;
    out.draw_pixmap(
        0,
        0,
        canvas.as_ref(),
        &tiny_skia::PixmapPaint::default(),
        Transform::identity(),
        None,
    );
    let indent = text_width("1. ", style.font_px);
    for (row, (continued, line)) in lines.iter().enumerate() {
        let x = margin + if *continued { indent } else { 0.0 };
        let y = canvas.height() as f32 + margin + row as f32 * step;
        draw_text(&mut out, line, x, y, style.font_px, [20, 20, 20]);
    }
    Ok(out)
}
