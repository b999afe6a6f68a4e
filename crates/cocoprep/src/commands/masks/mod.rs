//! `cocoprep masks rle|semantic|panoptic`.

pub mod panoptic;
pub mod rle;
pub mod semantic;

use super::Outcome;
use crate::cli::{MasksArgs, MasksCommand, OverlapArg, ThingsArg};
use crate::settings::GlobalSettings;
use cocoprep_coco::mask::{OverlapPolicy, ThingsPolicy};

/// Resolves the subcommand's settings and runs it.
pub fn run(args: MasksArgs, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let MasksArgs { command } = args;
    match command {
        MasksCommand::Rle(args) => rle::run(&rle::RleSettings::resolve(args), global),
        MasksCommand::Semantic(args) => semantic::SemanticSettings::resolve(args)
            .and_then(|settings| semantic::run(&settings, global)),
        MasksCommand::Panoptic(args) => {
            panoptic::run(&panoptic::PanopticSettings::resolve(args), global)
        }
    }
}

/// How many failures to list before summarising the rest.
const SHOWN_FAILURES: usize = 20;

/// Prints up to [`SHOWN_FAILURES`] failures on stderr (they are problems, shown even with
/// `--quiet`).
fn report_failures<T: std::fmt::Display>(failures: &[T]) {
    for failure in failures.iter().take(SHOWN_FAILURES) {
        eprintln!("error: {failure}");
    }
    if failures.len() > SHOWN_FAILURES {
        eprintln!("... and {} more", failures.len() - SHOWN_FAILURES);
    }
}

impl From<OverlapArg> for OverlapPolicy {
    fn from(value: OverlapArg) -> Self {
        match value {
            OverlapArg::Last => OverlapPolicy::Last,
            OverlapArg::First => OverlapPolicy::First,
            OverlapArg::Error => OverlapPolicy::Error,
        }
    }
}

impl From<ThingsArg> for ThingsPolicy {
    fn from(value: ThingsArg) -> Self {
        match value {
            ThingsArg::Keep => ThingsPolicy::Keep,
            ThingsArg::Other => ThingsPolicy::Other,
        }
    }
}
