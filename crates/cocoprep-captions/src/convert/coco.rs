//! A Karpathy dataset from COCO caption files and Karpathy's val/test image lists.
//!
//! Each image keeps its COCO `file_name` as `filename`, its id as `cocoid`, and its folder
//! (`train2014`, `val2014`, `val2017`...) as `filepath`. Its split is `test` or `val` when
//! the lists name it; otherwise `train` if it comes from a train folder and `restval` if it
//! comes from a val folder, which is how Karpathy's `dataset_coco.json` splits COCO 2014
//! (train 82,783 = train2014; restval 30,504 = the rest of val2014). Sentences are the
//! image's captions in annotation order, `sentid` the annotation id, `tokens` from
//! [`tokenize`](fn@super::tokenize).

use std::path::{Path, PathBuf};

use cocoprep_base::progress::Reporter;
use cocoprep_coco::{Dataset, ReadOptions, read_dataset};
use rustc_hash::{FxHashMap, FxHashSet};

use super::{BuiltDataset, NewImage, sentences_from};
use crate::error::Error;
use crate::karpathy::Split;

/// The order of the images in the output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ImageOrder {
    /// As in the inputs, file after file (Karpathy's file lists val2014 before train2014).
    #[default]
    File,
    /// By COCO image id.
    Id,
}

/// Reads a Karpathy image list: one image per line, `val2014/COCO_val2014_000000253964.jpg
/// 253964` (the last field is the id), or just an id or a COCO file name.
pub fn read_image_list(path: &Path) -> Result<FxHashSet<i64>, Error> {
    let text = fs_err::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    let mut ids = FxHashSet::default();
    for (number, line) in text.lines().enumerate() {
        let Some(last) = line.split_whitespace().last() else {
            continue;
        };
        let id = last.parse::<i64>().ok().or_else(|| {
            // `COCO_val2014_000000253964.jpg` or `val2014/000000253964.jpg`
            let stem = last.rsplit('/').next()?.split('.').next()?;
            stem.rsplit('_').next()?.parse().ok()
        });
        let id = id.ok_or_else(|| Error::Line {
            path: path.to_owned(),
            line: number as u64 + 1,
            message: format!("expected an image id or a COCO file name, found `{line}`"),
        })?;
        ids.insert(id);
    }
    Ok(ids)
}

/// The image folder of a caption file: `val2014` for `captions_val2014.json`, else the
/// folder of the images' `coco_url`.
fn image_folder(path: &Path, dataset: &Dataset) -> Result<String, Error> {
    let from_name = path
        .file_stem()
        .and_then(|stem| stem.to_str())
        .and_then(|stem| stem.strip_prefix("captions_"))
        .filter(|folder| !folder.is_empty());
    if let Some(folder) = from_name {
        return Ok(folder.to_owned());
    }
    let folders: FxHashSet<&str> = dataset
        .images
        .iter()
        .filter_map(|image| {
            let url = image.coco_url.as_deref()?;
            let mut parts = url.rsplit('/');
            parts.next()?;
            parts.next()
        })
        .collect();
    match (folders.len(), folders.iter().next()) {
        (1, Some(folder)) => Ok((*folder).to_owned()),
        _ => Err(Error::Invalid {
            path: path.to_owned(),
            message: "cannot tell the image folder: name the file `captions_<folder>.json` \
                      (e.g. `captions_val2014.json`)"
                .to_owned(),
        }),
    }
}

/// Builds a Karpathy dataset from COCO caption files (read in the order given).
pub fn from_coco(
    inputs: &[PathBuf],
    test: &FxHashSet<i64>,
    val: &FxHashSet<i64>,
    order: ImageOrder,
    jobs: usize,
    reporter: &dyn Reporter,
) -> Result<BuiltDataset, Error> {
    let mut built = BuiltDataset {
        name: "coco".to_owned(),
        ..BuiltDataset::default()
    };
    let mut seen: FxHashSet<i64> = FxHashSet::default();
    for path in inputs {
        let dataset = read_dataset(path, &ReadOptions { jobs }, reporter)?;
        let folder = image_folder(path, &dataset)?;
        let in_train_folder = folder.starts_with("train");
        let mut captions: FxHashMap<i64, Vec<(i64, String)>> = FxHashMap::default();
        for (index, annotation) in dataset.annotations.iter().enumerate() {
            let (Some(id), Some(caption)) = (annotation.id, &annotation.caption) else {
                return Err(Error::Invalid {
                    path: path.clone(),
                    message: format!(
                        "annotations[{index}] has no `id` or no `caption`: is it a caption file?"
                    ),
                });
            };
            captions
                .entry(annotation.image_id.0 as i64)
                .or_default()
                .push((id.0 as i64, caption.clone()));
        }
        for (index, image) in dataset.images.iter().enumerate() {
            let cocoid = image.id.0 as i64;
            if !seen.insert(cocoid) {
                return Err(Error::Invalid {
                    path: path.clone(),
                    message: format!("image {cocoid} appears twice in the inputs"),
                });
            }
            let filename = image.file_name.clone().ok_or_else(|| Error::Invalid {
                path: path.clone(),
                message: format!("images[{index}] (id {cocoid}) has no `file_name`"),
            })?;
            let split = if test.contains(&cocoid) {
                Split::Test
            } else if val.contains(&cocoid) {
                Split::Val
            } else if in_train_folder {
                Split::Train
            } else {
                Split::Restval
            };
            let image_captions = captions.remove(&cocoid).unwrap_or_default();
            let sentences = sentences_from(image_captions, &mut built.empty_captions);
            if sentences.is_empty() {
                built.images_without_captions += 1;
                continue;
            }
            built.images.push(NewImage {
                filepath: Some(folder.clone()),
                filename,
                cocoid: Some(cocoid),
                split,
                sentences,
            });
        }
        if let Some((&image_id, _)) = captions.iter().next() {
            return Err(Error::Invalid {
                path: path.clone(),
                message: format!("captions refer to image {image_id}, which is not in `images`"),
            });
        }
    }
    built.listed_but_missing = test.union(val).filter(|id| !seen.contains(id)).count();
    if order == ImageOrder::Id {
        built.images.sort_by_key(|image: &NewImage| image.cocoid);
    }
    Ok(built)
}
