//! MSR-VTT 1k-A: byte-identical to the notebook's output on the fixture
//! (`tests/fixtures/msrvtt/`, see the README).

use std::path::Path;

use cocoprep_datasets::coco_style::InfoKey;
use cocoprep_datasets::msrvtt::{self, MsrvttInputs};

#[test]
fn msrvtt_files_are_byte_identical_to_the_notebook() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/msrvtt");
    let out = cocoprep_test::temp_dir();
    let written = msrvtt::prepare(
        &MsrvttInputs::in_folder(&fixture),
        out.path(),
        InfoKey::Omit,
    )
    .expect("MSR-VTT builds");
    assert_eq!(written[0].1, 3, "trainval videos");
    assert_eq!(written[0].2, 4, "trainval captions");
    for name in [msrvtt::TRAINVAL_FILE, msrvtt::TEST_FILE] {
        assert_eq!(
            std::fs::read(out.path().join(name)).unwrap(),
            std::fs::read(fixture.join("golden").join(name)).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn msrvtt_missing_csv_is_named() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/msrvtt");
    let mut inputs = MsrvttInputs::in_folder(&fixture);
    inputs.train_list = fixture.join("absent.csv");
    let error = msrvtt::build(&inputs).unwrap_err().to_string();
    assert!(
        error.starts_with("missing CLIP4Clip MSR-VTT split list") && error.ends_with("absent.csv`"),
        "{error}"
    );
}
