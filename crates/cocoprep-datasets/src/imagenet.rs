//! ImageNet-1k: `imagenet/meta/{train,val}.txt` (and `test.txt` when `test/` exists), the
//! lists `uniperceiver/datasets/task_dataset/imagenet.py` reads: one `<relative path>
//! <class id>` per line, split on a single space, the image at `imagenet/<stage>/<path>`.
//!
//! Class ids follow the sorted WordNet ids of `train/<wnid>/` (n01440764 "tench" = 0, the
//! order of the 1000 CLIP class names). `train.txt` lists `train/<wnid>/<file>` sorted;
//! `val.txt` lists `val/<wnid>/<file>` when the validation images are in class folders, else
//! the flat `val/<file>` names with their labels from a ground-truth file: either caffe's
//! `val.txt` (`ILSVRC2012_val_00000001.JPEG 65`, the same format) or Kaggle's
//! `LOC_val_solution.csv` (`ImageId,PredictionString` with the wnid first).
//! `test.txt` lists `test/<file>` with class 0, as caffe's `test.txt` does (inferred).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::files;
use crate::python_text;

/// The dataset folder under `open_source_dataset/` (the configs' `FEATS_FOLDER`).
pub const IMAGENET_DIR: &str = "imagenet";
/// The lists' folder under [`IMAGENET_DIR`] (the configs' `ANNO_FOLDER`).
pub const META_DIR: &str = "meta";
/// Classes of ImageNet-1k.
pub const CLASS_COUNT: usize = 1000;

/// What [`prepare`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreparedImagenet {
    /// Class folders found in `train/`.
    pub classes: usize,
    /// (list file, lines) for each list written.
    pub lists: Vec<(PathBuf, usize)>,
}

/// Writes the lists of the images under `imagenet_dir` into `imagenet_dir/meta/`.
pub fn prepare(
    imagenet_dir: &Path,
    val_ground_truth: Option<&Path>,
) -> Result<PreparedImagenet, Error> {
    let train_dir = imagenet_dir.join("train");
    if !train_dir.is_dir() {
        return Err(Error::MissingInput {
            what: "ImageNet training images in class folders (`train/<wnid>/*.JPEG`)",
            path: train_dir,
        });
    }
    let wnids: Vec<String> = files::visible_entries(&train_dir)?
        .into_iter()
        .filter(|name| train_dir.join(name).is_dir())
        .collect();
    let class_of: HashMap<&str, usize> = wnids
        .iter()
        .enumerate()
        .map(|(index, wnid)| (wnid.as_str(), index))
        .collect();
    let meta = imagenet_dir.join(META_DIR);
    let mut lists = Vec::new();

    let train = foldered_list(&train_dir, &wnids, &class_of)?;
    lists.push(write_list(&meta.join("train.txt"), &train)?);

    let val_dir = imagenet_dir.join("val");
    if val_dir.is_dir() {
        let names = files::visible_entries(&val_dir)?;
        let foldered = names.iter().any(|name| val_dir.join(name).is_dir());
        let val = if foldered {
            let val_wnids: Vec<String> = names
                .into_iter()
                .filter(|name| val_dir.join(name).is_dir())
                .collect();
            if let Some(unknown) = val_wnids
                .iter()
                .find(|wnid| !class_of.contains_key(wnid.as_str()))
            {
                return Err(Error::invalid(
                    &val_dir.join(unknown),
                    "a validation class folder with no training folder of the same name",
                ));
            }
            foldered_list(&val_dir, &val_wnids, &class_of)?
        } else {
            let truth = val_ground_truth.ok_or_else(|| {
                Error::invalid(
                    &val_dir,
                    "the validation images are not in class folders: pass their labels \
                     (caffe's val.txt or Kaggle's LOC_val_solution.csv)",
                )
            })?;
            let labels = read_ground_truth(truth, &class_of)?;
            let mut lines = Vec::with_capacity(names.len());
            for name in names {
                let class = labels.get(name.as_str()).ok_or_else(|| {
                    Error::invalid(truth, format!("no label for validation image `{name}`"))
                })?;
                lines.push((name, *class));
            }
            lines
        };
        lists.push(write_list(&meta.join("val.txt"), &val)?);
    }

    let test_dir = imagenet_dir.join("test");
    if test_dir.is_dir() {
        let test: Vec<(String, usize)> = files::visible_entries(&test_dir)?
            .into_iter()
            .map(|name| (name, 0))
            .collect();
        lists.push(write_list(&meta.join("test.txt"), &test)?);
    }
    Ok(PreparedImagenet {
        classes: wnids.len(),
        lists,
    })
}

/// `<wnid>/<file> <class>` for every file of every class folder, sorted.
fn foldered_list(
    split_dir: &Path,
    wnids: &[String],
    class_of: &HashMap<&str, usize>,
) -> Result<Vec<(String, usize)>, Error> {
    let mut lines = Vec::new();
    for wnid in wnids {
        let class = class_of[wnid.as_str()];
        for file in files::visible_entries(&split_dir.join(wnid))? {
            lines.push((format!("{wnid}/{file}"), class));
        }
    }
    Ok(lines)
}

/// Labels of the flat validation images, keyed by file name.
fn read_ground_truth(
    path: &Path,
    class_of: &HashMap<&str, usize>,
) -> Result<HashMap<String, usize>, Error> {
    let text = files::read_text(path)?;
    let lines = python_text::lines(&text);
    let mut labels = HashMap::new();
    if lines
        .first()
        .is_some_and(|line| line.starts_with("ImageId,"))
    {
        // Kaggle: `ILSVRC2012_val_00008726,n02119789 255 142 454 329 n02119789 44 21 322 295`.
        for (index, line) in lines.iter().enumerate().skip(1) {
            if line.is_empty() {
                continue;
            }
            let (image, prediction) = line.split_once(',').ok_or_else(|| {
                Error::at_line(path, index + 1, "expected `ImageId,PredictionString`")
            })?;
            let wnid = prediction.split(' ').next().unwrap_or_default();
            let class = class_of.get(wnid).ok_or_else(|| {
                Error::at_line(
                    path,
                    index + 1,
                    format!("`{wnid}` is not a training class folder"),
                )
            })?;
            labels.insert(format!("{image}.JPEG"), *class);
        }
    } else {
        for (index, line) in lines.iter().enumerate() {
            if line.is_empty() {
                continue;
            }
            let (image, class) = line
                .split_once(' ')
                .and_then(|(image, class)| Some((image, python_text::parse_int(class)?)))
                .filter(|(_, class)| (0..class_of.len().max(CLASS_COUNT) as i64).contains(class))
                .ok_or_else(|| {
                    Error::at_line(
                        path,
                        index + 1,
                        format!("expected `<file> <class id>`, found {line:?}"),
                    )
                })?;
            labels.insert(image.to_owned(), usize::try_from(class).unwrap_or_default());
        }
    }
    Ok(labels)
}

fn write_list(path: &Path, lines: &[(String, usize)]) -> Result<(PathBuf, usize), Error> {
    let text: String = lines
        .iter()
        .map(|(name, class)| format!("{name} {class}\n"))
        .collect();
    files::write(path, text.as_bytes())?;
    Ok((path.to_path_buf(), lines.len()))
}
