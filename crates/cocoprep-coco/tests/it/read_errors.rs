//! Reader errors name the file, line and column, the record (`annotations[12] (id 42)`)
//! and the member, and are the first problem in the file even when parsing in parallel.

use std::path::Path;

use cocoprep_coco::{Dataset, ReadError, ReadOptions, read_dataset, read_dataset_from_slice};
use cocoprep_test::{fixtures, temp_dir};

fn read_error(text: &str) -> String {
    read_dataset_from_slice(
        text.as_bytes(),
        Path::new("in.json"),
        &ReadOptions { jobs: 1 },
    )
    .expect_err("must fail")
    .to_string()
}

fn annotation(id: usize, extra: &str) -> String {
    format!(
        r#"{{"id":{id},"image_id":1,"category_id":1,"bbox":[1,2,3,4],"area":12.0,"iscrowd":0,"segmentation":[[1,2,3,4,5,6]]{extra}}}"#
    )
}

#[test]
fn type_errors_name_record_member_and_position() {
    let text = format!(
        r#"{{"images":[{{"id":1,"width":4,"height":3}}],"annotations":[{},{}]}}"#,
        annotation(1, ""),
        annotation(2, r#","bbox":[1,2,"3",4]"#)
    );
    let message = read_error(&text);
    assert!(message.starts_with("in.json:1:"), "{message}");
    assert!(
        message.contains("annotations[1] (id 2): `bbox[2]`: expected a number, found a string"),
        "{message}"
    );
}

#[test]
fn missing_members_are_named() {
    let message = read_error(r#"{"annotations":[{"id":5,"category_id":1}]}"#);
    assert!(
        message.contains("annotations[0] (id 5): `image_id`: required member is missing"),
        "{message}"
    );
    let message = read_error(r#"{"categories":[{"id":5}]}"#);
    assert!(
        message.contains("categories[0] (id 5): `name`: required member is missing"),
        "{message}"
    );
}

#[test]
fn malformed_json_reports_line_and_column() {
    let message = read_error("{\n  \"images\": [\n    {\"id\": 1,, \"width\": 2}\n  ]\n}");
    assert!(
        message.starts_with("in.json:3:14: images[0]: key must be a string"),
        "{message}"
    );
    let message = read_error("{\"images\": [{\"id\": 1}");
    assert!(message.contains("unexpected end of file"), "{message}");
    let message = read_error("{\"annotations\": [{\"id\": 1, \"image_id\": 2, \"area\": NaN}]}");
    assert!(message.contains("non-finite number `NaN`"), "{message}");
    let message = read_error("{} trailing");
    assert!(
        message.contains("expected end of file after the top-level value"),
        "{message}"
    );
    let message = read_error("");
    assert!(message.contains("unexpected end of file"), "{message}");
}

#[test]
fn polygons_with_invalid_numbers_are_rejected() {
    for bad in [
        "[[1,2,3,4,5,]]",
        "[[1,2,3,4,5,01]]",
        "[[1,2,\"3\"]]",
        "[1,2,3]",
        "[[1,2],[3,4]",
    ] {
        let text = format!(r#"{{"annotations":[{{"id":1,"image_id":1,"segmentation":{bad}}}]}}"#);
        let message = read_error(&text);
        assert!(message.contains("annotations[0]"), "{bad}: {message}");
    }
}

#[test]
fn first_error_in_the_file_is_reported_when_parsing_in_parallel() {
    // Enough annotations for many parallel batches, with errors in an early and a late one.
    let mut annotations: Vec<String> = (0..40_000).map(|id| annotation(id, "")).collect();
    annotations[39_000] = annotation(39_000, r#","iscrowd":7"#);
    annotations[12_345] = annotation(12_345, r#","area":"large""#);
    let text = format!(
        r#"{{"images":[{{"id":1}}],"annotations":[{}]}}"#,
        annotations.join(",\n")
    );
    let folder = temp_dir();
    let path = folder.path().join("big.json");
    std::fs::write(&path, &text).unwrap();
    for jobs in [1, 2, 4] {
        let error = read_dataset(
            &path,
            &ReadOptions { jobs },
            &cocoprep_base::progress::NoReporter,
        )
        .unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains(
                "annotations[12345] (id 12345): `area`: expected a number, found a string"
            ),
            "{jobs}: {message}"
        );
        match error {
            ReadError::Record { line, .. } => assert_eq!(line, 12_346, "{message}"),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn unknown_members_are_kept() {
    let text = r#"{"images":[{"id":1,"width":2,"height":3,"file_name":"a.jpg","neg_category_ids":[4,5]}],
        "annotations":[{"id":1,"image_id":1,"segments_info":[{"id":3,"category_id":1}],"file_name":"a.png"},
                       {"id":2,"image_id":1,"segments_info":[{"id":3}],"file_name":"b.png"}],
        "categories":[{"id":1,"name":"a","isthing":1,"color":[1,2,3],"frequency":"f"}],"type":"instances"}"#;
    let dataset = Dataset::from_json_slice(text.as_bytes()).unwrap();
    let extra = |extras: &cocoprep_coco::Extras, key| extras.get(key);
    assert_eq!(
        extra(&dataset.images[0].extras, "neg_category_ids"),
        Some(serde_json::json!([4, 5]))
    );
    assert_eq!(
        extra(&dataset.categories[0].extras, "frequency"),
        Some(serde_json::json!("f"))
    );
    assert_eq!(
        extra(&dataset.extras, "type"),
        Some(serde_json::json!("instances"))
    );
    // Well-formed panoptic members are typed; malformed ones stay verbatim in the extras.
    let panoptic = dataset.annotations[0].panoptic.as_ref().unwrap();
    assert_eq!(
        (panoptic.file_name.as_str(), panoptic.segments_info.len()),
        ("a.png", 1)
    );
    assert!(dataset.annotations[1].panoptic.is_none());
    assert_eq!(
        extra(&dataset.annotations[1].extras, "segments_info"),
        Some(serde_json::json!([{"id": 3}]))
    );
    assert_eq!(
        extra(&dataset.annotations[1].extras, "file_name"),
        Some(serde_json::json!("b.png"))
    );
    let category = &dataset.categories[0];
    assert_eq!(
        (category.isthing, category.color),
        (Some(true), Some([1, 2, 3]))
    );
    let again = Dataset::from_json_slice(&dataset.to_json_vec()).unwrap();
    assert_eq!(again, dataset);
}

#[test]
fn panoptic_records_are_typed() {
    let Some(data) = cocoprep_test::shared_data() else {
        eprintln!("skipped: ../shared/data is not present");
        return;
    };
    let dataset =
        Dataset::read(&data.join("panoptic-examples/sample_data/panoptic_examples.json")).unwrap();
    let first = dataset.annotations[0].panoptic.as_ref().unwrap();
    assert_eq!(first.file_name, "000000142238.png");
    let segment = &first.segments_info[0];
    assert_eq!(
        (
            segment.id.0,
            segment.category_id.0,
            segment.area,
            segment.iscrowd
        ),
        (3937500, 1, Some(3528.0), Some(false))
    );
    assert_eq!(
        cocoprep_coco::SegmentId::from_rgb(segment.id.to_rgb()),
        segment.id
    );
}

#[test]
fn sample_fixture_reads_with_real_counts() {
    let dataset =
        Dataset::read(&fixtures().join("coco-sample/annotations/person_keypoints_train2017.json"))
            .unwrap();
    assert_eq!(dataset.images.len(), 4);
    assert!(
        dataset
            .annotations
            .iter()
            .all(|a| a.keypoints.as_ref().is_some_and(|k| k.values().len() == 51))
    );
}

#[test]
fn a_byte_order_mark_is_ignored() {
    let dataset = Dataset::from_json_slice(b"\xef\xbb\xbf{\"images\":[{\"id\":3}]}").unwrap();
    assert_eq!(dataset.images[0].id.0, 3);
    assert!(Dataset::from_json_slice(b"\xef\xbb").is_err());
}
