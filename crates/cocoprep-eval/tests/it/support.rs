//! Running the reference scripts of `bench/reference`; finding pycocoevalcap's Java jars.

use std::path::{Path, PathBuf};

/// Runs `bench/reference/<name>` with the test Python; panics with its stderr on failure.
pub fn run_script(name: &str, args: &[&Path]) {
    let script = cocoprep_test::repo_root()
        .join("bench/reference")
        .join(name);
    let output = std::process::Command::new(cocoprep_test::python())
        .arg(script)
        .args(args)
        .output()
        .expect("python starts");
    assert!(
        output.status.success(),
        "{name} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The installed pycocoevalcap package folder (its `meteor/` and `spice/` hold the jars), if
/// pycocoevalcap and Java are installed.
pub fn pycocoevalcap_with_java() -> Option<PathBuf> {
    if !java_is_installed() {
        return None;
    }
    let folder = cocoprep_test::run_python(
        "import pycocoevalcap; print(list(pycocoevalcap.__path__)[0])",
        &[],
    );
    Some(PathBuf::from(folder.trim()))
}

/// Whether `java` starts (a test that needs it says on stderr that it skips).
pub fn java_is_installed() -> bool {
    let installed = std::process::Command::new("java")
        .arg("-version")
        .output()
        .is_ok();
    if !installed {
        eprintln!("skipped: java is not installed (Debian: default-jre-headless)");
    }
    installed
}

/// The val2017 reference captions and a results file with generated captions for its first
/// `count` images, written into `folder`: `(reference, results)`; `None` without
/// ../shared/data.
pub fn val2017_caption_results(folder: &Path, count: usize) -> Option<(PathBuf, PathBuf)> {
    let Some(data) = cocoprep_test::shared_data() else {
        eprintln!("skipped: shared/data is not available");
        return None;
    };
    let reference = data.join("coco-val2017-captions/captions_val2017.json");
    let all_results = folder.join("all-results.json");
    let results = folder.join("results.json");
    run_script("make_caption_results.py", &[&reference, &all_results]);
    let generated: Vec<serde_json::Value> =
        serde_json::from_slice(&fs_err::read(&all_results).unwrap()).unwrap();
    fs_err::write(&results, serde_json::to_vec(&generated[..count]).unwrap()).unwrap();
    Some((reference, results))
}

/// Runs a pycocoevalcap scorer as `COCOEvalCap` feeds it: `REFERENCE RESULTS OUT` are the
/// script's arguments, `gts` and `rs` the PTB-tokenized captions of the results' images, and
/// `scorer` the lines that score them and write `OUT` (`sys.argv[3]`).
pub fn run_pycocoevalcap_scorer(scorer: &str, reference: &Path, results: &Path, out: &Path) {
    let script = format!(
        r#"
import contextlib, io, json, sys
from pycocotools.coco import COCO
from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer
with contextlib.redirect_stdout(io.StringIO()):
    coco = COCO(sys.argv[1])
    res = coco.loadRes(sys.argv[2])
ids = res.getImgIds()
tokenizer = PTBTokenizer()
gts = tokenizer.tokenize({{i: coco.imgToAnns[i] for i in ids}})
rs = tokenizer.tokenize({{i: res.imgToAnns[i] for i in ids}})
{scorer}
"#
    );
    cocoprep_test::run_python(&script, &[reference, results, out]);
}
