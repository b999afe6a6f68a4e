//! Running the reference scripts of `bench/reference`.

use std::path::Path;

/// Runs `bench/reference/<name>` with the test Python; panics with its stderr on failure.
pub fn run_script(name: &str, args: &[&Path]) {
    let script = cocoprep_test::repo_root()
        .join("bench/reference")
        .join(name);
    let output = std::process::Command::new(cocoprep_test::python())
        .arg(script)
        .args(args)
        .output()
        .expect("python starts");
    assert!(
        output.status.success(),
        "{name} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
