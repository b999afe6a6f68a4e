//! `cocoprep tree ROOT [--init] [--clean-caches] [--dataset NAME]... [--json]`.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context;
use cocoprep_datasets::tree::report::{Report, Status};
use cocoprep_datasets::tree::{self, CheckOptions};

use super::super::Outcome;
use crate::cli::TreeArgs;
use crate::output;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct TreeSettings {
    pub root: PathBuf,
    pub init: bool,
    pub clean_caches: bool,
    pub datasets: Vec<String>,
    pub json: bool,
    /// `$DATA_PATH`, checked for the one-level-too-deep mistake.
    pub data_path_env: Option<PathBuf>,
}

impl TreeSettings {
    pub fn resolve(args: TreeArgs) -> Self {
        let TreeArgs {
            root,
            init,
            clean_caches,
            datasets,
            json,
        } = args;
        Self {
            root,
            init,
            clean_caches,
            datasets,
            json,
            data_path_env: std::env::var_os("DATA_PATH")
                .filter(|value| !value.is_empty())
                .map(PathBuf::from),
        }
    }
}

pub fn run(settings: &TreeSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let root = cocoprep_datasets::DataRoot::resolve(&settings.root);
    // Unknown names fail before anything is created or deleted.
    tree::select(&settings.datasets)?;
    if settings.init {
        let created = tree::init(&root, &settings.datasets).context("cannot create the tree")?;
        output::note(
            global,
            format_args!(
                "created {} folders and links under {}",
                created.len(),
                root.dataset_folder().display()
            ),
        );
    }
    if settings.clean_caches {
        let deleted =
            tree::clean_caches(&root, &settings.datasets).context("cannot delete the caches")?;
        for path in &deleted {
            output::note(global, format_args!("deleted {}", path.display()));
        }
        output::note(
            global,
            format_args!("deleted {} loader cache pickles", deleted.len()),
        );
    }
    let report = tree::check(
        &root,
        &CheckOptions {
            datasets: settings.datasets.clone(),
            data_path_env: settings.data_path_env.clone(),
        },
    )?;
    if settings.json {
        let mut text = serde_json::to_string_pretty(&report)?;
        text.push('\n');
        output::stdout(&text)?;
    } else {
        output::stdout(&human(&report))?;
    }
    Ok(if report.problem_count() == 0 {
        Outcome::Success
    } else {
        Outcome::ProblemsFound
    })
}

/// The report for people, grouped by dataset.
pub fn human(report: &Report) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "DATA_PATH={}   (the configs read $DATA_PATH/open_source_dataset/...)",
        report.data_path.display()
    );
    for note in &report.notes {
        let _ = writeln!(text, "note: {note}");
    }
    for problem in &report.problems {
        let _ = writeln!(text, "{}: {}", problem.kind.label(), problem.detail);
        let _ = writeln!(text, "    fix: {}", problem.fix);
    }
    let width = report
        .datasets
        .iter()
        .map(|dataset| dataset.name.len())
        .max()
        .unwrap_or(0);
    let (mut ok, mut with_problems, mut absent) = (0, 0, 0);
    for dataset in &report.datasets {
        let state = match dataset.status {
            Status::Ok => {
                ok += 1;
                format!("ok ({} present)", dataset.present.len())
            }
            Status::Absent => {
                absent += 1;
                "not prepared".to_owned()
            }
            Status::Problems => {
                with_problems += 1;
                let count = dataset.problems.len();
                format!(
                    "{count} problem{} ({} present)",
                    if count == 1 { "" } else { "s" },
                    dataset.present.len()
                )
            }
        };
        let _ = writeln!(
            text,
            "{:width$}  {:34}  {state}",
            dataset.name, dataset.title
        );
        for problem in &dataset.problems {
            if dataset.status != Status::Absent {
                let _ = writeln!(text, "    {:12}  {}", problem.kind.label(), problem.path);
                let _ = writeln!(text, "    {:12}  {}", "", problem.detail);
            }
            for (index, line) in problem.fix.lines().enumerate() {
                let label = if index == 0 { "fix:" } else { "" };
                let _ = writeln!(text, "    {label:12}  {line}");
            }
        }
    }
    let _ = writeln!(
        text,
        "{} datasets: {ok} ok, {with_problems} with problems, {absent} not prepared; {} problems",
        report.datasets.len(),
        report.problem_count()
    );
    text
}
