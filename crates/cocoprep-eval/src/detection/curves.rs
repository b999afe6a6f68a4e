//! Precision-recall curves as a picture: a small line plot drawn pixel by pixel into a PNG.

use super::evaluate::Evaluation;
use super::numpy_sum::numpy_mean;

/// The colours of [`pr_curves_png`]'s curves, in drawing order.
pub const CURVE_COLORS: [(&str, [u8; 3]); 3] = [
    ("IoU=0.50", [31, 119, 180]),
    ("IoU=0.75", [255, 127, 14]),
    ("IoU=0.50:0.95", [44, 160, 44]),
];

const WIDTH: u32 = 640;
const HEIGHT: u32 = 480;
const MARGIN: u32 = 40;

/// The precision-recall curves of an evaluation, averaged over categories (entries above
/// -1) on the first area range and the last max detections: at IoU 0.50 (blue), 0.75
/// (orange) and averaged over all thresholds (green), recall on x from 0 to 1, precision
/// on y from 0 to 1, grid lines every 0.1. Returns the PNG file's bytes.
pub fn pr_curves_png(evaluation: &Evaluation) -> Result<Vec<u8>, png::EncodingError> {
    let mut canvas = Canvas::new(WIDTH, HEIGHT);
    let (left, top) = (MARGIN as f64, MARGIN as f64 / 2.0);
    let (plot_width, plot_height) = (
        (WIDTH - MARGIN - MARGIN / 2) as f64,
        (HEIGHT - MARGIN - MARGIN / 2) as f64,
    );
    let to_pixel = |recall: f64, precision: f64| {
        (
            left + recall * plot_width,
            top + (1.0 - precision) * plot_height,
        )
    };
    for step in 0..=10 {
        let value = step as f64 / 10.0;
        let shade = if step == 0 || step == 10 { 0 } else { 225 };
        let (x0, y0) = to_pixel(value, 0.0);
        let (x1, y1) = to_pixel(value, 1.0);
        canvas.line(x0, y0, x1, y1, [shade; 3]);
        let (x0, y0) = to_pixel(0.0, value);
        let (x1, y1) = to_pixel(1.0, value);
        canvas.line(x0, y0, x1, y1, [shade; 3]);
    }
    let thresholds: [Option<f64>; 3] = [Some(0.5), Some(0.75), None];
    for (threshold, (_, color)) in thresholds.iter().zip(CURVE_COLORS) {
        let curve = mean_curve(evaluation, *threshold);
        let points: Vec<(f64, f64)> = evaluation
            .recall_thresholds
            .iter()
            .zip(&curve)
            .filter_map(|(&recall, precision)| precision.map(|p| to_pixel(recall, p)))
            .collect();
        for pair in points.windows(2) {
            // Two pixels wide, so the curves stay visible over the grid.
            canvas.line(pair[0].0, pair[0].1, pair[1].0, pair[1].1, color);
            canvas.line(
                pair[0].0,
                pair[0].1 + 1.0,
                pair[1].0,
                pair[1].1 + 1.0,
                color,
            );
        }
    }
    canvas.encode()
}

/// Mean precision over categories (and IoU thresholds when `threshold` is `None`) at each
/// recall threshold, or `None` where every entry is -1.
fn mean_curve(evaluation: &Evaluation, threshold: Option<f64>) -> Vec<Option<f64>> {
    let [t_count, r_count, k_count, a_count, m_count] = evaluation.precision_shape();
    (0..r_count)
        .map(|r| {
            let mut values = Vec::new();
            for t in 0..t_count {
                if threshold.is_some_and(|value| evaluation.iou_thresholds[t] != value) {
                    continue;
                }
                for k in 0..k_count {
                    let at = (((t * r_count + r) * k_count + k) * a_count) * m_count + m_count - 1;
                    let value = evaluation.precision[at];
                    if value > -1.0 {
                        values.push(value);
                    }
                }
            }
            (!values.is_empty()).then(|| numpy_mean(&values))
        })
        .collect()
}

/// An RGB image on a white background.
struct Canvas {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

impl Canvas {
    fn new(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            pixels: vec![255; (width * height * 3) as usize],
        }
    }

    fn set(&mut self, x: i64, y: i64, color: [u8; 3]) {
        if x < 0 || y < 0 || x >= self.width as i64 || y >= self.height as i64 {
            return;
        }
        let at = ((y as u32 * self.width + x as u32) * 3) as usize;
        self.pixels[at..at + 3].copy_from_slice(&color);
    }

    /// A straight line, one pixel per step along its longer axis.
    fn line(&mut self, x0: f64, y0: f64, x1: f64, y1: f64, color: [u8; 3]) {
        let steps = (x1 - x0).abs().max((y1 - y0).abs()).ceil().max(1.0) as i64;
        for step in 0..=steps {
            let fraction = step as f64 / steps as f64;
            let x = x0 + (x1 - x0) * fraction;
            let y = y0 + (y1 - y0) * fraction;
            self.set(x.round() as i64, y.round() as i64, color);
        }
    }

    fn encode(&self) -> Result<Vec<u8>, png::EncodingError> {
        let mut bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut bytes, self.width, self.height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&self.pixels)?;
        writer.finish()?;
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detection::{IouType, Params, evaluate};
    use cocoprep_coco::Dataset;

    #[test]
    fn a_perfect_detector_draws_its_curves_along_the_top() {
        let gt = Dataset::from_json_slice(
            br#"{"images": [{"id": 1, "width": 10, "height": 10}],
            "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 4, 4],
                             "area": 16, "iscrowd": 0}],
            "categories": [{"id": 1, "name": "dog"}]}"#,
        )
        .unwrap();
        let results = Dataset::from_json_slice(
            br#"[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 4, 4], "score": 0.9}]"#,
        )
        .unwrap();
        let evaluation =
            evaluate(&gt, &results.annotations, &Params::new(IouType::Bbox), None).unwrap();
        let png = pr_curves_png(&evaluation).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        reader.next_frame(&mut pixels).unwrap();
        // The green curve (mean over thresholds, drawn last) runs along precision 1.
        let (x, y) = (WIDTH / 2, MARGIN / 2);
        let at = ((y * WIDTH + x) * 3) as usize;
        assert_eq!(&pixels[at..at + 3], &CURVE_COLORS[2].1);
    }
}
