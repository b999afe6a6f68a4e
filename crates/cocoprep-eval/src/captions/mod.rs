//! Caption metrics as coco-caption (pycocoevalcap 1.2) computes them, without Java:
//! its PTB tokenization ([`ptb`]), BLEU-1..4, ROUGE-L and CIDEr-D, with the same numbers
//! (the same order of floating-point operations, NumPy's pairwise sums for the means);
//! METEOR and SPICE through their Java jars when asked for.
//!
//! ```
//! use cocoprep_eval::captions::{evaluate, EvaluationOptions, ImageId, References, Results};
//!
//! let id = |n: u64| ImageId::Number(n.into());
//! let references = References::from_parts(None, [
//!     (id(1), "A dog runs on the grass.".to_owned()),
//!     (id(1), "A brown dog running outside.".to_owned()),
//!     (id(2), "Two cats sleep on a sofa.".to_owned()),
//! ]);
//! let results = Results { captions: vec![
//!     (id(1), "a dog running on grass".to_owned()),
//!     (id(2), "two cats on a couch".to_owned()),
//! ] };
//! let evaluation = evaluate(&references, &results, &EvaluationOptions::default())?;
//! let scores = evaluation.corpus_scores();
//! assert_eq!(scores[0].0, "Bleu_1");
//! assert!(scores.iter().all(|(_, score)| (0.0..=10.0).contains(score)));
//! # Ok::<(), cocoprep_eval::captions::Error>(())
//! ```

mod bleu;
mod cider;
mod document_frequency;
mod error;
mod input;
mod java;
mod meteor;
mod ngrams;
mod numpy;
pub mod ptb;
mod python_text;
mod rouge;
mod spice;

use std::path::PathBuf;

use rustc_hash::FxHashMap;

pub use bleu::BleuScores;
pub use cider::CiderScores;
pub use error::Error;
pub use input::{ImageId, References, Results};
pub use meteor::MeteorScores;
pub use rouge::RougeScores;
pub use spice::SpiceScores;

use cider::DocumentFrequency;
use ngrams::{Vocabulary, WordId};

/// A metric coco-caption reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    /// `Bleu_1` .. `Bleu_4`.
    Bleu,
    /// `METEOR`, through the METEOR 1.5 jar (needs Java).
    Meteor,
    /// `ROUGE_L`.
    Rouge,
    /// `CIDEr` (CIDEr-D).
    Cider,
    /// `SPICE`, through the SPICE 1.0 jar (needs Java and Stanford CoreNLP 3.6.0).
    Spice,
}

/// What to compute.
#[derive(Clone, Debug)]
pub struct EvaluationOptions {
    /// The metrics, reported in coco-caption's order whatever the order here.
    pub metrics: Vec<Metric>,
    /// CIDEr-D document frequencies from a `captions ngrams` `-words.p` pickle instead of
    /// the evaluated references'.
    pub document_frequency: Option<PathBuf>,
    /// `meteor-1.5.jar` (with `data/paraphrase-en.gz` beside it), for [`Metric::Meteor`].
    pub meteor_jar: Option<PathBuf>,
    /// `spice-1.0.jar` (with its `lib/` beside it, CoreNLP 3.6.0 included), for
    /// [`Metric::Spice`].
    pub spice_jar: Option<PathBuf>,
}

impl Default for EvaluationOptions {
    fn default() -> Self {
        Self {
            metrics: vec![Metric::Bleu, Metric::Rouge, Metric::Cider],
            document_frequency: None,
            meteor_jar: None,
            spice_jar: None,
        }
    }
}

/// One image's captions after tokenization, as the scorers get them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenizedImage {
    /// The result caption.
    pub candidate: String,
    /// The reference captions.
    pub references: Vec<String>,
}

/// One image's captions as word ids (split as Python's `str.split()`).
pub(crate) struct EncodedImage {
    pub(crate) candidate: Vec<WordId>,
    pub(crate) references: Vec<Vec<WordId>>,
}

/// The scores, for the corpus and per image.
#[derive(Clone, Debug)]
pub struct Evaluation {
    /// The evaluated images, in order: the reference file's images that have a result.
    pub image_ids: Vec<ImageId>,
    /// BLEU-1..4, when asked for.
    pub bleu: Option<BleuScores>,
    /// METEOR, when asked for.
    pub meteor: Option<MeteorScores>,
    /// ROUGE-L, when asked for.
    pub rouge: Option<RougeScores>,
    /// CIDEr-D, when asked for.
    pub cider: Option<CiderScores>,
    /// SPICE, when asked for.
    pub spice: Option<SpiceScores>,
    /// Reference images without a result (not evaluated, as with coco-caption's
    /// `params['image_id'] = cocoRes.getImgIds()`).
    pub images_without_result: usize,
    /// Things the caller should tell the user (a CIDEr that is 0 by construction).
    pub warnings: Vec<String>,
}

