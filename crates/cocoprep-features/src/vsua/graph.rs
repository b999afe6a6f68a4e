//! VSUA's geometry graphs (`build_geometry_graph.py`): the box pairs that overlap enough
//! and are close enough become edges, with their 8 geometry features.

use cocoprep_formats::pickle::{Value, numpy};

use super::geometry::FEATURES_PER_PAIR;
use crate::Error;

/// Edge thresholds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GraphOptions {
    /// Keep pairs whose IoU (feature 4) is at least this.
    pub iou: f64,
    /// Keep pairs whose normalised centre distance (feature 7) is at most this.
    pub distance: f64,
    /// All ordered pairs, or only `j > i`.
    pub directed: bool,
}

impl Default for GraphOptions {
    fn default() -> Self {
        Self {
            iou: 0.2,
            distance: 0.5,
            directed: false,
        }
    }
}

/// How the graph of an image was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphKind {
    /// At least one pair passed the thresholds.
    Edges,
    /// No pair passed: the reference's fallback edge `[0, 1]`.
    Fallback,
    /// One box: the reference crashes (`IndexError`); we use the self-loop `[0, 0]`.
    SingleBox,
    /// No boxes: no edges.
    NoBoxes,
}

/// An image's graph.
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    /// `[i, j]` pairs, `i` ascending then `j` ascending.
    pub edges: Vec<[i64; 2]>,
    /// The features of each edge.
    pub features: Vec<[f64; FEATURES_PER_PAIR]>,
    /// How it was made.
    pub kind: GraphKind,
}

/// Builds the graph from `(N, N, 8)` features in C order.
pub fn build_graph(features: &[f64], count: usize, options: &GraphOptions) -> Graph {
    debug_assert_eq!(features.len(), count * count * FEATURES_PER_PAIR);
    let pair = |i: usize, j: usize| -> [f64; FEATURES_PER_PAIR] {
        let at = (i * count + j) * FEATURES_PER_PAIR;
        features[at..at + FEATURES_PER_PAIR]
            .try_into()
            .expect("8 features")
    };
    let mut graph = Graph {
        edges: Vec::new(),
        features: Vec::new(),
        kind: GraphKind::Edges,
    };
    for i in 0..count {
        let start = if options.directed { 0 } else { i };
        for j in start..count {
            if i == j {
                continue;
            }
            let features = pair(i, j);
            // The reference skips `feats[3] < iou or feats[6] > dist`: both bounds inclusive.
            if features[3] < options.iou || features[6] > options.distance {
                continue;
            }
            graph.edges.push([i as i64, j as i64]);
            graph.features.push(features);
        }
    }
    if graph.edges.is_empty() {
        let (edge, kind) = match count {
            0 => {
                return Graph {
                    kind: GraphKind::NoBoxes,
                    ..graph
                };
            }
            1 => ([0, 0], GraphKind::SingleBox),
            _ => ([0, 1], GraphKind::Fallback),
        };
        graph.features.push(pair(edge[0], edge[1]));
        graph.edges.push([edge[0] as i64, edge[1] as i64]);
        graph.kind = kind;
    }
    graph
}

impl Graph {
    /// The `.npy` file `np.save(path, {'edges': int64 (E, 2), 'feats': float64 (E, 8)})`
    /// writes: a 0-d object array holding the dict, loadable with
    /// `np.load(path, allow_pickle=True)[()]` under NumPy ≥ 1.16 and 2.x.
    pub fn to_npy(&self) -> Result<Vec<u8>, Error> {
        let edges: Vec<i64> = self.edges.iter().flatten().copied().collect();
        let features: Vec<f64> = self.features.iter().flatten().copied().collect();
        let value = Value::Dict(vec![
            (
                Value::from("edges"),
                numpy::ndarray_i64(&[self.edges.len(), 2], &edges)?,
            ),
            (
                Value::from("feats"),
                numpy::ndarray_f64(&[self.features.len(), FEATURES_PER_PAIR], &features)?,
            ),
        ]);
        numpy::object_npy(value).map_err(|error| Error::Format(cocoprep_formats::Error::Io(error)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vsua::geometry::{BoxCorners, image_features};

    fn features_of(boxes: &[[f64; 4]]) -> Vec<f64> {
        let boxes: Vec<BoxCorners> = boxes
            .iter()
            .map(|&corners| BoxCorners {
                corners,
                float32: true,
            })
            .collect();
        image_features(&boxes, 640.0, 480.0, false)
    }

    #[test]
    fn reference_test_vector_keeps_one_edge() {
        let boxes = [
            [10.0, 20.0, 110.0, 220.0],
            [50.0, 60.0, 150.0, 160.0],
            [300.0, 300.0, 310.0, 330.0],
            [0.0, 0.0, 639.0, 479.0],
        ];
        let features = features_of(&boxes);
        let graph = build_graph(&features, 4, &GraphOptions::default());
        assert_eq!(graph.edges, vec![[0, 1]]);
        assert_eq!(graph.kind, GraphKind::Edges);
        assert_eq!(graph.features[0][3], 0.25311203319502074);
    }

    #[test]
    fn single_box_gets_a_self_loop_instead_of_crashing() {
        let features = features_of(&[[10.0, 20.0, 110.0, 220.0]]);
        let graph = build_graph(&features, 1, &GraphOptions::default());
        assert_eq!(graph.edges, vec![[0, 0]]);
        assert_eq!(graph.kind, GraphKind::SingleBox);
        assert_eq!(graph.features[0][2], 1.0);
        let empty = build_graph(&[], 0, &GraphOptions::default());
        assert!(empty.edges.is_empty() && empty.kind == GraphKind::NoBoxes);
        assert!(empty.to_npy().is_ok());
    }

    #[test]
    fn far_apart_boxes_fall_back_to_the_first_pair() {
        let features = features_of(&[[0.0, 0.0, 10.0, 10.0], [600.0, 400.0, 630.0, 470.0]]);
        let graph = build_graph(&features, 2, &GraphOptions::default());
        assert_eq!(
            (graph.edges.clone(), graph.kind),
            (vec![[0, 1]], GraphKind::Fallback)
        );
    }
}
