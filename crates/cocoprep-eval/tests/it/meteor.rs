//! METEOR through the jar, driven as pycocoevalcap drives it: the same per-image and corpus
//! scores as pycocoevalcap's `Meteor` on 25 val2017 images; and clear errors when the jar
//! is missing.

use std::path::PathBuf;

use crate::support::val2017_caption_results;
use cocoprep_eval::captions::{
    Error, EvaluationOptions, ImageId, Metric, References, Results, TokenizedImage,
    evaluate_with_path, score,
};

/// pycocoevalcap's METEOR jar, if pycocoevalcap and Java are installed.
fn meteor_jar() -> Option<PathBuf> {
    Some(crate::support::pycocoevalcap_with_java()?.join("meteor/meteor-1.5.jar"))
}

#[test]
#[ignore = "starts the METEOR jar twice (2 GB heap, paraphrase table): about 100 s on a busy 2-core machine; run with `cargo test -p cocoprep-eval -- --ignored`"]
fn meteor_scores_equal_pycocoevalcap_on_25_val2017_images() {
    let folder = cocoprep_test::temp_dir();
    let Some((reference_path, results_path)) = val2017_caption_results(folder.path(), 25) else {
        return;
    };
    let Some(jar) = meteor_jar() else {
        return;
    };
    let expected_path = folder.path().join("expected.json");
    crate::support::run_pycocoevalcap_scorer(
        r#"
from pycocoevalcap.meteor.meteor import Meteor
score, scores = Meteor().compute_score(gts, rs)
json.dump({'corpus': score, 'per_image': scores, 'tokenized': [[rs[i][0], gts[i]] for i in gts]}, open(sys.argv[3], 'w'))
"#,
        &reference_path,
        &results_path,
        &expected_path,
    );
    let expected: serde_json::Value =
        serde_json::from_slice(&fs_err::read(&expected_path).unwrap()).unwrap();

    let options = EvaluationOptions {
        metrics: vec![Metric::Meteor],
        document_frequency: None,
        meteor_jar: Some(jar.clone()),
        spice_jar: None,
    };
    let evaluation = evaluate_with_path(
        &References::read(&reference_path).unwrap(),
        &Results::read(&results_path).unwrap(),
        &results_path,
        &options,
    )
    .unwrap();
    let meteor = evaluation.meteor.expect("METEOR was asked for");
    assert_eq!(meteor.corpus, expected["corpus"].as_f64().unwrap());
    let per_image: Vec<f64> = serde_json::from_value(expected["per_image"].clone()).unwrap();
    assert_eq!(meteor.per_image, per_image);

    // The same through `score` on pycocoevalcap's own tokens.
    let tokenized: Vec<TokenizedImage> = expected["tokenized"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| TokenizedImage {
            candidate: entry[0].as_str().unwrap().to_owned(),
            references: serde_json::from_value(entry[1].clone()).unwrap(),
        })
        .collect();
    let ids: Vec<&ImageId> = evaluation.image_ids.iter().collect();
    let again = score(&ids, &tokenized, &options).unwrap().meteor.unwrap();
    assert_eq!(again.corpus, meteor.corpus);
}

#[test]
fn a_missing_meteor_jar_is_a_clear_error() {
    let tokenized = [TokenizedImage {
        candidate: "a dog".to_owned(),
        references: vec!["a dog runs".to_owned()],
    }];
    let options = EvaluationOptions {
        metrics: vec![Metric::Meteor],
        document_frequency: None,
        meteor_jar: Some(PathBuf::from("/nonexistent/meteor-1.5.jar")),
        spice_jar: None,
    };
    let error = score(&[&ImageId::Number(1.into())], &tokenized, &options).unwrap_err();
    assert!(matches!(
        error,
        Error::JavaMetric {
            metric: "METEOR",
            ..
        }
    ));
    assert!(
        error
            .to_string()
            .contains("/nonexistent/meteor-1.5.jar` does not exist"),
        "{error}"
    );
}
