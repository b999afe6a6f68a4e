//! Seeded random weights for a bottleneck ResNet in torchvision's state-dict layout: the
//! demo's network (no download), and tests that need a `.pth` without torch.

use super::weights::Tensor;

/// SplitMix64: a small, well-mixed deterministic generator.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [-1, 1).
    fn symmetric(&mut self) -> f32 {
        #[expect(clippy::cast_precision_loss, reason = "24 random bits")]
        let unit = (self.next() >> 40) as f32 / (1u64 << 24) as f32;
        2.0 * unit - 1.0
    }
}

/// The tensors of a ResNet with `blocks` bottleneck blocks per layer and `width` stem
/// channels (64 for ResNet-50/101/152; layer `i` has `width·2^i` planes and `4×` that
/// outputs), in `state_dict()` order. Convolutions are Kaiming-uniform (fan-in, ReLU
/// gain); batch norms get weights in [0.5, 1], small biases and running statistics, so
/// that folding them is exercised.
pub fn random_state_dict(blocks: [usize; 4], width: usize, seed: u64) -> Vec<(String, Tensor)> {
    let mut random = SplitMix(seed);
    let mut tensors = Vec::new();
    let mut conv = |tensors: &mut Vec<(String, Tensor)>,
                    name: &str,
                    out: usize,
                    input: usize,
                    kernel: usize| {
        let fan_in = (input * kernel * kernel) as f32;
        let bound = (6.0 / fan_in).sqrt();
        let values = (0..out * input * kernel * kernel)
            .map(|_| bound * random.symmetric())
            .collect();
        tensors.push((
            format!("{name}.weight"),
            Tensor {
                shape: vec![out, input, kernel, kernel],
                values,
            },
        ));
    };
    let mut norm_random = SplitMix(seed ^ 0x5eed);
    let mut norm = |tensors: &mut Vec<(String, Tensor)>, name: &str, channels: usize| {
        let mut vector = |f: &mut dyn FnMut(f32) -> f32| -> Tensor {
            Tensor {
                shape: vec![channels],
                values: (0..channels).map(|_| f(norm_random.symmetric())).collect(),
            }
        };
        let weight = vector(&mut |r| 0.75 + 0.25 * r);
        let bias = vector(&mut |r| 0.1 * r);
        let mean = vector(&mut |r| 0.1 * r);
        let variance = vector(&mut |r| 1.0 + 0.5 * r);
        for (field, tensor) in [
            ("weight", weight),
            ("bias", bias),
            ("running_mean", mean),
            ("running_var", variance),
        ] {
            tensors.push((format!("{name}.{field}"), tensor));
        }
    };
    conv(&mut tensors, "conv1", width, 3, 7);
    norm(&mut tensors, "bn1", width);
    let mut in_channels = width;
    for (index, &count) in blocks.iter().enumerate() {
        let planes = width << index;
        for block in 0..count {
            let prefix = format!("layer{}.{block}", index + 1);
            conv(
                &mut tensors,
                &format!("{prefix}.conv1"),
                planes,
                in_channels,
                1,
            );
            norm(&mut tensors, &format!("{prefix}.bn1"), planes);
            conv(&mut tensors, &format!("{prefix}.conv2"), planes, planes, 3);
            norm(&mut tensors, &format!("{prefix}.bn2"), planes);
            conv(
                &mut tensors,
                &format!("{prefix}.conv3"),
                planes * 4,
                planes,
                1,
            );
            norm(&mut tensors, &format!("{prefix}.bn3"), planes * 4);
            if block == 0 {
                conv(
                    &mut tensors,
                    &format!("{prefix}.downsample.0"),
                    planes * 4,
                    in_channels,
                    1,
                );
                norm(&mut tensors, &format!("{prefix}.downsample.1"), planes * 4);
            }
            in_channels = planes * 4;
        }
    }
    tensors
}
