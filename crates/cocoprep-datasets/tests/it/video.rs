//! Kinetics-400/700 and Moments in Time against the outputs of Uni-Perceiver's own scripts
//! on the same small trees (`tests/fixtures/video/`, see its README).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cocoprep_datasets::video_classes::{self, VideoDataset};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/video")
}

/// The fixture tree as a download has it: cvdfoundation's `train/`/`val/` with labels in
/// their space form (Kinetics), `training/` with space-form labels (Moments in Time).
fn download_tree(name: &str, folder: &Path) {
    let list = std::fs::read_to_string(fixtures().join(format!("{name}_tree.txt"))).unwrap();
    for line in list.lines() {
        let mut parts = line.splitn(3, '/');
        let (split, label, file) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        let (split, label) = if name == "mit" {
            (split.to_owned(), label.replace('+', " "))
        } else {
            let split = if split == "training" { "train" } else { "val" };
            (split.to_owned(), label.replace('_', " "))
        };
        let dir = folder.join(split).join(label);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(file), b"").unwrap();
    }
}

fn line_set(bytes: &[u8]) -> BTreeSet<String> {
    String::from_utf8(bytes.to_vec())
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn golden(name: &str, file: &str) -> Vec<u8> {
    std::fs::read(fixtures().join("golden").join(name).join(file)).unwrap()
}

fn check(name: &str, dataset: VideoDataset) {
    let download = cocoprep_test::temp_dir();
    download_tree(name, download.path());
    let root = cocoprep_test::temp_dir();
    let dataset_dir = root.path().join(dataset.dir());
    let prepared =
        video_classes::prepare(dataset, &dataset_dir, Some(download.path())).expect("prepares");
    assert!(!prepared.renamed.is_empty());
    let ours = |file: &str| std::fs::read(dataset_dir.join(file)).unwrap();

    // Label folders now in the loader's form.
    let tree = std::fs::read_to_string(fixtures().join(format!("{name}_tree.txt"))).unwrap();
    for line in tree.lines() {
        assert!(dataset_dir.join(line).is_file(), "{line} in place");
    }

    // annotation.json: the same object (Python dict semantics for the duplicate name).
    let parse = |bytes: &[u8]| serde_json::from_slice::<serde_json::Value>(bytes).unwrap();
    assert_eq!(
        parse(&ours("annotation.json")),
        parse(&golden(name, "annotation.json"))
    );

    // CSVs: the same lines (order aside); K700's script writes an empty validation CSV.
    let train_csv = dataset.csv_name("training");
    assert_eq!(
        line_set(&ours(&train_csv)),
        line_set(&golden(name, &train_csv))
    );
    if dataset != VideoDataset::MomentsInTime {
        let val_csv = dataset.csv_name("validation");
        let expected = if dataset == VideoDataset::Kinetics700 {
            assert!(
                golden(name, &val_csv).is_empty(),
                "K700 script leaves it empty"
            );
            golden("k400", "K400_val.csv")
        } else {
            golden(name, &val_csv)
        };
        assert_eq!(line_set(&ours(&val_csv)), line_set(&expected));
    }

    // categories.txt: the script's labels, sorted, each once.
    let labels: BTreeSet<String> = line_set(&golden(name, "categories.txt"))
        .iter()
        .map(|line| line.rsplit_once(',').unwrap().0.to_owned())
        .collect();
    let expected: String = labels
        .iter()
        .enumerate()
        .map(|(index, label)| format!("{label},{index}\n"))
        .collect();
    assert_eq!(String::from_utf8(ours("categories.txt")).unwrap(), expected);

    // category_mapping.txt: the notebook's bytes for Kinetics; for Moments in Time the
    // built-in names in `+` form, which contain every label and sort like the folders.
    let mapping = ours("category_mapping.txt");
    if dataset == VideoDataset::MomentsInTime {
        let names: Vec<String> = String::from_utf8(mapping)
            .unwrap()
            .lines()
            .map(|line| line.split_once('\t').unwrap().0.to_owned())
            .collect();
        assert_eq!(names.len(), 339);
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(
            names, sorted,
            "same order as the notebook's sorted categories"
        );
        assert!(labels.iter().all(|label| names.contains(label)));
    } else {
        assert_eq!(mapping, golden(name, "category_mapping.txt"));
    }

    // Running again changes nothing.
    let before: Vec<Vec<u8>> = prepared
        .written
        .iter()
        .map(|path| std::fs::read(path).unwrap())
        .collect();
    let again = video_classes::prepare(dataset, &dataset_dir, None).unwrap();
    assert!(again.renamed.is_empty());
    let after: Vec<Vec<u8>> = again
        .written
        .iter()
        .map(|path| std::fs::read(path).unwrap())
        .collect();
    assert_eq!(before, after);
}

#[test]
fn kinetics400_matches_k400_construct_csv_and_the_notebook_mapping() {
    check("k400", VideoDataset::Kinetics400);
}

#[test]
fn kinetics700_matches_k700_construct_csv_and_the_notebook_mapping() {
    check("k700", VideoDataset::Kinetics700);
}

#[test]
fn moments_in_time_matches_moments_construct_csv() {
    check("mit", VideoDataset::MomentsInTime);
}

#[test]
fn a_folder_that_is_not_a_class_is_an_error_naming_it() {
    let root = cocoprep_test::temp_dir();
    let dir = root.path().join("training/not_a_class");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("x.mp4"), b"").unwrap();
    let error = video_classes::prepare(VideoDataset::Kinetics400, root.path(), None)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("`not_a_class` is not a Kinetics-400 class"),
        "{error}"
    );
    let empty = cocoprep_test::temp_dir();
    let error = video_classes::prepare(VideoDataset::Kinetics400, empty.path(), None)
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("missing videos in `training/<label>/`"),
        "{error}"
    );
}
