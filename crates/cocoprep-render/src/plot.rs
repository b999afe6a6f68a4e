//! Line plots as pictures (precision-recall curves): axes with ticks, grid and labels, one
//! anti-aliased line per series, an optional marker with a note on each, a legend, a
//! title and a subtitle, drawn with tiny-skia and the embedded DejaVu Sans.
//!
//! ```
//! use cocoprep_render::plot::{Axis, LinePlot, Series, draw_line_plot};
//!
//! let plot = LinePlot {
//!     title: "Precision-recall".to_owned(),
//!     subtitle: Some("one curve".to_owned()),
//!     x_axis: Axis::unit("Recall"),
//!     y_axis: Axis::unit("Precision"),
//!     plot_size_px: (200, 200),
//!     series: vec![Series {
//!         label: "IoU=0.50".to_owned(),
//!         color: [31, 119, 180],
//!         line_width_px: 2.0,
//!         points: vec![Some((0.0, 1.0)), Some((0.5, 0.8)), None, Some((1.0, 0.0))],
//!         marker: None,
//!     }],
//! };
//! let picture = draw_line_plot(&plot)?;
//! assert!(picture.width() > 200 && picture.height() > 200);
//! # Ok::<(), cocoprep_render::Error>(())
//! ```

use tiny_skia::{FillRule, LineCap, LineJoin, Paint, PathBuilder, Pixmap, Rect, Stroke, Transform};

use crate::Error;
use crate::picture::blank;
use crate::text::{draw_text, draw_text_upwards, line_height, text_width};

/// One axis: its label, its range and where its grid lines and tick labels go.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// The label drawn along the axis.
    pub label: String,
    /// The value at the start of the axis (left, bottom).
    pub min: f64,
    /// The value at its end (right, top).
    pub max: f64,
    /// The distance between labelled ticks (with a grid line each).
    pub major_step: f64,
    /// The distance between unlabelled grid lines (0: none).
    pub minor_step: f64,
    /// Decimals in the tick labels.
    pub decimals: usize,
}

impl Axis {
    /// An axis from 0 to 1, labelled every 0.2 with a grid line every 0.1 (precision,
    /// recall).
    pub fn unit(label: &str) -> Self {
        Self {
            label: label.to_owned(),
            min: 0.0,
            max: 1.0,
            major_step: 0.2,
            minor_step: 0.1,
            decimals: 1,
        }
    }

    /// The values at `step` from `min` to `max` (both included when on the grid).
    fn steps(&self, step: f64) -> Vec<f64> {
        if step <= 0.0 || self.max <= self.min {
            return Vec::new();
        }
        let count = ((self.max - self.min) / step + 1e-9).floor() as usize;
        (0..=count)
            .map(|index| self.min + index as f64 * step)
            .collect()
    }

    /// Where `value` falls along the axis, from 0 (min) to 1 (max).
    fn fraction(&self, value: f64) -> f64 {
        (value - self.min) / (self.max - self.min)
    }
}

/// A point drawn on a series with a short note next to it (hotcoco's F1 peak).
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    /// The point, in axis units.
    pub at: (f64, f64),
    /// The note (`F1=0.62`).
    pub note: String,
}

/// One line of the plot.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Its name in the legend.
    pub label: String,
    /// Its colour.
    pub color: [u8; 3],
    /// Its width in pixels.
    pub line_width_px: f32,
    /// Its points in axis units, joined in order; `None` breaks the line.
    pub points: Vec<Option<(f64, f64)>>,
    /// A point to mark on it.
    pub marker: Option<Marker>,
}

/// A line plot: what [`draw_line_plot`] draws.
#[derive(Clone, Debug, PartialEq)]
pub struct LinePlot {
    /// The title, at the top.
    pub title: String,
    /// A smaller line under the title.
    pub subtitle: Option<String>,
    /// The horizontal axis.
    pub x_axis: Axis,
    /// The vertical axis.
    pub y_axis: Axis,
    /// The size of the plotting area inside the axes, in pixels (the picture adds the
    /// margins, the titles and the legend).
    pub plot_size_px: (u32, u32),
    /// The lines, drawn in order (later ones on top) and listed in the legend in order.
    pub series: Vec<Series>,
}

const TITLE_PX: f32 = 18.0;
const SUBTITLE_PX: f32 = 13.0;
const AXIS_LABEL_PX: f32 = 14.0;
const TICK_LABEL_PX: f32 = 12.0;
const LEGEND_PX: f32 = 12.0;
const MARGIN_PX: f32 = 14.0;
const TICK_PX: f32 = 5.0;
const SWATCH_PX: f32 = 22.0;

