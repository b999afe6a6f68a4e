//! `cocoprep captions labels`: prepro_labels.py.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_captions::labels::{LabelsOptions, LabelsOutputs, LabelsSummary, prepare_labels};

use crate::cli::LabelsArgs;
use crate::commands::Outcome;
use crate::input_kind::{self, expected};
use crate::output;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct LabelsSettings {
    pub input: PathBuf,
    pub output_json: PathBuf,
    /// `<prefix>_label.h5` is written.
    pub output_h5_prefix: PathBuf,
    pub max_length: usize,
    pub word_count_threshold: u64,
    pub images_root: Option<PathBuf>,
}

impl LabelsSettings {
    pub fn resolve(args: LabelsArgs) -> Self {
        let LabelsArgs {
            input,
            output_json,
            output_h5,
            max_length,
            word_count_threshold,
            images_root,
        } = args;
        Self {
            input: input.into_path(),
            output_json,
            output_h5_prefix: output_h5,
            max_length: max_length as usize,
            word_count_threshold,
            images_root,
        }
    }

    pub fn outputs(&self) -> LabelsOutputs {
        LabelsOutputs::new(&self.output_json, &self.output_h5_prefix)
    }
}

pub fn run(settings: &LabelsSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    input_kind::check(&settings.input, &expected::CAPTIONS_LABELS)?;
    let progress = Progress::new(global);
    let outputs = settings.outputs();
    let summary = prepare_labels(
        &settings.input,
        &outputs,
        &LabelsOptions {
            max_length: settings.max_length,
            word_count_threshold: settings.word_count_threshold,
            images_root: settings.images_root.clone(),
            jobs: global.jobs,
        },
        &progress,
    )
    .with_context(|| format!("cannot prepare labels from `{}`", settings.input.display()))?;
    output::note(global, describe(&summary, &outputs));
    Ok(Outcome::Success)
}

/// One paragraph on what was made.
pub fn describe(summary: &LabelsSummary, outputs: &LabelsOutputs) -> String {
    let LabelsSummary {
        images,
        captions,
        distinct_words,
        vocabulary,
        has_unknown,
        rare_words,
        rare_occurrences,
        clipped_captions,
        image_sizes,
    } = summary;
    let unknown = if *has_unknown {
        format!(
            ", UNK included: {rare_words} of {distinct_words} distinct words left out ({rare_occurrences} occurrences)"
        )
    } else {
        format!(", all {distinct_words} distinct words kept")
    };
    let sizes = if *image_sizes {
        ", with image sizes"
    } else {
        ""
    };
    format!(
        "{images} images, {captions} captions ({clipped_captions} clipped); vocabulary of {vocabulary} words{unknown}\n\
         wrote {}{sizes} and {}",
        outputs.json.display(),
        outputs.hdf5.display()
    )
}
