//! Issue 16, "wrong input, flood of output": every command that reads an input file is
//! given the right input of every other command, and must stop at once with exit status
//! 2, one line naming what the file is and which command reads it, and nothing written.
//! Warnings about many bad rows are capped.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cocoprep_features::butd::row::encode_row;
use cocoprep_test::{fixtures, temp_dir};

/// One input of a known kind: where it is, words the refusal must use for it (its kind)
/// and for where it goes.
struct Input {
    path: PathBuf,
    kind_words: &'static str,
    goes_to: &'static str,
}

fn butd_rows(ids: &[u64]) -> String {
    ids.iter()
        .map(|&id| {
            let boxes: Vec<[f32; 4]> = (0..2).map(|i| [i as f32, 0.0, 10.0, 10.0]).collect();
            let features: Vec<f32> = (0..2 * 8).map(|i| i as f32 * 0.5).collect();
            encode_row(id, 640, 480, &boxes, &features)
        })
        .collect()
}

fn zip_of(path: &Path, members: &[(&str, &[u8])]) {
    let mut writer = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in members {
        writer
            .start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap();
}

fn gzip_of(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn tar_of(name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut header = [0u8; 512];
    header[..name.len()].copy_from_slice(name.as_bytes());
    header[100..107].copy_from_slice(b"0000644");
    header[124..135].copy_from_slice(format!("{:011o}", bytes.len()).as_bytes());
    header[156] = b'0';
    header[257..263].copy_from_slice(b"ustar\0");
    header[263..265].copy_from_slice(b"00");
    header[148..156].fill(b' ');
    let checksum: u32 = header.iter().map(|&byte| u32::from(byte)).sum();
    header[148..155].copy_from_slice(format!("{checksum:06o}\0").as_bytes());
    let mut tar = header.to_vec();
    tar.extend_from_slice(bytes);
    tar.resize(tar.len().div_ceil(512) * 512 + 1024, 0);
    tar
}

fn png_of(path: &Path) {
    let file = std::fs::File::create(path).unwrap();
    let mut encoder = png::Encoder::new(file, 2, 2);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&[0, 1, 2, 3]).unwrap();
}

/// One file or folder of every kind the commands read (and a few they do not).
fn inputs(folder: &Path) -> BTreeMap<&'static str, Input> {
    let annotations = fixtures().join("coco-sample/annotations");
    let write = |name: &str, bytes: &[u8]| {
        let path = folder.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let image = r#"{"id": 1, "file_name": "a.jpg", "width": 4, "height": 4}"#;
    let mut table = BTreeMap::new();
    let mut add = |name, path, kind_words, goes_to| {
        table.insert(
            name,
            Input {
                path,
                kind_words,
                goes_to,
            },
        );
    };
    add(
        "instances",
        annotations.join("instances_val2017.json"),
        "is a COCO instances file",
        "`cocoprep convert yolo`",
    );
    add(
        "keypoints",
        annotations.join("person_keypoints_val2017.json"),
        "is a COCO person keypoints file",
        "`cocoprep convert yolo`",
    );
    add(
        "captions",
        annotations.join("captions_val2017.json"),
        "is a COCO captions file",
        "`cocoprep captions karpathy`",
    );
    add(
        "karpathy",
        fixtures().join("captions/tiny.json"),
        "is a Karpathy dataset file",
        "`cocoprep captions labels`",
    );
    add(
        "panoptic",
        write(
            "panoptic_tiny.json",
            format!(
                r#"{{"images": [{image}], "annotations": [{{"image_id": 1, "file_name": "a.png", "segments_info": [{{"id": 1, "category_id": 1, "iscrowd": 0, "bbox": [0, 0, 2, 2], "area": 4}}]}}], "categories": [{{"id": 1, "name": "person", "supercategory": "person", "isthing": 1}}]}}"#
            )
            .as_bytes(),
        ),
        "is a COCO panoptic file",
        "`cocoprep masks panoptic`",
    );
    add(
        "stuff",
        write(
            "stuff_tiny.json",
            format!(
                r#"{{"images": [{image}], "annotations": [{{"id": 1, "image_id": 1, "category_id": 92, "segmentation": {{"counts": "04", "size": [4, 4]}}, "area": 4, "bbox": [0, 0, 2, 2], "iscrowd": 0}}], "categories": [{{"id": 92, "name": "banner", "supercategory": "textile"}}]}}"#
            )
            .as_bytes(),
        ),
        "is a COCO-Stuff annotation file",
        "`cocoprep convert yolo`",
    );
    add(
        "detections",
        write(
            "detections.json",
            br#"[{"image_id": 397133, "category_id": 1, "bbox": [1, 2, 3, 4], "score": 0.9}]"#,
        ),
        "is a COCO results list",
        "`cocoprep masks rle`",
    );
    add(
        "caption_results",
        write(
            "captions_results.json",
            br#"[{"image_id": 397133, "caption": "a man"}]"#,
        ),
        "is a COCO caption results list",
        "`cocoprep inspect`",
    );
    add(
        "categories",
        write(
            "panoptic_coco_categories.json",
            br#"[{"supercategory": "person", "color": [220, 20, 60], "isthing": 1, "id": 1, "name": "person"}]"#,
        ),
        "is a category list",
        "`cocoprep masks panoptic --categories`",
    );
    add(
        "vocabulary",
        write(
            "cocotalk.json",
            br#"{"ix_to_word": {"1": "a"}, "images": [{"split": "test", "file_path": "val2014/a.jpg", "id": 42}]}"#,
        ),
        "is a caption vocabulary",
        "`captions ngrams --dict-json`",
    );
    add(
        "butd_tsv",
        write("karpathy_test.tsv", butd_rows(&[1, 2]).as_bytes()),
        "is a bottom-up-attention feature TSV",
        "`cocoprep features butd`",
    );
    let butd_zip = folder.join("trainval.zip");
    zip_of(
        &butd_zip,
        &[("trainval/karpathy_val.tsv", butd_rows(&[3]).as_bytes())],
    );
    add(
        "butd_zip",
        butd_zip,
        "is a zip of bottom-up-attention TSVs",
        "`cocoprep features butd`",
    );
    let butd_folder = folder.join("bu_data");
    std::fs::create_dir(&butd_folder).unwrap();
    std::fs::write(butd_folder.join("karpathy_val.tsv.0"), butd_rows(&[4])).unwrap();
    add(
        "butd_folder",
        butd_folder,
        "is a folder of bottom-up-attention TSVs",
        "`cocoprep features butd`",
    );
    add(
        "pickle",
        write("vsua_box_info.pkl", b"\x80\x02}q\x00."),
        "is a Python pickle",
        "`cocoprep features vsua-geometry`",
    );
    let npy = b"\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }                                                           \n\x00\x00\x80\x3f";
    add(
        "npy",
        write("1.npy", npy),
        "is a NumPy .npy array",
        "no cocoprep command reads it",
    );
    let npz = folder.join("1.npz");
    zip_of(&npz, &[("feat.npy", npy)]);
    add(
        "npz",
        npz,
        "is a NumPy .npz archive",
        "no cocoprep command reads it",
    );
    let annotations_zip = folder.join("annotations_trainval2017.zip");
    zip_of(
        &annotations_zip,
        &[(
            "annotations/instances_val2017.json",
            &std::fs::read(annotations.join("instances_val2017.json")).unwrap(),
        )],
    );
    add(
        "zip",
        annotations_zip,
        "is a zip archive (annotations/instances_val2017.json)",
        "extract it first",
    );
    let tar = tar_of("a.txt", b"hello\n");
    add(
        "tar",
        write("data.tar", &tar),
        "is a tar archive",
        "extract it first",
    );
    add(
        "tar_gz",
        write("data.tar.gz", &gzip_of(&tar)),
        "is a gzip-compressed tar archive",
        "extract it first",
    );
    add(
        "gzip",
        write(
            "instances.json.gz",
            &gzip_of(&std::fs::read(annotations.join("instances_val2017.json")).unwrap()),
        ),
        "is a gzip-compressed file (of a COCO instances file)",
        "decompress it first",
    );
    add(
        "jpeg",
        fixtures().join("coco-sample/val2017/000000000139.jpg"),
        "is a JPEG image",
        "`--images DIR`",
    );
    let png = folder.join("label.png");
    png_of(&png);
    add("png", png, "is a PNG image", "`--images DIR`");
    let yaml = "path: .\ntrain: images/train\nval: images/train\nnames:\n  0: person\n";
    add(
        "yaml",
        write("data.yaml", yaml.as_bytes()),
        "is a YAML file",
        "`cocoprep convert coco --yaml`",
    );
    add(
        "yolo_label",
        write("000000000139.txt", b"0 0.5 0.5 0.25 0.25\n"),
        "is a YOLO label file",
        "`cocoprep convert coco`",
    );
    add(
        "image_list",
        write(
            "karpathy_test_images.txt",
            b"val2014/COCO_val2014_000000397133.jpg 397133\n",
        ),
        "is a list of image files",
        "`cocoprep captions karpathy --test-list/--val-list`",
    );
    add(
        "tab_text",
        write(
            "Validation_GCC-1.1.0-Validation.tsv",
            b"a dog on a beach\thttp://example.com/1.jpg\n",
        ),
        "is a tab-separated text file (2 columns)",
        "no cocoprep command reads it",
    );
    add(
        "text",
        write("notes.txt", b"remember to download the images\n"),
        "is a text file",
        "no cocoprep command reads it",
    );
    add(
        "empty",
        write("empty.json", b""),
        "is an empty file",
        "no cocoprep command reads an empty file",
    );
    add(
        "image_folder",
        fixtures().join("coco-sample/val2017"),
        "is a folder of images",
        "`cocoprep verify`",
    );
    let yolo = folder.join("yolo");
    std::fs::create_dir_all(yolo.join("images/train")).unwrap();
    std::fs::create_dir_all(yolo.join("labels/train")).unwrap();
    std::fs::write(yolo.join("data.yaml"), yaml).unwrap();
    add(
        "yolo_folder",
        yolo,
        "is a YOLO dataset folder",
        "`cocoprep convert coco`",
    );
    add(
        "annotation_folder",
        annotations,
        "is a folder of JSON annotation files",
        "`cocoprep convert yolo`",
    );
    table
}

/// A command: its arguments with `IN` for the input and `LIST` for an image list, and the
/// inputs (by name in [`inputs`]) it reads.
struct Case {
    args: &'static [&'static str],
    reads: &'static [&'static str],
}