impl Evaluation {
    /// The corpus scores under coco-caption's names, in its order.
    pub fn corpus_scores(&self) -> Vec<(&'static str, f64)> {
        let mut scores = Vec::new();
        if let Some(bleu) = &self.bleu {
            scores.extend(BLEU_NAMES.iter().copied().zip(bleu.corpus));
        }
        if let Some(meteor) = &self.meteor {
            scores.push(("METEOR", meteor.corpus));
        }
        if let Some(rouge) = &self.rouge {
            scores.push(("ROUGE_L", rouge.corpus));
        }
        if let Some(cider) = &self.cider {
            scores.push(("CIDEr", cider.corpus));
        }
        if let Some(spice) = &self.spice {
            scores.push(("SPICE", spice.corpus));
        }
        scores
    }

    /// One image's scores under coco-caption's names (its `imgToEval` entry).
    pub fn image_scores(&self, index: usize) -> Vec<(&'static str, f64)> {
        let mut scores = Vec::new();
        if let Some(bleu) = &self.bleu {
            scores.extend(BLEU_NAMES.iter().copied().zip(bleu.per_image[index]));
        }
        if let Some(meteor) = &self.meteor {
            scores.push(("METEOR", meteor.per_image[index]));
        }
        if let Some(rouge) = &self.rouge {
            scores.push(("ROUGE_L", rouge.per_image[index]));
        }
        if let Some(cider) = &self.cider {
            scores.push(("CIDEr", cider.per_image[index]));
        }
        if let Some(spice) = &self.spice {
            scores.push(("SPICE", spice.per_image[index]));
        }
        scores
    }
}

const BLEU_NAMES: [&str; 4] = ["Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4"];

/// Results paired with references: the reference images that have a result, in reference
/// order.
#[derive(Clone, Debug)]
pub struct Paired<'a> {
    /// The images.
    pub image_ids: Vec<&'a ImageId>,
    /// Each image's reference captions.
    pub references: Vec<&'a [String]>,
    /// Each image's result caption.
    pub candidates: Vec<&'a str>,
    /// Reference images without a result.
    pub images_without_result: usize,
}

/// Pairs results with references (the results file's path only names it in errors).
pub fn pair<'a>(
    references: &'a References,
    results: &'a Results,
    results_path: &std::path::Path,
) -> Result<Paired<'a>, Error> {
    let mut result_of: FxHashMap<&ImageId, (usize, &str)> = FxHashMap::default();
    for (index, (image_id, caption)) in results.captions.iter().enumerate() {
        if let Some(&(first, _)) = result_of.get(image_id) {
            return Err(Error::DuplicateResult {
                path: results_path.to_owned(),
                image_id: image_id.to_string(),
                first,
                second: index,
            });
        }
        result_of.insert(image_id, (index, caption));
    }
    let known: FxHashMap<&ImageId, ()> = references.images.iter().map(|(id, _)| (id, ())).collect();
    if let Some((index, (image_id, _))) = results
        .captions
        .iter()
        .enumerate()
        .find(|(_, (image_id, _))| !known.contains_key(image_id))
    {
        return Err(Error::UnknownImage {
            path: results_path.to_owned(),
            index,
            image_id: image_id.to_string(),
        });
    }
    let mut ids = Vec::new();
    let mut reference_sets = Vec::new();
    let mut candidates = Vec::new();
    let mut without = 0;
    for (image_id, captions) in &references.images {
        match result_of.get(image_id) {
            Some(&(_, caption)) => {
                if captions.is_empty() {
                    return Err(Error::NoReferences {
                        image_id: image_id.to_string(),
                    });
                }
                ids.push(image_id);
                reference_sets.push(captions.as_slice());
                candidates.push(caption);
            }
            None => without += 1,
        }
    }
    if ids.is_empty() {
        return Err(Error::NoResults {
            path: results_path.to_owned(),
        });
    }
    Ok(Paired {
        image_ids: ids,
        references: reference_sets,
        candidates,
        images_without_result: without,
    })
}

