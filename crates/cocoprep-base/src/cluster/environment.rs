//! `--shard-from-env`: the shard of an array task, read from the batch system's variables.
//!
//! | system | index variable | count |
//! |---|---|---|
//! | Slurm | `SLURM_ARRAY_TASK_ID` | `--shards`, else `SLURM_ARRAY_TASK_COUNT` or `MIN`/`MAX` |
//! | Grid Engine | `SGE_TASK_ID` (1-based) | `--shards`, else `SGE_TASK_FIRST`/`SGE_TASK_LAST` |
//! | PBS Pro | `PBS_ARRAY_INDEX` | `--shards` |
//! | Kubernetes Indexed Job | `JOB_COMPLETION_INDEX` | `--shards` |
//! | AWS Batch | `AWS_BATCH_JOB_ARRAY_INDEX` | `--shards` |
//!
//! With `--shards N` the index is the task id itself (Slurm, PBS, Kubernetes, AWS: 0-based)
//! or the task id − 1 (Grid Engine), so re-submitting only some tasks
//! (`sbatch --array=1,3 job.sbatch`) keeps every shard number. Without it, the index is
//! counted from the array's first task, which is only right for the whole, contiguous array.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Error, Shard};

/// The batch system whose variables gave a shard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scheduler {
    /// Slurm (`sbatch --array`).
    Slurm,
    /// Sun/Univa/Altair Grid Engine (`qsub -t`).
    Sge,
    /// PBS Pro / OpenPBS (`qsub -J`).
    Pbs,
    /// A Kubernetes Job with `completionMode: Indexed`.
    Kubernetes,
    /// An AWS Batch array job.
    AwsBatch,
}

impl Scheduler {
    /// The variable that holds the task index.
    pub fn index_variable(self) -> &'static str {
        match self {
            Self::Slurm => "SLURM_ARRAY_TASK_ID",
            Self::Sge => "SGE_TASK_ID",
            Self::Pbs => "PBS_ARRAY_INDEX",
            Self::Kubernetes => "JOB_COMPLETION_INDEX",
            Self::AwsBatch => "AWS_BATCH_JOB_ARRAY_INDEX",
        }
    }

    /// Every system, in the order their variables are looked at.
    pub const ALL: [Scheduler; 5] = [
        Self::Slurm,
        Self::Sge,
        Self::Pbs,
        Self::Kubernetes,
        Self::AwsBatch,
    ];
}

impl fmt::Display for Scheduler {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Self::Slurm => "slurm",
            Self::Sge => "sge",
            Self::Pbs => "pbs",
            Self::Kubernetes => "kubernetes",
            Self::AwsBatch => "aws-batch",
        })
    }
}

/// A shard read from the environment, with where it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnvironmentShard {
    /// The shard.
    pub shard: Shard,
    /// The batch system whose variables gave it.
    pub scheduler: Scheduler,
}

/// Reads this process's shard from its environment (see the module documentation);
/// `shards` is `--shards`.
pub fn shard_from_environment(shards: Option<usize>) -> Result<EnvironmentShard, Error> {
    shard_from_variables(|name| std::env::var(name).ok(), shards)
}

/// [`shard_from_environment`] with the variables looked up through `lookup`.
pub fn shard_from_variables(
    lookup: impl Fn(&str) -> Option<String>,
    shards: Option<usize>,
) -> Result<EnvironmentShard, Error> {
    let variables = Variables { lookup: &lookup };
    if let Some(0) = shards {
        return Err(Error::ZeroShards);
    }
    for scheduler in Scheduler::ALL {
        let name = scheduler.index_variable();
        let Some(value) = variables.get(name) else {
            continue;
        };
        let (index, count) = match scheduler {
            Scheduler::Slurm => slurm(&variables, &value, shards)?,
            Scheduler::Sge => sge(&variables, &value, shards)?,
            _ => {
                let index = parse(name, &value)?;
                let count = shards.ok_or(Error::ShardsNeeded { variable: name })?;
                (index, count)
            }
        };
        if index >= count {
            return Err(Error::IndexOutsideArray {
                variable: name,
                value,
                index,
                count,
            });
        }
        return Ok(EnvironmentShard {
            shard: Shard { index, count },
            scheduler,
        });
    }
    Err(Error::NoArrayTask)
}

struct Variables<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
}

