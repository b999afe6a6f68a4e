//! `cocoprep captions ngrams`: prepro_ngrams.py.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_captions::ngrams::{SplitSelection, prepare_ngrams};

use crate::cli::NgramsArgs;
use crate::commands::Outcome;
use crate::input_kind::{self, expected};
use crate::output;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct NgramsSettings {
    pub input: PathBuf,
    pub dict_json: PathBuf,
    /// `<prefix>-words.p` and `<prefix>-idxs.p` are written.
    pub output_prefix: PathBuf,
    pub split: SplitSelection,
}

impl NgramsSettings {
    pub fn resolve(args: NgramsArgs) -> Self {
        let NgramsArgs {
            input,
            dict_json,
            output_pkl,
            split,
        } = args;
        Self {
            input: input.into_path(),
            dict_json,
            output_prefix: output_pkl,
            split: SplitSelection::from_name(&split),
        }
    }
}

pub fn run(settings: &NgramsSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    input_kind::check(&settings.input, &expected::CAPTIONS_NGRAMS)?;
    input_kind::check(&settings.dict_json, &expected::CAPTIONS_NGRAMS_VOCABULARY)?;
    let progress = Progress::new(global);
    let summary = prepare_ngrams(
        &settings.input,
        &settings.dict_json,
        &settings.output_prefix,
        &settings.split,
        global.jobs,
        &progress,
    )
    .with_context(|| format!("cannot count n-grams of `{}`", settings.input.display()))?;
    output::note(
        global,
        format!(
            "{} images (ref_len), {} captions; {} word n-grams, {} index n-grams\nwrote {} and {}",
            summary.images,
            summary.captions,
            summary.word_ngrams,
            summary.index_ngrams,
            summary.words_path.display(),
            summary.idxs_path.display()
        ),
    );
    Ok(Outcome::Success)
}
