//! `cocoprep targets`: the files and names Uni-Perceiver's configs read, the spec's checksums.

use cocoprep_test::cli::{assert_exit, stderr};

use crate::cocoprep;

#[test]
fn preset_writes_the_config_file_name_and_spec_checksum_json() {
    let folder = cocoprep_test::temp_dir();
    let output = cocoprep([
        "targets".as_ref(),
        "k400".as_ref(),
        "-o".as_ref(),
        folder.path().as_os_str(),
        "--json".as_ref(),
    ]);
    assert_exit(&output, 0);
    let pickle = folder
        .path()
        .join("k400_class_name_CLIP_with_endoftext.pkl");
    assert!(pickle.is_file());
    let json = std::fs::read(pickle.with_extension("json")).expect("json");
    let digest: String = sha2_hex(&json);
    assert_eq!(
        digest,
        "fb86d8d81ff25ddddbb4938456795516ef1b1fba7fa0e2ed5efb923531de4806"
    );
}

#[test]
fn glue_writes_seven_files_under_glue_classnames() {
    let folder = cocoprep_test::temp_dir();
    let output = cocoprep([
        "targets".as_ref(),
        "glue".as_ref(),
        "-o".as_ref(),
        folder.path().as_os_str(),
    ]);
    assert_exit(&output, 0);
    for task in ["SST-2", "CoLA", "RTE", "MRPC", "QQP", "QNLI", "MNLI"] {
        let path = folder
            .path()
            .join("GLUE_classnames")
            .join(format!("{task}_class_name_CLIP_with_endoftext.pkl"));
        assert!(path.is_file(), "{}", path.display());
    }
}

#[test]
fn names_encodes_each_line_with_end_of_text() {
    let folder = cocoprep_test::temp_dir();
    let names = folder.path().join("names.txt");
    std::fs::write(&names, "tench\nCafé &amp; crème\n").expect("names");
    let json = folder.path().join("out.json");
    let output = cocoprep([
        "targets".as_ref(),
        "names".as_ref(),
        names.as_os_str(),
        "-o".as_ref(),
        folder.path().join("out.pkl").as_os_str(),
        "--json".as_ref(),
        json.as_os_str(),
    ]);
    assert_exit(&output, 0);
    assert_eq!(
        std::fs::read_to_string(json).expect("json"),
        "[[1149, 634, 49407], [15304, 261, 1075, 12138, 614, 49407]]"
    );
}

#[test]
fn input_presets_without_input_fail_with_usage_status() {
    let folder = cocoprep_test::temp_dir();
    let output = cocoprep([
        "targets".as_ref(),
        "vqa".as_ref(),
        "-o".as_ref(),
        folder.path().as_os_str(),
    ]);
    assert_exit(&output, 2);
    assert!(stderr(&output).contains("--input"), "{}", stderr(&output));
}

fn sha2_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
