//! `get --emit slurm|sge`: a job script that runs the same `get` as an array job, one
//! `--shard I/N` per task. Re-submitting it resumes and skips finished files.

use super::GetSettings;
use crate::cli::EmitArg;

/// Quotes a word for a POSIX shell.
fn shell_quote(word: &str) -> String {
    if !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,@%+".contains(&b))
    {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The `cocoprep get ...` line, without the shard.
fn command_line(settings: &GetSettings) -> anyhow::Result<String> {
    let options = &settings.options;
    let mut words = vec!["cocoprep".to_owned(), "get".to_owned()];
    words.extend(settings.names.iter().cloned());
    let dir = std::path::absolute(&options.dataset_dir)?;
    words.extend(["--dir".to_owned(), dir.to_string_lossy().into_owned()]);
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
        words.extend([
            "--catalog".to_owned(),
            std::path::absolute(catalog)?.to_string_lossy().into_owned(),
        ]);
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
    Ok(words
        .iter()
        .map(|w| shell_quote(w))
        .collect::<Vec<_>>()
        .join(" "))
}

pub fn job_script(system: EmitArg, count: usize, settings: &GetSettings) -> anyhow::Result<String> {
    let command = command_line(settings)?;
    let cpus = settings.options.download.connections.max(2);
    let header = match system {
        EmitArg::Slurm => format!(
            "#!/bin/bash\n\
             #SBATCH --job-name=cocoprep-get\n\
             #SBATCH --array=0-{last}\n\
             #SBATCH --cpus-per-task={cpus}\n\
             #SBATCH --mem=4G\n\
             #SBATCH --time=24:00:00\n\
             #SBATCH --output=cocoprep-get-%A_%a.log\n\
             # Written by `cocoprep get --emit slurm`. Submit with `sbatch FILE`.\n\
             # Each task does a deterministic share (--shard I/{count}); submitting again resumes\n\
             # interrupted files and skips finished ones.\n\
             set -euo pipefail\n\
             SHARD=\"${{SLURM_ARRAY_TASK_ID}}\"\n",
            last = count - 1
        ),
        EmitArg::Sge => format!(
            "#!/bin/bash\n\
             #$ -N cocoprep-get\n\
             #$ -t 1-{count}\n\
             #$ -cwd\n\
             #$ -pe smp {cpus}\n\
             #$ -l h_rt=24:00:00\n\
             #$ -j y\n\
             #$ -o cocoprep-get.$TASK_ID.log\n\
             # Written by `cocoprep get --emit sge`. Submit with `qsub FILE`.\n\
             # SGE task ids start at 1; shards start at 0. Submitting again resumes\n\
             # interrupted files and skips finished ones.\n\
             set -euo pipefail\n\
             SHARD=$((SGE_TASK_ID - 1))\n"
        ),
    };
    Ok(format!(
        "{header}{command} --shard \"${{SHARD}}/{count}\"\n"
    ))
}

#[cfg(test)]
mod tests {
    use super::shell_quote;

    #[test]
    fn words_are_quoted_for_the_shell() {
        assert_eq!(shell_quote("coco2017"), "coco2017");
        assert_eq!(shell_quote("/data/my coco"), "'/data/my coco'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
