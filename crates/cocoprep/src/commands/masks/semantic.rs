//! `cocoprep masks semantic ANN.json -o DIR`: one PNG label map per image.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_coco::mask::{OverlapPolicy, SemanticOptions, ThingsPolicy, write_semantic_pngs};
use cocoprep_coco::{ReadOptions, read_dataset};

use super::{Outcome, report_failures};
use crate::cli::SemanticArgs;
use crate::input_kind::{self, expected};
use crate::output;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct SemanticSettings {
    pub input: PathBuf,
    pub output: PathBuf,
    pub overlap: OverlapPolicy,
    pub include_crowd: bool,
    pub things: ThingsPolicy,
}

impl SemanticSettings {
    pub fn resolve(args: SemanticArgs) -> Self {
        let SemanticArgs {
            input,
            output,
            overlap,
            include_crowd,
            things,
        } = args;
        Self {
            input,
            output,
            overlap: overlap.into(),
            include_crowd,
            things: things.into(),
        }
    }
}

pub fn run(settings: &SemanticSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let SemanticSettings {
        input,
        output,
        overlap,
        include_crowd,
        things,
    } = settings;
    input_kind::check(input, &expected::MASKS_SEMANTIC)?;
    let progress = Progress::new(global);
    let dataset = read_dataset(input, &ReadOptions { jobs: global.jobs }, &progress)
        .with_context(|| format!("cannot read `{}`", input.display()))?;
    fs_err::create_dir_all(output)?;
    let options = SemanticOptions {
        overlap: *overlap,
        include_crowd: *include_crowd,
        things: *things,
        jobs: global.jobs,
    };
    let summary = write_semantic_pngs(&dataset, output, &options, &progress);
    report_failures(&summary.failures);
    let mut message = format!(
        "{}: {} label maps written ({} annotations painted), {} failed",
        output.display(),
        summary.written,
        summary.painted,
        summary.failures.len()
    );
    if summary.skipped_crowd > 0 {
        message.push_str(&format!(
            "; {} crowd regions left out (--include-crowd paints them)",
            summary.skipped_crowd
        ));
    }
    if summary.orphan_annotations > 0 {
        message.push_str(&format!(
            "; {} annotations refer to images not in the file",
            summary.orphan_annotations
        ));
    }
    output::note(global, message);
    Ok(if summary.failures.is_empty() {
        Outcome::Success
    } else {
        Outcome::ProblemsFound
    })
}
