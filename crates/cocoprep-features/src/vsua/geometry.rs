//! VSUA's pairwise box geometry (`cal_geometry_feats.py`), with the reference's exact
//! floating-point chain.
//!
//! For boxes `[x_min, y_min, x_max, y_max]` in an image of `W × H` pixels:
//! `cx = (x_min + x_max) * 0.5`, `w = (x_max - x_min) + 1`, `scale = w * h`, and for a
//! pair (box 1, box 2)
//!
//! ```text
//! f1 = (cx2 - cx1) / sqrt(scale1)   f2 = (cy2 - cy1) / sqrt(scale1)   f3 = sqrt(scale2 / scale1)
//! f4 = I / U (IoU, +1 convention)   f5 = w1 / h1                       f6 = w2 / h2
//! f7 = |c2 - c1| / sqrt(W² + H²)    f8 = atan2(cy2 - cy1, cx2 - cx1)
//! ```
//!
//! The boxes are float32. Under NumPy 1.x (what VSUA ran on), the sum or difference of
//! two coordinates is a float32 operation and everything after it (`* 0.5`, `+ 1`,
//! products, quotients, square roots) is float64; we follow that chain, so results are
//! bit-identical to NumPy 1.x. NumPy 2 keeps more of the chain in float32 and differs at
//! about 1e-7 relative.

/// Number of features per pair.
pub const FEATURES_PER_PAIR: usize = 8;

/// A box's coordinates, with how the reference combines two of them: in float32 for
/// float32 boxes (NumPy scalar arithmetic), in float64 otherwise.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BoxCorners {
    /// `[x_min, y_min, x_max, y_max]`.
    pub corners: [f64; 4],
    /// Whether the boxes were float32 in the pickle.
    pub float32: bool,
}

impl BoxCorners {
    /// `a + b` or `a - b` of two coordinates, rounded as the reference rounds it.
    fn combine(&self, value: f64) -> f64 {
        if self.float32 {
            f64::from(value as f32)
        } else {
            value
        }
    }

    fn center_size(&self) -> (f64, f64, f64, f64) {
        let [x_min, y_min, x_max, y_max] = self.corners;
        (
            self.combine(x_min + x_max) * 0.5,
            self.combine(y_min + y_max) * 0.5,
            self.combine(x_max - x_min) + 1.0,
            self.combine(y_max - y_min) + 1.0,
        )
    }
}

/// The 8 features of a pair (box 1 first).
pub fn pair_features(
    box1: &BoxCorners,
    box2: &BoxCorners,
    image_width: f64,
    image_height: f64,
) -> [f64; FEATURES_PER_PAIR] {
    let (cx1, cy1, w1, h1) = box1.center_size();
    let (cx2, cy2, w2, h2) = box2.center_size();
    let [x_min1, y_min1, x_max1, y_max1] = box1.corners;
    let [x_min2, y_min2, x_max2, y_max2] = box2.corners;
    let scale1 = w1 * h1;
    let scale2 = w2 * h2;
    let intersection_width = (box1.combine(x_max1.min(x_max2) - x_min1.max(x_min2)) + 1.0).max(0.0);
    let intersection_height =
        (box1.combine(y_max1.min(y_max2) - y_min1.max(y_min2)) + 1.0).max(0.0);
    let intersection = intersection_width * intersection_height;
    let union = scale1 + scale2 - intersection;
    let diagonal = (image_width * image_width + image_height * image_height).sqrt();
    let distance = ((cx1 - cx2) * (cx1 - cx2) + (cy1 - cy2) * (cy1 - cy2)).sqrt();
    [
        (cx2 - cx1) / scale1.sqrt(),
        (cy2 - cy1) / scale1.sqrt(),
        (scale2 / scale1).sqrt(),
        intersection / union,
        w1 / h1,
        w2 / h2,
        distance / diagonal,
        (cy2 - cy1).atan2(cx2 - cx1),
    ]
}

/// The `(N, N, 8)` float64 features of an image, C order, as `cal_geometry_feats` makes
/// them: undirected fills the pairs `j >= i` (diagonal included) and leaves the rest 0;
/// directed fills every pair, with the larger box (by `w * h`) first.
pub fn image_features(
    boxes: &[BoxCorners],
    image_width: f64,
    image_height: f64,
    directed: bool,
) -> Vec<f64> {
    let count = boxes.len();
    let mut features = vec![0.0; count * count * FEATURES_PER_PAIR];
    for i in 0..count {
        let start = if directed { 0 } else { i };
        for j in start..count {
            let (first, second) = if directed {
                let (_, _, w1, h1) = boxes[i].center_size();
                let (_, _, w2, h2) = boxes[j].center_size();
                if (w1 * h1) / (w2 * h2) > 1.0 {
                    (&boxes[i], &boxes[j])
                } else {
                    (&boxes[j], &boxes[i])
                }
            } else {
                (&boxes[i], &boxes[j])
            };
            let at = (i * count + j) * FEATURES_PER_PAIR;
            features[at..at + FEATURES_PER_PAIR].copy_from_slice(&pair_features(
                first,
                second,
                image_width,
                image_height,
            ));
        }
    }
    features
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boxes() -> Vec<BoxCorners> {
        [
            [10.0, 20.0, 110.0, 220.0],
            [50.0, 60.0, 150.0, 160.0],
            [300.0, 300.0, 310.0, 330.0],
            [0.0, 0.0, 639.0, 479.0],
        ]
        .map(|corners| BoxCorners {
            corners,
            float32: true,
        })
        .to_vec()
    }

    /// NumPy 1.26 outputs of VSUA's `cal_geometry_feats` on these boxes (640 × 480).
    #[test]
    fn matches_the_numpy_1_reference_bit_for_bit() {
        let features = image_features(&boxes(), 640.0, 480.0, false);
        let at = |i: usize, j: usize| &features[(i * 4 + j) * 8..(i * 4 + j + 1) * 8];
        assert_eq!(
            at(0, 1),
            [
                0.28073804789234963,
                -0.07018451197308741,
                0.7088635709281828,
                0.25311203319502074,
                0.5024875621890548,
                1.0,
                0.05153882032022076,
                -0.24497866312686414
            ]
        );
        assert_eq!(
            at(2, 3),
            [
                0.7852190235571294,
                -4.088554226107812,
                30.014659175074677,
                0.0011100260416666667,
                0.3548387096774194,
                1.3333333333333333,
                0.09609972034298538,
                -1.3810536787631589
            ]
        );
        assert_eq!(
            at(0, 3),
            [
                1.821288085701618,
                0.8387049180783944,
                3.890020500538034,
                0.066083984375,
                0.5024875621890548,
                1.3333333333333333,
                0.35711627133190105,
                0.4315521346596814
            ]
        );
        assert_eq!(
            at(0, 0),
            [
                0.0,
                0.0,
                1.0,
                1.0,
                0.5024875621890548,
                0.5024875621890548,
                0.0,
                0.0
            ]
        );
        assert!(at(3, 0).iter().all(|&v| v == 0.0));
    }

    #[test]
    fn directed_puts_the_larger_box_first() {
        let features = image_features(&boxes(), 640.0, 480.0, true);
        let at = |i: usize, j: usize| &features[(i * 4 + j) * 8..(i * 4 + j + 1) * 8];
        let expected = [
            -0.4681949839209621,
            -0.21560424115050086,
            0.25706805397598514,
            0.066083984375,
            1.3333333333333333,
            0.5024875621890548,
            0.35711627133190105,
            -2.710040518930112,
        ];
        assert_eq!(at(0, 3), expected);
        assert_eq!(at(3, 0), expected);
    }
}
