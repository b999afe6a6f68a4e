//! The ResNet of `prepro_feats.py`: torchvision's bottleneck ResNet (conv1 … layer4, no
//! average pool or classifier), in self-critical's Caffe-style variant or torchvision's.

use super::conv::{Conv, Epilogue};
use super::map::FeatureMap;
use super::weights::StateDict;
use crate::Error;

/// torchvision's `BatchNorm2d` default.
const BATCH_NORM_EPSILON: f32 = 1e-5;

/// Which ResNet variant the weights run in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Arch {
    /// self-critical.pytorch's `captioning/utils/resnet.py` (what `prepro_feats.py` runs):
    /// max pool 3×3 stride 2 without padding, `ceil_mode=True`; in the first block of
    /// layers 2–4 the stride 2 is on the 1×1 `conv1` (Caffe style).
    #[default]
    SelfCritical,
    /// torchvision's ResNet (v1.5): max pool with padding 1, stride 2 on the 3×3 `conv2`.
    Torchvision,
}

impl Arch {
    /// `self-critical` or `torchvision`.
    pub fn name(self) -> &'static str {
        match self {
            Self::SelfCritical => "self-critical",
            Self::Torchvision => "torchvision",
        }
    }
}

/// One bottleneck block: 1×1 → 3×3 → 1×1, plus the (projected) shortcut.
#[derive(Clone, Debug)]
struct Bottleneck {
    conv1: Conv,
    conv2: Conv,
    conv3: Conv,
    downsample: Option<Conv>,
}

/// A bottleneck ResNet with its batch norms folded into the convolutions.
#[derive(Clone, Debug)]
pub struct Network {
    arch: Arch,
    stem: Conv,
    layers: [Vec<Bottleneck>; 4],
}

impl Network {
    /// Builds the network from a torchvision-layout state dict (`conv1.weight`, `bn1.*`,
    /// `layerN.I.convK.weight`, `layerN.I.bnK.*`, `layerN.0.downsample.{0,1}.*`). The
    /// number of blocks per layer is read from the names (3-4-23-3 is ResNet-101, 3-8-36-3
    /// ResNet-152); `fc.*` is ignored.
    pub fn from_state_dict(weights: &StateDict, arch: Arch) -> Result<Self, Error> {
        let stem = folded_conv(weights, "conv1", "bn1", 2, 3)?;
        let mut layers: [Vec<Bottleneck>; 4] = Default::default();
        let mut in_channels = stem.out_channels;
        for (layer_index, layer) in layers.iter_mut().enumerate() {
            let number = layer_index + 1;
            let count = (0..)
                .take_while(|block| {
                    weights
                        .get(&format!("layer{number}.{block}.conv1.weight"))
                        .is_some()
                })
                .count();
            if count == 0 {
                return Err(Error::InvalidWeights(format!(
                    "no `layer{number}.0.conv1.weight`: not a bottleneck ResNet state dict"
                )));
            }
            for block in 0..count {
                let prefix = format!("layer{number}.{block}");
                let stride = if layer_index > 0 && block == 0 { 2 } else { 1 };
                let (stride1, stride2) = match arch {
                    Arch::SelfCritical => (stride, 1),
                    Arch::Torchvision => (1, stride),
                };
                let conv1 = folded_conv(
                    weights,
                    &format!("{prefix}.conv1"),
                    &format!("{prefix}.bn1"),
                    stride1,
                    0,
                )?;
                let conv2 = folded_conv(
                    weights,
                    &format!("{prefix}.conv2"),
                    &format!("{prefix}.bn2"),
                    stride2,
                    1,
                )?;
                let conv3 = folded_conv(
                    weights,
                    &format!("{prefix}.conv3"),
                    &format!("{prefix}.bn3"),
                    1,
                    0,
                )?;
                let downsample = if weights
                    .get(&format!("{prefix}.downsample.0.weight"))
                    .is_some()
                {
                    Some(folded_conv(
                        weights,
                        &format!("{prefix}.downsample.0"),
                        &format!("{prefix}.downsample.1"),
                        stride,
                        0,
                    )?)
                } else {
                    None
                };
                let chained = conv1.in_channels == in_channels
                    && conv2.in_channels == conv1.out_channels
                    && conv3.in_channels == conv2.out_channels
                    && conv1.kernel == 1
                    && conv2.kernel == 3
                    && conv3.kernel == 1
                    && match &downsample {
                        Some(projection) => {
                            projection.in_channels == in_channels
                                && projection.out_channels == conv3.out_channels
                        }
                        None => in_channels == conv3.out_channels && stride == 1,
                    };
                if !chained {
                    return Err(Error::InvalidWeights(format!(
                        "`{prefix}`: the convolution shapes do not chain as in a bottleneck block"
                    )));
                }
                in_channels = conv3.out_channels;
                layer.push(Bottleneck {
                    conv1,
                    conv2,
                    conv3,
                    downsample,
                });
            }
        }
        Ok(Self { arch, stem, layers })
    }

