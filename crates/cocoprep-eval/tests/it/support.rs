//! Running the reference scripts of `bench/reference`; finding pycocoevalcap's Java jars.

use std::path::{Path, PathBuf};

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

/// The installed pycocoevalcap package folder (its `meteor/` and `spice/` hold the jars), if
/// pycocoevalcap and Java are installed.
pub fn pycocoevalcap_with_java() -> Option<PathBuf> {
    if std::process::Command::new("java")
        .arg("-version")
        .output()
        .is_err()
    {
        eprintln!("skipped: java is not installed (Debian: default-jre-headless)");
        return None;
    }
    let folder = cocoprep_test::run_python(
        "import pycocoevalcap; print(list(pycocoevalcap.__path__)[0])",
        &[],
    );
    Some(PathBuf::from(folder.trim()))
}
