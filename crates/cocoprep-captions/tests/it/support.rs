//! Helpers shared by the captioning tests: running the Python reference implementations
//! and comparing outputs with h5py and pickle.

use std::path::{Path, PathBuf};
use std::process::Command;

/// `bench/reference/<name>`: the plain Python implementations of the reference scripts.
pub fn reference_script(name: &str) -> PathBuf {
    cocoprep_test::repo_root()
        .join("bench/reference")
        .join(name)
}

/// Runs a reference script with arguments in `folder`; panics with its stderr on failure.
pub fn run_reference(name: &str, args: &[&str], folder: &Path) {
    let output = Command::new(cocoprep_test::python())
        .arg(reference_script(name))
        .args(args)
        .current_dir(folder)
        .output()
        .expect("python starts");
    assert!(
        output.status.success(),
        "{name} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Asserts that two label files hold the same datasets (names, dtypes, shapes, values),
/// read by h5py as the captioning loaders read them, and that ours is laid out as h5py's
/// defaults lay out a dataset (contiguous, uncompressed).
pub fn assert_same_hdf5(expected: &Path, actual: &Path) {
    let script = r#"
import sys, h5py, numpy as np
expected = h5py.File(sys.argv[1], 'r')
actual = h5py.File(sys.argv[2], 'r', driver='core')
assert sorted(expected.keys()) == sorted(actual.keys()), (list(expected.keys()), list(actual.keys()))
for name in expected:
    e, a = expected[name], actual[name]
    assert e.dtype == a.dtype, (name, e.dtype, a.dtype)
    assert e.shape == a.shape, (name, e.shape, a.shape)
    assert np.array_equal(e[:], a[:]), name
    assert a.chunks is None and a.compression is None, name
    assert len(a.attrs) == 0, name
print('ok')
"#;
    let output = cocoprep_test::run_python(script, &[expected, actual]);
    assert_eq!(output.trim(), "ok");
}

/// Asserts that two n-gram pickles are equal as Python objects, with a
/// `defaultdict(float)` of float values and an `int` `ref_len`, also when loaded the way
/// the CIDEr-D scorer loads them (`encoding='latin1'`).
pub fn assert_same_pickle(expected: &Path, actual: &Path) {
    let script = r#"
import sys, pickle, collections
expected = pickle.load(open(sys.argv[1], 'rb'))
actual = pickle.load(open(sys.argv[2], 'rb'))
latin1 = pickle.load(open(sys.argv[2], 'rb'), encoding='latin1')
assert actual == expected and latin1 == expected
assert list(actual.keys()) == ['document_frequency', 'ref_len'], list(actual.keys())
frequencies = actual['document_frequency']
assert type(frequencies) is collections.defaultdict and frequencies.default_factory is float
assert all(type(value) is float for value in frequencies.values())
assert all(type(key) is tuple and all(type(word) is str for word in key) for key in frequencies)
assert type(actual['ref_len']) is int
assert frequencies[('never', 'seen')] == 0.0
print('ok', len(frequencies))
"#;
    let output = cocoprep_test::run_python(script, &[expected, actual]);
    assert!(output.starts_with("ok"), "{output}");
}

/// Asserts two files are byte-identical, showing where they first differ.
pub fn assert_same_bytes(expected: &Path, actual: &Path) {
    let expected_bytes = std::fs::read(expected).unwrap();
    let actual_bytes = std::fs::read(actual).unwrap();
    if expected_bytes != actual_bytes {
        let at = expected_bytes
            .iter()
            .zip(&actual_bytes)
            .position(|(e, a)| e != a)
            .unwrap_or(expected_bytes.len().min(actual_bytes.len()));
        let context = |bytes: &[u8]| {
            String::from_utf8_lossy(&bytes[at.saturating_sub(60)..(at + 60).min(bytes.len())])
                .into_owned()
        };
        panic!(
            "{} and {} differ at byte {at} (lengths {} and {}):\nexpected …{}…\nactual   …{}…",
            expected.display(),
            actual.display(),
            expected_bytes.len(),
            actual_bytes.len(),
            context(&expected_bytes),
            context(&actual_bytes)
        );
    }
}

/// `fixtures/captions/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    cocoprep_test::fixtures().join("captions").join(name)
}
