//! `cocoprep masks semantic ANN.json -o DIR`: one PNG label map per image.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_coco::mask::{OverlapPolicy, SemanticOptions, ThingsPolicy, write_semantic_pngs};
use cocoprep_coco::{ReadOptions, read_dataset};

use cocoprep_base::cluster::Shard;

use super::{Outcome, report_failures};
use crate::cli::SemanticArgs;
use crate::commands::cluster::{
    self, ClusterSettings, DEFAULT_CPUS_PER_TASK, JobSpec, absolute_word,
};
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
    pub cluster: ClusterSettings,
}

impl SemanticSettings {
    pub fn resolve(args: SemanticArgs) -> anyhow::Result<Self> {
        let SemanticArgs {
            input,
            output,
            overlap,
            include_crowd,
            things,
            cluster,
        } = args;
        Ok(Self {
            input,
            output,
            overlap: overlap.into(),
            include_crowd,
            things: things.into(),
            cluster: ClusterSettings::resolve(cluster)?,
        })
    }

    /// The job as the cluster layer sees it: root = `-o`.
    fn job_spec(&self) -> anyhow::Result<JobSpec> {
        let overlap = match self.overlap {
            OverlapPolicy::Last => "last",
            OverlapPolicy::First => "first",
            OverlapPolicy::Error => "error",
        };
        let things = match self.things {
            ThingsPolicy::Keep => "keep",
            ThingsPolicy::Other => "other",
        };
        let mut arguments = vec![
            absolute_word(&self.input)?,
            "-o".to_owned(),
            absolute_word(&self.output)?,
            "--overlap".to_owned(),
            overlap.to_owned(),
            "--things".to_owned(),
            things.to_owned(),
        ];
        if self.include_crowd {
            arguments.push("--include-crowd".to_owned());
        }
        Ok(JobSpec {
            command: "masks semantic",
            arguments,
            root: std::path::absolute(&self.output)?,
            cpus_per_task: DEFAULT_CPUS_PER_TASK,
        })
    }
}

pub fn run(settings: &SemanticSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let spec = settings.job_spec()?;
    cluster::run_job(&settings.cluster, &spec, global, |shard| {
        run_shard(settings, shard, global)
    })
}

/// Renders (this shard's share of) the label maps; returns the outcome and the PNGs written.
fn run_shard(
    settings: &SemanticSettings,
    shard: Option<Shard>,
    global: &GlobalSettings,
) -> anyhow::Result<(Outcome, u64)> {
    let SemanticSettings {
        input,
        output,
        overlap,
        include_crowd,
        things,
        cluster: _,
    } = settings;
    let progress = Progress::new(global);
    let dataset = read_dataset(input, &ReadOptions { jobs: global.jobs }, &progress)
        .with_context(|| format!("cannot read `{}`", input.display()))?;
    fs_err::create_dir_all(output)?;
    let options = SemanticOptions {
        overlap: *overlap,
        include_crowd: *include_crowd,
        things: *things,
        jobs: global.jobs,
        shard,
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
    let outcome = if summary.failures.is_empty() {
        Outcome::Success
    } else {
        Outcome::ProblemsFound
    };
    Ok((outcome, summary.written as u64))
}
