//! `--emit slurm|sge|pbs`: job scripts that run a command as an array job, one shard per
//! task, and the lines that re-submit only the unfinished shards.
//!
//! Scripts always pass `--shard-from-env --shards N`: the count is never read from the
//! array, so re-submitting some tasks (`sbatch --array=1,3 FILE`) keeps their shard numbers.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::array;

/// The batch systems `--emit` writes scripts for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BatchSystem {
    /// Slurm: `sbatch`, `#SBATCH --array=0-<N-1>`.
    Slurm,
    /// Grid Engine: `qsub`, `#$ -t 1-<N>` (1-based task ids).
    Sge,
    /// PBS Pro / OpenPBS: `qsub`, `#PBS -J 0-<N-1>`.
    Pbs,
}

impl BatchSystem {
    /// `slurm`, `sge` or `pbs`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Slurm => "slurm",
            Self::Sge => "sge",
            Self::Pbs => "pbs",
        }
    }

    /// The command that submits a script.
    pub fn submit_command(self) -> &'static str {
        match self {
            Self::Slurm => "sbatch",
            Self::Sge | Self::Pbs => "qsub",
        }
    }
}

/// A job script for an array job of `shards` tasks.
#[derive(Clone, Debug)]
pub struct JobScript {
    /// The batch system.
    pub system: BatchSystem,
    /// The job's name (`cocoprep-features-butd`); also the log files' stem.
    pub name: String,
    /// Array tasks, one shard each.
    pub shards: usize,
    /// CPU cores each task asks for.
    pub cpus_per_task: usize,
    /// Memory each task asks for (`8G`).
    pub memory: String,
    /// Wall-clock limit (`24:00:00`).
    pub time_limit: String,
    /// The command's words (absolute program and paths), without the shard options.
    pub command: Vec<String>,
    /// What the command writing the script was (`cocoprep features butd ...`), for the
    /// script's comment.
    pub origin: String,
}

impl JobScript {
    /// The script's text.
    pub fn render(&self) -> String {
        let Self {
            system,
            name,
            shards,
            cpus_per_task,
            memory,
            time_limit,
            command,
            origin,
        } = self;
        let last = shards.saturating_sub(1);
        let mut text = String::from("#!/bin/bash\n");
        let lines: Vec<String> = match system {
            BatchSystem::Slurm => vec![
                format!("#SBATCH --job-name={name}"),
                format!("#SBATCH --array=0-{last}"),
                format!("#SBATCH --cpus-per-task={cpus_per_task}"),
                format!("#SBATCH --mem={memory}"),
                format!("#SBATCH --time={time_limit}"),
                format!("#SBATCH --output={name}-%A_%a.log"),
            ],
            BatchSystem::Sge => vec![
                format!("#$ -N {name}"),
                format!("#$ -t 1-{shards}"),
                "#$ -S /bin/bash".to_owned(),
                "#$ -cwd".to_owned(),
                format!("#$ -pe smp {cpus_per_task}"),
                format!("#$ -l h_rt={time_limit}"),
                "#$ -j y".to_owned(),
                format!("#$ -o {name}.$TASK_ID.log"),
            ],
            BatchSystem::Pbs => vec![
                format!("#PBS -N {name}"),
                format!("#PBS -J 0-{last}"),
                format!(
                    "#PBS -l select=1:ncpus={cpus_per_task}:mem={}",
                    memory.to_lowercase().replace('g', "gb")
                ),
                format!("#PBS -l walltime={time_limit}"),
                "#PBS -j oe".to_owned(),
                format!("#PBS -o {name}.^array_index^.log"),
            ],
        };
        for line in lines {
            text.push_str(&line);
            text.push('\n');
        }
        let task_ids = match system {
            BatchSystem::Sge => "task ids 1..N are shards 0..N-1",
            _ => "task ids are shard numbers",
        };
        let _ = write!(
            text,
            "# Written by `{origin}`.\n\
             # Submit with `{submit} FILE`. Each task does one deterministic share of the work\n\
             # ({task_ids}) and marks it done in the output folder's .cocoprep-jobs/;\n\
             # `cocoprep status OUTPUT` lists unfinished shards and the line that re-submits them.\n\
             set -euo pipefail\n",
            submit = system.submit_command(),
        );
        if *system == BatchSystem::Pbs {
            // PBS starts jobs in the home folder; the log names are relative to where
            // `qsub` ran.
            text.push_str("cd \"${PBS_O_WORKDIR:-.}\"\n");
        }
        let words: Vec<String> = command.iter().map(|word| shell_quote(word)).collect();
        let _ = writeln!(
            text,
            "exec {} --shard-from-env --shards {shards}",
            words.join(" ")
        );
        text
    }
}

