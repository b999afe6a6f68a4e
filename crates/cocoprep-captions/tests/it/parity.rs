//! cocoprep against the reference scripts (`bench/reference/prepro_labels.py` and
//! `prepro_ngrams.py`, the scripts' code run under Python 3) on inputs built to hit their
//! corner cases: a real word spelled `UNK`, tokens holding spaces or nothing, non-ASCII and
//! control characters, captions longer than `max_length`, unusual split names, a
//! vocabulary without `UNK`, and a dictionary whose ids collide with `<eos>`'s.

use crate::support;

use std::path::Path;

use cocoprep_base::progress::NoReporter;
use cocoprep_captions::labels::{LabelsOptions, LabelsOutputs, prepare_labels};
use cocoprep_captions::ngrams::{SplitSelection, prepare_ngrams};
use serde_json::json;

/// A Karpathy file with one image per entry: `(split, captions as token lists)`.
fn dataset_json(images: &[(&str, Vec<Vec<&str>>)]) -> String {
    let mut next_sentid = 0;
    let images: Vec<_> = images
        .iter()
        .enumerate()
        .map(|(index, (split, captions))| {
            let sentences: Vec<_> = captions
                .iter()
                .map(|tokens| {
                    next_sentid += 1;
                    json!({"tokens": tokens, "raw": tokens.join(" "), "imgid": index, "sentid": next_sentid})
                })
                .collect();
            json!({
                "filepath": "val2014",
                "filename": format!("COCO_val2014_{:012}.jpg", index + 1),
                "imgid": index,
                "split": split,
                "cocoid": index + 1,
                "sentences": sentences,
            })
        })
        .collect();
    json!({"images": images, "dataset": "coco"}).to_string()
}

fn corner_cases() -> String {
    dataset_json(&[
        (
            "train",
            vec![
                vec!["a", "UNK", "ice cream", "caf\u{e9}", "a"],
                vec![
                    "UNK", "a", "", "dog", "dog", "x\u{1f}y", "a", "UNK", "dog", "a",
                ],
            ],
        ),
        (
            "restval",
            vec![vec!["ice cream", "a", "\u{1f600}"], vec!["dog", "rare"]],
        ),
        ("val", vec![vec!["a", "dog", "UNK", "tab\there"]]),
        ("test", vec![vec!["caf\u{e9}", "ice cream", "a"]]),
        ("extra", vec![vec!["a", "a", "a", "dog", "only-here"]]),
    ])
}

fn str_of(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Runs prepro_labels.py and `prepare_labels`, asserts equal outputs; returns the dict.
fn compare_labels(
    folder: &Path,
    input: &Path,
    threshold: u64,
    max_length: usize,
) -> std::path::PathBuf {
    let reference = folder.join(format!("reference-{threshold}-{max_length}"));
    support::run_reference(
        "prepro_labels.py",
        &[
            "--input_json",
            str_of(input),
            "--output_json",
            &format!("{}.json", reference.display()),
            "--output_h5",
            str_of(&reference),
            "--word_count_threshold",
            &threshold.to_string(),
            "--max_length",
            &max_length.to_string(),
        ],
        folder,
    );
    let ours = folder.join(format!("ours-{threshold}-{max_length}"));
    let outputs = LabelsOutputs::new(&ours.with_extension("json"), &ours);
    let options = LabelsOptions {
        max_length,
        word_count_threshold: threshold,
        images_root: None,
        jobs: 2,
    };
    prepare_labels(input, &outputs, &options, &NoReporter).unwrap();
    support::assert_same_bytes(&reference.with_extension("json"), &outputs.json);
    support::assert_same_hdf5(
        &folder.join(format!("reference-{threshold}-{max_length}_label.h5")),
        &outputs.hdf5,
    );
    outputs.json
}

fn compare_ngrams(folder: &Path, input: &Path, dictionary: &Path, split: &str) {
    let reference = folder.join(format!("reference-ngrams-{split}"));
    support::run_reference(
        "prepro_ngrams.py",
        &[
            "--input_json",
            str_of(input),
            "--dict_json",
            str_of(dictionary),
            "--output_pkl",
            str_of(&reference),
            "--split",
            split,
        ],
        folder,
    );
    let ours = folder.join(format!("ours-ngrams-{split}"));
    let summary = prepare_ngrams(
        input,
        dictionary,
        &ours,
        &SplitSelection::from_name(split),
        2,
        &NoReporter,
    )
    .unwrap();
    for (suffix, actual) in [
        ("-words.p", &summary.words_path),
        ("-idxs.p", &summary.idxs_path),
    ] {
        let expected = folder.join(format!("reference-ngrams-{split}{suffix}"));
        support::assert_same_pickle(&expected, actual);
    }
}

#[test]
fn labels_and_ngrams_match_the_scripts_on_corner_cases() {
    let folder = cocoprep_test::temp_dir();
    let input = folder.path().join("dataset.json");
    std::fs::write(&input, corner_cases()).unwrap();
    for (threshold, max_length) in [(1, 4), (0, 16), (2, 1), (100, 16)] {
        let dictionary = compare_labels(folder.path(), &input, threshold, max_length);
        if threshold == 1 {
            for split in ["train", "val", "test", "all", "restval", "extra", "none"] {
                compare_ngrams(folder.path(), &input, &dictionary, split);
            }
        }
    }
}

#[test]
fn ngrams_match_the_scripts_when_dictionary_ids_collide_with_eos() {
    let folder = cocoprep_test::temp_dir();
    let input = folder.path().join("dataset.json");
    std::fs::write(&input, corner_cases()).unwrap();
    // `0` is also `<eos>`'s index: the words and idxs n-grams no longer correspond.
    let dictionary = folder.path().join("dictionary.json");
    std::fs::write(
        &dictionary,
        r#"{"ix_to_word": {"0": "a", "1": "dog", "7": "ice cream", "2": "UNK", "3": "dog"}}"#,
    )
    .unwrap();
    for split in ["train", "all"] {
        compare_ngrams(folder.path(), &input, &dictionary, split);
    }
}

#[test]
fn ngrams_without_unk_fail_only_when_a_selected_caption_has_an_unknown_word() {
    let folder = cocoprep_test::temp_dir();
    let input = folder.path().join("dataset.json");
    std::fs::write(
        &input,
        dataset_json(&[
            ("train", vec![vec!["a", "dog"]]),
            ("val", vec![vec!["a", "zebra"]]),
        ]),
    )
    .unwrap();
    let dictionary = folder.path().join("dictionary.json");
    std::fs::write(&dictionary, r#"{"ix_to_word": {"1": "a", "2": "dog"}}"#).unwrap();
    compare_ngrams(folder.path(), &input, &dictionary, "train");

    let prefix = folder.path().join("ours-val");
    let error = prepare_ngrams(
        &input,
        &dictionary,
        &prefix,
        &SplitSelection::from_name("val"),
        1,
        &NoReporter,
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("images[1] (cocoid 2, `COCO_val2014_000000000002.jpg`): the word `zebra` is not in the vocabulary of"),
        "{error}"
    );
    assert!(!folder.path().join("ours-val-words.p").exists());
    assert!(!folder.path().join("ours-val-idxs.p").exists());
}
