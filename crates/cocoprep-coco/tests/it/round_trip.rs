//! Reading and writing back every annotation file loses nothing: Python's `json.load` of
//! the output equals `json.load` of the input, value for value and type for type (an
//! `int` stays an `int`, a `float` a `float`).

use std::path::Path;

use cocoprep_coco::Dataset;
use cocoprep_test::{annotation_files, run_python, temp_dir};

const COMPARE: &str = r#"
import json, sys

def same(a, b, path):
    if type(a) is not type(b):
        raise SystemExit(f"{path}: type {type(a).__name__} != {type(b).__name__} ({a!r} vs {b!r})")
    if isinstance(a, dict):
        if a.keys() != b.keys():
            raise SystemExit(f"{path}: keys differ: {sorted(set(a) ^ set(b))}")
        for key in a:
            same(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        if len(a) != len(b):
            raise SystemExit(f"{path}: length {len(a)} != {len(b)}")
        for index, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{path}[{index}]")
    elif a != b:
        raise SystemExit(f"{path}: {a!r} != {b!r}")

for original, written in zip(sys.argv[1::2], sys.argv[2::2]):
    with open(original) as f, open(written) as g:
        same(json.load(f), json.load(g), original)
print("ok")
"#;

#[test]
fn every_annotation_file_round_trips_without_loss() {
    let files = annotation_files();
    assert!(
        files.len() >= 6,
        "expected the fixtures at least, found {files:?}"
    );
    let folder = temp_dir();
    let mut pairs = Vec::new();
    for (index, file) in files.iter().enumerate() {
        let dataset = Dataset::read(file)
            .unwrap_or_else(|error| panic!("reading {}: {error}", file.display()));
        let written = folder.path().join(format!("{index}.json"));
        dataset.write(&written).unwrap();
        // Reading our own output gives the same model.
        assert_eq!(
            Dataset::read(&written).unwrap(),
            dataset,
            "{}",
            file.display()
        );
        pairs.push(file.clone());
        pairs.push(written);
    }
    let arguments: Vec<&Path> = pairs.iter().map(|path| path.as_path()).collect();
    assert_eq!(run_python(COMPARE, &arguments).trim(), "ok");
    eprintln!("round-tripped {} files", files.len());
}

#[test]
fn single_threaded_and_parallel_reads_agree() {
    for file in annotation_files() {
        let serial = cocoprep_coco::read_dataset(
            &file,
            &cocoprep_coco::ReadOptions { jobs: 1 },
            &cocoprep_base::progress::NoReporter,
        )
        .unwrap();
        let parallel = cocoprep_coco::read_dataset(
            &file,
            &cocoprep_coco::ReadOptions { jobs: 4 },
            &cocoprep_base::progress::NoReporter,
        )
        .unwrap();
        assert_eq!(serial, parallel, "{}", file.display());
    }
}
