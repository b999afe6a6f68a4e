//! SPICE through its jar: with Stanford CoreNLP 3.6.0 installed, the same per-image and
//! corpus scores as pycocoevalcap's `Spice`; without it, or with a damaged copy, errors
//! that name the jars and say where they come from. The failing runs start the real jar
//! under the real Java.

use std::path::{Path, PathBuf};

use cocoprep_eval::captions::{
    Error, EvaluationOptions, ImageId, Metric, References, Results, TokenizedImage,
    evaluate_with_path, score,
};

/// pycocoevalcap's `spice/` folder, if pycocoevalcap and Java are installed.
fn pycocoevalcap_spice() -> Option<PathBuf> {
    Some(crate::support::pycocoevalcap_with_java()?.join("spice"))
}

fn options(jar: &Path) -> EvaluationOptions {
    EvaluationOptions {
        metrics: vec![Metric::Spice],
        document_frequency: None,
        meteor_jar: None,
        spice_jar: Some(jar.to_owned()),
    }
}

fn one_image() -> [TokenizedImage; 1] {
    [TokenizedImage {
        candidate: "a man riding a horse".to_owned(),
        references: vec!["a person rides a horse".to_owned()],
    }]
}

#[test]
fn spice_without_corenlp_names_the_missing_jars() {
    let Some(spice) = pycocoevalcap_spice() else {
        return;
    };
    let folder = cocoprep_test::temp_dir();
    let jar = folder.path().join("spice-1.0.jar");
    std::fs::create_dir(folder.path().join("lib")).unwrap();
    std::fs::copy(spice.join("spice-1.0.jar"), &jar).unwrap();
    let error = score(&[&ImageId::Number(1.into())], &one_image(), &options(&jar)).unwrap_err();
    assert!(
        matches!(
            error,
            Error::JavaMetric {
                metric: "SPICE",
                ..
            }
        ),
        "{error}"
    );
    let message = error.to_string();
    assert!(
        message.contains("stanford-corenlp-3.6.0.jar")
            && message.contains("stanford-corenlp-3.6.0-models.jar")
            && message.contains("get_stanford_models"),
        "{message}"
    );
}

#[test]
fn a_damaged_corenlp_is_reported_with_what_java_said() {
    let Some(spice) = pycocoevalcap_spice() else {
        return;
    };
    // The real jar and its real libraries, with empty files where CoreNLP's jars belong:
    // Java starts, SPICE's parser class fails to load, and the error says why.
    let folder = cocoprep_test::temp_dir();
    let lib = folder.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    std::fs::copy(
        spice.join("spice-1.0.jar"),
        folder.path().join("spice-1.0.jar"),
    )
    .unwrap();
    for entry in std::fs::read_dir(spice.join("lib")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), lib.join(entry.file_name())).unwrap();
    }
    for name in [
        "stanford-corenlp-3.6.0.jar",
        "stanford-corenlp-3.6.0-models.jar",
    ] {
        if !lib.join(name).exists() {
            std::fs::write(lib.join(name), b"").unwrap();
        }
    }
    if std::fs::metadata(lib.join("stanford-corenlp-3.6.0.jar"))
        .unwrap()
        .len()
        > 0
    {
        eprintln!("skipped: this pycocoevalcap has CoreNLP; the parity test covers it");
        return;
    }
    let jar = folder.path().join("spice-1.0.jar");
    let error = score(&[&ImageId::Number(1.into())], &one_image(), &options(&jar)).unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(
            error,
            Error::JavaMetricFailed {
                metric: "SPICE",
                ..
            }
        ),
        "{message}"
    );
    assert!(
        message.contains("java said:")
            && message.contains("edu/stanford/nlp")
            && message.contains("Stanford CoreNLP 3.6.0 cannot be loaded"),
        "{message}"
    );
}

#[test]
#[ignore = "needs Stanford CoreNLP 3.6.0 in pycocoevalcap's spice/lib (downloaded from nlp.stanford.edu by get_stanford_models) and minutes of Java; run with `cargo test -p cocoprep-eval -- --ignored`"]
fn spice_scores_equal_pycocoevalcap_on_25_val2017_images() {
    let folder = cocoprep_test::temp_dir();
    let Some((reference_path, results_path)) =
        crate::support::val2017_caption_results(folder.path(), 25)
    else {
        return;
    };
    let Some(spice) = pycocoevalcap_spice() else {
        return;
    };
    if !spice
        .join("lib/stanford-corenlp-3.6.0-models.jar")
        .is_file()
    {
        eprintln!(
            "skipped: Stanford CoreNLP 3.6.0 is not in {}",
            spice.display()
        );
        return;
    }
    let expected_path = folder.path().join("expected.json");
    crate::support::run_pycocoevalcap_scorer(
        r#"
from pycocoevalcap.spice.spice import Spice
score, scores = Spice().compute_score(gts, rs)
by_id = {i: s['All']['f'] for i, s in zip(sorted(gts), scores)}
json.dump({'corpus': score, 'by_id': {str(i): f for i, f in by_id.items()}}, open(sys.argv[3], 'w'))
"#,
        &reference_path,
        &results_path,
        &expected_path,
    );
    let expected: serde_json::Value =
        serde_json::from_slice(&fs_err::read(&expected_path).unwrap()).unwrap();
    let evaluation = evaluate_with_path(
        &References::read(&reference_path).unwrap(),
        &Results::read(&results_path).unwrap(),
        &results_path,
        &options(&spice.join("spice-1.0.jar")),
    )
    .unwrap();
    let spice_scores = evaluation.spice.expect("SPICE was asked for");
    assert_eq!(spice_scores.corpus, expected["corpus"].as_f64().unwrap());
    for (id, score) in evaluation.image_ids.iter().zip(&spice_scores.per_image) {
        assert_eq!(
            Some(*score),
            expected["by_id"][id.to_string()].as_f64(),
            "image {id}"
        );
    }
}
