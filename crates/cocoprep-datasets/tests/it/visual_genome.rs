use std::collections::BTreeSet;

use cocoprep_base::progress::NoReporter;
use cocoprep_convert::layout::LinkMode;
use cocoprep_datasets::visual_genome::prepare_visual_genome;
use serde_json::Value;

use crate::support::{fixture, read, tree};

#[test]
fn vg_captions_match_the_notebook_in_a_deterministic_order() {
    let root = cocoprep_test::temp_dir();
    let summary = prepare_visual_genome(
        root.path(),
        &fixture("visual_genome/region_descriptions.json"),
        Some(&fixture("visual_genome/images")),
        LinkMode::Hard,
        &NoReporter,
    )
    .unwrap();
    let output = tree(
        root.path(),
        "visual_genome/annotations/vg_captions_128filter.json",
    );
    assert_eq!(summary.output, output);
    assert_eq!((summary.entries, summary.regions), (5, 13));
    assert_eq!(
        (
            summary.images_with_phrases,
            summary.images_written,
            summary.images_without_file
        ),
        (4, 3, 1)
    );
    assert_eq!(summary.phrases_written, 8);

    // Phrase order: first occurrence in region_descriptions.json; image order likewise;
    // image 4 (no file: the loader's `subset[id]` would fail) is left out.
    let expected = concat!(
        "{\"phrase\": {",
        "\"1\": [\"the clock is green in colour\", \"man is wearing sneakers\", \"cars headlights are off\"], ",
        "\"3\": [\"walls are white \\u00e9t\\u00e9\", \"a picture on the wall\"], ",
        "\"107899\": [\"a dog on a couch\", \"a lamp\", \"A dog on a couch\"]}, ",
        "\"subset\": {\"1\": \"VG_100K/1.jpg\", \"3\": \"VG_100K_2/3.jpg\", \"107899\": \"VG_100K_2/107899.jpg\"}}"
    );
    assert_eq!(read(&output), expected);

    // The same sets as the notebook (whose list order is a set's).
    let written: Value = serde_json::from_str(&read(&output)).unwrap();
    let reference: Value = serde_json::from_str(&read(&fixture(
        "visual_genome/vg_captions_128filter.reference.json",
    )))
    .unwrap();
    let as_sets = |value: &Value| -> Vec<(String, BTreeSet<String>)> {
        value["phrase"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(id, list)| {
                let set = list
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p.as_str().unwrap().to_owned());
                (id.clone(), set.collect())
            })
            .collect()
    };
    let reference_with_files: Vec<_> = as_sets(&reference)
        .into_iter()
        .filter(|(id, _)| reference["subset"].get(id).is_some())
        .collect();
    assert_eq!(as_sets(&written), reference_with_files);
    assert_eq!(written["subset"], reference["subset"]);
    for relative in ["VG_100K/1.jpg", "VG_100K_2/3.jpg", "VG_100K_2/107899.jpg"] {
        assert!(
            tree(root.path(), "visual_genome/images")
                .join(relative)
                .is_file()
        );
    }
    assert!(!tree(root.path(), "visual_genome/images/VG_100K/2.jpg").exists());
}

#[test]
fn a_malformed_region_file_names_the_file_and_position() {
    let root = cocoprep_test::temp_dir();
    let regions = root.path().join("region_descriptions.json");
    std::fs::write(
        &regions,
        r#"[{"regions": [{"image_id": 1, "width": 5}], "id": 1}]"#,
    )
    .unwrap();
    let error = prepare_visual_genome(
        root.path(),
        &regions,
        Some(&fixture("visual_genome/images")),
        LinkMode::None,
        &NoReporter,
    )
    .unwrap_err();
    let chain = format!("{error}: {}", std::error::Error::source(&error).unwrap());
    assert!(
        chain.contains("region_descriptions.json` is not a valid Visual Genome"),
        "{chain}"
    );
    assert!(chain.contains("missing field"), "{chain}");
}