    /// Blocks per layer (`[3, 4, 23, 3]` for ResNet-101).
    pub fn block_counts(&self) -> [usize; 4] {
        [0, 1, 2, 3].map(|i| self.layers[i].len())
    }

    /// Channels of the last feature map (2048 for ResNet-50/101/152).
    pub fn output_channels(&self) -> usize {
        self.layers[3]
            .last()
            .map_or(0, |block| block.conv3.out_channels)
    }

    /// The variant the network runs.
    pub fn arch(&self) -> Arch {
        self.arch
    }

    /// The max pool after the stem.
    fn max_pool(&self, map: &FeatureMap) -> FeatureMap {
        match self.arch {
            Arch::SelfCritical => map.max_pool(3, 2, 0, true),
            Arch::Torchvision => map.max_pool(3, 2, 1, false),
        }
    }

    /// conv1 … layer4 on a normalised `3 × H × W` image: the map `myResnet` pools.
    pub fn forward(&self, image: &FeatureMap) -> FeatureMap {
        let stem = self.stem.forward(image, Epilogue::Relu);
        let mut x = self.max_pool(&stem);
        drop(stem);
        for layer in &self.layers {
            for block in layer {
                let out = block.conv1.forward(&x, Epilogue::Relu);
                let out = block.conv2.forward(&out, Epilogue::Relu);
                x = match &block.downsample {
                    Some(projection) => {
                        let shortcut = projection.forward(&x, Epilogue::Linear);
                        block.conv3.forward(&out, Epilogue::ResidualRelu(&shortcut))
                    }
                    None => block.conv3.forward(&out, Epilogue::ResidualRelu(&x)),
                };
            }
        }
        x
    }

    /// Multiply-accumulates of one forward pass over a `height × width` image.
    pub fn multiply_adds(&self, height: usize, width: usize) -> u64 {
        let mut total = self.stem.multiply_adds(height, width);
        let (h, w) = self.stem.output_size(height, width);
        let pooled = self.max_pool(&FeatureMap::zeros(1, h, w));
        let (mut h, mut w) = (pooled.height, pooled.width);
        for layer in &self.layers {
            for block in layer {
                total += block.conv1.multiply_adds(h, w);
                let (h1, w1) = block.conv1.output_size(h, w);
                total += block.conv2.multiply_adds(h1, w1);
                let (h2, w2) = block.conv2.output_size(h1, w1);
                total += block.conv3.multiply_adds(h2, w2);
                if let Some(projection) = &block.downsample {
                    total += projection.multiply_adds(h, w);
                }
                (h, w) = (h2, w2);
            }
        }
        total
    }
}

/// `conv` (weights `[out, in, k, k]`, no bias) with batch norm `bn` folded in.
fn folded_conv(
    weights: &StateDict,
    conv: &str,
    bn: &str,
    stride: usize,
    padding: usize,
) -> Result<Conv, Error> {
    let tensor = |name: String| {
        weights
            .get(&name)
            .ok_or_else(|| Error::InvalidWeights(format!("`{name}` is missing")))
    };
    let kernel = tensor(format!("{conv}.weight"))?;
    let [out_channels, in_channels, height, width] = kernel.shape[..] else {
        return Err(Error::InvalidWeights(format!(
            "`{conv}.weight` has shape {:?}, expected [out, in, k, k]",
            kernel.shape
        )));
    };
    if height != width {
        return Err(Error::InvalidWeights(format!(
            "`{conv}.weight` is not square"
        )));
    }
    let vector = |field: &str| -> Result<&[f32], Error> {
        let t = tensor(format!("{bn}.{field}"))?;
        if t.values.len() != out_channels {
            return Err(Error::InvalidWeights(format!(
                "`{bn}.{field}` has {} values, expected {out_channels}",
                t.values.len()
            )));
        }
        Ok(&t.values)
    };
    let (gamma, beta) = (vector("weight")?, vector("bias")?);
    let (mean, variance) = (vector("running_mean")?, vector("running_var")?);
    let depth = in_channels * height * width;
    let mut weight = kernel.values.clone();
    let mut bias = Vec::with_capacity(out_channels);
    for channel in 0..out_channels {
        // torch's eval-mode batch norm: alpha = γ / √(σ² + ε), y = x·alpha + (β − μ·alpha).
        let alpha = gamma[channel] / (variance[channel] + BATCH_NORM_EPSILON).sqrt();
        weight[channel * depth..(channel + 1) * depth]
            .iter_mut()
            .for_each(|w| *w *= alpha);
        bias.push(beta[channel] - mean[channel] * alpha);
    }
    Ok(Conv {
        in_channels,
        out_channels,
        kernel: height,
        stride,
        padding,
        weight,
        bias,
    })
}
