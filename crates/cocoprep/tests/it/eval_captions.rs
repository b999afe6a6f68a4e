//! `cocoprep eval captions` end to end: output names, per-image file, the single-image
//! CIDEr warning, results that do not fit the reference, and `--df` pickles.
//! (Parity of the numbers with pycocoevalcap: cocoprep-eval's `caption_metrics` test.)

use std::path::{Path, PathBuf};

use cocoprep_test::cli::{assert_exit, stderr, stdout};

use crate::cocoprep;

fn path(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn sample_reference() -> PathBuf {
    cocoprep_test::fixtures().join("coco-sample/annotations/captions_val2017.json")
}

/// One result per image of the sample: its first reference, with a word dropped.
fn write_results(folder: &Path) -> PathBuf {
    let reference: serde_json::Value =
        serde_json::from_slice(&fs_err::read(sample_reference()).unwrap()).unwrap();
    let mut seen = std::collections::HashSet::new();
    let results: Vec<serde_json::Value> = reference["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|annotation| seen.insert(annotation["image_id"].as_u64().unwrap()))
        .map(|annotation| {
            let caption = annotation["caption"].as_str().unwrap();
            let shorter: Vec<&str> = caption.split_whitespace().skip(1).collect();
            serde_json::json!({"image_id": annotation["image_id"], "caption": shorter.join(" ")})
        })
        .collect();
    let path = folder.join("results.json");
    fs_err::write(&path, serde_json::to_vec(&results).unwrap()).unwrap();
    path
}

fn write_json(folder: &Path, name: &str, value: &serde_json::Value) -> PathBuf {
    let path = folder.join(name);
    fs_err::write(&path, serde_json::to_vec(value).unwrap()).unwrap();
    path
}

#[test]
fn json_prints_coco_caption_names_and_per_image_scores() {
    let folder = cocoprep_test::temp_dir();
    let results = write_results(folder.path());
    let per_image = folder.path().join("per-image.json");
    let output = cocoprep([
        "eval",
        "captions",
        path(&sample_reference()),
        path(&results),
        "--json",
        "--per-image",
        path(&per_image),
    ]);
    assert_exit(&output, 0);
    let scores: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let names: Vec<&String> = scores.as_object().unwrap().keys().collect();
    assert_eq!(
        names,
        ["Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "CIDEr", "ROUGE_L"],
        "serde_json sorts keys; the names are coco-caption's"
    );
    assert!(
        stdout(&output).starts_with("{\"Bleu_1\": "),
        "coco-caption's order"
    );
    let images: Vec<serde_json::Value> =
        serde_json::from_slice(&fs_err::read(&per_image).unwrap()).unwrap();
    assert_eq!(images.len(), 6);
    assert!(images[0]["image_id"].is_u64());
    assert!(images[0]["CIDEr"].is_f64());
}

#[test]
fn metrics_chooses_what_is_computed_and_plain_output_has_three_decimals() {
    let folder = cocoprep_test::temp_dir();
    let results = write_results(folder.path());
    let output = cocoprep([
        "eval",
        "captions",
        path(&sample_reference()),
        path(&results),
        "--metrics",
        "rouge,bleu",
    ]);
    assert_exit(&output, 0);
    let text = stdout(&output);
    let names: Vec<&str> = text
        .lines()
        .map(|line| line.split(':').next().unwrap())
        .collect();
    assert_eq!(names, ["Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "ROUGE_L"]);
    assert!(
        text.lines()
            .all(|line| line.rsplit('.').next().unwrap().len() == 3)
    );
}

#[test]
fn cider_on_a_single_image_warns_that_it_is_zero() {
    let folder = cocoprep_test::temp_dir();
    let reference = write_json(
        folder.path(),
        "reference.json",
        &serde_json::json!({
            "images": [{"id": 7}],
            "annotations": [
                {"image_id": 7, "id": 1, "caption": "A dog runs on the grass."},
                {"image_id": 7, "id": 2, "caption": "A brown dog running outside."}
            ]
        }),
    );
    let results = write_json(
        folder.path(),
        "results.json",
        &serde_json::json!([{"image_id": 7, "caption": "a dog running on the grass"}]),
    );
    let output = cocoprep([
        "eval",
        "captions",
        path(&reference),
        path(&results),
        "--json",
    ]);
    assert_exit(&output, 0);
    let scores: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(scores["CIDEr"], 0.0);
    assert!(scores["Bleu_1"].as_f64().unwrap() > 0.5);
    assert!(
        stderr(&output).contains("warning: CIDEr is 0 for a single image"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn results_for_images_not_in_the_reference_are_refused() {
    let folder = cocoprep_test::temp_dir();
    let results = write_json(
        folder.path(),
        "results.json",
        &serde_json::json!([{"image_id": 123456789, "caption": "a cat"}]),
    );
    let output = cocoprep([
        "eval",
        "captions",
        path(&sample_reference()),
        path(&results),
    ]);
    assert_exit(&output, 2);
    let message = stderr(&output);
    assert!(
        message.contains("result 0 is for image 123456789, which is not in the reference file"),
        "{message}"
    );
}

#[test]
fn two_results_for_one_image_are_refused() {
    let folder = cocoprep_test::temp_dir();
    let reference: serde_json::Value =
        serde_json::from_slice(&fs_err::read(sample_reference()).unwrap()).unwrap();
    let id = reference["images"][0]["id"].clone();
    let results = write_json(
        folder.path(),
        "results.json",
        &serde_json::json!([{"image_id": id, "caption": "a cat"}, {"image_id": id, "caption": "a dog"}]),
    );
    let output = cocoprep([
        "eval",
        "captions",
        path(&sample_reference()),
        path(&results),
    ]);
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("has more than one caption (results 0 and 1)"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_results_file_that_is_not_a_list_names_the_file_and_the_shape() {
    let folder = cocoprep_test::temp_dir();
    let results = write_json(folder.path(), "results.json", &serde_json::json!({"a": 1}));
    let output = cocoprep([
        "eval",
        "captions",
        path(&sample_reference()),
        path(&results),
    ]);
    assert_exit(&output, 2);
    let message = stderr(&output);
    assert!(
        message.contains("results.json` is not a caption results file"),
        "{message}"
    );
}

/// A `-words.p` pickle holding the evaluated references' own document frequencies and
/// image count gives exactly coco-caption's corpus CIDEr; an `-idxs.p` pickle is refused.
#[test]
fn df_pickle_of_the_references_gives_the_corpus_cider() {
    let folder = cocoprep_test::temp_dir();
    let results = write_results(folder.path());
    let words = folder.path().join("sample-words.p");
    let indices = folder.path().join("sample-idxs.p");
    // The references' tokens (cocoprep's tokenizer, which equals the Java one), counted by
    // Python into the pickle `prepro_ngrams.py` writes.
    let reference: serde_json::Value =
        serde_json::from_slice(&fs_err::read(sample_reference()).unwrap()).unwrap();
    let mut by_image: std::collections::BTreeMap<u64, Vec<String>> = Default::default();
    for annotation in reference["annotations"].as_array().unwrap() {
        by_image
            .entry(annotation["image_id"].as_u64().unwrap())
            .or_default()
            .push(annotation["caption"].as_str().unwrap().to_owned());
    }
    let captions: Vec<Vec<String>> = by_image
        .values()
        .map(|captions| {
            let refs: Vec<&str> = captions.iter().map(String::as_str).collect();
            cocoprep_eval::captions::ptb::tokenize_captions(&refs)
        })
        .collect();
    let tokenized = write_json(
        folder.path(),
        "tokenized.json",
        &serde_json::json!(captions),
    );
    cocoprep_test::run_python(
        r#"
import json, pickle, sys
from collections import defaultdict
images = json.load(open(sys.argv[1]))
df = defaultdict(float)
for refs in images:
    grams = set()
    for ref in refs:
        words = ref.split()
        for n in range(1, 5):
            for i in range(len(words) - n + 1):
                grams.add(tuple(words[i:i + n]))
    for gram in grams:
        df[gram] += 1
pickle.dump({'document_frequency': df, 'ref_len': len(images)}, open(sys.argv[2], 'wb'), protocol=2)
indices = defaultdict(float, {('1', '2'): 3.0})
pickle.dump({'document_frequency': indices, 'ref_len': 5}, open(sys.argv[3], 'wb'), protocol=2)
"#,
        &[&tokenized, &words, &indices],
    );
    let corpus = cocoprep([
        "eval",
        "captions",
        path(&sample_reference()),
        path(&results),
        "--json",
        "--metrics",
        "cider",
    ]);
    assert_exit(&corpus, 0);
    let with_df = cocoprep([
        "eval",
        "captions",
        path(&sample_reference()),
        path(&results),
        "--json",
        "--metrics",
        "cider",
        "--df",
        path(&words),
    ]);
    assert_exit(&with_df, 0);
    assert_eq!(stdout(&with_df), stdout(&corpus));

    let refused = cocoprep([
        "eval",
        "captions",
        path(&sample_reference()),
        path(&results),
        "--df",
        path(&indices),
    ]);
    assert_exit(&refused, 2);
    assert!(
        stderr(&refused).contains("holds n-grams of vocabulary indices"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn meteor_and_spice_without_their_jars_are_refused_with_the_reason() {
    let folder = cocoprep_test::temp_dir();
    let results = write_results(folder.path());
    let meteor = cocoprep_test::cli::command(env!("CARGO_BIN_EXE_cocoprep"))
        .args([
            "eval",
            "captions",
            path(&sample_reference()),
            path(&results),
        ])
        .args(["--metrics", "bleu,meteor"])
        .env_remove("COCOPREP_METEOR_JAR")
        .output()
        .unwrap();
    assert_exit(&meteor, 2);
    assert!(
        stderr(&meteor).contains("pass --meteor-jar"),
        "{}",
        stderr(&meteor)
    );
    let missing_jar = cocoprep([
        "eval",
        "captions",
        path(&sample_reference()),
        path(&results),
        "--metrics",
        "meteor",
        "--meteor-jar",
        "/nonexistent/meteor-1.5.jar",
    ]);
    assert_exit(&missing_jar, 2);
    assert!(
        stderr(&missing_jar).contains(
            "METEOR needs Java and its jar: `/nonexistent/meteor-1.5.jar` does not exist"
        ),
        "{}",
        stderr(&missing_jar)
    );
    let spice = cocoprep_test::cli::command(env!("CARGO_BIN_EXE_cocoprep"))
        .args([
            "eval",
            "captions",
            path(&sample_reference()),
            path(&results),
        ])
        .args(["--metrics", "spice"])
        .env_remove("COCOPREP_SPICE_JAR")
        .output()
        .unwrap();
    assert_exit(&spice, 2);
    assert!(
        stderr(&spice).contains("pass --spice-jar"),
        "{}",
        stderr(&spice)
    );
    // A SPICE folder without Stanford CoreNLP (what pycocoevalcap installs before its
    // first download): the two missing jars are named, with where to get them.
    let spice_folder = folder.path().join("spice");
    std::fs::create_dir_all(spice_folder.join("lib")).unwrap();
    std::fs::write(spice_folder.join("spice-1.0.jar"), b"").unwrap();
    let without_corenlp = cocoprep([
        "eval",
        "captions",
        path(&sample_reference()),
        path(&results),
        "--metrics",
        "spice",
        "--spice-jar",
        path(&spice_folder.join("spice-1.0.jar")),
    ]);
    assert_exit(&without_corenlp, 2);
    let message = stderr(&without_corenlp);
    assert!(
        message.contains("SPICE needs Java and its jar:")
            && message.contains("lib/stanford-corenlp-3.6.0.jar")
            && message.contains("lib/stanford-corenlp-3.6.0-models.jar")
            && message.contains("stanford-corenlp-full-2015-12-09.zip"),
        "{message}"
    );
}
