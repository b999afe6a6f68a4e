//! ROUGE-L as pycocoevalcap's `rouge/rouge.py` computes it: the longest common subsequence
//! with each reference, the best precision and the best recall (each maximised on its own),
//! and their F-measure with beta = 1.2. Captions are split on single spaces, as there.

use rayon::prelude::*;

use super::python_text::split_spaces;
use super::{TokenizedImage, numpy};

const BETA: f64 = 1.2;

/// ROUGE-L for the corpus (the mean over images) and for each image.
#[derive(Clone, Debug, PartialEq)]
pub struct RougeScores {
    /// `ROUGE_L`.
    pub corpus: f64,
    /// Per image, in evaluation order.
    pub per_image: Vec<f64>,
}

fn longest_common_subsequence(a: &[&str], b: &[&str]) -> usize {
    let mut previous = vec![0usize; b.len() + 1];
    let mut current = vec![0usize; b.len() + 1];
    for x in a {
        for (j, y) in b.iter().enumerate() {
            current[j + 1] = if x == y {
                previous[j] + 1
            } else {
                previous[j + 1].max(current[j])
            };
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

fn image_score(image: &TokenizedImage) -> f64 {
    let candidate: Vec<&str> = split_spaces(&image.candidate).collect();
    let mut best_precision = f64::NEG_INFINITY;
    let mut best_recall = f64::NEG_INFINITY;
    for reference in &image.references {
        let reference: Vec<&str> = split_spaces(reference).collect();
        let common = longest_common_subsequence(&reference, &candidate) as f64;
        best_precision = best_precision.max(common / candidate.len() as f64);
        best_recall = best_recall.max(common / reference.len() as f64);
    }
    if best_precision != 0.0 && best_recall != 0.0 {
        let beta_squared = BETA * BETA;
        ((1.0 + beta_squared) * best_precision * best_recall)
            / (best_recall + beta_squared * best_precision)
    } else {
        0.0
    }
}

pub(crate) fn rouge(images: &[TokenizedImage]) -> RougeScores {
    let per_image: Vec<f64> = images.par_iter().map(image_score).collect();
    RougeScores {
        corpus: numpy::mean(&per_image),
        per_image,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_common_subsequence_of_words() {
        let a = ["a", "b", "c", "d"];
        let b = ["b", "x", "d"];
        assert_eq!(longest_common_subsequence(&a, &b), 2);
        assert_eq!(longest_common_subsequence(&b, &a), 2);
        assert_eq!(longest_common_subsequence(&[], &a), 0);
    }
}