const INK: [u8; 3] = [25, 25, 25];
const SOFT_INK: [u8; 3] = [85, 85, 85];
const FRAME: [u8; 3] = [90, 90, 90];
const MAJOR_GRID: [u8; 3] = [218, 218, 218];
const MINOR_GRID: [u8; 3] = [238, 238, 238];
const WHITE: [u8; 3] = [255, 255, 255];

/// Series up to this many get their legend inside the plot, in its lower-left corner
/// (where precision-recall curves leave room); more get it to the right of the plot.
const LEGEND_INSIDE_MAX: usize = 4;

/// Draws `plot` on white and returns the picture.
pub fn draw_line_plot(plot: &LinePlot) -> Result<Pixmap, Error> {
    let (plot_width, plot_height) = (plot.plot_size_px.0 as f32, plot.plot_size_px.1 as f32);
    let legend = Legend::measure(&plot.series);
    let legend_outside = plot.series.len() > LEGEND_INSIDE_MAX
        || legend.width > plot_width * 0.7
        || legend.height > plot_height * 0.6;

    let y_tick_labels: Vec<(f64, String)> = plot
        .y_axis
        .steps(plot.y_axis.major_step)
        .into_iter()
        .map(|value| (value, format!("{value:.*}", plot.y_axis.decimals)))
        .collect();
    let widest_y_label = y_tick_labels
        .iter()
        .map(|(_, text)| text_width(text, TICK_LABEL_PX))
        .fold(0.0f32, f32::max);
    let title_height = line_height(TITLE_PX)
        + plot
            .subtitle
            .as_ref()
            .map_or(0.0, |_| 3.0 + line_height(SUBTITLE_PX));
    let left = MARGIN_PX + line_height(AXIS_LABEL_PX) + 8.0 + widest_y_label + 4.0 + TICK_PX;
    let top = MARGIN_PX + title_height + 14.0;
    let bottom =
        TICK_PX + 3.0 + line_height(TICK_LABEL_PX) + 6.0 + line_height(AXIS_LABEL_PX) + MARGIN_PX;
    // Room for a tick label half past the right end of the x axis.
    let mut right = MARGIN_PX + 8.0;
    if legend_outside {
        right += legend.width + 4.0;
    }
    let width = (left + plot_width + right).ceil();
    let height = (top + plot_height + bottom)
        .ceil()
        .max(top + legend.height + MARGIN_PX);
    let mut canvas = blank(width as u32, height as u32, WHITE)?;
    let area = PlotArea {
        left,
        top,
        width: plot_width,
        height: plot_height,
        x_axis: &plot.x_axis,
        y_axis: &plot.y_axis,
    };

    // Grid, minor then major, under everything.
    for (step, color) in [
        (plot.x_axis.minor_step, MINOR_GRID),
        (plot.x_axis.major_step, MAJOR_GRID),
    ] {
        for value in plot.x_axis.steps(step) {
            let x = area.x(value);
            stroke_line(&mut canvas, &[(x, top), (x, top + plot_height)], color, 1.0);
        }
    }
    for (step, color) in [
        (plot.y_axis.minor_step, MINOR_GRID),
        (plot.y_axis.major_step, MAJOR_GRID),
    ] {
        for value in plot.y_axis.steps(step) {
            let y = area.y(value);
            stroke_line(
                &mut canvas,
                &[(left, y), (left + plot_width, y)],
                color,
                1.0,
            );
        }
    }

    // The frame and the ticks with their labels.
    let frame = [
        (left, top),
        (left + plot_width, top),
        (left + plot_width, top + plot_height),
        (left, top + plot_height),
        (left, top),
    ];
    stroke_line(&mut canvas, &frame, FRAME, 1.0);
    for value in plot.x_axis.steps(plot.x_axis.major_step) {
        let x = area.x(value);
        let base = top + plot_height;
        stroke_line(&mut canvas, &[(x, base), (x, base + TICK_PX)], FRAME, 1.0);
        let label = format!("{value:.*}", plot.x_axis.decimals);
        let label_x = x - text_width(&label, TICK_LABEL_PX) / 2.0;
        draw_text(
            &mut canvas,
            &label,
            label_x,
            base + TICK_PX + 3.0,
            TICK_LABEL_PX,
            SOFT_INK,
        );
    }
    for (value, label) in &y_tick_labels {
        let y = area.y(*value);
        stroke_line(&mut canvas, &[(left - TICK_PX, y), (left, y)], FRAME, 1.0);
        let label_x = left - TICK_PX - 4.0 - text_width(label, TICK_LABEL_PX);
        let label_y = y - line_height(TICK_LABEL_PX) / 2.0;
        draw_text(
            &mut canvas,
            label,
            label_x,
            label_y,
            TICK_LABEL_PX,
            SOFT_INK,
        );
    }

    // Axis labels: x centred under the tick labels, y turned upwards left of them.
    let x_label_width = text_width(&plot.x_axis.label, AXIS_LABEL_PX);
    draw_text(
        &mut canvas,
        &plot.x_axis.label,
        left + (plot_width - x_label_width) / 2.0,
        top + plot_height + TICK_PX + 3.0 + line_height(TICK_LABEL_PX) + 6.0,
        AXIS_LABEL_PX,
        INK,
    );
    let y_label_length = text_width(&plot.y_axis.label, AXIS_LABEL_PX);
    draw_text_upwards(
        &mut canvas,
        &plot.y_axis.label,
        (MARGIN_PX, top + (plot_height - y_label_length) / 2.0),
        AXIS_LABEL_PX,
        INK,
        WHITE,
    );

    // Title and subtitle, left-aligned with the plot.
    draw_text(&mut canvas, &plot.title, left, MARGIN_PX, TITLE_PX, INK);
    if let Some(subtitle) = &plot.subtitle {
        let y = MARGIN_PX + line_height(TITLE_PX) + 3.0;
        draw_text(&mut canvas, subtitle, left, y, SUBTITLE_PX, SOFT_INK);
    }

    // The lines, then their markers on top of every line.
    for series in &plot.series {
        let mut run: Vec<(f32, f32)> = Vec::new();
        for point in series.points.iter().chain([&None]) {
            match point {
                Some((x, y)) => run.push((area.x(*x), area.y(*y))),
                None => {
                    stroke_line(&mut canvas, &run, series.color, series.line_width_px);
                    run.clear();
                }
            }
        }
    }
    for series in &plot.series {
        if let Some(marker) = &series.marker {
            draw_marker(&mut canvas, &area, marker, series.color);
        }
    }

    if legend_outside {
        legend.draw(&mut canvas, &plot.series, (left + plot_width + 16.0, top));
    } else {
        let at = (left + 10.0, top + plot_height - 10.0 - legend.height);
        legend.draw(&mut canvas, &plot.series, at);
    }
    Ok(canvas)
}

