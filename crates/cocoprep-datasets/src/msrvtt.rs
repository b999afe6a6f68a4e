//! MSR-VTT, 1k-A split: `annotations_new/caption_msrvtt_1k_{trainval,test}_cocostyle.json`
//! (`data/preprocess/msrvtt_dataprocess_1k.ipynb`).
//!
//! Inputs: the official `train_val_videodatainfo.json` and `test_videodatainfo.json`
//! (`{"videos": [{"video_id": "video0", ...}], "sentences": [{"video_id", "sen_id",
//! "caption"}]}`) and CLIP4Clip's `MSRVTT_train.9k.csv` (column `video_id`) and
//! `MSRVTT_JSFUSION_test.csv` (columns `video_id`, `sentence`).
//!
//! `trainval`: every video of the two JSON files (in file order) whose id is in the 9k list,
//! `{"id": N, "file_name": "videoN"}`, and every sentence of those videos,
//! `{"image_id": N, "id": sen_id, "caption": caption}`. `test`: one image and one annotation
//! per JSFusion row, `id == image_id == N`.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::coco_style::{CaptionAnnotation, CaptionFile, CaptionImage, InfoKey};
use crate::csv_table::CsvTable;
use crate::error::Error;
use crate::files;

/// The dataset's folder under `open_source_dataset/`.
pub const DATASET_DIR: &str = "msrvtt_dataset";
/// Where the caption files go, under [`DATASET_DIR`] (the configs' `ANNO_FOLDER`).
pub const ANNOTATIONS_DIR: &str = "annotations_new";
/// The training file the configs read.
pub const TRAINVAL_FILE: &str = "caption_msrvtt_1k_trainval_cocostyle.json";
/// The test file the configs read.
pub const TEST_FILE: &str = "caption_msrvtt_1k_test_cocostyle.json";

/// The four input files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MsrvttInputs {
    /// `train_val_videodatainfo.json`.
    pub train_val_info: PathBuf,
    /// `test_videodatainfo.json`.
    pub test_info: PathBuf,
    /// CLIP4Clip's `MSRVTT_train.9k.csv`.
    pub train_list: PathBuf,
    /// CLIP4Clip's `MSRVTT_JSFUSION_test.csv`.
    pub test_list: PathBuf,
}

impl MsrvttInputs {
    /// The inputs under their usual names in one folder (CLIP4Clip's CSVs either there or
    /// in its `msrvtt_data/` subfolder).
    pub fn in_folder(folder: &Path) -> Self {
        let csv = |name: &str| {
            let nested = folder.join("msrvtt_data").join(name);
            if nested.is_file() {
                nested
            } else {
                folder.join(name)
            }
        };
        Self {
            train_val_info: folder.join("train_val_videodatainfo.json"),
            test_info: folder.join("test_videodatainfo.json"),
            train_list: csv("MSRVTT_train.9k.csv"),
            test_list: csv("MSRVTT_JSFUSION_test.csv"),
        }
    }
}

#[derive(Deserialize)]
struct VideoDataInfo {
    videos: Vec<VideoRecord>,
    sentences: Vec<SentenceRecord>,
}

#[derive(Deserialize)]
struct VideoRecord {
    video_id: String,
}

#[derive(Deserialize)]
struct SentenceRecord {
    video_id: String,
    sen_id: i64,
    caption: String,
}

/// `int(video_id.split('video')[-1])`.
fn video_number(path: &Path, video_id: &str) -> Result<i64, Error> {
    let digits = video_id.rsplit("video").next().unwrap_or(video_id);
    crate::python_text::parse_int(digits)
        .ok_or_else(|| Error::invalid(path, format!("video id {video_id:?} is not `video<N>`")))
}

fn read_info(path: &Path) -> Result<VideoDataInfo, Error> {
    if !path.is_file() {
        return Err(Error::MissingInput {
            what: "MSR-VTT official video info JSON",
            path: path.to_path_buf(),
        });
    }
    serde_json::from_slice(&files::read(path)?).map_err(|source| Error::Json {
        path: path.to_path_buf(),
        what: "MSR-VTT video info JSON (`videos` and `sentences`)",
        source,
    })
}

fn read_csv(path: &Path) -> Result<CsvTable, Error> {
    if !path.is_file() {
        return Err(Error::MissingInput {
            what: "CLIP4Clip MSR-VTT split list (msrvtt_data/)",
            path: path.to_path_buf(),
        });
    }
    CsvTable::parse(path, &files::read_text(path)?)
}

/// Builds (trainval, test).
pub fn build(inputs: &MsrvttInputs) -> Result<(CaptionFile, CaptionFile), Error> {
    let train_table = read_csv(&inputs.train_list)?;
    let train_ids: HashSet<&str> = train_table
        .column(&inputs.train_list, "video_id")?
        .into_iter()
        .collect();
    let infos = [
        (&inputs.train_val_info, read_info(&inputs.train_val_info)?),
        (&inputs.test_info, read_info(&inputs.test_info)?),
    ];
    let mut trainval = CaptionFile::default();
    let mut in_train: HashMap<&str, bool> = HashMap::new();
    for (path, info) in &infos {
        for video in &info.videos {
            let train = train_ids.contains(video.video_id.as_str());
            in_train.insert(&video.video_id, train);
            if train {
                trainval.images.push(CaptionImage {
                    id: video_number(path, &video.video_id)?,
                    file_name: video.video_id.clone(),
                });
            }
        }
    }
    for (path, info) in &infos {
        for sentence in &info.sentences {
            let train = *in_train.get(sentence.video_id.as_str()).ok_or_else(|| {
                Error::invalid(
                    path,
                    format!(
                        "sentence {} belongs to video {:?}, which no `videos` entry lists",
                        sentence.sen_id, sentence.video_id
                    ),
                )
            })?;
            if train {
                trainval.annotations.push(CaptionAnnotation {
                    image_id: video_number(path, &sentence.video_id)?,
                    id: sentence.sen_id,
                    caption: sentence.caption.clone(),
                });
            }
        }
    }
    let test_table = read_csv(&inputs.test_list)?;
    let ids = test_table.column(&inputs.test_list, "video_id")?;
    let sentences = test_table.column(&inputs.test_list, "sentence")?;
    let mut test = CaptionFile::default();
    for (video_id, sentence) in ids.into_iter().zip(sentences) {
        let id = video_number(&inputs.test_list, video_id)?;
        test.images.push(CaptionImage {
            id,
            file_name: video_id.to_owned(),
        });
        test.annotations.push(CaptionAnnotation {
            image_id: id,
            id,
            caption: sentence.to_owned(),
        });
    }
    Ok((trainval, test))
}

/// Builds both files and writes them (atomically) into `annotations_dir`; returns
/// (path, videos, captions) of each.
pub fn prepare(
    inputs: &MsrvttInputs,
    annotations_dir: &Path,
    info: InfoKey,
) -> Result<Vec<(PathBuf, usize, usize)>, Error> {
    let (trainval, test) = build(inputs)?;
    let mut written = Vec::new();
    for (name, file) in [(TRAINVAL_FILE, trainval), (TEST_FILE, test)] {
        let path = annotations_dir.join(name);
        files::write(&path, &file.to_json(info))?;
        written.push((path, file.images.len(), file.annotations.len()));
    }
    Ok(written)
}
