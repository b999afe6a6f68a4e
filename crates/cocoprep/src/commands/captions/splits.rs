//! `cocoprep captions splits`: Uni-Perceiver's coco_preprocess.py.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_captions::splits::prepare_splits;

use crate::cli::SplitsArgs;
use crate::commands::Outcome;
use crate::input_kind::{self, expected};
use crate::output;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct SplitsSettings {
    pub input: PathBuf,
    pub output: PathBuf,
}

impl SplitsSettings {
    pub fn resolve(args: SplitsArgs) -> Self {
        let SplitsArgs { input, output } = args;
        Self {
            input: input.into_path(),
            output,
        }
    }
}

pub fn run(settings: &SplitsSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    input_kind::check(&settings.input, &expected::CAPTIONS_SPLITS)?;
    let progress = Progress::new(global);
    let files = prepare_splits(&settings.input, &settings.output, global.jobs, &progress)
        .with_context(|| format!("cannot split `{}`", settings.input.display()))?;
    for file in files {
        output::note(
            global,
            format!(
                "{}: {} images, {} captions",
                file.path.display(),
                file.images,
                file.captions
            ),
        );
    }
    Ok(Outcome::Success)
}
