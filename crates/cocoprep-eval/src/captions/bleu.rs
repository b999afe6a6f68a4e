//! BLEU-1..4 as pycocoevalcap's `bleu_scorer.py` computes it with `option='closest'`: the
//! reference length closest to the candidate's (the shorter on a tie), clipped n-gram
//! counts, the `1e-9` / `1e-15` guards, and the brevity penalty per image and for the
//! corpus, in the same order of floating-point operations.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::EncodedImage;
use super::ngrams::{Counts, MAX_ORDER, NGram};

const SMALL: f64 = 1e-9;
const TINY: f64 = 1e-15;

/// BLEU-1..4 for the corpus and for each image.
#[derive(Clone, Debug, PartialEq)]
pub struct BleuScores {
    /// `Bleu_1` .. `Bleu_4` of the whole set.
    pub corpus: [f64; MAX_ORDER],
    /// The same per image, in evaluation order.
    pub per_image: Vec<[f64; MAX_ORDER]>,
}

/// What BLEU needs of one image (`cook_test`'s result).
struct Cooked {
    candidate_length: usize,
    reference_length: usize,
    guess: [usize; MAX_ORDER],
    correct: [usize; MAX_ORDER],
}

fn cook(image: &EncodedImage) -> Cooked {
    let mut max_counts: FxHashMap<NGram, u32> = FxHashMap::default();
    let mut reference_lengths = Vec::with_capacity(image.references.len());
    for reference in &image.references {
        let counts = Counts::of(reference);
        reference_lengths.push(counts.length);
        for &(gram, count) in &counts.grams {
            let slot = max_counts.entry(gram).or_insert(0);
            *slot = (*slot).max(count);
        }
    }
    let candidate = Counts::of(&image.candidate);
    let candidate_length = candidate.length;
    // `min((abs(l - testlen), l) for l in reflen)[1]`.
    let reference_length = reference_lengths
        .iter()
        .map(|&length| (length.abs_diff(candidate_length), length))
        .min()
        .map_or(0, |(_, length)| length);
    let mut guess = [0; MAX_ORDER];
    for (k, slot) in guess.iter_mut().enumerate() {
        *slot = (candidate_length + 1).saturating_sub(k + 1);
    }
    let mut correct = [0; MAX_ORDER];
    for &(gram, count) in &candidate.grams {
        let clipped = count.min(max_counts.get(&gram).copied().unwrap_or(0));
        correct[gram.order() - 1] += clipped as usize;
    }
    Cooked {
        candidate_length,
        reference_length,
        guess,
        correct,
    }
}

/// The geometric means and brevity penalty of `BleuScorer.compute_score`.
fn score(
    correct: &[usize; MAX_ORDER],
    guess: &[usize; MAX_ORDER],
    candidate_length: usize,
    reference_length: usize,
) -> [f64; MAX_ORDER] {
    let mut scores = [0.0; MAX_ORDER];
    let mut bleu = 1.0_f64;
    for k in 0..MAX_ORDER {
        bleu *= (correct[k] as f64 + TINY) / (guess[k] as f64 + SMALL);
        // `black_box`: LLVM would turn `powf(x, 0.5)` into `sqrt(x)`, which rounds
        // differently from the C `pow` that Python calls.
        scores[k] = bleu.powf(std::hint::black_box(1.0 / (k + 1) as f64));
    }
    let ratio = (candidate_length as f64 + TINY) / (reference_length as f64 + SMALL);
    if ratio < 1.0 {
        let penalty = (1.0 - 1.0 / ratio).exp();
        for value in &mut scores {
            *value *= penalty;
        }
    }
    scores
}

pub(crate) fn bleu(images: &[EncodedImage]) -> BleuScores {
    let cooked: Vec<Cooked> = images.par_iter().map(cook).collect();
    let per_image = cooked
        .par_iter()
        .map(|c| score(&c.correct, &c.guess, c.candidate_length, c.reference_length))
        .collect();
    let mut correct = [0; MAX_ORDER];
    let mut guess = [0; MAX_ORDER];
    let (mut candidate_length, mut reference_length) = (0, 0);
    for c in &cooked {
        candidate_length += c.candidate_length;
        reference_length += c.reference_length;
        for k in 0..MAX_ORDER {
            correct[k] += c.correct[k];
            guess[k] += c.guess[k];
        }
    }
    BleuScores {
        corpus: score(&correct, &guess, candidate_length, reference_length),
        per_image,
    }
}
