//! `cocoprep features butd TSV|DIR|ZIP... --output-dir PREFIX [--store files|lmdb]`.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_base::cluster::Shard;
use cocoprep_features::butd::{self, ButdOptions, StoreKind};

use crate::cli::ButdArgs;
use crate::commands::Outcome;
use crate::commands::cluster::{
    self, ClusterSettings, DEFAULT_CPUS_PER_TASK, JobSpec, absolute_word,
};
use crate::input_kind::{self, expected};
use crate::output;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct ButdSettings {
    pub inputs: Vec<PathBuf>,
    pub output_prefix: PathBuf,
    pub store: StoreKind,
    pub compression_level: u8,
    pub overwrite: bool,
    /// The report's path (PREFIX_report.json unless given; sharded runs add
    /// `.shard-I-of-N` before `.json`).
    pub report: PathBuf,
    /// Whether `--report` was given (job scripts repeat it only then).
    pub report_given: bool,
    pub json: bool,
    pub cluster: ClusterSettings,
}

impl ButdSettings {
    pub fn resolve(args: ButdArgs) -> anyhow::Result<Self> {
        let ButdArgs {
            mut inputs,
            downloaded_feats,
            output_dir,
            store,
            compression_level,
            overwrite,
            report,
            json,
            cluster,
        } = args;
        if let Some(folder) = downloaded_feats {
            // make_bu_data.py reads `<downloaded_feats>/trainval/*.tsv*`.
            let trainval = folder.join("trainval");
            inputs.push(if trainval.is_dir() { trainval } else { folder });
        }
        let store = super::store_kind(store);
        let report_given = report.is_some();
        let report = report.unwrap_or_else(|| butd::report_path(&output_dir));
        let cluster = ClusterSettings::resolve(cluster)?;
        super::ensure_store_can_shard(store, &cluster)?;
        Ok(Self {
            inputs,
            output_prefix: output_dir,
            store,
            compression_level,
            overwrite,
            report,
            report_given,
            json,
            cluster,
        })
    }

    /// The job as the cluster layer sees it: root = the folder of PREFIX.
    fn job_spec(&self) -> anyhow::Result<JobSpec> {
        let mut arguments = Vec::new();
        for input in &self.inputs {
            arguments.push(absolute_word(input)?);
        }
        arguments.extend([
            "--output-dir".to_owned(),
            absolute_word(&self.output_prefix)?,
            "--store".to_owned(),
            self.store.name().to_owned(),
            "--compression-level".to_owned(),
            self.compression_level.to_string(),
        ]);
        if self.overwrite {
            arguments.push("--overwrite".to_owned());
        }
        if self.report_given {
            arguments.extend(["--report".to_owned(), absolute_word(&self.report)?]);
        }
        let prefix = std::path::absolute(&self.output_prefix)?;
        let root = prefix
            .parent()
            .map_or_else(|| PathBuf::from("/"), std::path::Path::to_path_buf);
        Ok(JobSpec {
            command: "features butd",
            arguments,
            root,
            cpus_per_task: DEFAULT_CPUS_PER_TASK,
        })
    }
}

/// `PATH` for one shard: `PREFIX_report.json` → `PREFIX_report.shard-3-of-4.json`.
pub fn shard_report_path(path: &std::path::Path, shard: Shard) -> PathBuf {
    let label = shard.file_label();
    match path.extension() {
        Some(extension) => path.with_extension(format!("{label}.{}", extension.to_string_lossy())),
        None => path.with_extension(label),
    }
}

pub fn run(settings: &ButdSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let spec = settings.job_spec()?;
    cluster::run_job(&settings.cluster, &spec, global, |shard| {
        run_shard(settings, shard, global)
    })
}

/// Converts (this shard's share of) the rows; returns the outcome and the images done.
fn run_shard(
    settings: &ButdSettings,
    shard: Option<Shard>,
    global: &GlobalSettings,
) -> anyhow::Result<(Outcome, u64)> {
    let ButdSettings {
        inputs,
        output_prefix,
        store,
        compression_level,
        overwrite,
        report: report_path,
        report_given: _,
        json,
        cluster: _,
    } = settings;
    input_kind::check_all(inputs, &expected::FEATURES_BUTD)?;
    let report_path = &match shard {
        Some(shard) => shard_report_path(report_path, shard),
        None => report_path.clone(),
    };
    let progress = Progress::new(global).with_report_file(report_path.clone());
    let options = ButdOptions {
        output_prefix: output_prefix.clone(),
        store: *store,
        jobs: global.jobs,
        compression_level: *compression_level,
        overwrite: *overwrite,
        shard,
    };
    let report = butd::convert(inputs, &options, &progress)
        .context("cannot convert the bottom-up features")?;
    let report_json = serde_json::to_string_pretty(&report)?;
    cocoprep_base::output::write_atomic(report_path, format!("{report_json}\n").as_bytes())
        .with_context(|| format!("cannot write `{}`", report_path.display()))?;
    progress.finish_warnings();
    if *json {
        output::stdout(&format!("{report_json}\n"))?;
    }
    let outputs: Vec<String> = report
        .outputs
        .iter()
        .map(|path| path.display().to_string())
        .collect();
    output::note(
        global,
        format!(
            "{} rows from {} sources: {} images written, {} already done, {} rows skipped as undecodable{} -> {}",
            report.rows,
            report.sources.len(),
            report.written,
            report.already_done,
            report.failures.len(),
            if report.duplicate_ids.is_empty() {
                String::new()
            } else {
                format!(
                    ", {} duplicate ids (last row kept)",
                    report.duplicate_ids.len()
                )
            },
            outputs.join(", ")
        ),
    );
    if !report.failures.is_empty() {
        output::note(
            global,
            format!("skipped rows are listed in {}", report_path.display()),
        );
    }
    let outcome = if report.failures.is_empty() {
        Outcome::Success
    } else {
        Outcome::ProblemsFound
    };
    Ok((outcome, report.written + report.already_done))
}