const COCO_ANY: &[&str] = &[
    "instances",
    "keypoints",
    "captions",
    "panoptic",
    "stuff",
    "detections",
    "caption_results",
];
const KARPATHY: &[&str] = &["karpathy"];

const CASES: &[Case] = &[
    Case {
        args: &["inspect", "IN"],
        reads: COCO_ANY,
    },
    Case {
        args: &["validate", "IN"],
        reads: COCO_ANY,
    },
    Case {
        args: &["masks", "rle", "IN", "-o", "rle.json"],
        reads: &["instances", "keypoints", "stuff", "detections"],
    },
    Case {
        args: &["masks", "semantic", "IN", "-o", "semantic"],
        reads: &["instances", "keypoints", "stuff"],
    },
    Case {
        args: &["masks", "panoptic", "IN", "-o", "semantic"],
        reads: &["panoptic"],
    },
    Case {
        args: &["convert", "yolo", "IN", "-o", "yolo", "--link", "none"],
        reads: &["instances", "keypoints", "stuff", "annotation_folder"],
    },
    Case {
        args: &["convert", "coco", "--yaml", "IN", "-o", "coco"],
        reads: &["yaml", "text"],
    },
    Case {
        args: &["subset", "IN", "--classes", "person", "-o", "subset"],
        reads: &["instances", "keypoints", "stuff"],
    },
    Case {
        args: &["filter", "IN", "-o", "filtered.json"],
        reads: COCO_ANY,
    },
    Case {
        args: &["split", "IN", "-o", "parts"],
        reads: COCO_ANY,
    },
    Case {
        args: &["merge", "IN", "IN", "-o", "merged.json"],
        reads: &["instances", "keypoints", "captions", "panoptic", "stuff"],
    },
    Case {
        args: &[
            "captions",
            "labels",
            "IN",
            "--output-json",
            "talk.json",
            "--output-h5",
            "talk",
        ],
        reads: KARPATHY,
    },
    Case {
        args: &["captions", "ngrams", "IN", "--output-pkl", "ngrams"],
        reads: KARPATHY,
    },
    Case {
        args: &["captions", "reference", "IN", "-o", "reference.json"],
        reads: KARPATHY,
    },
    Case {
        args: &["captions", "splits", "IN", "-o", "splits"],
        reads: KARPATHY,
    },
    Case {
        args: &[
            "captions",
            "subsample",
            "IN",
            "--fraction",
            "0.5",
            "-o",
            "subsample.json",
        ],
        reads: KARPATHY,
    },
    Case {
        args: &[
            "captions",
            "karpathy",
            "IN",
            "--test-list",
            "LIST",
            "--val-list",
            "LIST",
            "-o",
            "dataset.json",
        ],
        reads: &["captions"],
    },
    Case {
        args: &["features", "butd", "IN", "--output-dir", "cocobu"],
        reads: &["butd_tsv", "butd_zip", "butd_folder"],
    },
    Case {
        args: &["features", "vsua-geometry", "IN", "--save-path", "geometry"],
        reads: &["pickle"],
    },
    Case {
        args: &[
            "features",
            "vsua-graph",
            "--box-info",
            "IN",
            "--save-path",
            "graph",
        ],
        reads: &["pickle"],
    },
    Case {
        args: &["verify", "IN"],
        reads: &[
            "image_folder",
            "yolo_folder",
            "annotation_folder",
            "butd_folder",
        ],
    },
];