/// Where the axes' values land in the picture.
struct PlotArea<'a> {
    left: f32,
    top: f32,
    width: f32,
    height: f32,
    x_axis: &'a Axis,
    y_axis: &'a Axis,
}

impl PlotArea<'_> {
    fn x(&self, value: f64) -> f32 {
        self.left + self.x_axis.fraction(value) as f32 * self.width
    }

    fn y(&self, value: f64) -> f32 {
        self.top + (1.0 - self.y_axis.fraction(value) as f32) * self.height
    }
}

/// The legend's size: one row per series, a line swatch and the label.
struct Legend {
    width: f32,
    height: f32,
    row_px: f32,
}

impl Legend {
    const PADDING_PX: f32 = 8.0;

    fn measure(series: &[Series]) -> Self {
        let row_px = line_height(LEGEND_PX) + 4.0;
        let widest = series
            .iter()
            .map(|series| text_width(&series.label, LEGEND_PX))
            .fold(0.0f32, f32::max);
        Self {
            width: 2.0 * Self::PADDING_PX + SWATCH_PX + 6.0 + widest,
            height: 2.0 * Self::PADDING_PX + row_px * series.len() as f32 - 4.0,
            row_px,
        }
    }

    fn draw(&self, canvas: &mut Pixmap, series: &[Series], (x, y): (f32, f32)) {
        if series.is_empty() {
            return;
        }
        if let Some(rect) = Rect::from_xywh(x, y, self.width, self.height) {
            let mut fill = paint_of(WHITE);
            fill.set_color_rgba8(255, 255, 255, 230);
            canvas.fill_rect(rect, &fill, Transform::identity(), None);
            let outline = PathBuilder::from_rect(rect);
            canvas.stroke_path(
                &outline,
                &paint_of(MAJOR_GRID),
                &Stroke::default(),
                Transform::identity(),
                None,
            );
        }
        for (row, series) in series.iter().enumerate() {
            let row_top = y + Self::PADDING_PX + row as f32 * self.row_px;
            let middle = row_top + line_height(LEGEND_PX) / 2.0;
            let swatch_left = x + Self::PADDING_PX;
            stroke_line(
                canvas,
                &[(swatch_left, middle), (swatch_left + SWATCH_PX, middle)],
                series.color,
                series.line_width_px.max(2.0),
            );
            let text_x = swatch_left + SWATCH_PX + 6.0;
            draw_text(canvas, &series.label, text_x, row_top, LEGEND_PX, INK);
        }
    }
}

