use super::{Kind, SNIFF_BYTES, Sample, sniff_bytes};

fn kind_of(bytes: &[u8], file_name: &str) -> Kind {
    sniff_bytes(&Sample {
        head: bytes,
        tail: None,
        complete: true,
        file_name,
    })
    .kind
}

/// A big file: its first and last [`SNIFF_BYTES`].
fn kind_of_big(bytes: &[u8], file_name: &str) -> Kind {
    assert!(bytes.len() > 2 * SNIFF_BYTES);
    sniff_bytes(&Sample {
        head: &bytes[..SNIFF_BYTES],
        tail: Some(&bytes[bytes.len() - SNIFF_BYTES..]),
        complete: false,
        file_name,
    })
    .kind
}

/// A COCO file whose images alone fill the head, as in train2017.
fn big_coco(annotation: &str, categories: &str) -> String {
    let images: Vec<String> = (0..2000)
        .map(|id| {
            format!(
                r#"{{"license": 3, "file_name": "{id:012}.jpg", "height": 480, "width": 640, "id": {id}}}"#
            )
        })
        .collect();
    let annotations: Vec<String> = (0..2000).map(|_| annotation.to_owned()).collect();
    format!(
        r#"{{"info": {{"year": 2017}}, "licenses": [], "images": [{}], "annotations": [{}], "categories": [{categories}]}}"#,
        images.join(", "),
        annotations.join(", ")
    )
}

