//! Snapshot tests (insta) of what people read: every `--help`, and the output of `inspect`,
//! `validate` and `list`. A change to any of them shows up as a reviewed diff of
//! `tests/it/snapshots/*.snap` (`INSTA_UPDATE=always cargo test -p cocoprep snapshots` writes
//! new ones; review them with `git diff` before committing).

use cocoprep_test::cli::{stderr, stdout};
use cocoprep_test::repo_root;

/// Runs cocoprep in the repository root (so paths in the output are the relative ones given)
/// with a fixed help width, and returns exit status, stdout and stderr as one text.
fn transcript(args: &[&str]) -> String {
    let output = crate::cocoprep_command()
        .args(args)
        .current_dir(repo_root())
        .env("COLUMNS", "100")
        .output()
        .expect("cocoprep starts");
    format!(
        "$ cocoprep {}\nexit: {}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        output
            .status
            .code()
            .map_or("signal".to_owned(), |code| code.to_string()),
        stdout(&output),
        stderr(&output)
    )
}

/// Every command and subcommand, as typed.
const COMMANDS: &[&str] = &[
    "",
    "inspect",
    "validate",
    "demo",
    "list",
    "get",
    "download",
    "verify",
    "status",
    "convert",
    "convert yolo",
    "convert coco",
    "subset",
    "filter",
    "merge",
    "split",
    "captions",
    "captions labels",
    "captions ngrams",
    "captions reference",
    "captions splits",
    "captions subsample",
    "captions karpathy",
    "eval",
    "eval detection",
    "eval captions",
    "features",
    "features butd",
    "features resnet",
    "features vsua-geometry",
    "features vsua-graph",
    "masks",
    "masks rle",
    "masks semantic",
    "masks panoptic",
    "targets",
    "targets names",
    "tree",
    "dataset",
    "dataset msvd",
    "dataset kinetics",
    "dataset moments-in-time",
    "dataset msrvtt",
    "dataset imagenet",
    "dataset imagenet22k",
    "dataset bookswiki",
    "dataset glue",
    "dataset coco",
    "dataset flickr30k",
    "dataset visual-genome",
    "dataset sbu",
    "dataset cc3m",
    "dataset cc12m",
    "dataset vqa",
    "show",
    "view",
    "webdata",
    "webdata status",
];

#[test]
fn help_texts_are_reviewed() {
    for command in COMMANDS {
        let mut args: Vec<&str> = command.split_whitespace().collect();
        args.push("--help");
        let name = if command.is_empty() {
            "help".to_owned()
        } else {
            format!("help-{}", command.replace(' ', "-"))
        };
        insta::assert_snapshot!(name, transcript(&args));
    }
}

#[test]
fn inspect_output_is_reviewed() {
    insta::assert_snapshot!(transcript(&[
        "inspect",
        "fixtures/coco-sample/annotations/instances_val2017.json"
    ]));
    insta::assert_snapshot!(
        "inspect-keypoints-json",
        transcript(&[
            "inspect",
            "--json",
            "fixtures/coco-sample/annotations/person_keypoints_train2017.json"
        ])
    );
}

#[test]
fn validate_output_is_reviewed() {
    insta::assert_snapshot!(
        "validate-clean",
        transcript(&[
            "validate",
            "fixtures/coco-sample/annotations/instances_train2017.json"
        ])
    );
    for broken in [
        "bad_boxes",
        "dangling_references",
        "truncated",
        "wrong_types",
    ] {
        let path = format!("fixtures/broken/{broken}.json");
        insta::assert_snapshot!(
            format!("validate-{broken}"),
            transcript(&["validate", &path])
        );
    }
}

#[test]
fn list_output_is_reviewed() {
    insta::assert_snapshot!("list", transcript(&["list"]));
}