impl Variables<'_> {
    /// A variable's value; unset, empty and Grid Engine's `undefined` all mean "not set".
    fn get(&self, name: &str) -> Option<String> {
        (self.lookup)(name)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty() && value != "undefined")
    }

    fn number(&self, name: &'static str) -> Result<Option<usize>, Error> {
        self.get(name).map(|value| parse(name, &value)).transpose()
    }
}

fn parse(variable: &'static str, value: &str) -> Result<usize, Error> {
    value.parse().map_err(|_| Error::InvalidVariable {
        variable,
        value: value.to_owned(),
    })
}

fn slurm(
    variables: &Variables,
    value: &str,
    shards: Option<usize>,
) -> Result<(usize, usize), Error> {
    let id = parse("SLURM_ARRAY_TASK_ID", value)?;
    if let Some(count) = shards {
        return Ok((id, count));
    }
    let min = variables.number("SLURM_ARRAY_TASK_MIN")?;
    let max = variables.number("SLURM_ARRAY_TASK_MAX")?;
    let task_count = variables.number("SLURM_ARRAY_TASK_COUNT")?;
    let span = match (min, max) {
        (Some(min), Some(max)) if max >= min => Some(max - min + 1),
        _ => None,
    };
    let count = match (task_count, span) {
        // `--array=1,3` has two tasks spanning three ids: the shard numbers are not
        // knowable without the original count.
        (Some(count), Some(span)) if count != span => {
            return Err(Error::ArrayNotContiguous {
                variable: "SLURM_ARRAY_TASK_COUNT",
                count,
                span,
            });
        }
        (Some(count), _) | (None, Some(count)) => count,
        (None, None) => {
            return Err(Error::ShardsNeeded {
                variable: "SLURM_ARRAY_TASK_ID",
            });
        }
    };
    let min = min.unwrap_or(0);
    let index = id.checked_sub(min).ok_or(Error::InvalidVariable {
        variable: "SLURM_ARRAY_TASK_ID",
        value: value.to_owned(),
    })?;
    Ok((index, count))
}

