//! Paths and readers shared by the tests.

use std::path::{Path, PathBuf};

/// `fixtures/uni-perceiver/<relative>`.
pub fn fixture(relative: &str) -> PathBuf {
    cocoprep_test::fixtures()
        .join("uni-perceiver")
        .join(relative)
}

/// `<root>/open_source_dataset/<relative>`.
pub fn tree(root: &Path, relative: &str) -> PathBuf {
    root.join("open_source_dataset").join(relative)
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The position of `needle` in `haystack` (for key-order checks; serde_json's maps here
/// do not keep order).
pub fn position(haystack: &str, needle: &str) -> usize {
    haystack
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in the output"))
}

/// Files (not folders) directly in `folder`, sorted.
pub fn file_names(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}
