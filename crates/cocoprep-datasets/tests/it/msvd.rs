//! MSVD: byte-identical to the published files (sha256 from the spec, Appendix A).

use cocoprep_datasets::coco_style::InfoKey;
use cocoprep_datasets::msvd;
use sha2::{Digest, Sha256};

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// (split, bytes, sha256, videos, captions, first sentence id, last sentence id)
const PUBLISHED: [(&str, usize, &str, usize, usize, i64, i64); 3] = [
    (
        "train",
        3_989_017,
        "e1d45d3e8f7f813684b8fc35d4c0f712f63161f59ce215948ce350781de0767d",
        1200,
        48774,
        1,
        48774,
    ),
    (
        "val",
        355_499,
        "df40119139fc4dfc7403e6c38aa4d3fab4dd1a7020c89ea77bdaa0eafa4c89f3",
        100,
        4290,
        48775,
        53064,
    ),
    (
        "test",
        2_303_999,
        "d4058f1a5b6ad3f3dfac5e02dd8d2e547e1d1c40e74cc006adf145a1832b3e54",
        670,
        27763,
        53065,
        80827,
    ),
];

#[test]
fn msvd_files_are_byte_identical_to_the_published_sha256() {
    let Some(data) = cocoprep_test::shared_data() else {
        eprintln!("skipped: ../shared/data is absent");
        return;
    };
    let files = msvd::build(&data.join("msvd-captions")).expect("MSVD builds");
    assert_eq!(files.len(), 3);
    for (file, (split, size, digest, videos, captions, first, last)) in files.iter().zip(PUBLISHED)
    {
        assert_eq!(file.split, split);
        assert_eq!(file.content.images.len(), videos, "{split} videos");
        assert_eq!(file.content.annotations.len(), captions, "{split} captions");
        assert_eq!(file.content.annotations.first().unwrap().id, first);
        assert_eq!(file.content.annotations.last().unwrap().id, last);
        let exact = file.content.to_json(InfoKey::Omit);
        assert_eq!(exact.len(), size, "{split} size");
        assert_eq!(sha256(&exact), digest, "{split} sha256");
        // With the `info` key pycocotools needs: the same bytes, then `, "info": {}}`.
        let with_info = file.content.to_json(InfoKey::Add);
        assert_eq!(&with_info[..size - 1], &exact[..size - 1]);
        assert_eq!(&with_info[size - 1..], b", \"info\": {}}");
    }
}

#[test]
fn msvd_prepare_writes_the_config_names() {
    let Some(data) = cocoprep_test::shared_data() else {
        eprintln!("skipped: ../shared/data is absent");
        return;
    };
    let out = cocoprep_test::temp_dir();
    let written = msvd::prepare(&data.join("msvd-captions"), out.path(), InfoKey::Omit).unwrap();
    let names: Vec<_> = written
        .iter()
        .map(|file| {
            file.path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        names,
        [
            "caption_msvd_train_cocostyle.json",
            "caption_msvd_val_cocostyle.json",
            "caption_msvd_test_cocostyle.json"
        ]
    );
    let first = std::fs::read_to_string(&written[1].path).unwrap();
    assert!(first.starts_with(
        r#"{"images": [{"id": 1201, "file_name": "bQJQGoJF7_k_162_169"}], "annotations": [{"image_id": 1201, "id": 48775, "caption": "a man is filling up a bag with meat"}"#
    ) || first.starts_with(r#"{"images": [{"id": 1201, "file_name": "bQJQGoJF7_k_162_169"}, "#));
}

#[test]
fn msvd_caption_of_an_unknown_video_is_an_error_naming_the_line() {
    let folder = cocoprep_test::temp_dir();
    std::fs::write(folder.path().join("youtube_mapping.txt"), "clipA vid1\r\n").unwrap();
    std::fs::write(
        folder.path().join("sents_train_lc_nopunc.txt"),
        "vid1\ta b\nvid2\tc\n",
    )
    .unwrap();
    std::fs::write(folder.path().join("sents_val_lc_nopunc.txt"), "").unwrap();
    std::fs::write(folder.path().join("sents_test_lc_nopunc.txt"), "").unwrap();
    let error = msvd::build(folder.path()).unwrap_err().to_string();
    assert!(
        error.contains("sents_train_lc_nopunc.txt` line 2"),
        "{error}"
    );
    assert!(
        error.contains("\"vid2\" is not in youtube_mapping.txt"),
        "{error}"
    );
    std::fs::remove_file(folder.path().join("sents_test_lc_nopunc.txt")).unwrap();
    std::fs::write(
        folder.path().join("sents_train_lc_nopunc.txt"),
        "vid1\ta b\n",
    )
    .unwrap();
    let error = msvd::build(folder.path()).unwrap_err().to_string();
    assert!(
        error.starts_with("missing MSVD captions file")
            && error.ends_with("sents_test_lc_nopunc.txt`"),
        "{error}"
    );
}
