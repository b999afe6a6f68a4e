//! Channel-major feature maps and the pooling steps of the network and of `myResnet`.

use rayon::prelude::*;

/// A `[channels][height][width]` tensor (a batch of one), `f32`.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureMap {
    /// Number of channels.
    pub channels: usize,
    /// Rows.
    pub height: usize,
    /// Columns.
    pub width: usize,
    /// `channels · height · width` values, channel-major.
    pub values: Vec<f32>,
}

impl FeatureMap {
    /// A map of zeros.
    pub fn zeros(channels: usize, height: usize, width: usize) -> Self {
        Self {
            channels,
            height,
            width,
            values: vec![0.0; channels * height * width],
        }
    }

    /// Max pooling with a `kernel × kernel` window (padding counts as −∞, as in torch).
    /// `ceil_mode` rounds the output size up, but a window must start inside the input or
    /// the left padding (torch's `pooling_output_shape`).
    pub fn max_pool(&self, kernel: usize, stride: usize, padding: usize, ceil_mode: bool) -> Self {
        let size = |n: usize| {
            let span = n + 2 * padding - kernel;
            let mut out = if ceil_mode {
                span.div_ceil(stride)
            } else {
                span / stride
            } + 1;
            if ceil_mode && (out - 1) * stride >= n + padding {
                out -= 1;
            }
            out
        };
        let (out_height, out_width) = (size(self.height), size(self.width));
        let mut output = Self::zeros(self.channels, out_height, out_width);
        let plane = self.height * self.width;
        output
            .values
            .par_chunks_mut(out_height * out_width)
            .zip(self.values.par_chunks(plane))
            .for_each(|(out, input)| {
                for oy in 0..out_height {
                    let y0 = (oy * stride).saturating_sub(padding);
                    let y1 = (oy * stride + kernel - padding).min(self.height);
                    for ox in 0..out_width {
                        let x0 = (ox * stride).saturating_sub(padding);
                        let x1 = (ox * stride + kernel - padding).min(self.width);
                        let mut best = f32::NEG_INFINITY;
                        for y in y0..y1 {
                            for &v in &input[y * self.width + x0..y * self.width + x1] {
                                // NaN propagates, as in torch's max_pool2d.
                                if v > best || v.is_nan() {
                                    best = v;
                                }
                            }
                        }
                        out[oy * out_width + ox] = best;
                    }
                }
            });
        output
    }

    /// `x.mean(3).mean(2)`: the mean of each row, then the mean of those means.
    pub fn mean_per_channel(&self) -> Vec<f32> {
        let plane = self.height * self.width;
        self.values
            .chunks(plane)
            .map(|channel| {
                let row_means: f64 = channel
                    .chunks(self.width)
                    .map(|row| f64::from(row_mean(row)))
                    .sum();
                #[expect(clippy::cast_possible_truncation, reason = "the result is float32")]
                let mean = (row_means / self.height as f64) as f32;
                mean
            })
            .collect()
    }

    /// `adaptive_avg_pool2d(x, [size, size]).squeeze().permute(1, 2, 0)`: a
    /// `size × size × channels` array (row-major). Cell `i` covers rows
    /// `⌊i·H/size⌋ .. ⌈(i+1)·H/size⌉` (and the same for columns), as in torch.
    pub fn adaptive_average(&self, size: usize) -> Vec<f32> {
        let bounds = |n: usize, i: usize| ((i * n) / size, ((i + 1) * n).div_ceil(size));
        let plane = self.height * self.width;
        let mut output = vec![0.0f32; size * size * self.channels];
        for (channel, values) in self.values.chunks(plane).enumerate() {
            for i in 0..size {
                let (y0, y1) = bounds(self.height, i);
                for j in 0..size {
                    let (x0, x1) = bounds(self.width, j);
                    let mut sum = 0.0f64;
                    for y in y0..y1 {
                        sum += values[y * self.width + x0..y * self.width + x1]
                            .iter()
                            .map(|&v| f64::from(v))
                            .sum::<f64>();
                    }
                    let count = ((y1 - y0) * (x1 - x0)) as f64;
                    #[expect(clippy::cast_possible_truncation, reason = "the result is float32")]
                    let mean = (sum / count) as f32;
                    output[(i * size + j) * self.channels + channel] = mean;
                }
            }
        }
        output
    }
}

fn row_mean(row: &[f32]) -> f32 {
    let sum: f64 = row.iter().map(|&v| f64::from(v)).sum();
    #[expect(
        clippy::cast_possible_truncation,
        reason = "torch's mean of float32 is float32"
    )]
    let mean = (sum / row.len() as f64) as f32;
    mean
}
