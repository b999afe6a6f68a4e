//! `cocoprep captions ...` end to end: the scripts' flag names, bad input, image sizes and
//! the demo's outputs in their consumers (h5py, pickle, pycocotools).

use std::path::{Path, PathBuf};

use crate::cocoprep;

fn path(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn tiny() -> PathBuf {
    cocoprep_test::fixtures().join("captions/tiny.json")
}

/// Every file under `folder`, relative, sorted.
fn files_in(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn reference_flag_names_are_accepted() {
    let folder = cocoprep_test::temp_dir();
    let talk = folder.path().join("talk.json");
    let prefix = folder.path().join("talk");
    let output = cocoprep([
        "captions",
        "labels",
        "--input_json",
        path(&tiny()),
        "--output_json",
        path(&talk),
        "--output_h5",
        path(&prefix),
        "--max_length",
        "4",
        "--word_count_threshold",
        "0",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(folder.path().join("talk_label.h5").exists());
    let output = cocoprep([
        "-q",
        "captions",
        "ngrams",
        "--input_json",
        path(&tiny()),
        "--dict_json",
        path(&talk),
        "--output_pkl",
        path(&folder.path().join("coco-train")),
        "--split",
        "train",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.stderr.is_empty(), "-q prints nothing");
    let output = cocoprep([
        "captions",
        "reference",
        "--input_json",
        path(&tiny()),
        "--output_json",
        path(&folder.path().join("reference.json")),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        files_in(folder.path()),
        [
            "coco-train-idxs.p",
            "coco-train-words.p",
            "reference.json",
            "talk.json",
            "talk_label.h5"
        ]
    );
    // The aliases stay out of the help.
    let help = cocoprep(["captions", "labels", "--help"]);
    let help = String::from_utf8(help.stdout).unwrap();
    assert!(
        help.contains("--output-json") && !help.contains("output_json"),
        "{help}"
    );
    // max_length 0 would make every caption empty: refused before running.
    let output = cocoprep(["captions", "labels", path(&tiny()), "--max-length", "0"]);
    assert_eq!(output.status.code(), Some(2));
}

/// A valid record around which each case breaks one thing.
fn image(split: &str, cocoid: u32, sentences: &str) -> String {
    format!(
        r#"{{"filepath": "val2014", "filename": "COCO_val2014_{cocoid:012}.jpg", "imgid": 0, "split": "{split}", "cocoid": {cocoid}, "sentences": {sentences}}}"#
    )
}

#[test]
fn bad_input_is_reported_by_image_and_nothing_is_written() {
    let good = image(
        "train",
        1,
        r#"[{"tokens": ["a", "dog"], "raw": "a dog", "sentid": 1}]"#,
    );
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "missing tokens",
            format!(r#"{{"images": [{good}, {}], "dataset": "coco"}}"#, image("val", 42, r#"[{"raw": "a dog", "sentid": 2}]"#)).into_bytes(),
            "images[1] (cocoid 42, `COCO_val2014_000000000042.jpg`): sentences[0]: missing `tokens`",
        ),
        (
            "no sentences",
            format!(r#"{{"images": [{good}, {}], "dataset": "coco"}}"#, image("test", 43, "[]")).into_bytes(),
            "images[1] (cocoid 43, `COCO_val2014_000000000043.jpg`): the image has no sentences",
        ),
        (
            "empty tokens",
            format!(r#"{{"images": [{}, {good}], "dataset": "coco"}}"#, image("train", 44, r#"[{"tokens": ["a"], "raw": "a", "sentid": 3}, {"tokens": [], "raw": "", "sentid": 4}]"#)).into_bytes(),
            "images[0] (cocoid 44, `COCO_val2014_000000000044.jpg`): sentences[1]: `tokens` is empty",
        ),
        (
            "non-UTF-8 text",
            {
                let mut bytes = format!(r#"{{"images": [{good}, {}], "dataset": "coco"}}"#, image("val", 45, r#"[{"tokens": ["caf@"], "raw": "caf@", "sentid": 5}]"#)).into_bytes();
                let at = bytes.iter().position(|&b| b == b'@').unwrap();
                bytes[at] = 0xe9;
                bytes
            },
            "images[1] (cocoid 45, `COCO_val2014_000000000045.jpg`): text is not valid UTF-8 (byte 0xe9)",
        ),
        (
            "truncated file",
            format!(r#"{{"images": [{good}, {good}"#).into_bytes(),
            "unexpected end of file",
        ),
        (
            "a COCO caption file",
            br#"{"images": [{"id": 9, "file_name": "x.jpg"}], "annotations": []}"#.to_vec(),
            // Issue 16: refused before reading, in one line naming what it is.
            "is a COCO annotation file, but `cocoprep captions",
        ),
    ];
    for (name, bytes, expected) in cases {
        let folder = cocoprep_test::temp_dir();
        let input = folder.path().join("dataset.json");
        std::fs::write(&input, &bytes).unwrap();
        let out = folder.path().join("out");
        std::fs::create_dir(&out).unwrap();
        // An earlier run's output must survive a failed run untouched.
        std::fs::write(out.join("talk.json"), "previous").unwrap();
        let talk = out.join("talk.json");
        let (prefix, ngrams, reference) = (
            out.join("talk"),
            out.join("coco"),
            out.join("reference.json"),
        );
        let runs: [Vec<&str>; 4] = [
            vec![
                "captions",
                "labels",
                path(&input),
                "--output-json",
                path(&talk),
                "--output-h5",
                path(&prefix),
            ],
            vec![
                "captions",
                "ngrams",
                path(&input),
                "--dict-json",
                path(&talk),
                "--output-pkl",
                path(&ngrams),
            ],
            vec![
                "captions",
                "reference",
                path(&input),
                "-o",
                path(&reference),
            ],
            vec!["captions", "splits", path(&input), "-o", path(&out)],
        ];
        for args in runs {
            // The split files are made from `raw`, not `tokens`.
            if args[1] == "splits" && name.ends_with("tokens") {
                continue;
            }
            if args[1] == "ngrams" {
                // ngrams reads the dictionary first: give it a valid one.
                std::fs::write(&talk, r#"{"ix_to_word": {"1": "a", "2": "UNK"}}"#).unwrap();
            }
            let output = cocoprep(&args);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(
                output.status.code(),
                Some(2),
                "{name}, {}: {stderr}",
                args[1]
            );
            assert!(stderr.contains(expected), "{name}, {}:\n{stderr}", args[1]);
            assert!(
                stderr.contains(&format!("{}:", input.display()))
                    || stderr.contains(&format!("`{}` is a", input.display())),
                "{stderr}"
            );
            assert_eq!(
                files_in(&out),
                ["talk.json"],
                "{name}, {}: no output, no temporary file",
                args[1]
            );
            std::fs::write(&talk, "previous").unwrap();
        }
    }
}

#[test]
fn image_sizes_come_from_the_image_headers() {
    let sample = cocoprep_test::fixtures().join("coco-sample");
    let folder = cocoprep_test::temp_dir();
    let lists = folder.path().join("empty-list.txt");
    std::fs::write(&lists, "").unwrap();
    let dataset = folder.path().join("dataset.json");
    let output = cocoprep([
        "captions",
        "karpathy",
        path(&sample.join("annotations/captions_train2017.json")),
        path(&sample.join("annotations/captions_val2017.json")),
        "--test-list",
        path(&lists),
        "--val-list",
        path(&lists),
        "-o",
        path(&dataset),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let talk = folder.path().join("talk.json");
    let output = cocoprep([
        "captions",
        "labels",
        path(&dataset),
        "--output-json",
        path(&talk),
        "--output-h5",
        path(&folder.path().join("talk")),
        "--images-root",
        path(&sample),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Every width and height equals the one COCO's annotation files give.
    let script = r#"
import sys, json, os
talk = json.load(open(sys.argv[1]))
sizes = {}
for name in ('captions_train2017.json', 'captions_val2017.json'):
    for image in json.load(open(os.path.join(sys.argv[2], 'annotations', name)))['images']:
        sizes[image['id']] = (image['width'], image['height'])
assert len(talk['images']) == 10
for image in talk['images']:
    assert (image['width'], image['height']) == sizes[image['id']], image
    assert list(image) == ['split', 'file_path', 'id', 'width', 'height'], list(image)
print('ok')
"#;
    assert_eq!(
        cocoprep_test::run_python(script, &[&talk, &sample]).trim(),
        "ok"
    );

    // A missing image is an error naming the image and the file.
    let output = cocoprep([
        "captions",
        "labels",
        path(&dataset),
        "--output-json",
        path(&talk),
        "--output-h5",
        path(&folder.path().join("talk")),
        "--images-root",
        path(folder.path()),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot read the image size: cannot read `"),
        "{stderr}"
    );
}

#[test]
fn demo_outputs_load_in_their_consumers() {
    let folder = cocoprep_test::temp_dir();
    let output = cocoprep(["demo", "-o", path(folder.path())]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let script = r#"
import sys, os, json, pickle, collections, contextlib, io
import h5py
from pycocotools.coco import COCO
root = sys.argv[1]
talk = json.load(open(os.path.join(root, 'cocotalk.json')))
labels = h5py.File(os.path.join(root, 'cocotalk_label.h5'), 'r', driver='core')
assert labels['labels'].shape[0] == labels['label_end_ix'][-1] == labels['label_length'].shape[0]
assert labels['labels'][:].max() == len(talk['ix_to_word'])
assert len(labels['label_start_ix']) == len(talk['images'])
for name in ('coco-train-words.p', 'coco-train-idxs.p'):
    ngrams = pickle.load(open(os.path.join(root, name), 'rb'))
    assert isinstance(ngrams['document_frequency'], collections.defaultdict) and ngrams['ref_len'] == 8
with contextlib.redirect_stdout(io.StringIO()):
    for name in ('coco_reference.json', 'captions_train113k.json', 'captions_val5k.json', 'captions_test5k.json'):
        coco = COCO(os.path.join(root, name))
        coco.loadRes([{'image_id': i, 'caption': 'x'} for i in coco.getImgIds()])
print('ok')
"#;
    let captions = folder.path().join("captions");
    assert_eq!(cocoprep_test::run_python(script, &[&captions]).trim(), "ok");
}