fn run_case(case: &Case, input: &Path, list: &Path, working: &Path) -> std::process::Output {
    let args: Vec<&std::ffi::OsStr> = case
        .args
        .iter()
        .map(|arg| match *arg {
            "IN" => input.as_os_str(),
            "LIST" => list.as_os_str(),
            other => std::ffi::OsStr::new(other),
        })
        .collect();
    crate::cocoprep_command()
        .args(&args)
        .current_dir(working)
        .output()
        .expect("cocoprep starts")
}

#[test]
fn r16_every_command_refuses_the_inputs_of_the_others_in_one_line() {
    let folder = temp_dir();
    let table = inputs(folder.path());
    let list = &table["image_list"].path;
    let mut refused = 0;
    for case in CASES {
        for name in case.reads {
            assert!(table.contains_key(name), "no input named {name}");
        }
        for (name, input) in &table {
            if case.reads.contains(name) {
                continue;
            }
            let working = temp_dir();
            let started = Instant::now();
            let output = run_case(case, &input.path, list, working.path());
            let elapsed = started.elapsed();
            let what = format!("`{}` given {name}", case.args.join(" "));
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{what}: {stderr}");
            let lines: Vec<&str> = stderr.lines().collect();
            assert_eq!(lines.len(), 1, "{what}: {stderr}");
            let line = lines[0];
            assert!(line.starts_with("error: "), "{what}: {line}");
            assert!(line.contains(input.kind_words), "{what}: {line}");
            assert!(line.contains(input.goes_to), "{what}: {line}");
            assert!(output.stdout.is_empty(), "{what}: wrote to stdout");
            let written: Vec<_> = std::fs::read_dir(working.path())
                .unwrap()
                .map(|entry| entry.unwrap().file_name())
                .collect();
            assert!(written.is_empty(), "{what}: wrote {written:?}");
            assert!(elapsed < Duration::from_secs(5), "{what}: took {elapsed:?}");
            refused += 1;
        }
    }
    assert!(refused > 500, "{refused} refusals checked");
}

