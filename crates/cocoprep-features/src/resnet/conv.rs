//! 2-D convolution with batch norm folded in, as im2col + single-precision GEMM.
//!
//! Feature maps are channel-major (`[channels][height][width]`, batch of one), so a
//! convolution is `out[Cout, P] = W[Cout, Cin·k·k] × cols[Cin·k·k, P]` over the P output
//! pixels. The pixels are cut into column blocks that rayon spreads over the cores; each
//! block builds its own slice of `cols` (nothing for a 1×1 stride-1 convolution, which
//! reads the input in place), runs one GEMM, then adds the bias (and the residual) and
//! applies ReLU while the block is still in cache.
//!
//! The GEMM is `matrixmultiply`'s (bluss): runtime-dispatched AVX2/FMA kernels, no
//! threads of its own, ~40 KB of code. Measured against the `gemm` crate and torch's
//! oneDNN/MKL on this machine: BENCHMARKS.md, "features resnet".

use rayon::prelude::*;

use super::map::FeatureMap;

/// A convolution (no bias in the checkpoint) followed by its batch norm, folded:
/// `weight = conv.weight · γ/√(σ²+ε)`, `bias = β − μ·γ/√(σ²+ε)`.
#[derive(Clone, Debug)]
pub struct Conv {
    pub(crate) in_channels: usize,
    pub(crate) out_channels: usize,
    pub(crate) kernel: usize,
    pub(crate) stride: usize,
    pub(crate) padding: usize,
    /// `[out_channels][in_channels · kernel · kernel]`, row-major.
    pub(crate) weight: Vec<f32>,
    pub(crate) bias: Vec<f32>,
}

/// What follows the convolution inside the same pass.
#[derive(Clone, Copy)]
pub enum Epilogue<'a> {
    /// Bias only.
    Linear,
    /// Bias, then ReLU.
    Relu,
    /// Bias, plus the residual, then ReLU (the end of a bottleneck block).
    ResidualRelu(&'a FeatureMap),
}

/// A raw pointer to the output, shared by the column blocks: each block writes only its
/// own columns, so the writes never overlap.
#[derive(Clone, Copy)]
struct OutputPointer(*mut f32);

impl OutputPointer {
    fn get(self) -> *mut f32 {
        self.0
    }
}

#[expect(
    unsafe_code,
    reason = "the pointer is only used for disjoint column blocks"
)]
// SAFETY: every task writes a distinct range of columns (see `Conv::forward`), and the
// buffer outlives the parallel loop, which joins before the buffer is used again.
unsafe impl Send for OutputPointer {}
#[expect(
    unsafe_code,
    reason = "the pointer is only used for disjoint column blocks"
)]
// SAFETY: as above; `&OutputPointer` only hands out the pointer value.
unsafe impl Sync for OutputPointer {}

impl Conv {
    /// The output size for an input of `height × width`.
    pub fn output_size(&self, height: usize, width: usize) -> (usize, usize) {
        let size = |n: usize| (n + 2 * self.padding).saturating_sub(self.kernel) / self.stride + 1;
        (size(height), size(width))
    }

    /// Multiply-accumulates of one pass over an input of `height × width`.
    pub fn multiply_adds(&self, height: usize, width: usize) -> u64 {
        let (out_height, out_width) = self.output_size(height, width);
        (self.out_channels * self.in_channels * self.kernel * self.kernel) as u64
            * (out_height * out_width) as u64
    }

