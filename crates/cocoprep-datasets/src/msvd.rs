//! MSVD: `new_annotations/caption_msvd_{train,val,test}_cocostyle.json` from `txt_labels/`
//! (`data/preprocess/msvd_preprocess.py`).
//!
//! Inputs (`nasib-ullah/video-captioning-models-in-Pytorch:MSVD/captions/`):
//! `youtube_mapping.txt` (`<clip name> vid<N>` per line) and `sents_<split>_lc_nopunc.txt`
//! (`vid<N>\t<caption>` per line). Per split, `images` lists each video once in order of
//! first appearance (`{"id": N, "file_name": <clip name>}`) and `annotations` every line
//! (`{"image_id": N, "id": <running counter>, "caption": <stripped text>}`); the counter
//! starts at 1 and is not reset between splits (train 1..48774, val 48775..53064, test
//! 53065..80827 on the published files).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::coco_style::{CaptionAnnotation, CaptionFile, CaptionImage, InfoKey};
use crate::error::Error;
use crate::files;
use crate::python_text;

/// The dataset's folder under `open_source_dataset/`.
pub const DATASET_DIR: &str = "msvd_dataset";
/// Where the caption files go, under [`DATASET_DIR`] (the configs' `ANNO_FOLDER`).
pub const ANNOTATIONS_DIR: &str = "new_annotations";
/// The splits, in the order the script numbers their sentences.
pub const SPLITS: [&str; 3] = ["train", "val", "test"];
/// The mapping file in `txt_labels/`.
pub const MAPPING_FILE: &str = "youtube_mapping.txt";

/// The caption file name of `split` (what the configs read).
pub fn output_name(split: &str) -> String {
    format!("caption_msvd_{split}_cocostyle.json")
}

/// The sentence file of `split` in `txt_labels/`.
pub fn input_name(split: &str) -> String {
    format!("sents_{split}_lc_nopunc.txt")
}

/// One split's file, built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitFile {
    /// `train`, `val` or `test`.
    pub split: &'static str,
    /// The file's content.
    pub content: CaptionFile,
}

/// Builds the three splits from a `txt_labels/` folder.
pub fn build(txt_labels: &Path) -> Result<Vec<SplitFile>, Error> {
    let mapping_path = txt_labels.join(MAPPING_FILE);
    if !mapping_path.is_file() {
        return Err(Error::MissingInput {
            what: "MSVD clip-name mapping (`<clip name> vid<N>` per line, from \
                   MSVD/captions/ of nasib-ullah/video-captioning-models-in-Pytorch)",
            path: mapping_path,
        });
    }
    let mapping_text = files::read_text(&mapping_path)?;
    // `idx2name[v.split()[1]] = v.split()[0]`: later lines win.
    let mut name_of: HashMap<&str, &str> = HashMap::new();
    for (index, line) in python_text::lines(&mapping_text).into_iter().enumerate() {
        let mut fields = python_text::split_whitespace(line);
        match (fields.next(), fields.next()) {
            (Some(name), Some(video)) => {
                name_of.insert(video, name);
            }
            _ => {
                return Err(Error::at_line(
                    &mapping_path,
                    index + 1,
                    format!("expected `<clip name> vid<N>`, found {line:?}"),
                ));
            }
        }
    }
    let mut sentence_id = 1_i64;
    let mut built = Vec::with_capacity(SPLITS.len());
    for split in SPLITS {
        let path = txt_labels.join(input_name(split));
        if !path.is_file() {
            return Err(Error::MissingInput {
                what: "MSVD captions file (`vid<N>\\t<caption>` per line)",
                path,
            });
        }
        let text = files::read_text(&path)?;
        let content = build_split(&path, &text, &name_of, &mut sentence_id)?;
        built.push(SplitFile { split, content });
    }
    Ok(built)
}

fn build_split(
    path: &Path,
    text: &str,
    name_of: &HashMap<&str, &str>,
    sentence_id: &mut i64,
) -> Result<CaptionFile, Error> {
    let mut file = CaptionFile::default();
    let mut seen = HashSet::new();
    for (index, line) in python_text::lines(text).into_iter().enumerate() {
        let at = |message: String| Error::at_line(path, index + 1, message);
        let Some((video, rest)) = line.split_once('\t') else {
            return Err(at(format!("expected `vid<N>\\t<caption>`, found {line:?}")));
        };
        // `caption.split('\t')[1]`: the text up to a second tab, if any.
        let caption = rest.split('\t').next().unwrap_or(rest);
        let video_number = |text: &str| python_text::parse_int(&text.replace("vid", ""));
        if seen.insert(video) {
            let id = video_number(video)
                .ok_or_else(|| at(format!("video id {video:?} is not `vid<N>`")))?;
            let name = name_of
                .get(video)
                .ok_or_else(|| at(format!("video {video:?} is not in {MAPPING_FILE}")))?;
            file.images.push(CaptionImage {
                id,
                file_name: (*name).to_owned(),
            });
        }
        // `int(caption.split()[0].replace('vid', ''))`: the first whitespace-separated item.
        let first = python_text::split_whitespace(line)
            .next()
            .unwrap_or_default();
        let image_id =
            video_number(first).ok_or_else(|| at(format!("video id {first:?} is not `vid<N>`")))?;
        file.annotations.push(CaptionAnnotation {
            image_id,
            id: *sentence_id,
            caption: python_text::python_strip(caption).to_owned(),
        });
        *sentence_id += 1;
    }
    Ok(file)
}

/// What [`prepare`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrittenSplit {
    /// `train`, `val` or `test`.
    pub split: &'static str,
    /// The file written.
    pub path: PathBuf,
    /// Its number of videos.
    pub videos: usize,
    /// Its number of captions.
    pub captions: usize,
}

/// Builds the three files from `txt_labels` and writes them (atomically) into
/// `annotations_dir` (`open_source_dataset/msvd_dataset/new_annotations`).
pub fn prepare(
    txt_labels: &Path,
    annotations_dir: &Path,
    info: InfoKey,
) -> Result<Vec<WrittenSplit>, Error> {
    let files = build(txt_labels)?;
    let mut written = Vec::with_capacity(files.len());
    for SplitFile { split, content } in files {
        let path = annotations_dir.join(output_name(split));
        files::write(&path, &content.to_json(info))?;
        written.push(WrittenSplit {
            split,
            path,
            videos: content.images.len(),
            captions: content.annotations.len(),
        });
    }
    Ok(written)
}
