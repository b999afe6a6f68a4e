//! `cocoprep targets`: Uni-Perceiver's CLIP target sets.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct TargetsArgs {
    #[command(subcommand)]
    pub command: Option<TargetsCommand>,

    /// The target set to write.
    #[arg(value_enum, required = true)]
    pub preset: Option<PresetArg>,

    /// The output folder: Uni-Perceiver's `open_source_dataset/` (set DATA_PATH to its parent).
    #[arg(short, long, value_name = "DIR", required = true)]
    pub output: Option<PathBuf>,

    /// The input of `imagenet22k` (one class per line, synonyms separated by tabs) and of
    /// `vqa` (`trainval_label2ans.pkl`).
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,

    /// Also write the ids as JSON (`[[...], ...]`, Python's `json.dumps` text) next to each
    /// pickle, with `.json` for `.pkl`.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum TargetsCommand {
    /// Encode any list of names (one a line) as `name + " <|endoftext|>"` into one pickle.
    Names(NamesArgs),
}

#[derive(Debug, Args)]
pub struct NamesArgs {
    /// The names, one a line (UTF-8).
    #[arg(value_name = "NAMES.txt")]
    pub names: PathBuf,

    /// The pickle to write (`{'data': [int64 tensors], 'modality': 'text'}`).
    #[arg(short, long, value_name = "OUT.pkl")]
    pub output: PathBuf,

    /// Also write the ids as JSON (`[[...], ...]`, Python's `json.dumps` text).
    #[arg(long, value_name = "OUT.json")]
    pub json: Option<PathBuf>,
}

/// The target sets of `tools/generate_target_sets.ipynb`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PresetArg {
    /// imagenet_class_name_CLIP_with_endoftext.pkl (1000 names, built in).
    Imagenet1k,
    /// k400_class_name_CLIP_with_endoftext.pkl (400 names, built in).
    K400,
    /// k700_class_name_CLIP_with_endoftext.pkl (700 names, built in).
    K700,
    /// MiT_class_name_CLIP_with_endoftext.pkl (339 names, built in).
    Mit,
    /// vocabulary_CLIP_with_endoftext.pkl ([id, 49407] for all 49,411 ids).
    Vocab,
    /// GLUE_classnames/<TASK>_class_name_CLIP_with_endoftext.pkl for the seven tasks.
    Glue,
    /// imagenet_22k_class_name_CLIP_with_endoftext.pkl (needs --input).
    Imagenet22k,
    /// VQA_Answers_CLIP_with_endoftext.pkl (needs --input trainval_label2ans.pkl).
    Vqa,
}
