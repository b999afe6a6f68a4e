//! `get` as a cluster job: its canonical command line (for the job id and `--emit`'s
//! scripts) and its output root, `--dir`.

use super::GetSettings;
use crate::commands::cluster::{JobSpec, absolute_word};

/// The job `settings` describe.
pub fn job_spec(settings: &GetSettings) -> anyhow::Result<JobSpec> {
    let options = &settings.options;
    let mut words = settings.names.clone();
    words.extend(["--dir".to_owned(), absolute_word(&options.dataset_dir)?]);
    if settings.layout_given
        && let Some(layout) = &options.layout
    {
        words.extend(["--layout".to_owned(), layout.clone()]);
    }
    words.extend([
        "--connections".to_owned(),
        options.download.connections.to_string(),
    ]);
    if options.keep_archives {
        words.push("--keep-archives".to_owned());
    }
    for pattern in &options.only {
        words.extend(["--only".to_owned(), pattern.clone()]);
    }
    if let Some(catalog) = &settings.catalog {
        words.extend(["--catalog".to_owned(), absolute_word(catalog)?]);
    }
    if let Some(subset) = &settings.subset {
        words.extend(["--split".to_owned(), subset.split.clone()]);
        if !subset.classes.is_empty() {
            words.extend(["--classes".to_owned(), subset.classes.join(",")]);
        }
        if let Some(max) = subset.max_images {
            words.extend(["--max-images".to_owned(), max.to_string()]);
        }
    }
    Ok(JobSpec {
        command: "get",
        arguments: words,
        root: std::path::absolute(&options.dataset_dir)?,
        cpus_per_task: options.download.connections.max(2),
    })
}
