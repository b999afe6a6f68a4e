use cocoprep_base::progress::NoReporter;
use cocoprep_convert::layout::LinkMode;
use cocoprep_datasets::image_check::ImageCheckLevel;
use cocoprep_datasets::sbu::prepare_sbu;

use crate::support::{file_names, fixture, position, read, tree};

#[test]
fn sbu_subcaption_json_matches_make_sbu_json_with_images_keys_in_list_order() {
    let root = cocoprep_test::temp_dir();
    let summary = prepare_sbu(
        root.path(),
        &fixture("sbu/dataset/SBU_captioned_photo_dataset_urls.txt"),
        &fixture("sbu/dataset/SBU_captioned_photo_dataset_captions.txt"),
        Some(&fixture("sbu/images")),
        LinkMode::Hard,
        ImageCheckLevel::Header,
        &NoReporter,
    )
    .unwrap();
    let output = tree(root.path(), "sbucaption/annotations/subcaption.json");
    assert_eq!(summary.output, output);
    // 10 lines, 9 names (one repeated), one never downloaded, one 5×5 image.
    assert_eq!((summary.rows, summary.names, summary.written), (10, 9, 7));
    assert_eq!(
        (summary.images.missing, summary.images.out_of_bounds),
        (1, 1)
    );

    // Same pairs as the script (whose keys are bare names, in glob order).
    let written: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&read(&output)).unwrap();
    let reference: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&read(&fixture("sbu/subcaption.reference.json"))).unwrap();
    let unprefixed: serde_json::Map<String, serde_json::Value> = written
        .into_iter()
        .map(|(key, value)| (key.strip_prefix("images/").unwrap().to_owned(), value))
        .collect();
    assert_eq!(unprefixed, reference);

    // Key order is the URL list's, and the text is json.dump's (escapes included).
    let text = read(&output);
    assert!(text.starts_with(
        "{\"images/4385058960_b0f291553e.jpg\": \"Man sits in a rusted car buried in the sand on Waitarere beach\", \
         \"images/4385058961_b0f291553f.jpg\": \"Our dog Zoe\", "
    ));
    assert!(
        position(&text, "4385058962_b0f2915540.jpg") < position(&text, "4385058963_b0f2915541.jpg")
    );
    assert!(text.ends_with(
        "\"images/4385058969_b0f2915547.jpg\": \"\\u00fcber den Wolken \\ud83d\\ude00\"}"
    ));
    assert!(text.contains("\"second caption of a repeated name\""));

    // The images sit where the config's FEATS_FOLDER + key points.
    assert_eq!(file_names(&tree(root.path(), "sbucaption/images")).len(), 7);
    for key in unprefixed.keys() {
        assert!(tree(root.path(), "sbucaption/images").join(key).is_file());
    }
}

#[test]
fn sbu_lists_of_different_lengths_are_refused() {
    let root = cocoprep_test::temp_dir();
    let captions = root.path().join("captions.txt");
    std::fs::write(&captions, "only one caption\n").unwrap();
    let error = prepare_sbu(
        root.path(),
        &fixture("sbu/dataset/SBU_captioned_photo_dataset_urls.txt"),
        &captions,
        Some(&fixture("sbu/images")),
        LinkMode::None,
        ImageCheckLevel::Header,
        &NoReporter,
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("has 1 lines but the URL list"), "{error}");
    assert!(error.contains("has 10"), "{error}");
}