    /// Runs the convolution and its epilogue on `input`.
    pub fn forward(&self, input: &FeatureMap, epilogue: Epilogue<'_>) -> FeatureMap {
        assert_eq!(input.channels, self.in_channels, "input channels");
        let (out_height, out_width) = self.output_size(input.height, input.width);
        let pixels = out_height * out_width;
        let mut output = FeatureMap::zeros(self.out_channels, out_height, out_width);
        if let Epilogue::ResidualRelu(residual) = epilogue {
            assert_eq!(residual.values.len(), output.values.len(), "residual size");
        }
        let depth = self.in_channels * self.kernel * self.kernel;
        let direct = self.kernel == 1 && self.stride == 1 && self.padding == 0;
        let block = block_width(pixels);
        let blocks = pixels.div_ceil(block);
        let pointer = OutputPointer(output.values.as_mut_ptr());
        (0..blocks).into_par_iter().for_each(|index| {
            let start = index * block;
            let width = block.min(pixels - start);
            let mut columns = Vec::new();
            let (b, row_stride_b): (&[f32], usize) = if direct {
                (&input.values[start..], pixels)
            } else {
                columns.resize(depth * width, 0.0);
                self.im2col(input, out_width, start, width, &mut columns);
                (&columns, width)
            };
            #[expect(unsafe_code, reason = "matrixmultiply takes raw pointers and strides")]
            // SAFETY: A is `out_channels × depth` row-major (`weight.len()` checked at
            // construction); B is `depth × width` with row stride `row_stride_b` inside `b`
            // (for the direct case the last row ends at `(depth-1)·pixels + start + width ≤
            // input.values.len()`); C is `out_channels × width` at column `start` of the
            // `out_channels × pixels` output, a range no other block writes.
            unsafe {
                matrixmultiply::sgemm(
                    self.out_channels,
                    depth,
                    width,
                    1.0,
                    self.weight.as_ptr(),
                    depth as isize,
                    1,
                    b.as_ptr(),
                    row_stride_b as isize,
                    1,
                    0.0,
                    pointer.get().add(start),
                    pixels as isize,
                    1,
                );
            }
            for channel in 0..self.out_channels {
                let bias = self.bias[channel];
                #[expect(unsafe_code, reason = "this block's columns of one output row")]
                // SAFETY: row `channel`, columns `start..start + width` of the output:
                // inside the buffer and written by this block only.
                let row = unsafe {
                    std::slice::from_raw_parts_mut(
                        pointer.get().add(channel * pixels + start),
                        width,
                    )
                };
                match epilogue {
                    Epilogue::Linear => row.iter_mut().for_each(|v| *v += bias),
                    Epilogue::Relu => row.iter_mut().for_each(|v| *v = (*v + bias).max(0.0)),
                    Epilogue::ResidualRelu(residual) => {
                        let skip = &residual.values[channel * pixels + start..][..width];
                        row.iter_mut()
                            .zip(skip)
                            .for_each(|(v, s)| *v = (*v + bias + s).max(0.0));
                    }
                }
            }
        });
        output
    }

    /// Fills `columns` (`depth × width`, row-major) with the input patches of output
    /// pixels `start..start + width`.
    fn im2col(
        &self,
        input: &FeatureMap,
        out_width: usize,
        start: usize,
        width: usize,
        columns: &mut [f32],
    ) {
        let (height, in_width) = (input.height as isize, input.width as isize);
        let (stride, padding) = (self.stride as isize, self.padding as isize);
        let mut row = 0;
        for channel in 0..self.in_channels {
            let plane =
                &input.values[channel * input.height * input.width..][..input.height * input.width];
            for ky in 0..self.kernel as isize {
                for kx in 0..self.kernel as isize {
                    let out = &mut columns[row * width..][..width];
                    let mut y = (start / out_width) as isize;
                    let mut x = (start % out_width) as isize;
                    for value in out.iter_mut() {
                        let iy = y * stride - padding + ky;
                        let ix = x * stride - padding + kx;
                        *value = if iy >= 0 && iy < height && ix >= 0 && ix < in_width {
                            plane[(iy * in_width + ix) as usize]
                        } else {
                            0.0
                        };
                        x += 1;
                        if x as usize == out_width {
                            x = 0;
                            y += 1;
                        }
                    }
                    row += 1;
                }
            }
        }
    }
}

/// Columns per block: enough blocks for every core to have several (load balance), but
/// wide enough that packing the weights for each block costs little next to the GEMM.
fn block_width(pixels: usize) -> usize {
    let threads = rayon::current_num_threads().max(1);
    let target = pixels.div_ceil(threads * 4);
    target.clamp(64, 512).min(pixels.max(1))
}
