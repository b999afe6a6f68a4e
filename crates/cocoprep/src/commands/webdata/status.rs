//! `cocoprep webdata status OUT`: rows by status and error, shards missing, and what to
//! re-submit.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_base::cluster::array;

use crate::cli::WebdataStatusArgs;
use crate::commands::Outcome;
use crate::output;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct StatusSettings {
    pub folder: PathBuf,
    pub json: bool,
}

impl StatusSettings {
    pub fn resolve(args: WebdataStatusArgs) -> Self {
        let WebdataStatusArgs { folder, json } = args;
        Self { folder, json }
    }
}

pub fn run(settings: &StatusSettings, _global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let StatusSettings { folder, json } = settings;
    anyhow::ensure!(folder.is_dir(), "`{}` is not a folder", folder.display());
    let status = cocoprep_webdata::status::folder_status(folder)
        .with_context(|| format!("cannot read the shards in `{}`", folder.display()))?;
    let tasks: Vec<usize> = status
        .tasks_to_resubmit
        .iter()
        .map(|&task| task as usize)
        .collect();
    let array_expression = array::format_indices(&tasks);
    if *json {
        let mut value = serde_json::to_value(&status)?;
        value["array"] = serde_json::Value::String(array_expression);
        value["complete"] = serde_json::Value::Bool(status.is_complete());
        output::stdout(&format!("{}\n", serde_json::to_string_pretty(&value)?))?;
    } else {
        let totals = &status.totals;
        let mut text = String::new();
        let shards = status
            .shards
            .map_or_else(|| "?".to_owned(), |shards| shards.to_string());
        let rows = status
            .rows
            .map_or_else(|| "?".to_owned(), |rows| rows.to_string());
        text.push_str(&format!(
            "{}: {} of {shards} shards complete ({rows} input rows)\n",
            folder.display(),
            status.complete_shards.len()
        ));
        text.push_str(&format!(
            "rows in complete shards: {}\n  success             {}\n  failed_to_download  {}\n  failed_to_resize    {}\n",
            totals.count, totals.successes, totals.failed_to_download, totals.failed_to_resize
        ));
        if !status.errors.is_empty() {
            text.push_str("failures by reason:\n");
            let mut errors: Vec<(&String, &u64)> = status.errors.iter().collect();
            errors.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            for (reason, count) in errors {
                text.push_str(&format!("  {count:>8}  {reason}\n"));
            }
        }
        if status.shards.is_none() {
            text.push_str("no run has read the whole input yet: the number of shards is unknown\n");
        } else if !status.missing_shards.is_empty() {
            let missing: Vec<usize> = status
                .missing_shards
                .iter()
                .map(|&shard| shard as usize)
                .collect();
            text.push_str(&format!(
                "missing shards: {}\n",
                array::format_indices(&missing)
            ));
            match status.array_tasks {
                Some(count) => text.push_str(&format!(
                    "re-submit array tasks: --array={array_expression} (of --shards {count}); or re-run the command: finished shards are skipped\n"
                )),
                None => text.push_str(
                    "re-run the same command: finished shards are skipped\n",
                ),
            }
        }
        output::stdout(&text)?;
    }
    Ok(if status.is_complete() {
        Outcome::Success
    } else {
        Outcome::ProblemsFound
    })
}
