//! Arguments of `cocoprep eval ...`: metrics of model outputs against ground truth.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

#[derive(Debug, Args)]
pub struct EvalArgs {
    #[command(subcommand)]
    pub command: EvalCommand,
}

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Caption metrics exactly as coco-caption (pycocoevalcap 1.2) computes them, without
    /// Java: BLEU-1..4, ROUGE-L and CIDEr(-D); METEOR through its jar when asked for.
    ///
    /// Captions are tokenized as pycocoevalcap does (the Stanford PTB tokenizer's rules,
    /// lowercased, punctuation removed), then scored with the same arithmetic: the numbers
    /// equal pycocoevalcap's. The images evaluated are the reference images that have a
    /// result (coco-caption's `params['image_id'] = cocoRes.getImgIds()`).
    ///
    /// CIDEr's document frequencies come from the evaluated references, as in coco-caption;
    /// with one image every n-gram is in every document and CIDEr is 0 (a warning says
    /// so). --df takes them from a training set instead (self-critical's CIDEr-D).
    #[command(after_help = "Examples:
  cocoprep eval captions captions_val2014.json results.json
  cocoprep eval captions captions_val2017.json results.json --json --per-image scores.json
  cocoprep eval captions reference.json results.json --df data/coco-train-words.p")]
    Captions(EvalCaptionsArgs),
}

#[derive(Debug, Args)]
pub struct EvalCaptionsArgs {
    /// The reference captions: a COCO captions file (`captions_val2014.json`,
    /// `captions reference` output).
    #[arg(value_name = "REFERENCE.json")]
    pub reference: PathBuf,

    /// The results: a JSON list of `{"image_id": ..., "caption": ...}`, one per image.
    #[arg(value_name = "RESULTS.json")]
    pub results: PathBuf,

    /// The metrics to compute (comma-separated).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "bleu,rouge,cider",
        value_name = "LIST"
    )]
    pub metrics: Vec<CaptionMetricArg>,

    /// CIDEr-D document frequencies and document count from `cocoprep captions ngrams`
    /// (its `PREFIX-words.p` pickle) instead of the evaluated references'.
    #[arg(long, value_name = "WORDS.p")]
    pub df: Option<PathBuf>,

    /// Also write each image's scores (coco-caption's `evalImgs`) to this JSON file.
    #[arg(long, value_name = "OUT.json")]
    pub per_image: Option<PathBuf>,

    /// METEOR 1.5's jar, for `--metrics meteor` (pycocoevalcap's
    /// `pycocoevalcap/meteor/meteor-1.5.jar`, with its `data/paraphrase-en.gz`); it runs
    /// under Java with a 2 GB heap.
    #[arg(long, env = "COCOPREP_METEOR_JAR", value_name = "JAR")]
    pub meteor_jar: Option<PathBuf>,

    /// Print the corpus scores as JSON, under coco-caption's names.
    #[arg(long)]
    pub json: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CaptionMetricArg {
    /// BLEU-1..4 (`Bleu_1` .. `Bleu_4`).
    Bleu,
    /// METEOR (`METEOR`), through METEOR 1.5's jar: needs Java and --meteor-jar.
    Meteor,
    /// ROUGE-L (`ROUGE_L`).
    Rouge,
    /// CIDEr-D (`CIDEr`).
    Cider,
    /// SPICE: not run by cocoprep (it needs Java 8 and Stanford CoreNLP models); says so.
    Spice,
}
