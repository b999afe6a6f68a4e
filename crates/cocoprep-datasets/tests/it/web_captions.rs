use cocoprep_base::progress::NoReporter;
use cocoprep_convert::layout::LinkMode;
use cocoprep_datasets::Error;
use cocoprep_datasets::cc3m::{Cc3mSplit, prepare_cc3m};
use cocoprep_datasets::cc12m::prepare_cc12m;
use cocoprep_datasets::image_check::ImageCheckLevel;
use cocoprep_datasets::image_check::ImageCounts;

use crate::support::{file_names, fixture, read, tree};

#[test]
fn cc3m_val_spacy_json_is_byte_identical_to_make_cc3m_val_json() {
    let root = cocoprep_test::temp_dir();
    let summary = prepare_cc3m(
        root.path(),
        Cc3mSplit::Val,
        &fixture("cc3m/Validation_GCC-1.1.0-Validation.tsv"),
        Some(&fixture("cc3m/val_image")),
        LinkMode::Hard,
        ImageCheckLevel::Header,
        &NoReporter,
    )
    .unwrap();
    let output = tree(root.path(), "cc3m/val_spacy.json");
    assert_eq!(summary.output, output);
    assert_eq!(
        read(&output),
        read(&fixture("cc3m/val_spacy.reference.json"))
    );
    // 40 rows: 6 never downloaded, an HTML page, one side < 10 px, one side > 10000 px.
    assert_eq!((summary.rows, summary.written), (40, 31));
    assert_eq!(
        summary.images,
        ImageCounts {
            usable: 31,
            missing: 6,
            unreadable: 1,
            out_of_bounds: 2
        }
    );
    // Exactly the usable images are linked into the tree, under the row names.
    assert_eq!(summary.placed, 31);
    let placed = file_names(&tree(root.path(), "cc3m/val_image"));
    assert_eq!(placed.len(), 31);
    assert!(placed.contains(&"00000000.jpg".to_owned()));
    assert!(!placed.contains(&"00000005.jpg".to_owned()));

    // A re-run finds the images in place and writes the same file.
    let again = prepare_cc3m(
        root.path(),
        Cc3mSplit::Val,
        &fixture("cc3m/Validation_GCC-1.1.0-Validation.tsv"),
        Some(&fixture("cc3m/val_image")),
        LinkMode::Hard,
        ImageCheckLevel::Header,
        &NoReporter,
    )
    .unwrap();
    assert_eq!(again.placed, 0);
    assert_eq!(
        read(&output),
        read(&fixture("cc3m/val_spacy.reference.json"))
    );
}

#[test]
fn cc3m_reads_images_already_in_the_tree_without_linking() {
    let root = cocoprep_test::temp_dir();
    let images = tree(root.path(), "cc3m/train_image");
    std::fs::create_dir_all(&images).unwrap();
    for name in file_names(&fixture("cc3m/val_image")) {
        std::fs::copy(fixture("cc3m/val_image").join(&name), images.join(&name)).unwrap();
    }
    let summary = prepare_cc3m(
        root.path(),
        Cc3mSplit::Train,
        &fixture("cc3m/Validation_GCC-1.1.0-Validation.tsv"),
        None,
        LinkMode::Hard,
        ImageCheckLevel::Header,
        &NoReporter,
    )
    .unwrap();
    assert_eq!((summary.written, summary.placed), (31, 0));
    let written = read(&tree(root.path(), "cc3m/train_spacy.json"));
    let expected = read(&fixture("cc3m/val_spacy.reference.json"))
        .replace("\"val_image.zip@/", "\"train_image.zip@/");
    assert_eq!(written, expected);
}

#[test]
fn cc12m_train_available_json_reads_url_then_caption() {
    // The reference is make_cc12m_train_json.py run on the rows in the order it assumes
    // (caption, url); cocoprep gets the real cc12m.tsv order (url, caption).
    let root = cocoprep_test::temp_dir();
    let summary = prepare_cc12m(
        root.path(),
        &fixture("cc12m/cc12m.tsv"),
        Some(&fixture("cc3m/val_image")),
        LinkMode::Copy,
        // The full decode keeps the same rows: the fixture has no truncated image.
        ImageCheckLevel::Decode,
        &NoReporter,
    )
    .unwrap();
    assert_eq!(
        summary.output,
        tree(root.path(), "c12m/train_available.json")
    );
    assert_eq!(
        read(&summary.output),
        read(&fixture("cc12m/train_available.reference.json"))
    );
    assert_eq!(file_names(&tree(root.path(), "c12m/train_image")).len(), 31);
}

#[test]
fn swapped_columns_are_refused_with_the_line_and_the_right_command() {
    let root = cocoprep_test::temp_dir();
    let images = fixture("cc3m/val_image");
    let error = prepare_cc12m(
        root.path(),
        &fixture("cc3m/Validation_GCC-1.1.0-Validation.tsv"),
        Some(&images),
        LinkMode::None,
        ImageCheckLevel::Header,
        &NoReporter,
    )
    .unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, Error::MalformedLine { line: 1, .. }),
        "{message}"
    );
    assert!(message.contains("columns look swapped"), "{message}");
    assert!(message.contains("cocoprep dataset cc3m"), "{message}");

    let error = prepare_cc3m(
        root.path(),
        Cc3mSplit::Val,
        &fixture("cc12m/cc12m.tsv"),
        Some(&images),
        LinkMode::None,
        ImageCheckLevel::Header,
        &NoReporter,
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("cocoprep dataset cc12m"), "{error}");
    // Nothing half-written is left under the final name.
    assert!(!tree(root.path(), "cc3m/val_spacy.json").exists());
    assert!(!tree(root.path(), "c12m/train_available.json").exists());
}

#[test]
fn a_row_without_two_columns_is_named_by_its_line() {
    let root = cocoprep_test::temp_dir();
    let tsv = root.path().join("list.tsv");
    std::fs::write(&tsv, "a caption\thttp://a/b.jpg\r\njust one column\n").unwrap();
    let images = root.path().join("images");
    std::fs::create_dir_all(&images).unwrap();
    let error = prepare_cc3m(
        root.path(),
        Cc3mSplit::Val,
        &tsv,
        Some(&images),
        LinkMode::None,
        ImageCheckLevel::Header,
        &NoReporter,
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("line 2"), "{error}");
    assert!(
        error.contains("expected 2 tab-separated columns (caption, url), found 1"),
        "{error}"
    );
}
