//! `cocoprep webdata URL_LIST -o OUT`: one run (or one array task's share of the shards).

use anyhow::Context;
use cocoprep_webdata::run::JobSummary;

use super::WebdataSettings;
use crate::commands::Outcome;
use crate::commands::cluster::{self, DEFAULT_CPUS_PER_TASK, JobSpec};
use crate::output;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

pub fn run(settings: &WebdataSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let WebdataSettings {
        job,
        json,
        cluster: cluster_settings,
        canonical_arguments,
    } = settings;
    let spec = JobSpec {
        command: "webdata",
        arguments: canonical_arguments.clone(),
        root: job.output.folder.clone(),
        cpus_per_task: DEFAULT_CPUS_PER_TASK,
    };
    cluster::run_job(cluster_settings, &spec, global, |shard| {
        let mut job = job.clone();
        job.shard_filter = shard.map(|shard| (shard.index, shard.count));
        let progress = Progress::new(global);
        let summary = cocoprep_webdata::run::run(&job, &progress).with_context(|| {
            format!(
                "failed to download `{}` into `{}`",
                job.input.path.display(),
                job.output.folder.display()
            )
        })?;
        drop(progress);
        report(&summary, &job.output.folder, *json, global)?;
        Ok((Outcome::Success, summary.rows))
    })
}

fn report(
    summary: &JobSummary,
    folder: &std::path::Path,
    json: bool,
    global: &GlobalSettings,
) -> anyhow::Result<()> {
    let stats = &summary.stats;
    if json {
        let value = serde_json::json!({
            "output": folder,
            "rows": summary.rows,
            "shards_written": summary.shards_written,
            "shards_skipped": summary.shards_skipped,
            "shards_retried": summary.shards_retried,
            "rows_retried": summary.rows_retried,
            "count": stats.count,
            "successes": stats.successes,
            "failed_to_download": stats.failed_to_download,
            "failed_to_resize": stats.failed_to_resize,
            "status_dict": stats.status_dict,
        });
        output::stdout(&format!("{}\n", serde_json::to_string_pretty(&value)?))?;
        return Ok(());
    }
    let mut message = format!(
        "webdata: {} rows read; {} shards written, {} already complete",
        summary.rows, summary.shards_written, summary.shards_skipped
    );
    if summary.shards_retried > 0 {
        message.push_str(&format!(
            ", {} rewritten after re-fetching {} failed rows",
            summary.shards_retried, summary.rows_retried
        ));
    }
    message.push_str(&format!(
        "\n  this run: {} rows, {} success, {} failed_to_download, {} failed_to_resize",
        stats.count, stats.successes, stats.failed_to_download, stats.failed_to_resize
    ));
    let mut errors: Vec<(&String, &u64)> = stats
        .status_dict
        .iter()
        .filter(|(reason, _)| *reason != "success")
        .collect();
    errors.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (reason, count) in errors.iter().take(8) {
        message.push_str(&format!("\n  {count:>8}  {reason}"));
    }
    message.push_str(&format!(
        "\n  output: {} (`cocoprep webdata status {}` for the whole folder)",
        folder.display(),
        folder.display()
    ));
    output::note(global, message);
    Ok(())
}
