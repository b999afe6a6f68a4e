//! The target-set pickles, loaded back by Python with real torch the way Uni-Perceiver's
//! `load_shared_targets` does (`pickle.load(f, encoding='bytes')`).

use std::path::PathBuf;
use std::process::Command;

use cocoprep_targets::ClipTokenizer;
use cocoprep_targets::targets::{self, Preset};
use cocoprep_targets::torch_pickle::TargetEntry;

/// A Python with torch: `$COCOPREP_TORCH_PYTHON` (`scripts/test.sh` sets it to the torch venv
/// that `scripts/setup-python.sh` keeps in `~/.cache/cocoprep`), else `.venv-torch/bin/python`
/// at the repository root, else `None` (the test says it skips).
fn torch_python() -> Option<PathBuf> {
    let python = std::env::var_os("COCOPREP_TORCH_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| cocoprep_test::repo_root().join(".venv-torch/bin/python"));
    let has_torch = Command::new(&python)
        .args(["-c", "import torch"])
        .output()
        .is_ok_and(|output| output.status.success());
    has_torch.then_some(python)
}

const CHECK: &str = r#"
import json, pickle, sys
import torch
out = []
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        obj = pickle.load(f, encoding="bytes")
    assert set(obj) == {"data", "modality"}, obj.keys()
    assert obj["modality"] == "text"
    assert isinstance(obj["data"], list)
    def ids(t):
        if isinstance(t, list):
            return [ids(x) for x in t]
        assert isinstance(t, torch.Tensor), type(t)
        assert t.dtype == torch.int64 and t.dim() == 1 and t.is_contiguous(), (t.dtype, t.shape)
        # what the loader's collator does with it
        t.new_full((t.size(0) + 1,), 0)
        return t.tolist()
    out.append([ids(t) for t in obj["data"]])
print(json.dumps(out))
"#;

#[test]
fn target_set_pickles_load_as_int64_torch_tensors() {
    let Some(python) = torch_python() else {
        eprintln!(
            "skipped: no Python with torch (run scripts/setup-python.sh, or set \
             COCOPREP_TORCH_PYTHON to a Python that has torch)"
        );
        return;
    };
    let tokenizer = ClipTokenizer::shared().expect("tokenizer");
    let folder = cocoprep_test::temp_dir();
    let synonyms = folder.path().join("22k.txt");
    std::fs::write(&synonyms, "tench\tTinca tinca\ngoldfish\n").expect("write names");
    let mut expected = Vec::new();
    let mut paths = Vec::new();
    for (preset, input) in [
        (Preset::Imagenet1k, None),
        (Preset::Mit, None),
        (Preset::Glue, None),
        (Preset::Vocab, None),
        (Preset::Imagenet22k, Some(synonyms.as_path())),
    ] {
        for file in targets::build(tokenizer, preset, input).expect("build") {
            let path = folder.path().join(&file.path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            targets::write(&path, &file.data).expect("write");
            expected.push(
                file.data
                    .iter()
                    .map(|entry| match entry {
                        TargetEntry::Tensor(ids) => serde_json::json!(ids),
                        TargetEntry::Synonyms(lists) => serde_json::json!(lists),
                    })
                    .collect::<Vec<_>>(),
            );
            paths.push(path);
        }
    }
    let output = Command::new(python)
        .arg("-c")
        .arg(CHECK)
        .args(&paths)
        .output()
        .expect("python starts");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let loaded: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(loaded, serde_json::json!(expected));
}