/// Tokenizes references and candidates as pycocoevalcap does (two tokenizer runs: all
/// references in image order, then all candidates).
pub fn tokenize(reference_sets: &[&[String]], candidates: &[&str]) -> Vec<TokenizedImage> {
    let flat: Vec<&str> = reference_sets
        .iter()
        .flat_map(|set| set.iter().map(String::as_str))
        .collect();
    let mut tokenized_references = ptb::tokenize_captions(&flat).into_iter();
    let tokenized_candidates = ptb::tokenize_captions(candidates);
    reference_sets
        .iter()
        .zip(tokenized_candidates)
        .map(|(set, candidate)| TokenizedImage {
            candidate,
            references: tokenized_references.by_ref().take(set.len()).collect(),
        })
        .collect()
}

/// Evaluates `results` against `references` (the results file's path only names it in
/// errors).
pub fn evaluate_with_path(
    references: &References,
    results: &Results,
    results_path: &std::path::Path,
    options: &EvaluationOptions,
) -> Result<Evaluation, Error> {
    let paired = pair(references, results, results_path)?;
    let tokenized = tokenize(&paired.references, &paired.candidates);
    let mut evaluation = score(&paired.image_ids, &tokenized, options)?;
    evaluation.images_without_result = paired.images_without_result;
    Ok(evaluation)
}

/// [`evaluate_with_path`] for results that did not come from a file.
pub fn evaluate(
    references: &References,
    results: &Results,
    options: &EvaluationOptions,
) -> Result<Evaluation, Error> {
    evaluate_with_path(
        references,
        results,
        std::path::Path::new("results"),
        options,
    )
}

/// Scores tokenized captions; `image_ids[i]` is the id of `images[i]` (SPICE sorts by it,
/// as pycocoevalcap does, and the evaluation reports it).
pub fn score(
    image_ids: &[&ImageId],
    images: &[TokenizedImage],
    options: &EvaluationOptions,
) -> Result<Evaluation, Error> {
    assert_eq!(image_ids.len(), images.len(), "one id per image");
    let mut vocabulary = Vocabulary::default();
    let mut encode = |text: &str| -> Vec<WordId> {
        python_text::split_whitespace(text)
            .map(|word| vocabulary.intern(word))
            .collect()
    };
    let encoded: Vec<EncodedImage> = images
        .iter()
        .map(|image| EncodedImage {
            candidate: encode(&image.candidate),
            references: image.references.iter().map(|r| encode(r)).collect(),
        })
        .collect();
    let wants = |metric: Metric| options.metrics.contains(&metric);
    let mut warnings = Vec::new();
    let cider = if wants(Metric::Cider) {
        let df = match &options.document_frequency {
            Some(path) => document_frequency::read(path, &vocabulary)?,
            None => {
                if encoded.len() == 1 {
                    warnings.push(
                        "CIDEr is 0 for a single image: its document frequencies come from the references of the evaluated images, and with one image every n-gram occurs in all of them (log(1) - log(1) = 0); evaluate more images or pass --df with frequencies of a training set (`cocoprep captions ngrams`)"
                            .to_owned(),
                    );
                }
                DocumentFrequency::of_references(&encoded)
            }
        };
        Some(cider::cider(&encoded, &df))
    } else {
        None
    };
    let meteor = if wants(Metric::Meteor) {
        let jar = given_jar(&options.meteor_jar, "METEOR", "meteor/meteor-1.5.jar")?;
        Some(meteor::meteor(images, jar)?)
    } else {
        None
    };
    let spice = if wants(Metric::Spice) {
        let jar = given_jar(&options.spice_jar, "SPICE", "spice/spice-1.0.jar")?;
        Some(spice::spice(image_ids, images, jar)?)
    } else {
        None
    };
    Ok(Evaluation {
        image_ids: image_ids.iter().map(|&id| id.clone()).collect(),
        bleu: wants(Metric::Bleu).then(|| bleu::bleu(&encoded)),
        meteor,
        rouge: wants(Metric::Rouge).then(|| rouge::rouge(images)),
        cider,
        spice,
        images_without_result: 0,
        warnings,
    })
}

/// The jar a Java metric was given, or the error naming where pycocoevalcap ships it.
fn given_jar<'a>(
    jar: &'a Option<PathBuf>,
    metric: &'static str,
    in_pycocoevalcap: &str,
) -> Result<&'a std::path::Path, Error> {
    jar.as_deref().ok_or_else(|| Error::JavaMetric {
        metric,
        reason: format!("no jar given (pycocoevalcap's is `pycocoevalcap/{in_pycocoevalcap}`)"),
    })
}
