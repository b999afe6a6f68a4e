//! `cocoprep split ANN.json -o DIR --ratios train=0.8,val=0.2 [--seed S] [--stratify]`.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_coco::{ReadOptions, read_dataset};
use cocoprep_convert::edit::split::{Part, parse_parts, split};

use super::Outcome;
use crate::cli::SplitArgs;
use crate::input_kind::{self, expected};
use crate::output;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct SplitSettings {
    pub input: PathBuf,
    pub output: PathBuf,
    pub parts: Vec<Part>,
    pub seed: u64,
    pub stratify: bool,
}

impl SplitSettings {
    pub fn resolve(args: SplitArgs) -> anyhow::Result<Self> {
        let SplitArgs {
            input,
            output,
            ratios,
            seed,
            stratify,
        } = args;
        Ok(Self {
            input,
            output,
            parts: parse_parts(&ratios)?,
            seed,
            stratify,
        })
    }
}

pub fn run(settings: &SplitSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let SplitSettings {
        input,
        output,
        parts,
        seed,
        stratify,
    } = settings;
    input_kind::check(input, &expected::SPLIT)?;
    let progress = Progress::new(global);
    let dataset = read_dataset(input, &ReadOptions { jobs: global.jobs }, &progress)
        .with_context(|| format!("cannot read `{}`", input.display()))?;
    for (name, part) in split(&dataset, parts, *seed, *stratify) {
        let path = output.join(format!("{name}.json"));
        part.write(&path)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        output::note(
            global,
            format!(
                "{}: {} images, {} annotations",
                path.display(),
                part.images.len(),
                part.annotations.len()
            ),
        );
    }
    super::release_at_exit(dataset);
    Ok(Outcome::Success)
}