fn sge(variables: &Variables, value: &str, shards: Option<usize>) -> Result<(usize, usize), Error> {
    let id = parse("SGE_TASK_ID", value)?;
    let invalid = || Error::InvalidVariable {
        variable: "SGE_TASK_ID",
        value: value.to_owned(),
    };
    if let Some(count) = shards {
        // Grid Engine numbers tasks from 1 (`qsub -t 1-N`).
        return Ok((id.checked_sub(1).ok_or_else(invalid)?, count));
    }
    let first = variables.number("SGE_TASK_FIRST")?;
    let last = variables.number("SGE_TASK_LAST")?;
    let step = variables.number("SGE_TASK_STEPSIZE")?.unwrap_or(1);
    let (Some(first), Some(last)) = (first, last) else {
        return Err(Error::ShardsNeeded {
            variable: "SGE_TASK_ID",
        });
    };
    if last < first || step != 1 {
        return Err(Error::ArrayNotContiguous {
            variable: "SGE_TASK_STEPSIZE",
            count: (last.saturating_sub(first)) / step.max(1) + 1,
            span: last.saturating_sub(first) + 1,
        });
    }
    let index = id.checked_sub(first).ok_or_else(invalid)?;
    Ok((index, last - first + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each case: variables, `--shards`, then the shard and system, or a piece of the error.
    type Case = (
        &'static [(&'static str, &'static str)],
        Option<usize>,
        Result<(usize, usize, Scheduler), &'static str>,
    );

    const CASES: &[Case] = &[
        // Slurm, with --shards: the task id is the index, even in a partial re-submit.
        (
            &[
                ("SLURM_ARRAY_TASK_ID", "3"),
                ("SLURM_ARRAY_TASK_COUNT", "2"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_MAX", "3"),
            ],
            Some(4),
            Ok((3, 4, Scheduler::Slurm)),
        ),
        (
            &[("SLURM_ARRAY_TASK_ID", "0")],
            Some(1),
            Ok((0, 1, Scheduler::Slurm)),
        ),
        // Slurm without --shards: the count from the array.
        (
            &[
                ("SLURM_ARRAY_TASK_ID", "2"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
                ("SLURM_ARRAY_TASK_MIN", "0"),
                ("SLURM_ARRAY_TASK_MAX", "3"),
            ],
            None,
            Ok((2, 4, Scheduler::Slurm)),
        ),
        (
            &[
                ("SLURM_ARRAY_TASK_ID", "5"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_MAX", "8"),
            ],
            None,
            Ok((4, 8, Scheduler::Slurm)),
        ),
        (
            &[
                ("SLURM_ARRAY_TASK_ID", "2"),
                ("SLURM_ARRAY_TASK_COUNT", "3"),
            ],
            None,
            Ok((2, 3, Scheduler::Slurm)),
        ),
        (
            &[
                ("SLURM_ARRAY_TASK_ID", "3"),
                ("SLURM_ARRAY_TASK_COUNT", "2"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_MAX", "3"),
            ],
            None,
            Err("not one contiguous range"),
        ),
        (
            &[("SLURM_ARRAY_TASK_ID", "3")],
            None,
            Err("pass --shards N"),
        ),
        (&[("SLURM_ARRAY_TASK_ID", "4")], Some(4), Err("outside")),
        (
            &[("SLURM_ARRAY_TASK_ID", "x")],
            Some(4),
            Err("`SLURM_ARRAY_TASK_ID`"),
        ),
        // Grid Engine: 1-based.
        (
            &[
                ("SGE_TASK_ID", "1"),
                ("SGE_TASK_FIRST", "1"),
                ("SGE_TASK_LAST", "4"),
            ],
            Some(4),
            Ok((0, 4, Scheduler::Sge)),
        ),
        (&[("SGE_TASK_ID", "4")], Some(4), Ok((3, 4, Scheduler::Sge))),
        (
            &[
                ("SGE_TASK_ID", "6"),
                ("SGE_TASK_FIRST", "3"),
                ("SGE_TASK_LAST", "8"),
                ("SGE_TASK_STEPSIZE", "1"),
            ],
            None,
            Ok((3, 6, Scheduler::Sge)),
        ),
        (
            &[
                ("SGE_TASK_ID", "3"),
                ("SGE_TASK_FIRST", "1"),
                ("SGE_TASK_LAST", "9"),
                ("SGE_TASK_STEPSIZE", "2"),
            ],
            None,
            Err("not one contiguous range"),
        ),
        (&[("SGE_TASK_ID", "0")], Some(4), Err("`SGE_TASK_ID`")),
        (&[("SGE_TASK_ID", "5")], Some(4), Err("outside")),
        // `undefined`: not an array job.
        (
            &[
                ("SGE_TASK_ID", "undefined"),
                ("SGE_TASK_FIRST", "undefined"),
            ],
            Some(4),
            Err("no array task"),
        ),
        // PBS, Kubernetes, AWS Batch: 0-based, --shards needed.
        (
            &[("PBS_ARRAY_INDEX", "2")],
            Some(3),
            Ok((2, 3, Scheduler::Pbs)),
        ),
        (&[("PBS_ARRAY_INDEX", "2")], None, Err("`PBS_ARRAY_INDEX`")),
        (
            &[("JOB_COMPLETION_INDEX", "0")],
            Some(2),
            Ok((0, 2, Scheduler::Kubernetes)),
        ),
        (
            &[("JOB_COMPLETION_INDEX", "1")],
            None,
            Err("pass --shards N"),
        ),
        (
            &[("AWS_BATCH_JOB_ARRAY_INDEX", "7")],
            Some(8),
            Ok((7, 8, Scheduler::AwsBatch)),
        ),
        (
            &[("AWS_BATCH_JOB_ARRAY_INDEX", "-1")],
            Some(8),
            Err("`AWS_BATCH_JOB_ARRAY_INDEX`"),
        ),
        // Nothing: not inside an array task.
        (&[], Some(4), Err("no array task")),
        (&[("SLURM_JOB_ID", "12")], Some(4), Err("--shard I/N")),
        (&[("SLURM_ARRAY_TASK_ID", "1")], Some(0), Err("at least 1")),
    ];

    #[test]
    fn every_batch_system_environment_is_read() {
        for (variables, shards, expected) in CASES {
            let lookup = |name: &str| {
                variables
                    .iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| (*value).to_owned())
            };
            let result = shard_from_variables(lookup, *shards);
            match (expected, result) {
                (Ok((index, count, scheduler)), Ok(found)) => {
                    assert_eq!(
                        (found.shard, found.scheduler),
                        (
                            Shard {
                                index: *index,
                                count: *count
                            },
                            *scheduler
                        ),
                        "{variables:?}"
                    );
                }
                (Err(piece), Err(error)) => {
                    let message = error.to_string();
                    assert!(message.contains(piece), "{variables:?}: {message}");
                }
                (expected, found) => panic!("{variables:?}: expected {expected:?}, got {found:?}"),
            }
        }
    }
}
