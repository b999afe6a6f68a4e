//! The streaming readers on real files: the CC3M validation TSV (with its preset, plain and
//! gzipped), COCO annotation files, SBU's two line files, JSON lines, and the Parquet index
//! read back as a URL list.

use std::io::Write;
use std::path::Path;

use cocoprep_webdata::input::{InputFormat, InputSource, InputSpec, Preset, Row};
use cocoprep_webdata::output::IndexWriter;
use cocoprep_webdata::sample::{Sample, Status};

fn rows(path: &Path, source: InputSource) -> Vec<Row> {
    InputSpec {
        path: path.to_owned(),
        source,
    }
    .rows()
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[test]
fn cc3m_preset_reads_caption_then_url_and_gzip_gives_the_same_rows() {
    let Some(data) = cocoprep_test::shared_data() else {
        eprintln!("skipped: ../shared/data not available");
        return;
    };
    let tsv = data.join("cc3m/Validation_GCC-1.1.0-Validation.tsv");
    let plain = rows(&tsv, InputSource::Preset(Preset::Cc3m));
    let text = std::fs::read_to_string(&tsv).unwrap();
    let lines: Vec<&str> = text.lines().filter(|line| !line.is_empty()).collect();
    assert_eq!(plain.len(), lines.len());
    let (caption, url) = lines[0].split_once('\t').unwrap();
    assert_eq!(plain[0].url, url);
    assert_eq!(plain[0].caption.as_deref(), Some(caption));
    assert!(plain.iter().all(|row| row.url.starts_with("http")));

    let work = cocoprep_test::temp_dir();
    let gz = work.path().join("val.tsv.gz");
    let mut encoder = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::fast(),
    );
    encoder.write_all(text.as_bytes()).unwrap();
    encoder.finish().unwrap();
    assert_eq!(rows(&gz, InputSource::Preset(Preset::Cc3m)), plain);

    // The same file as CC12M's column order gives the columns swapped.
    let swapped = rows(&tsv, InputSource::Preset(Preset::Cc12m));
    assert_eq!(swapped[0].url, caption);
}

#[test]
fn coco_preset_gives_one_row_per_image_with_its_first_caption() {
    let Some(data) = cocoprep_test::shared_data() else {
        eprintln!("skipped: ../shared/data not available");
        return;
    };
    let annotations = data.join("coco-mini/annotations/captions_val2017.json");
    let document: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&annotations).unwrap()).unwrap();
    let images = document["images"].as_array().unwrap();
    let found = rows(&annotations, InputSource::Preset(Preset::Coco));
    assert_eq!(found.len(), images.len());
    assert_eq!(found[0].url, images[0]["coco_url"].as_str().unwrap());
    let first_caption = document["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["image_id"] == images[0]["id"])
        .unwrap()["caption"]
        .as_str()
        .unwrap()
        .trim();
    assert_eq!(found[0].caption.as_deref(), Some(first_caption));
}

#[test]
fn sbu_pairs_the_url_and_caption_files_line_by_line() {
    let work = cocoprep_test::temp_dir();
    let urls = work.path().join("SBU_captioned_photo_dataset_urls.txt");
    let captions = work.path().join("SBU_captioned_photo_dataset_captions.txt");
    std::fs::write(
        &urls,
        "http://static.flickr.com/1/a.jpg\nhttp://static.flickr.com/2/b.jpg\n",
    )
    .unwrap();
    std::fs::write(&captions, "a man on a bench \nthe sky\n").unwrap();
    let found = rows(work.path(), InputSource::Preset(Preset::Sbu));
    assert_eq!(found.len(), 2);
    assert_eq!(found[1].url, "http://static.flickr.com/2/b.jpg");
    assert_eq!(found[0].caption.as_deref(), Some("a man on a bench"));
    std::fs::write(&captions, "only one\n").unwrap();
    let error = InputSpec {
        path: urls,
        source: InputSource::Preset(Preset::Sbu),
    }
    .rows()
    .unwrap()
    .find_map(Result::err)
    .unwrap();
    assert!(error.to_string().contains("captions"), "{error}");
}

#[test]
fn jsonl_and_parquet_lists_name_their_columns() {
    let work = cocoprep_test::temp_dir();
    let jsonl = work.path().join("list.jsonl");
    std::fs::write(
        &jsonl,
        "{\"URL\": \"http://x/1.jpg\", \"TEXT\": \"one\"}\n\n{\"URL\": \"http://x/2.jpg\"}\n",
    )
    .unwrap();
    let source = InputSource::Table {
        format: InputFormat::Jsonl,
        url_column: "URL".to_owned(),
        caption_column: Some("TEXT".to_owned()),
    };
    let found = rows(&jsonl, source);
    assert_eq!(found.len(), 2);
    assert_eq!(found[1].caption, None);

    // An index written by a run is itself a URL list (img2dataset users re-run failed rows
    // from the output parquet this way).
    let parquet = work.path().join("00000.parquet");
    let mut writer = IndexWriter::create(&parquet, None).unwrap();
    for row in 0..5u64 {
        writer
            .push(Sample {
                row,
                key: format!("{row:09}"),
                url: format!("http://x/{row}.jpg"),
                caption: Some(format!("caption {row}")),
                status: Status::FailedToDownload,
                error_message: Some("http status 404".to_owned()),
                transient: false,
                width: None,
                height: None,
                original_width: None,
                original_height: None,
                sha256: None,
                image: None,
            })
            .unwrap();
    }
    writer.finish().unwrap();
    let source = InputSource::Table {
        format: InputFormat::Parquet,
        url_column: "url".to_owned(),
        caption_column: Some("caption".to_owned()),
    };
    let found = rows(&parquet, source);
    assert_eq!(found.len(), 5);
    assert_eq!(found[4].url, "http://x/4.jpg");
    assert_eq!(found[4].caption.as_deref(), Some("caption 4"));
    let missing = InputSpec {
        path: parquet,
        source: InputSource::Table {
            format: InputFormat::Parquet,
            url_column: "URL".to_owned(),
            caption_column: None,
        },
    }
    .rows()
    .err()
    .unwrap();
    assert!(missing.to_string().contains("no column `URL`"), "{missing}");
}
