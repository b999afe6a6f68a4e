//! `cocoprep dataset coco|flickr30k|visual-genome|sbu|cc3m|cc12m|vqa`: the files land under
//! the config names, summaries and errors say what happened. The outputs' bytes are
//! checked against the reference scripts in cocoprep-datasets' tests.

use cocoprep_test::cli::{assert_exit, stderr, stdout};

use crate::cocoprep;

fn fixture(relative: &str) -> std::path::PathBuf {
    cocoprep_test::fixtures()
        .join("uni-perceiver")
        .join(relative)
}

#[test]
fn cc3m_val_list_writes_val_spacy_json_and_counts_rows_left_out() {
    let root = cocoprep_test::temp_dir();
    let output = cocoprep([
        "dataset".as_ref(),
        "cc3m".as_ref(),
        fixture("cc3m/Validation_GCC-1.1.0-Validation.tsv").as_os_str(),
        "--images".as_ref(),
        fixture("cc3m/val_image").as_os_str(),
        "--root".as_ref(),
        root.path().as_os_str(),
    ]);
    assert_exit(&output, 0);
    let written = root.path().join("open_source_dataset/cc3m/val_spacy.json");
    assert_eq!(
        std::fs::read(&written).unwrap(),
        std::fs::read(fixture("cc3m/val_spacy.reference.json")).unwrap()
    );
    let messages = stderr(&output);
    assert!(
        messages.contains("31 of 40 rows written; left out: 6 without an image, 1 not a readable image, 2 with a side outside 10..=10000 px"),
        "{messages}"
    );
    assert!(messages.contains("DATA_PATH="), "{messages}");
}

#[test]
fn cc12m_given_a_cc3m_list_fails_with_exit_2_and_names_the_right_command() {
    let root = cocoprep_test::temp_dir();
    let output = cocoprep([
        "dataset".as_ref(),
        "cc12m".as_ref(),
        fixture("cc3m/Validation_GCC-1.1.0-Validation.tsv").as_os_str(),
        "--images".as_ref(),
        fixture("cc3m/val_image").as_os_str(),
        "--root".as_ref(),
        root.path().as_os_str(),
    ]);
    assert_exit(&output, 2);
    let messages = stderr(&output);
    assert!(
        messages.contains("line 1: the columns look swapped"),
        "{messages}"
    );
    assert!(messages.contains("cocoprep dataset cc3m"), "{messages}");
}

#[test]
fn vqa_without_the_release_files_exits_1_naming_each() {
    let root = cocoprep_test::temp_dir();
    let image = root.path().join(
        "open_source_dataset/mscoco_dataset/coco_origin/val2014/COCO_val2014_000000000042.jpg",
    );
    std::fs::create_dir_all(image.parent().unwrap()).unwrap();
    std::fs::write(&image, b"jpeg").unwrap();
    let output = cocoprep([
        "dataset".as_ref(),
        "vqa".as_ref(),
        "--root".as_ref(),
        root.path().as_os_str(),
        "--json".as_ref(),
    ]);
    assert_exit(&output, 1);
    let summary: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(summary["dataset"], "vqa");
    assert_eq!(
        summary["details"]["mapped"],
        serde_json::json!([["val2014", 1]])
    );
    let coco_map = &summary["files"][0];
    assert!(
        coco_map["path"]
            .as_str()
            .unwrap()
            .ends_with("VQA/coco_map.json")
    );
    assert_eq!(coco_map["records"], 1);
    assert!(coco_map["bytes"].as_u64().unwrap() > 0);
    let problems = summary["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 9);
    assert!(problems.iter().any(|problem| {
        problem["path"]
            .as_str()
            .unwrap()
            .ends_with("VQA/train_target.pkl")
    }));
}
