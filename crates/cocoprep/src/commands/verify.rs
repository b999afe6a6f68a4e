//! `cocoprep verify DIR`: re-check a downloaded tree.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_fetch::verify::{VerifyOptions, verify_tree};

use super::Outcome;
use crate::cli::VerifyArgs;
use crate::input_kind::{self, expected};
use crate::output;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct VerifySettings {
    pub dir: PathBuf,
    pub decode: bool,
    pub json: bool,
}

impl VerifySettings {
    pub fn resolve(args: VerifyArgs) -> Self {
        let VerifyArgs {
            dir,
            no_decode,
            json,
        } = args;
        Self {
            dir,
            decode: !no_decode,
            json,
        }
    }
}

pub fn run(settings: &VerifySettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let VerifySettings { dir, decode, json } = settings;
    input_kind::check(dir, &expected::VERIFY)?;
    anyhow::ensure!(dir.is_dir(), "`{}` is not a folder", dir.display());
    let progress = Progress::new(global);
    let options = VerifyOptions {
        jobs: global.jobs,
        skip_decode: !decode,
    };
    let report = verify_tree(dir, &options, &progress)
        .with_context(|| format!("cannot verify `{}`", dir.display()))?;
    if *json {
        output::stdout(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
    } else {
        let mut text = String::new();
        for problem in &report.problems {
            text.push_str(&format!(
                "{}: {}\n",
                problem.path.display(),
                problem.message
            ));
        }
        output::stdout(&text)?;
        let source = if report.manifests == 0 {
            "no cocoprep manifest: images decoded only".to_owned()
        } else {
            format!(
                "{} manifests, {} files checked against their sizes and CRC-32s, {} archives hashed",
                report.manifests, report.files_checked, report.archives_checked
            )
        };
        let verdict = if report.problems.is_empty() {
            "OK".to_owned()
        } else {
            format!("{} PROBLEMS", report.problems.len())
        };
        output::note(
            global,
            format!(
                "{}: {verdict} ({source}, {} images decoded)",
                dir.display(),
                report.images_decoded
            ),
        );
    }
    Ok(if report.problems.is_empty() {
        Outcome::Success
    } else {
        Outcome::ProblemsFound
    })
}
