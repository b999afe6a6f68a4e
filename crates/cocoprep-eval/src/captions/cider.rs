//! CIDEr-D as pycocoevalcap's `cider/cider_scorer.py` computes it (coco-caption reports it
//! as `CIDEr`): TF-IDF vectors of 1..4-grams, the candidate's weights clipped at the
//! reference's, a Gaussian penalty on the length difference (sigma 6; the "length" is the
//! number of bigrams, as the reference code counts it), the mean over n, the mean over
//! references, times 10. The document frequency of an n-gram is the number of images whose
//! references contain it, and the log of the number of images stands in for the log of the
//! number of documents; or both come from a `prepro_ngrams.py` pickle (self-critical's
//! CIDEr-D with `df_mode`).

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::ngrams::{Counts, MAX_ORDER, NGram};
use super::{EncodedImage, numpy};

const SIGMA: f64 = 6.0;

/// Document frequencies: how many reference sets contain each n-gram, and how many
/// reference sets there are.
#[derive(Clone, Debug, Default)]
pub(crate) struct DocumentFrequency {
    pub(crate) frequencies: FxHashMap<NGram, f64>,
    pub(crate) documents: f64,
}

impl DocumentFrequency {
    /// The frequencies of the evaluated references themselves (`df_mode == "corpus"`).
    pub(crate) fn of_references(images: &[EncodedImage]) -> Self {
        let mut frequencies: FxHashMap<NGram, f64> = FxHashMap::default();
        let per_image: Vec<FxHashSet<NGram>> = images
            .par_iter()
            .map(|image| {
                image
                    .references
                    .iter()
                    .flat_map(|reference| Counts::of(reference).grams.into_iter().map(|(g, _)| g))
                    .collect()
            })
            .collect();
        for grams in per_image {
            for gram in grams {
                *frequencies.entry(gram).or_insert(0.0) += 1.0;
            }
        }
        Self {
            frequencies,
            documents: images.len() as f64,
        }
    }
}

/// CIDEr-D for the corpus (the mean over images) and for each image.
#[derive(Clone, Debug, PartialEq)]
pub struct CiderScores {
    /// `CIDEr`.
    pub corpus: f64,
    /// Per image, in evaluation order.
    pub per_image: Vec<f64>,
}

/// A TF-IDF vector (`counts2vec`): weights in the order of the counts, the norm per order,
/// and the number of bigrams.
struct Vector<'a> {
    counts: &'a Counts,
    weights: Vec<f64>,
    norms: [f64; MAX_ORDER],
    bigrams: u32,
}

impl<'a> Vector<'a> {
    fn new(counts: &'a Counts, df: &DocumentFrequency, log_documents: f64) -> Self {
        let mut weights = Vec::with_capacity(counts.grams.len());
        let mut squares = [0.0_f64; MAX_ORDER];
        let mut bigrams = 0;
        for (gram, term_frequency) in &counts.grams {
            let frequency = df.frequencies.get(gram).copied().unwrap_or(0.0);
            let idf = frequency.max(1.0).ln();
            let weight = f64::from(*term_frequency) * (log_documents - idf);
            let order = gram.order() - 1;
            squares[order] += weight * weight;
            if order == 1 {
                bigrams += term_frequency;
            }
            weights.push(weight);
        }
        Self {
            counts,
            weights,
            norms: squares.map(f64::sqrt),
            bigrams,
        }
    }

    fn weight(&self, gram: &NGram) -> f64 {
        self.counts
            .index
            .get(gram)
            .map_or(0.0, |&at| self.weights[at])
    }
}

/// `sim`: the clipped cosine similarity per order, times the length penalty.
fn similarity(candidate: &Vector<'_>, reference: &Vector<'_>) -> [f64; MAX_ORDER] {
    let delta = f64::from(candidate.bigrams) - f64::from(reference.bigrams);
    // `np.e ** x`: the C `pow`, as Python computes it (`black_box` keeps LLVM from
    // rewriting it as `exp(x)`).
    let penalty =
        std::hint::black_box(std::f64::consts::E).powf(-(delta * delta) / (2.0 * SIGMA * SIGMA));
    let mut values = [0.0_f64; MAX_ORDER];
    for ((gram, _), &weight) in candidate.counts.grams.iter().zip(&candidate.weights) {
        let reference_weight = reference.weight(gram);
        // Python's `min(a, b)` returns `a` unless `b < a`.
        let clipped = if reference_weight < weight {
            reference_weight
        } else {
            weight
        };
        values[gram.order() - 1] += clipped * reference_weight;
    }
    for ((value, candidate_norm), reference_norm) in
        values.iter_mut().zip(candidate.norms).zip(reference.norms)
    {
        if candidate_norm != 0.0 && reference_norm != 0.0 {
            *value /= candidate_norm * reference_norm;
        }
        *value *= penalty;
    }
    values
}

fn image_score(image: &EncodedImage, df: &DocumentFrequency, log_documents: f64) -> f64 {
    let candidate_counts = Counts::of(&image.candidate);
    let candidate = Vector::new(&candidate_counts, df, log_documents);
    let mut sums = [0.0_f64; MAX_ORDER];
    for reference in &image.references {
        let reference_counts = Counts::of(reference);
        let reference = Vector::new(&reference_counts, df, log_documents);
        let values = similarity(&candidate, &reference);
        for order in 0..MAX_ORDER {
            sums[order] += values[order];
        }
    }
    let mut score = numpy::mean(&sums);
    score /= image.references.len() as f64;
    score * 10.0
}

pub(crate) fn cider(images: &[EncodedImage], df: &DocumentFrequency) -> CiderScores {
    let log_documents = df.documents.ln();
    let per_image: Vec<f64> = images
        .par_iter()
        .map(|image| image_score(image, df, log_documents))
        .collect();
    CiderScores {
        corpus: numpy::mean(&per_image),
        per_image,
    }
}