/// A dot with a white ring at the marker's point, its note above and to the right (to
/// the left when that would leave the plot).
fn draw_marker(canvas: &mut Pixmap, area: &PlotArea<'_>, marker: &Marker, color: [u8; 3]) {
    let (x, y) = (area.x(marker.at.0), area.y(marker.at.1));
    if let Some(circle) = PathBuilder::from_circle(x, y, 4.5) {
        canvas.fill_path(
            &circle,
            &paint_of(color),
            FillRule::Winding,
            Transform::identity(),
            None,
        );
        let ring = Stroke {
            width: 1.5,
            ..Stroke::default()
        };
        canvas.stroke_path(
            &circle,
            &paint_of(WHITE),
            &ring,
            Transform::identity(),
            None,
        );
    }
    let note_width = text_width(&marker.note, LEGEND_PX);
    let note_height = line_height(LEGEND_PX);
    let mut note_x = x + 7.0;
    if note_x + note_width > area.left + area.width {
        note_x = x - 7.0 - note_width;
    }
    let mut note_y = y - 5.0 - note_height;
    if note_y < area.top {
        note_y = y + 5.0;
    }
    // A white backing keeps the note readable over grid lines and other curves.
    if let Some(rect) = Rect::from_xywh(note_x - 2.0, note_y, note_width + 4.0, note_height) {
        let mut fill = paint_of(WHITE);
        fill.set_color_rgba8(255, 255, 255, 210);
        canvas.fill_rect(rect, &fill, Transform::identity(), None);
    }
    draw_text(canvas, &marker.note, note_x, note_y, LEGEND_PX, INK);
}

fn paint_of(color: [u8; 3]) -> Paint<'static> {
    let mut paint = Paint::default();
    paint.set_color_rgba8(color[0], color[1], color[2], 255);
    paint.anti_alias = true;
    paint
}

/// Strokes the polyline through `points` (nothing for fewer than two).
fn stroke_line(canvas: &mut Pixmap, points: &[(f32, f32)], color: [u8; 3], width: f32) {
    if points.len() < 2 {
        return;
    }
    let mut builder = PathBuilder::new();
    builder.move_to(points[0].0, points[0].1);
    for &(x, y) in &points[1..] {
        builder.line_to(x, y);
    }
    let Some(path) = builder.finish() else {
        return;
    };
    // One-pixel lines sit on pixel centres so they stay crisp.
    let transform = if width <= 1.0 {
        Transform::from_translate(0.5, 0.5)
    } else {
        Transform::identity()
    };
    let stroke = Stroke {
        width,
        line_cap: LineCap::Butt,
        line_join: LineJoin::Round,
        ..Stroke::default()
    };
    canvas.stroke_path(&path, &paint_of(color), &stroke, transform, None);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(label: &str, color: [u8; 3], points: Vec<Option<(f64, f64)>>) -> Series {
        Series {
            label: label.to_owned(),
            color,
            line_width_px: 2.0,
            points,
            marker: None,
        }
    }

    fn plot(series: Vec<Series>) -> LinePlot {
        LinePlot {
            title: "Precision-recall".to_owned(),
            subtitle: None,
            x_axis: Axis::unit("Recall"),
            y_axis: Axis::unit("Precision"),
            plot_size_px: (300, 300),
            series,
        }
    }

    fn count(picture: &Pixmap, color: [u8; 3]) -> usize {
        picture
            .pixels()
            .iter()
            .filter(|pixel| [pixel.red(), pixel.green(), pixel.blue()] == color)
            .count()
    }

    #[test]
    fn a_line_is_drawn_in_its_colour_and_broken_where_a_point_is_missing() {
        let red = [200, 0, 0];
        let whole = draw_line_plot(&plot(vec![series(
            "a",
            red,
            vec![Some((0.0, 0.5)), Some((0.5, 0.5)), Some((1.0, 0.5))],
        )]))
        .unwrap();
        let broken = draw_line_plot(&plot(vec![series(
            "a",
            red,
            vec![Some((0.0, 0.5)), Some((0.5, 0.5)), None, Some((1.0, 0.5))],
        )]))
        .unwrap();
        // The whole line is about 300 px long and 2 px wide; the broken one has half.
        let (whole, broken) = (count(&whole, red), count(&broken, red));
        assert!(whole > 500, "{whole}");
        assert!(broken < whole * 6 / 10, "{broken} of {whole}");
    }

    #[test]
    fn many_series_put_the_legend_beside_the_plot() {
        let lines = |count: usize| {
            (0..count)
                .map(|index| series(&format!("line {index}"), [0, 0, 200], vec![]))
                .collect()
        };
        let inside = draw_line_plot(&plot(lines(LEGEND_INSIDE_MAX))).unwrap();
        let beside = draw_line_plot(&plot(lines(LEGEND_INSIDE_MAX + 1))).unwrap();
        assert!(beside.width() > inside.width() + 50);
    }
}
