//! Integration tests of `cocoprep`: one test binary, one module per behaviour area.

#![expect(clippy::print_stderr, reason = "tests say on stderr why they skip")]

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output};

/// Runs the `cocoprep` binary built for these tests (the shared helper in `cocoprep-test`).
pub fn cocoprep<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    cocoprep_test::cli::run(env!("CARGO_BIN_EXE_cocoprep"), args)
}

/// The command [`cocoprep`] runs, for tests that set a working folder, variables or stdin.
pub fn cocoprep_command() -> Command {
    cocoprep_test::cli::command(env!("CARGO_BIN_EXE_cocoprep"))
}

/// Runs `cocoprep eval detection GT RESULTS --iou-type IOU_TYPE` followed by `options`.
pub fn eval_detection(
    ground_truth: &Path,
    results: &Path,
    iou_type: &str,
    options: &[&str],
) -> Output {
    let mut args = vec![
        "eval".as_ref(),
        "detection".as_ref(),
        ground_truth.as_os_str(),
        results.as_os_str(),
        "--iou-type".as_ref(),
        OsStr::new(iou_type),
    ];
    args.extend(options.iter().map(OsStr::new));
    cocoprep(args)
}

mod captions;
mod cluster;
mod convert_cli;
mod datasets_cli;
mod datasets_image_text;
mod demo_and_inspect;
mod eval_captions;
mod eval_cli;
mod eval_diagnostics_cli;
mod eval_pr_curves_cli;
mod features_cli;
mod get_cli;
mod look_cli;
mod masks;
mod snapshots;
mod targets_cli;
mod validate_cli;
mod validate_dialects;
mod webdata_cli;
mod webdata_webp;
mod wrong_input;
