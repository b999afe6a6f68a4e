//! `cocoprep captions subsample`: coco-scripts' coco_splits.py.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_captions::subsample::subsample;

use crate::cli::SubsampleArgs;
use crate::commands::Outcome;
use crate::input_kind::{self, expected};
use crate::output;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct SubsampleSettings {
    pub input: PathBuf,
    pub fraction: f64,
    pub seed: u64,
    pub output: PathBuf,
}

impl SubsampleSettings {
    pub fn resolve(args: SubsampleArgs) -> Self {
        let SubsampleArgs {
            dataset,
            fraction,
            seed,
            output,
        } = args;
        Self {
            input: dataset,
            fraction,
            seed,
            output,
        }
    }
}

pub fn run(settings: &SubsampleSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    input_kind::check(&settings.input, &expected::CAPTIONS_SUBSAMPLE)?;
    let progress = Progress::new(global);
    let summary = subsample(
        &settings.input,
        &settings.output,
        settings.fraction,
        settings.seed,
        global.jobs,
        &progress,
    )
    .with_context(|| format!("cannot subsample `{}`", settings.input.display()))?;
    output::note(
        global,
        format!(
            "kept {} of {} training images (seed {}), {} val and {} test images, in {}",
            summary.sampled,
            summary.training_images,
            settings.seed,
            summary.val,
            summary.test,
            settings.output.display()
        ),
    );
    Ok(Outcome::Success)
}
