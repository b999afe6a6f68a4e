//! `cocoprep merge A.json B.json... -o OUT.json [--renumber]`.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_convert::edit::merge::merge;

use super::Outcome;
use super::convert::read_inputs;
use crate::cli::MergeArgs;
use crate::input_kind::{self, expected};
use crate::output;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct MergeSettings {
    pub inputs: Vec<PathBuf>,
    pub output: PathBuf,
    pub renumber: bool,
}

impl MergeSettings {
    pub fn resolve(args: MergeArgs) -> Self {
        let MergeArgs {
            inputs,
            output,
            renumber,
        } = args;
        Self {
            inputs,
            output,
            renumber,
        }
    }
}

pub fn run(settings: &MergeSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let MergeSettings {
        inputs,
        output,
        renumber,
    } = settings;
    input_kind::check_all(inputs, &expected::MERGE)?;
    let progress = Progress::new(global);
    let datasets = read_inputs(inputs, global, &progress)?;
    let (merged, report) = merge(datasets, *renumber)?;
    merged
        .write(output)
        .with_context(|| format!("cannot write `{}`", output.display()))?;
    output::note(
        global,
        format!(
            "{}: {} images ({} shared between inputs, {} renumbered), {} annotations ({} renumbered), {} categories",
            output.display(),
            report.images,
            report.shared_images,
            report.renumbered_images,
            report.annotations,
            report.renumbered_annotations,
            report.categories
        ),
    );
    super::release_at_exit(merged);
    Ok(Outcome::Success)
}
