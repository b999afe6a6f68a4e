//! BLEU, ROUGE-L and CIDEr-D against pycocoevalcap 1.2 on the val2017 captions with
//! generated results (every image: own, shortened, shuffled, other image's, upper-cased
//! captions and a few corner cases), corpus and per-image scores to 1e-12, and the
//! tokenization of every reference and result caption equal to pycocoevalcap's (its Java
//! PTB tokenizer, one run for all 25,014 val2017 captions).

use crate::support::run_script;
use cocoprep_eval::captions::{
    EvaluationOptions, ImageId, References, Results, TokenizedImage, evaluate_with_path, pair,
    score, tokenize,
};

#[test]
fn val2017_scores_equal_pycocoevalcap() {
    let Some(data) = cocoprep_test::shared_data() else {
        eprintln!("skipped: shared/data is not available");
        return;
    };
    if std::process::Command::new("java")
        .arg("-version")
        .output()
        .is_err()
    {
        eprintln!("skipped: java is not installed (Debian: default-jre-headless)");
        return;
    }
    let reference_path = data.join("coco-val2017-captions/captions_val2017.json");
    let folder = cocoprep_test::temp_dir();
    let results_path = folder.path().join("results.json");
    let expected_path = folder.path().join("expected.json");
    run_script("make_caption_results.py", &[&reference_path, &results_path]);
    run_script(
        "pycocoevalcap_scores.py",
        &[&reference_path, &results_path, &expected_path],
    );
    let expected: serde_json::Value =
        serde_json::from_slice(&fs_err::read(&expected_path).unwrap()).unwrap();

    let references = References::read(&reference_path).unwrap();
    let results = Results::read(&results_path).unwrap();
    let evaluation = evaluate_with_path(
        &references,
        &results,
        &results_path,
        &EvaluationOptions::default(),
    )
    .unwrap();
    assert_eq!(evaluation.image_ids.len(), 5000);

    // The tokenizer: every caption, as pycocoevalcap's Java run tokenized it.
    let paired = pair(&references, &results, &results_path).unwrap();
    let tokenized = tokenize(&paired.references, &paired.candidates);
    let expected_tokens: Vec<TokenizedImage> = expected["tokenized"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| TokenizedImage {
            candidate: entry[1].as_str().unwrap().to_owned(),
            references: serde_json::from_value(entry[2].clone()).unwrap(),
        })
        .collect();
    let captions: usize = tokenized.iter().map(|image| image.references.len()).sum();
    assert_eq!(captions, 25_014);
    for ((actual, expected), id) in tokenized
        .iter()
        .zip(&expected_tokens)
        .zip(&evaluation.image_ids)
    {
        assert_eq!(actual, expected, "image {id}");
    }
    // Scoring pycocoevalcap's own tokens gives the same numbers as well.
    let ids: Vec<&ImageId> = evaluation.image_ids.iter().collect();
    let from_java_tokens = score(&ids, &expected_tokens, &EvaluationOptions::default()).unwrap();
    assert_eq!(from_java_tokens.corpus_scores(), evaluation.corpus_scores());

    let mut largest_difference = 0.0_f64;
    let mut compare = |what: &str, actual: f64, expected: f64| {
        let difference = (actual - expected).abs();
        largest_difference = largest_difference.max(difference);
        assert!(
            difference <= 1e-12,
            "{what}: cocoprep {actual:?}, pycocoevalcap {expected:?}"
        );
    };
    for (name, score) in evaluation.corpus_scores() {
        compare(name, score, expected["corpus"][name].as_f64().unwrap());
    }
    let per_image = expected["per_image"].as_array().unwrap();
    assert_eq!(per_image.len(), evaluation.image_ids.len());
    for (index, entry) in per_image.iter().enumerate() {
        assert_eq!(
            entry[0].as_u64().unwrap().to_string(),
            evaluation.image_ids[index].to_string()
        );
        for (name, score) in evaluation.image_scores(index) {
            let what = format!("image {} {name}", evaluation.image_ids[index]);
            compare(&what, score, entry[1][name].as_f64().unwrap());
        }
    }
    eprintln!("largest difference from pycocoevalcap: {largest_difference:e}");
}