/// Quotes a word for a POSIX shell (unchanged when it needs no quotes).
pub fn shell_quote(word: &str) -> String {
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

/// The commands that submit `script` again for only the shards in `unfinished`: one line for
/// Slurm (`sbatch --array=1,3-5 FILE`), one per run of consecutive shards for Grid Engine
/// and PBS, whose `-t`/`-J` take a single range.
pub fn resubmit_lines(system: BatchSystem, unfinished: &[usize], script: &str) -> Vec<String> {
    let script = shell_quote(script);
    let runs = array::ranges(unfinished);
    if runs.is_empty() {
        return Vec::new();
    }
    match system {
        BatchSystem::Slurm => vec![format!(
            "sbatch --array={} {script}",
            array::format_ranges(&runs, 0)
        )],
        BatchSystem::Sge => runs
            .iter()
            .map(|&run| format!("qsub -t {} {script}", array::format_ranges(&[run], 1)))
            .collect(),
        BatchSystem::Pbs => runs
            .iter()
            .map(|&(first, last)| {
                // PBS arrays need at least two indices; a step past the end keeps one.
                let range = if first == last {
                    format!("{first}-{}:2", first + 1)
                } else {
                    format!("{first}-{last}")
                };
                format!("qsub -J {range} {script}")
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(system: BatchSystem) -> String {
        JobScript {
            system,
            name: "cocoprep-masks-semantic".to_owned(),
            shards: 4,
            cpus_per_task: 8,
            memory: "8G".to_owned(),
            time_limit: "24:00:00".to_owned(),
            command: vec![
                "/opt/cocoprep".to_owned(),
                "masks".to_owned(),
                "semantic".to_owned(),
                "/data/my coco/stuff.json".to_owned(),
            ],
            origin: "cocoprep masks semantic ... --emit".to_owned(),
        }
        .render()
    }

    #[test]
    fn scripts_ask_for_the_whole_array_and_pass_the_count() {
        let slurm = script(BatchSystem::Slurm);
        assert!(slurm.contains("#SBATCH --array=0-3\n"), "{slurm}");
        assert!(slurm.contains("#SBATCH --cpus-per-task=8\n"), "{slurm}");
        assert!(slurm.contains("#SBATCH --output=cocoprep-masks-semantic-%A_%a.log\n"));
        assert!(slurm.ends_with(
            "exec /opt/cocoprep masks semantic '/data/my coco/stuff.json' --shard-from-env --shards 4\n"
        ));
        let sge = script(BatchSystem::Sge);
        assert!(
            sge.contains("#$ -t 1-4\n") && sge.contains("#$ -pe smp 8\n"),
            "{sge}"
        );
        let pbs = script(BatchSystem::Pbs);
        assert!(pbs.contains("#PBS -J 0-3\n"), "{pbs}");
        assert!(pbs.contains("#PBS -l select=1:ncpus=8:mem=8gb\n"), "{pbs}");
    }

    #[test]
    fn words_are_quoted_for_the_shell() {
        assert_eq!(shell_quote("coco2017"), "coco2017");
        assert_eq!(shell_quote("/data/my coco"), "'/data/my coco'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn resubmit_lines_name_only_unfinished_shards() {
        let unfinished = [1, 3, 4, 5];
        assert_eq!(
            resubmit_lines(BatchSystem::Slurm, &unfinished, "/jobs/a.sbatch"),
            ["sbatch --array=1,3-5 /jobs/a.sbatch"]
        );
        assert_eq!(
            resubmit_lines(BatchSystem::Sge, &unfinished, "a.sge"),
            ["qsub -t 2 a.sge", "qsub -t 4-6 a.sge"]
        );
        assert_eq!(
            resubmit_lines(BatchSystem::Pbs, &unfinished, "a.pbs"),
            ["qsub -J 1-2:2 a.pbs", "qsub -J 3-5 a.pbs"]
        );
        assert!(resubmit_lines(BatchSystem::Slurm, &[], "a").is_empty());
    }
}
