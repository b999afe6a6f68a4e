//! `cocoprep features butd TSV|DIR|ZIP... --output-dir PREFIX [--store files|lmdb]`.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_features::butd::{self, ButdOptions, StoreKind};

use crate::cli::{ButdArgs, StoreArg};
use crate::commands::Outcome;
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
    pub report: PathBuf,
    pub json: bool,
}

impl ButdSettings {
    pub fn resolve(args: ButdArgs) -> Self {
        let ButdArgs {
            mut inputs,
            downloaded_feats,
            output_dir,
            store,
            compression_level,
            overwrite,
            report,
            json,
        } = args;
        if let Some(folder) = downloaded_feats {
            // make_bu_data.py reads `<downloaded_feats>/trainval/*.tsv*`.
            let trainval = folder.join("trainval");
            inputs.push(if trainval.is_dir() { trainval } else { folder });
        }
        let store = match store {
            StoreArg::Files => StoreKind::Files,
            StoreArg::Lmdb => StoreKind::Lmdb,
            StoreArg::Hdf5 => StoreKind::Hdf5,
        };
        let report = report.unwrap_or_else(|| butd::report_path(&output_dir));
        Self {
            inputs,
            output_prefix: output_dir,
            store,
            compression_level,
            overwrite,
            report,
            json,
        }
    }
}

pub fn run(settings: &ButdSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let ButdSettings {
        inputs,
        output_prefix,
        store,
        compression_level,
        overwrite,
        report: report_path,
        json,
    } = settings;
    let progress = Progress::new(global);
    let options = ButdOptions {
        output_prefix: output_prefix.clone(),
        store: *store,
        jobs: global.jobs,
        compression_level: *compression_level,
        overwrite: *overwrite,
    };
    let report = butd::convert(inputs, &options, &progress)
        .context("cannot convert the bottom-up features")?;
    let report_json = serde_json::to_string_pretty(&report)?;
    cocoprep_base::output::write_atomic(report_path, format!("{report_json}\n").as_bytes())
        .with_context(|| format!("cannot write `{}`", report_path.display()))?;
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
    Ok(if report.failures.is_empty() {
        Outcome::Success
    } else {
        Outcome::ProblemsFound
    })
}