#[test]
fn coco_flavours_are_told_from_the_end_of_a_big_file() {
    let instances = big_coco(
        r#"{"segmentation": [[1, 2, 3, 4, 5, 6]], "area": 3.0, "iscrowd": 0, "image_id": 1, "bbox": [1, 2, 3, 4], "category_id": 1, "id": 5}"#,
        r#"{"supercategory": "person", "id": 1, "name": "person"}"#,
    );
    assert_eq!(
        kind_of_big(instances.as_bytes(), "x.json"),
        Kind::CocoInstances
    );
    let keypoints = big_coco(
        r#"{"num_keypoints": 1, "keypoints": [1, 2, 2], "image_id": 1, "bbox": [1, 2, 3, 4], "category_id": 1, "id": 5}"#,
        r#"{"supercategory": "person", "id": 1, "name": "person", "keypoints": ["nose"], "skeleton": []}"#,
    );
    assert_eq!(
        kind_of_big(keypoints.as_bytes(), "x.json"),
        Kind::CocoKeypoints
    );
    let captions = big_coco(r#"{"image_id": 1, "id": 2, "caption": "A dog."}"#, "");
    assert_eq!(
        kind_of_big(captions.as_bytes(), "x.json"),
        Kind::CocoCaptions
    );
    let panoptic = big_coco(
        r#"{"segments_info": [{"id": 1, "category_id": 1, "iscrowd": 0, "bbox": [1, 2, 3, 4], "area": 5}], "file_name": "1.png", "image_id": 1}"#,
        r#"{"supercategory": "person", "isthing": 1, "id": 1, "name": "person"}"#,
    );
    assert_eq!(
        kind_of_big(panoptic.as_bytes(), "x.json"),
        Kind::CocoPanoptic
    );
    let stuff = big_coco(
        r#"{"segmentation": {"counts": "abc", "size": [4, 4]}, "area": 3.0, "iscrowd": 0, "image_id": 1, "bbox": [1, 2, 3, 4], "category_id": 92, "id": 5}"#,
        r#"{"supercategory": "textile", "id": 92, "name": "banner"}, {"supercategory": "other", "id": 183, "name": "other"}"#,
    );
    assert_eq!(kind_of_big(stuff.as_bytes(), "x.json"), Kind::CocoStuff);
}

#[test]
fn json_lists_and_caption_files() {
    let results = br#"[{"image_id": 42, "category_id": 18, "bbox": [1, 2, 3, 4], "score": 0.5}]"#;
    assert_eq!(kind_of(results, "r.json"), Kind::DetectionResults);
    let captions = br#"[{"image_id": 42, "caption": "a dog"}]"#;
    assert_eq!(kind_of(captions, "r.json"), Kind::CaptionResults);
    let categories = br#"[{"supercategory": "person", "color": [1, 2, 3], "isthing": 1, "id": 1, "name": "person"}]"#;
    assert_eq!(kind_of(categories, "c.json"), Kind::CategoryList);
    assert_eq!(kind_of(b"[]", "c.json"), Kind::OtherJson);
    let karpathy = br#"{"images": [{"filepath": "val2014", "sentids": [1], "filename": "a.jpg", "imgid": 0, "split": "test", "sentences": [{"tokens": ["a"], "raw": "A", "imgid": 0, "sentid": 1}], "cocoid": 42}], "dataset": "coco"}"#;
    assert_eq!(
        kind_of(karpathy, "dataset_coco.json"),
        Kind::KarpathyDataset
    );
    let vocabulary = br#"{"ix_to_word": {"1": "a"}, "images": [{"split": "test", "file_path": "val2014/a.jpg", "id": 42}]}"#;
    assert_eq!(
        kind_of(vocabulary, "cocotalk.json"),
        Kind::CaptionVocabulary
    );
    assert_eq!(kind_of(br#"{"a": 1, "b": [2]}"#, "x.json"), Kind::OtherJson);
}

#[test]
fn a_coco_file_with_only_images_is_placed_by_its_name() {
    let images = br#"{"images": [{"id": 1, "file_name": "a.jpg", "width": 2, "height": 2}]}"#;
    assert_eq!(kind_of(images, "captions_val2014.json"), Kind::CocoCaptions);
    assert_eq!(kind_of(images, "mine.json"), Kind::CocoAnnotations);
}

#[test]
fn text_kinds() {
    let row = "42\t640\t480\t36\tAAAAAAAA";
    assert_eq!(kind_of(row.as_bytes(), "x.tsv"), Kind::ButdTsv);
    assert_eq!(kind_of(b"a dog\thttp://x/1.jpg\n", "x.tsv"), Kind::TabText);
    assert_eq!(
        kind_of(
            b"path: ../datasets/coco\ntrain: images/train\nnames:\n  0: person\n",
            "d"
        ),
        Kind::DatasetYaml
    );
    assert_eq!(
        kind_of(b"0 0.5 0.5 0.2 0.1\n17 0.1 0.2 0.3 0.4 0.5 0.6\n", "1.txt"),
        Kind::YoloLabels
    );
    assert_eq!(
        kind_of(b"val2014/COCO_val2014_000000253964.jpg 253964\n", "l.txt"),
        Kind::ImageList
    );
    assert_eq!(kind_of(b"hello world\n", "l.txt"), Kind::OtherText);
    assert_eq!(kind_of(b" \n\n", "l.txt"), Kind::Empty);
}

#[test]
fn binary_kinds() {
    assert_eq!(kind_of(b"\x80\x02}q\x00.", "x.pkl"), Kind::Pickle);
    assert_eq!(kind_of(b"(dp0\nS'a'\np1\nI1\ns.", "x.pkl"), Kind::Pickle);
    assert_eq!(kind_of(b"\x93NUMPY\x01\x00", "x.npy"), Kind::Npy);
    assert_eq!(kind_of(b"\xFF\xD8\xFF\xE0", "x.jpg"), Kind::Jpeg);
    assert_eq!(kind_of(b"\x89PNG\r\n\x1a\n", "x.png"), Kind::Png);
    assert_eq!(kind_of(b"\x89HDF\r\n\x1a\n", "x.h5"), Kind::Hdf5);
    assert_eq!(kind_of(b"\x00\x01\x02", "x"), Kind::OtherBinary);
    let mut tar = vec![0u8; 1024];
    tar[257..262].copy_from_slice(b"ustar");
    assert_eq!(kind_of(&tar, "x.tar"), Kind::Tar);
}

fn zip_of(names: &[&str]) -> Vec<u8> {
    use std::io::Write;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for name in names {
        writer
            .start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(b"data").unwrap();
    }
    writer.finish().unwrap().into_inner()
}

#[test]
fn zips_are_told_by_their_members() {
    assert_eq!(
        kind_of(&zip_of(&["trainval/a.tsv.0", "trainval/a.tsv.1"]), "t.zip"),
        Kind::ButdZip
    );
    assert_eq!(kind_of(&zip_of(&["feat.npy"]), "x.npz"), Kind::Npz);
    assert_eq!(
        kind_of(&zip_of(&["annotations/instances_val2017.json"]), "a.zip"),
        Kind::Zip
    );
}

#[test]
fn gzip_is_looked_into() {
    use std::io::Write;
    let gzip = |bytes: &[u8]| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    };
    let mut tar = vec![0u8; 1024];
    tar[257..262].copy_from_slice(b"ustar");
    assert_eq!(kind_of(&gzip(&tar), "x.tar.gz"), Kind::TarGz);
    let inner = sniff_bytes(&Sample {
        head: &gzip(br#"[{"image_id": 1, "caption": "a"}]"#),
        tail: None,
        complete: true,
        file_name: "x.json.gz",
    });
    assert_eq!(inner.kind, Kind::Gzip);
    assert_eq!(
        inner.describe(),
        "a gzip-compressed file (of a COCO caption results list)"
    );
}
