//! VQA v2: `VQA/coco_map.json` generated from the COCO image folders, and a check of every
//! file the loader (`uniperceiver/datasets/task_dataset/vqa.py`) opens.
//!
//! `coco_map.json` maps `str(image_id)` to the image's path relative to `FEATS_FOLDER`
//! (`mscoco_dataset/coco_origin`): `{"9": "train2014/COCO_train2014_000000000009.jpg", ...}`.
//! The loader only does `int(key)` → path lookups; the path form is inferred from
//! `FEATS_FOLDER` (no script in the repository writes the file). Folders are read in the
//! order of [`COCO_FOLDERS`] and files by image id, so the file is the same on every
//! machine; only names `COCO_<folder>_<digits>.jpg` are taken.
//!
//! The other files (`train_target.pkl`, which the documentation's tree forgets, the
//! answer dictionaries, the question files incl. `test2015`, the loader's test split) come
//! from the VQA v2 and Uni-Perceiver downloads; they are checked, not made.

use std::path::{Path, PathBuf};

use cocoprep_base::output::AtomicFile;
use cocoprep_formats::python_json::PythonJsonWriter;
use rustc_hash::FxHashMap;

use crate::error::Error;

/// The dataset's folder under `open_source_dataset/` (`ANNO_FOLDER`).
pub const DIR: &str = "VQA";
/// The generated image map.
pub const COCO_MAP_FILE: &str = "coco_map.json";
/// The COCO image folder under `open_source_dataset/` (`FEATS_FOLDER`).
pub const COCO_IMAGE_DIR: &str = crate::coco::IMAGE_DIR;
/// The COCO image folders mapped, in this order.
pub const COCO_FOLDERS: [&str; 3] = ["train2014", "val2014", "test2015"];
/// Every file the loader opens in [`DIR`] (besides [`COCO_MAP_FILE`]).
pub const REQUIRED_FILES: [&str; 9] = [
    "trainval_ans2label.pkl",
    "trainval_label2ans.pkl",
    "train_target.pkl",
    "val_target.pkl",
    "vg_target.pkl",
    "v2_OpenEnded_mscoco_train2014_questions.json",
    "v2_OpenEnded_mscoco_val2014_questions.json",
    "v2_OpenEnded_mscoco_test2015_questions.json",
    "VG_questions2.json",
];

/// One problem with a required file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FileProblem {
    /// The file.
    pub path: PathBuf,
    /// What is wrong (`missing`, `empty`, `not a pickle`, `not a JSON object`).
    pub problem: String,
}

/// What a run did and found.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct VqaSummary {
    /// `coco_map.json`, when written.
    pub coco_map: Option<PathBuf>,
    /// Images per COCO folder mapped (folder, count); absent folders are left out.
    pub mapped: Vec<(String, u64)>,
    /// Problems with the required files; empty when everything is there.
    pub problems: Vec<FileProblem>,
}

/// Writes `<root>/open_source_dataset/VQA/coco_map.json` from the COCO folders under
/// `coco_images` (default: the tree's `mscoco_dataset/coco_origin/`), unless none of
/// [`COCO_FOLDERS`] is there, and checks the required files.
pub fn prepare_vqa(root: &Path, coco_images: Option<&Path>) -> Result<VqaSummary, Error> {
    let folder = crate::DataRoot::resolve(root).path(DIR);
    let tree_images = crate::DataRoot::resolve(root).path(COCO_IMAGE_DIR);
    let images = coco_images.unwrap_or(&tree_images);
    let mut summary = VqaSummary {
        coco_map: None,
        mapped: Vec::new(),
        problems: Vec::new(),
    };
    let mut entries: Vec<(u64, String)> = Vec::new();
    let mut seen: FxHashMap<u64, String> = FxHashMap::default();
    for name in COCO_FOLDERS {
        let path = images.join(name);
        if !path.is_dir() {
            continue;
        }
        let prefix = format!("COCO_{name}_");
        let mut ids = Vec::new();
        for entry in fs_err::read_dir(&path).map_err(Error::io("list", &path))? {
            let entry = entry.map_err(Error::io("list", &path))?;
            let file_name = entry.file_name();
            let Some(file_name) = file_name.to_str() else {
                continue;
            };
            let Some(id) = file_name
                .strip_prefix(&prefix)
                .and_then(|rest| rest.strip_suffix(".jpg"))
                .filter(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|digits| digits.parse::<u64>().ok())
            else {
                continue;
            };
            ids.push((id, format!("{name}/{file_name}")));
        }
        ids.sort();
        summary.mapped.push((name.to_owned(), ids.len() as u64));
        for (id, relative) in ids {
            if let Some(previous) = seen.insert(id, relative.clone()) {
                return Err(Error::Invalid {
                    path: images.to_owned(),
                    message: format!(
                        "image id {id} is both `{previous}` and `{relative}`; coco_map.json \
                         maps each id to one file"
                    ),
                });
            }
            entries.push((id, relative));
        }
    }
    if !summary.mapped.is_empty() {
        let output = folder.join(COCO_MAP_FILE);
        let mut file = AtomicFile::create(&output).map_err(Error::io("create", &output))?;
        let mut json = PythonJsonWriter::new(&mut file);
        (|| -> std::io::Result<()> {
            json.begin_object()?;
            for (id, relative) in &entries {
                json.key(&id.to_string())?;
                json.string(relative)?;
            }
            json.end_object()?;
            json.into_inner()?;
            Ok(())
        })()
        .map_err(Error::io("write", &output))?;
        file.commit().map_err(Error::io("write", &output))?;
        summary.coco_map = Some(output);
    }
    for name in REQUIRED_FILES.iter().chain(&[COCO_MAP_FILE]) {
        let path = folder.join(name);
        if let Some(problem) = check_file(&path) {
            summary.problems.push(FileProblem {
                path,
                problem: problem.to_owned(),
            });
        }
    }
    Ok(summary)
}

/// A quick look at the first bytes: pickles start with the PROTO opcode (protocol 2+) or
/// a protocol-0/1 opcode; the JSON files are objects.
fn check_file(path: &Path) -> Option<&'static str> {
    use std::io::Read;
    let Ok(file) = std::fs::File::open(path) else {
        return Some("missing");
    };
    let mut head = Vec::with_capacity(16);
    if file.take(16).read_to_end(&mut head).is_err() {
        return Some("unreadable");
    }
    if head.is_empty() {
        return Some("empty");
    }
    let is_pickle = path.extension().is_some_and(|extension| extension == "pkl");
    if is_pickle {
        // 0x80 = PROTO (protocols 2-5); `(`, `]`, `}` start protocol 0/1 containers.
        (!matches!(head[0], 0x80 | b'(' | b']' | b'}')).then_some("not a pickle")
    } else {
        let first = head.iter().find(|byte| !byte.is_ascii_whitespace());
        (first != Some(&b'{')).then_some("not a JSON object")
    }
}
