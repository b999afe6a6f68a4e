//! `cocoprep captions reference`: prepro_reference_json.py.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_captions::reference::prepare_reference;

use crate::cli::ReferenceArgs;
use crate::commands::Outcome;
use crate::input_kind::{self, expected};
use crate::output;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct ReferenceSettings {
    pub input: PathBuf,
    pub output: PathBuf,
}

impl ReferenceSettings {
    pub fn resolve(args: ReferenceArgs) -> Self {
        let ReferenceArgs { input, output } = args;
        Self {
            input: input.into_path(),
            output,
        }
    }
}

pub fn run(settings: &ReferenceSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    input_kind::check(&settings.input, &expected::CAPTIONS_REFERENCE)?;
    let progress = Progress::new(global);
    let summary = prepare_reference(&settings.input, &settings.output, global.jobs, &progress)
        .with_context(|| {
            format!(
                "cannot write the reference of `{}`",
                settings.input.display()
            )
        })?;
    output::note(
        global,
        format!(
            "{} images and {} captions (all but train) in {}",
            summary.images,
            summary.captions,
            settings.output.display()
        ),
    );
    Ok(Outcome::Success)
}