#[test]
fn r16_right_inputs_are_not_refused() {
    let folder = temp_dir();
    let table = inputs(folder.path());
    let list = &table["image_list"].path;
    for case in CASES {
        for name in case.reads {
            let working = temp_dir();
            let output = run_case(case, &table[name].path, list, working.path());
            let stderr = String::from_utf8_lossy(&output.stderr);
            // The command may still fail on these tiny files for its own reasons; what is
            // checked is that the input check lets the right kind through.
            assert!(
                !stderr.contains(", but `cocoprep "),
                "`{}` refused {name}: {stderr}",
                case.args.join(" ")
            );
            assert_ne!(output.status.code(), Some(101), "{name}: {stderr}");
        }
    }
}

#[test]
fn r16_convert_yolo_still_skips_caption_files_given_with_instances() {
    let annotations = fixtures().join("coco-sample/annotations");
    let working = temp_dir();
    let output = crate::cocoprep_command()
        .args(["convert", "yolo", "--link", "none", "-o", "yolo"])
        .arg(annotations.join("instances_val2017.json"))
        .arg(annotations.join("captions_val2017.json"))
        .current_dir(working.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("skipping"), "{stderr}");
}

#[test]
fn r16_many_bad_rows_give_five_warnings_and_a_count() {
    let folder = temp_dir();
    let tsv = folder.path().join("broken.tsv");
    let mut rows = butd_rows(&[1]);
    for id in 2..=1_200u64 {
        rows.push_str(&format!("{id}\t640\t480\t2\tnot-base64\tnot-base64\n"));
    }
    std::fs::write(&tsv, rows).unwrap();
    let prefix = folder.path().join("cocobu");
    let output = crate::cocoprep_command()
        .args(["features", "butd", "--output-dir"])
        .arg(&prefix)
        .arg(&tsv)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|line| line.starts_with("warning: "))
        .collect();
    assert_eq!(warnings.len(), 6, "{stderr}");
    assert!(warnings[..5].iter().all(|line| line.contains("skipping")));
    let report = folder.path().join("cocobu_report.json");
    assert_eq!(
        warnings[5],
        format!(
            "warning: … and 1,194 more like this; all are listed in {}",
            report.display()
        )
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(report["failures"].as_array().unwrap().len(), 1_199);
    assert_eq!(report["written"], 1);
    // `-v` shows them all.
    let verbose = crate::cocoprep_command()
        .args(["-v", "features", "butd", "--overwrite", "--output-dir"])
        .arg(&prefix)
        .arg(&tsv)
        .output()
        .unwrap();
    let all = String::from_utf8_lossy(&verbose.stderr)
        .lines()
        .filter(|line| line.starts_with("warning: skipping"))
        .count();
    assert_eq!(all, 1_199);
}
