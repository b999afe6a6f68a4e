//! `cocoprep validate FILE [--images DIR]`: every problem, located, then a summary.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_coco::validate::{Dialect, Severity, ValidateOptions, validate_file};

use super::Outcome;
use crate::cli::{DialectArg, ValidateArgs};
use crate::input_kind::{self, expected};
use crate::output;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct ValidateSettings {
    pub file: PathBuf,
    pub images: Option<PathBuf>,
    pub decode: bool,
    /// Findings to print; `None` = all.
    pub max_issues: Option<usize>,
    /// `None`: recognise the dialect.
    pub dialect: Option<Dialect>,
    pub json: bool,
}

impl ValidateSettings {
    pub fn resolve(args: ValidateArgs) -> Self {
        let ValidateArgs {
            file,
            images,
            no_decode,
            max_issues,
            dialect,
            json,
        } = args;
        let dialect = match dialect {
            DialectArg::Auto => None,
            DialectArg::Coco => Some(Dialect::Coco),
            DialectArg::Lvis => Some(Dialect::Lvis),
            DialectArg::Crowdpose => Some(Dialect::CrowdPose),
            DialectArg::Objects365 => Some(Dialect::Objects365),
            DialectArg::Results => Some(Dialect::Results),
        };
        Self {
            file,
            images,
            decode: !no_decode,
            max_issues: (max_issues > 0).then_some(max_issues),
            dialect,
            json,
        }
    }
}

pub fn run(settings: &ValidateSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let ValidateSettings {
        file,
        images,
        decode,
        max_issues,
        dialect,
        json,
    } = settings;
    input_kind::check(file, &expected::VALIDATE)?;
    let progress = Progress::new(global);
    let options = ValidateOptions {
        images_dir: images.clone(),
        skip_decode: !decode,
        jobs: global.jobs,
        dialect: *dialect,
    };
    let report = validate_file(file, &options, &progress)
        .with_context(|| format!("cannot validate `{}`", file.display()))?;
    let (errors, warnings) = (report.error_count(), report.warning_count());
    if *json {
        output::stdout(&format!(
            "{}\n",
            serde_json::to_string_pretty(&serde_json::json!({
                "file": report.file,
                "dialect": report.dialect.dialect,
                "valid": report.is_valid(),
                "errors": errors,
                "warnings": warnings,
                "counts": report.counts,
                "issues": report.issues,
            }))?
        ))?;
    } else {
        let shown = max_issues.unwrap_or(usize::MAX);
        // Errors first: with a limit, they are what matters.
        let mut issues: Vec<_> = report.issues.iter().collect();
        issues.sort_by_key(|issue| std::cmp::Reverse(issue.severity == Severity::Error));
        let mut text = String::new();
        for issue in issues.iter().take(shown) {
            text.push_str(&format!("{issue}\n"));
        }
        if issues.len() > shown {
            text.push_str(&format!(
                "... and {} more (use --max-issues 0 to see all)\n",
                issues.len() - shown
            ));
        }
        output::stdout(&text)?;
        let choice = &report.dialect;
        output::note(
            global,
            format!(
                "{}: dialect {} ({})",
                file.display(),
                choice.dialect,
                choice.evidence
            ),
        );
        let counts = report.counts;
        let mut checked = format!(
            "{} images, {} annotations, {} categories",
            counts.images, counts.annotations, counts.categories
        );
        if images.is_some() {
            checked.push_str(&format!(", {} image files", counts.image_files));
        }
        let verdict = if errors == 0 { "valid" } else { "INVALID" };
        output::note(
            global,
            format!(
                "{}: {verdict}: {errors} errors, {warnings} warnings ({checked})",
                file.display()
            ),
        );
    }
    Ok(if errors == 0 {
        Outcome::Success
    } else {
        Outcome::ProblemsFound
    })
}
