//! Running the `cocoprep` binary from the binary crate's integration tests.
//!
//! `CARGO_BIN_EXE_cocoprep` exists only while compiling that crate's tests, so the tests
//! pass it in once (`tests/it/main.rs` wraps [`run`] in a one-line `cocoprep(...)`); every
//! test module then calls the same helper with the same behaviour: no colours, no progress
//! bars (stderr is a pipe), output captured.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output};

/// Runs `program` with `args` and the environment a test wants: `NO_COLOR=1`, no inherited
/// `COCOPREP_JOBS`. Panics only if the program cannot be started at all.
pub fn run<I, S>(program: impl AsRef<Path>, args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    command(program)
        .args(args)
        .output()
        .expect("cocoprep starts")
}

/// The [`Command`] that [`run`] uses, for tests that need to add environment variables,
/// a working folder or standard input first.
pub fn command(program: impl AsRef<Path>) -> Command {
    let mut command = Command::new(program.as_ref());
    command.env("NO_COLOR", "1").env_remove("COCOPREP_JOBS");
    command
}

/// Standard output as text (lossy), for assertions and failure messages.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Standard error as text (lossy), for assertions and failure messages.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Panics with both streams unless the run exited with `code`.
#[track_caller]
pub fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
        stdout(output),
        stderr(output)
    );
}
