//! Shared helpers for cocoprep's tests (not published).
//!
//! * [`repo_root`], [`fixtures`]: the small real fixtures committed in the repository.
//! * [`shared_data`]: `../shared/data` next to the checkout, when present (larger real data).
//! * [`golden`]: pictures compared with committed golden PNGs, within a tolerance.
//! * [`python`]: the Python interpreter with the reference tools (pycocotools, numpy,
//!   h5py, ...) that `scripts/test.sh` installs into `.venv`.

#![forbid(unsafe_code)]
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "test helpers may say why a test is skipped or what a failing check saw"
)]

pub mod cli;
pub mod golden;
pub mod http_server;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root exists")
}

/// `fixtures/` in the repository.
pub fn fixtures() -> PathBuf {
    repo_root().join("fixtures")
}

/// The `shared/` folder next to the checkout (`../shared`), if present. Tests that need it
/// skip with a message when it is absent, so a bare clone can still run the core tests.
pub fn shared() -> Option<PathBuf> {
    let path = std::env::var_os("COCOPREP_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared"));
    path.join("data").is_dir().then_some(path)
}

/// `shared/data`, if present.
pub fn shared_data() -> Option<PathBuf> {
    shared().map(|shared| shared.join("data"))
}

/// `shared/golden`, if present.
pub fn shared_golden() -> Option<PathBuf> {
    shared().map(|shared| shared.join("golden"))
}

/// The Python interpreter for parity tests: `$COCOPREP_TEST_PYTHON`, else `.venv/bin/python`.
///
/// Panics with instructions when neither exists: parity tests must not silently pass.
pub fn python() -> PathBuf {
    if let Some(path) = std::env::var_os("COCOPREP_TEST_PYTHON") {
        return PathBuf::from(path);
    }
    let venv = repo_root().join(".venv/bin/python");
    assert!(
        venv.exists(),
        "parity tests need the reference tools: run `scripts/test.sh` (it creates .venv), or set COCOPREP_TEST_PYTHON"
    );
    venv
}

/// Runs a Python script with arguments and returns stdout; panics with stderr on failure.
pub fn run_python(script: &str, args: &[&Path]) -> String {
    let output = Command::new(python())
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("python starts");
    assert!(
        output.status.success(),
        "python failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("python prints UTF-8")
}

/// A fresh temporary folder, deleted on drop.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("cocoprep-test-")
        .tempdir()
        .expect("temporary folder")
}

/// Every COCO annotation JSON among the fixtures and (when present) the shared data.
pub fn annotation_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    collect_json(&fixtures(), &mut files);
    if let Some(data) = shared_data() {
        for folder in [
            "coco-mini/annotations",
            "coco-val2017-captions",
            "cocoapi-eval",
            "cocostuff-examples/annotations",
        ] {
            collect_json(&data.join(folder), &mut files);
        }
        files.push(data.join("panoptic-examples/sample_data/panoptic_examples.json"));
        files.push(data.join("panoptic-examples/sample_data/panoptic_coco_detection_format.json"));
        files.push(data.join("panoptic-examples/sample_data/images_info_examples.json"));
    }
    // `fixtures/captions` holds Karpathy-format files and `fixtures/uni-perceiver` the
    // Uni-Perceiver preparers' inputs and reference outputs (JSON lines, VG phrase maps, SBU
    // dictionaries): neither are COCO annotation files.
    let karpathy = fixtures().join("captions");
    let uni_perceiver = fixtures().join("uni-perceiver");
    files.retain(|path| {
        path.exists()
            && !path.to_string_lossy().contains("/broken/")
            && !path.starts_with(&karpathy)
            && !path.starts_with(&uni_perceiver)
    });
    files.sort();
    files
}

fn collect_json(folder: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_json(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

/// Marsaglia's xorshift64 (shifts 13, 7, 17): deterministic test inputs without a
/// dependency. The same seed gives the same sequence on every machine.
pub struct Xorshift(u64);

impl Xorshift {
    /// A generator; a zero seed (which would stay zero) is replaced by a fixed one.
    pub fn new(seed: u64) -> Self {
        Self(if seed == 0 {
            0x9e37_79b9_7f4a_7c15
        } else {
            seed
        })
    }

    /// The next value.
    #[expect(
        clippy::should_implement_trait,
        reason = "an infinite generator, not an `Iterator` with `None` to handle"
    )]
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// SplitMix64: deterministic test inputs with well-mixed bits from any seed (zero
/// included). The same seed gives the same sequence on every machine.
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next value.
    #[expect(
        clippy::should_implement_trait,
        reason = "an infinite generator, not an `Iterator` with `None` to handle"
    )]
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A value in `0..bound` (`bound > 0`; the slight modulo bias does not matter here).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }

    /// A value in `[0, 1)` with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}
