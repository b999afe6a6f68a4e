//! GLUE (against fairseq's shell stage on a fixture), Books & Wiki and ImageNet's lists (the
//! spec's exact line formats).

use std::path::Path;

use cocoprep_datasets::{bookswiki, glue, imagenet};

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn glue_processed_files_are_byte_identical_to_fairseqs_first_stage() {
    let out = cocoprep_test::temp_dir();
    let prepared = glue::prepare(&fixture("glue/raw"), out.path()).expect("GLUE processes");
    let tasks: Vec<_> = prepared.iter().map(|task| task.task).collect();
    assert_eq!(tasks, ["QQP", "MNLI", "SST-2", "CoLA"]);
    let mut compared = 0;
    for task in &prepared {
        for (path, _) in &task.files {
            let relative = path.strip_prefix(out.path()).unwrap();
            let golden = fixture("glue/golden").join(relative);
            assert_eq!(
                std::fs::read(path).unwrap(),
                std::fs::read(&golden).unwrap(),
                "{}",
                relative.display()
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 14);
}

#[test]
fn glue_task_without_a_split_is_an_error_naming_the_file() {
    let raw = cocoprep_test::temp_dir();
    std::fs::create_dir_all(raw.path().join("RTE")).unwrap();
    std::fs::write(raw.path().join("RTE/train.tsv"), "h\n").unwrap();
    let out = cocoprep_test::temp_dir();
    let error = glue::prepare(raw.path(), out.path())
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("missing GLUE split file") && error.ends_with("RTE/dev.tsv`"),
        "{error}"
    );
}

#[test]
fn bookswiki_concatenates_and_keeps_the_first_1000_non_empty_lines() {
    let input = cocoprep_test::temp_dir();
    let wiki = input.path().join("wiki.doc");
    let books = input.path().join("bc1g.doc");
    let mut text = String::new();
    for index in 0..700 {
        text.push_str(&format!("wiki sentence {index}\n\n"));
    }
    std::fs::write(&wiki, text.trim_end_matches('\n')).unwrap();
    let books_text: String = (0..500).map(|index| format!("  book {index}\n")).collect();
    std::fs::write(&books, &books_text).unwrap();
    let out = cocoprep_test::temp_dir();
    let prepared = bookswiki::prepare(&[wiki, books], out.path()).unwrap();
    assert_eq!(prepared.non_empty_lines, 1200);
    let corpus = std::fs::read_to_string(out.path().join("bookswiki.doc")).unwrap();
    // The last wiki line does not run into the first book line.
    assert!(corpus.contains("wiki sentence 699\n  book 0\n"));
    let sample = std::fs::read_to_string(out.path().join("bookswiki-1000.doc")).unwrap();
    let lines: Vec<&str> = sample.lines().collect();
    assert_eq!(lines.len(), 1000);
    assert_eq!(lines[0], "wiki sentence 0");
    assert_eq!(lines[699], "wiki sentence 699");
    assert_eq!(lines[999], "  book 299");
}

fn touch(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, b"").unwrap();
}

#[test]
fn imagenet_lists_use_sorted_wnid_ids_and_the_loaders_line_format() {
    let root = cocoprep_test::temp_dir();
    let dir = root.path();
    touch(&dir.join("train/n01443537/n01443537_2.JPEG"));
    touch(&dir.join("train/n01440764/n01440764_10026.JPEG"));
    touch(&dir.join("train/n01440764/n01440764_10027.JPEG"));
    touch(&dir.join("val/ILSVRC2012_val_00000001.JPEG"));
    touch(&dir.join("val/ILSVRC2012_val_00000002.JPEG"));
    let caffe = dir.join("caffe_val.txt");
    std::fs::write(
        &caffe,
        "ILSVRC2012_val_00000001.JPEG 1\nILSVRC2012_val_00000002.JPEG 0\n",
    )
    .unwrap();
    let prepared = imagenet::prepare(dir, Some(&caffe)).unwrap();
    assert_eq!(prepared.classes, 2);
    let read = |name: &str| std::fs::read_to_string(dir.join("meta").join(name)).unwrap();
    assert_eq!(
        read("train.txt"),
        "n01440764/n01440764_10026.JPEG 0\nn01440764/n01440764_10027.JPEG 0\nn01443537/n01443537_2.JPEG 1\n"
    );
    assert_eq!(
        read("val.txt"),
        "ILSVRC2012_val_00000001.JPEG 1\nILSVRC2012_val_00000002.JPEG 0\n"
    );

    // Kaggle's LOC_val_solution.csv gives the same list.
    let kaggle = dir.join("LOC_val_solution.csv");
    std::fs::write(
        &kaggle,
        "ImageId,PredictionString\nILSVRC2012_val_00000002,n01440764 1 2 3 4\nILSVRC2012_val_00000001,n01443537 5 6 7 8 n01443537 1 1 2 2\n",
    )
    .unwrap();
    imagenet::prepare(dir, Some(&kaggle)).unwrap();
    assert_eq!(
        read("val.txt"),
        "ILSVRC2012_val_00000001.JPEG 1\nILSVRC2012_val_00000002.JPEG 0\n"
    );

    // Without labels the flat val folder is an error that says what to pass.
    let error = imagenet::prepare(dir, None).unwrap_err().to_string();
    assert!(error.contains("LOC_val_solution.csv"), "{error}");
}

#[test]
fn bookswiki_v2_writes_the_v2_names_and_records_its_line_count_for_the_tree_check() {
    let input = cocoprep_test::temp_dir();
    let corpus = input.path().join("corpus.txt");
    std::fs::write(&corpus, "one\n\n two \nthree").unwrap();
    let out = cocoprep_test::temp_dir();
    let prepared = bookswiki::prepare_v2(&[corpus], out.path()).unwrap();
    assert_eq!(prepared.corpus, out.path().join(bookswiki::V2_CORPUS_FILE));
    assert_eq!(prepared.non_empty_lines, 3);
    assert_eq!(
        std::fs::read_to_string(out.path().join(bookswiki::V2_SAMPLE_FILE)).unwrap(),
        "one\n two \nthree\n"
    );
    assert_eq!(bookswiki::recorded_line_count(&prepared.corpus), Some(3));
    // Once the corpus changes size, the record no longer speaks for it.
    std::fs::write(&prepared.corpus, "one\n").unwrap();
    assert_eq!(bookswiki::recorded_line_count(&prepared.corpus), None);
}
