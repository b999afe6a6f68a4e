//! COCO → YOLO: label files, images and the dataset YAML.
//!
//! Matches Ultralytics 8.4 `convert_coco` row for row (see [`rows`]) and fixes what it gets
//! wrong around the rows: files are replaced rather than appended to on a re-run, images
//! are placed next to the labels (hard links by default), the YAML is written, RLE masks
//! become polygons, and a bad category id names the annotation instead of crashing.
//!
//! With [`YoloOptions::shard`], a process writes only its share of each split: label files
//! at positions `index, index + count, ...` of the split's label-file list (images sharing a
//! label file stay together) and the images of those files, each written atomically straight
//! into `labels/<split>/` and `images/<split>/` (a whole-folder rename cannot be shared), and
//! the same `data.yaml` as every other shard. Unsharded runs build each folder aside and
//! rename it into place, as before.

mod group;
pub mod merge;
pub mod rows;

use std::path::{Path, PathBuf};

use cocoprep_coco::{Dataset, Image, ImageId, ProgressUnit, Reporter};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::collections::hash_map::Entry;

use group::{ImageGroups, Numbered};

use crate::classes::ClassTable;
use crate::error::Error;
use crate::layout::{
    LinkMode, Placed, StagedFolder, is_contained, place_image, place_image_atomically,
    write_file_atomically,
};
use crate::number::Precision;
use crate::random::SeededRandom;
use cocoprep_base::cluster::Shard;
use cocoprep_formats::dataset_yaml::{DatasetYaml, flip_index};
pub use rows::{Geometry, Row, RowBuilder, RowCounts, RowSet, push_row_values, push_rows};

/// One annotation file to convert, and the split folder it becomes.
pub struct SplitSource<'a> {
    /// The split's folder name under `labels/` and `images/` (`val2017`).
    pub name: String,
    /// The annotation file (for messages).
    pub file: PathBuf,
    /// Its contents.
    pub dataset: &'a Dataset,
}

impl SplitSource<'_> {
    /// Ultralytics' split name for an annotation file: the stem without `instances_`
    /// (`instances_val2017.json` → `val2017`, `person_keypoints_val2017.json` →
    /// `person_keypoints_val2017`).
    pub fn split_name(file: &Path) -> String {
        file.file_stem()
            .map(|stem| stem.to_string_lossy().replace("instances_", ""))
            .unwrap_or_default()
    }
}

/// Which images get a label file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageSelection {
    /// Keep an image only if it has at least this many rows. 0 is Ultralytics' rule: every
    /// image with at least one annotation in the file gets a (possibly empty) label file.
    pub min_instances: usize,
    /// Also keep images without any row, as background images (empty label file).
    pub include_empty: bool,
    /// Keep at most this many images per split, chosen at random with `seed`.
    pub max_images: Option<usize>,
    /// Seed for `max_images`.
    pub seed: u64,
}

/// Options of [`write_yolo`].
#[derive(Clone, Debug, Default)]
pub struct YoloOptions {
    /// Boxes, segments or keypoints.
    pub geometry: Geometry,
    /// Number text.
    pub precision: Precision,
    /// Where the images are: `<dir>/<split>/<file_name>` or `<dir>/<file_name>`.
    pub images_dir: Option<PathBuf>,
    /// How images are placed (ignored without `images_dir`).
    pub link: LinkMode,
    /// Which images are kept.
    pub selection: ImageSelection,
    /// Write only this shard's label files and images (see the module documentation).
    pub shard: Option<Shard>,
}

/// What happened to one split.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct SplitReport {
    /// The split's folder name.
    pub name: String,
    /// The annotation file.
    pub file: PathBuf,
    /// Label files written.
    pub label_files: u64,
    /// Label files with no row (images whose annotations were all skipped).
    pub empty_label_files: u64,
    /// Rows written.
    pub rows: u64,
    /// Images hard-linked, symlinked and copied.
    pub images_linked: u64,
    /// See `images_linked`.
    pub images_symlinked: u64,
    /// See `images_linked`.
    pub images_copied: u64,
    /// Images named by the annotations but not found under the images folder.
    pub images_missing: Vec<PathBuf>,
    /// Details of skipped and approximated annotations.
    pub counts: RowCounts,
    /// The images kept, in writing order.
    #[serde(skip)]
    pub image_ids: Vec<ImageId>,
}

/// What [`write_yolo`] did.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct YoloReport {
    /// The output root.
    pub output: PathBuf,
    /// The dataset YAML written.
    pub yaml: PathBuf,
    /// Class names in order.
    pub names: Vec<String>,
    /// Per split.
    pub splits: Vec<SplitReport>,
}

/// Totals of the label files written.
#[derive(Default)]
struct WrittenFiles {
    rows: u64,
    empty: u64,
    highest_class: Option<u32>,
    counts: RowCounts,
}

/// One image's rows, computed in parallel and written later.
struct ImageLabel<'a> {
    image: &'a Image,
    rows: Vec<Row>,
    counts: RowCounts,
}

/// Converts every split, writes `labels/<split>/`, `images/<split>/` (with an images
/// folder) and `data.yaml` under `output`.
pub fn write_yolo(
    splits: &[SplitSource],
    classes: &ClassTable,
    output: &Path,
    options: &YoloOptions,
    reporter: &dyn Reporter,
) -> Result<YoloReport, Error> {
    for (index, split) in splits.iter().enumerate() {
        if let Some(other) = splits[..index]
            .iter()
            .find(|other| other.name == split.name)
        {
            return Err(Error::Inconsistent {
                message: format!(
                    "`{}` and `{}` both become split `{}`; convert them separately",
                    other.file.display(),
                    split.file.display(),
                    split.name
                ),
            });
        }
    }
    fs_err::create_dir_all(output).map_err(Error::io("create", output))?;
    let mut classes = classes.clone();
    let mut reports = Vec::with_capacity(splits.len());
    for split in splits {
        let (report, mut highest_class) = write_split(split, &classes, output, options, reporter)?;
        if options.shard.is_some() {
            // The YAML's names must not depend on which rows this shard wrote.
            highest_class = split_highest_class(split, &classes, options, reporter)?;
        }
        if let Some(class) = highest_class {
            classes.ensure_named(class);
        }
        reports.push(report);
    }
    let yaml_path = output.join("data.yaml");
    let yaml = dataset_yaml(splits, &classes, output, options.geometry);
    cocoprep_coco::atomic::write_atomic(
        &yaml_path,
        yaml.to_text("YOLO dataset written by cocoprep (https://docs.ultralytics.com/datasets/)")
            .as_bytes(),
    )
    .map_err(Error::io("write", &yaml_path))?;
    Ok(YoloReport {
        output: output.to_owned(),
        yaml: yaml_path,
        names: classes.names().to_vec(),
        splits: reports,
    })
}

/// The highest class of any row of `split` when that class has no name yet, for a shard
/// that wrote only some rows (`None` when every class that can occur is named). Only files
/// whose annotations name categories missing from `categories` need the rows made again.
fn split_highest_class(
    split: &SplitSource,
    classes: &ClassTable,
    options: &YoloOptions,
    reporter: &dyn Reporter,
) -> Result<Option<u32>, Error> {
    let bound = split
        .dataset
        .annotations
        .iter()
        .filter_map(|annotation| annotation.category_id)
        .filter_map(|category_id| classes.class_of(category_id))
        .max();
    match bound {
        Some(class) if class as usize >= classes.names().len() => {
            let (labels, kept, _) = label_split(split, classes, options, reporter)?;
            Ok(kept
                .iter()
                .flat_map(|&index| labels[index].rows.iter().map(|row| row.class))
                .max())
        }
        _ => Ok(None),
    }
}

/// Label files: built aside and renamed into place whole (one process), or written one by
/// one into the final folder (a shard, sharing it with the others).
enum LabelFolder {
    Staged(StagedFolder),
    Shared(PathBuf),
}

impl LabelFolder {
    fn write_file(&self, relative: &Path, contents: &[u8]) -> Result<(), Error> {
        match self {
            Self::Staged(folder) => folder.write_file(relative, contents),
            Self::Shared(folder) => write_file_atomically(&folder.join(relative), contents),
        }
    }

    fn commit(self) -> Result<(), Error> {
        match self {
            Self::Staged(folder) => folder.commit(),
            Self::Shared(_) => Ok(()),
        }
    }
}

/// The images of `split` that [`write_yolo`] keeps under `options.selection`, in the
/// order it writes them (used to make a COCO subset with the same images).
pub fn select_images(
    split: &SplitSource,
    classes: &ClassTable,
    options: &YoloOptions,
    reporter: &dyn Reporter,
) -> Result<Vec<ImageId>, Error> {
    let (labels, kept, _) = label_split(split, classes, options, reporter)?;
    Ok(kept.iter().map(|&index| labels[index].image.id).collect())
}

/// Rows of every candidate image, the indexes of those kept, and the summed counts.
fn label_split<'a>(
    split: &SplitSource<'a>,
    classes: &ClassTable,
    options: &YoloOptions,
    reporter: &dyn Reporter,
) -> Result<(Vec<ImageLabel<'a>>, Vec<usize>, RowCounts), Error> {
    let file = split.file.as_path();
    let groups = ImageGroups::of(split, options.selection.include_empty)?;
    let task = reporter.on_task_start(
        &format!("{}: labels", split.name),
        Some(groups.len() as u64),
        ProgressUnit::Items,
    );
    let builder = RowBuilder {
        file,
        classes,
        geometry: options.geometry,
    };
    let labels: Vec<ImageLabel> = (0..groups.len())
        .into_par_iter()
        .map(|group| {
            let (image, annotations) = groups.get(group);
            let mut counts = RowCounts::default();
            let rows = builder.rows(image, annotations, &mut counts)?;
            reporter.on_task_progress(task, 1);
            Ok(ImageLabel {
                image,
                rows,
                counts,
            })
        })
        .collect::<Result<_, Error>>()?;
    reporter.on_task_complete(task);

    let mut counts = RowCounts::default();
    for label in &labels {
        counts.add(&label.counts);
    }
    let selection = &options.selection;
    let mut kept: Vec<usize> = (0..labels.len())
        .filter(|&index| {
            let label = &labels[index];
            selection.min_instances == 0
                || label.rows.len() >= selection.min_instances
                || (selection.include_empty && label.rows.is_empty())
        })
        .collect();
    if let Some(limit) = selection.max_images
        && kept.len() > limit
    {
        let chosen = SeededRandom::new(selection.seed).sample_indexes(kept.len(), limit);
        kept = chosen.into_iter().map(|index| kept[index]).collect();
    }
    Ok((labels, kept, counts))
}

/// An image to write: its rows, already computed when a selection needed them, or its
/// annotations, turned into rows while writing.
struct Candidate<'a, 'l> {
    image: &'a Image,
    rows: Option<&'l [Row]>,
    annotations: &'l [Numbered<'a>],
}

fn write_split(
    split: &SplitSource,
    classes: &ClassTable,
    output: &Path,
    options: &YoloOptions,
    reporter: &dyn Reporter,
) -> Result<(SplitReport, Option<u32>), Error> {
    let file = split.file.as_path();
    let selection = &options.selection;
    // Without a selection every image is kept, so rows are made and written in one pass
    // per label file: no million intermediate row vectors (memory, page faults, time).
    let streaming = selection.min_instances == 0 && selection.max_images.is_none();
    let materialized;
    let groups;
    let mut counts = RowCounts::default();
    let candidates: Vec<Candidate> = if streaming {
        groups = ImageGroups::of(split, selection.include_empty)?;
        (0..groups.len())
            .map(|group| {
                let (image, annotations) = groups.get(group);
                Candidate {
                    image,
                    rows: None,
                    annotations,
                }
            })
            .collect()
    } else {
        let (labels, kept, label_counts) = label_split(split, classes, options, reporter)?;
        counts = label_counts;
        materialized = labels;
        kept.iter()
            .map(|&index| Candidate {
                image: materialized[index].image,
                rows: Some(&materialized[index].rows),
                annotations: &[],
            })
            .collect()
    };
    let mut report = SplitReport {
        name: split.name.clone(),
        file: file.to_owned(),
        image_ids: candidates
            .iter()
            .map(|candidate| candidate.image.id)
            .collect(),
        ..SplitReport::default()
    };

    // Label paths (made in parallel: a path per image); two images with the same
    // `file_name` share a file (Ultralytics appends the second image's rows to the
    // first's), which is rare, so only those get a list.
    let relatives: Vec<PathBuf> = candidates
        .par_iter()
        .map(|candidate| Ok(image_path(file, candidate.image)?.with_extension("txt")))
        .collect::<Result<_, Error>>()?;
    let mut first_with_path: FxHashMap<&Path, usize> =
        FxHashMap::with_capacity_and_hasher(relatives.len(), Default::default());
    let mut files: Vec<usize> = Vec::with_capacity(relatives.len());
    let mut sharing: FxHashMap<usize, Vec<usize>> = FxHashMap::default();
    for (index, relative) in relatives.iter().enumerate() {
        match first_with_path.entry(relative) {
            Entry::Occupied(first) => sharing.entry(*first.get()).or_default().push(index),
            Entry::Vacant(slot) => {
                slot.insert(index);
                files.push(index);
            }
        }
    }
    // A shard owns label files by their position in `files`, and the images of the files
    // it owns (`mine[candidate]`), so images sharing a label file stay together.
    let mut mine: Vec<bool> = Vec::new();
    if let Some(shard) = options.shard {
        mine = vec![false; candidates.len()];
        let mut owned = Vec::with_capacity(files.len() / shard.count + 1);
        for (position, &first) in files.iter().enumerate() {
            if shard.owns_position(position) {
                owned.push(first);
                mine[first] = true;
                for &index in sharing.get(&first).map(Vec::as_slice).unwrap_or_default() {
                    mine[index] = true;
                }
            }
        }
        files = owned;
    }
    let labels_path = output.join("labels").join(&split.name);
    let labels_folder = match options.shard {
        None => LabelFolder::Staged(StagedFolder::create(&labels_path)?),
        Some(_) => {
            fs_err::create_dir_all(&labels_path).map_err(Error::io("create", &labels_path))?;
            LabelFolder::Shared(labels_path)
        }
    };
    let written = reporter.on_task_start(
        &format!("{}: write", split.name),
        Some(files.len() as u64),
        ProgressUnit::Items,
    );
    let builder = RowBuilder {
        file,
        classes,
        geometry: options.geometry,
    };
    let written_files = files
        .par_iter()
        // One text buffer and one row set per worker, reused file after file.
        .map_init(
            || (String::with_capacity(4096), RowSet::default()),
            |(text, row_set), &first| {
                let relative = &relatives[first];
                let shared = sharing.get(&first).map(Vec::as_slice).unwrap_or_default();
                text.clear();
                let mut file_counts = RowCounts::default();
                let (mut rows_written, mut highest_class) = (0u64, None::<u32>);
                for &index in std::iter::once(&first).chain(shared) {
                    let candidate = &candidates[index];
                    match candidate.rows {
                        Some(rows) => {
                            push_rows(text, rows, options.precision);
                            rows_written += rows.len() as u64;
                            highest_class =
                                highest_class.max(rows.iter().map(|row| row.class).max());
                        }
                        None => {
                            // Each image's rows are de-duplicated on their own, as when
                            // Ultralytics appends a second image's rows to a shared file.
                            row_set.clear();
                            builder.append_rows(
                                candidate.image,
                                candidate.annotations,
                                &mut file_counts,
                                row_set,
                            )?;
                            push_row_values(text, row_set.iter(), options.precision);
                            rows_written += row_set.len() as u64;
                            highest_class =
                                highest_class.max(row_set.iter().map(|(class, _)| class).max());
                        }
                    }
                }
                labels_folder.write_file(relative, text.as_bytes())?;
                reporter.on_task_progress(written, 1);
                Ok::<_, Error>(WrittenFiles {
                    rows: rows_written,
                    empty: u64::from(rows_written == 0),
                    highest_class,
                    counts: file_counts,
                })
            },
        )
        .try_reduce(WrittenFiles::default, |mut a, b| {
            a.rows += b.rows;
            a.empty += b.empty;
            a.highest_class = a.highest_class.max(b.highest_class);
            a.counts.add(&b.counts);
            Ok(a)
        })?;
    reporter.on_task_complete(written);
    labels_folder.commit()?;
    if streaming {
        counts = written_files.counts;
    }
    report.counts = counts;
    report.label_files = files.len() as u64;
    report.rows = written_files.rows;
    report.empty_label_files = written_files.empty;
    let highest_class = written_files.highest_class;

    if let Some(images_dir) = &options.images_dir
        && options.link != LinkMode::None
    {
        let images_path = output.join("images").join(&split.name);
        let images_folder = match options.shard {
            None => Some(StagedFolder::create(&images_path)?),
            Some(_) => None,
        };
        let images_root = images_folder
            .as_ref()
            .map_or(images_path.as_path(), StagedFolder::path);
        let owned: Vec<&Candidate> = match options.shard {
            None => candidates.iter().collect(),
            Some(_) => candidates
                .iter()
                .zip(&mine)
                .filter_map(|(candidate, &mine)| mine.then_some(candidate))
                .collect(),
        };
        let task = reporter.on_task_start(
            &format!("{}: images", split.name),
            Some(owned.len() as u64),
            ProgressUnit::Items,
        );
        // `Ok(Err(path))`: the image is not there (reported, counted in the exit status);
        // `Err(_)`: it is there but could not be linked or copied (stops the run).
        let placed: Vec<Result<Option<Placed>, PathBuf>> = owned
            .par_iter()
            .map(|candidate| {
                let relative = image_path(file, candidate.image)?;
                let candidates = [
                    images_dir.join(&split.name).join(&relative),
                    images_dir.join(&relative),
                ];
                let target = images_root.join(&relative);
                let result = match candidates.iter().find(|candidate| candidate.is_file()) {
                    Some(source) if images_folder.is_some() => {
                        Ok(place_image(source, &target, options.link)?)
                    }
                    Some(source) => Ok(place_image_atomically(source, &target, options.link)?),
                    None => Err(candidates[0].clone()),
                };
                reporter.on_task_progress(task, 1);
                Ok(result)
            })
            .collect::<Result<_, Error>>()?;
        reporter.on_task_complete(task);
        for result in placed {
            match result {
                Ok(Some(Placed::Linked)) => report.images_linked += 1,
                Ok(Some(Placed::Symlinked)) => report.images_symlinked += 1,
                Ok(Some(Placed::Copied)) => report.images_copied += 1,
                Ok(None) => {}
                Err(path) => report.images_missing.push(path),
            }
        }
        report.images_missing.sort();
        if let Some(folder) = images_folder {
            folder.commit()?;
        }
    }
    Ok((report, highest_class))
}

/// The image's `file_name`, checked to stay inside the split folder.
fn image_path(file: &Path, image: &Image) -> Result<PathBuf, Error> {
    let name = image
        .file_name
        .as_deref()
        .ok_or_else(|| Error::ImageMember {
            file: file.to_owned(),
            image_id: image.id,
            member: "file_name",
        })?;
    let relative = PathBuf::from(name);
    if !is_contained(&relative) {
        return Err(Error::UnsafeFileName {
            file: file.to_owned(),
            image_id: image.id,
            file_name: name.to_owned(),
        });
    }
    Ok(relative)
}

/// `data.yaml` for the converted splits: `train` gets the splits whose name contains
/// `train`, `val` those with `val`, `test` those with `test`; when no split matches
/// `train` or `val` (both are required), every split is used for it.
fn dataset_yaml(
    splits: &[SplitSource],
    classes: &ClassTable,
    output: &Path,
    geometry: Geometry,
) -> DatasetYaml {
    let folders = |word: &str| -> Vec<String> {
        splits
            .iter()
            .filter(|split| split.name.contains(word))
            .map(|split| format!("images/{}", split.name))
            .collect()
    };
    let all: Vec<String> = splits
        .iter()
        .map(|s| format!("images/{}", s.name))
        .collect();
    let or_all = |list: Vec<String>| if list.is_empty() { all.clone() } else { list };
    let (mut kpt_shape, mut flip_idx) = (None, None);
    if geometry == Geometry::Keypoints {
        let keypoint_names = splits
            .iter()
            .flat_map(|split| split.dataset.categories.iter())
            .filter(|category| classes.class_of(category.id).is_some())
            .find_map(|category| category.keypoints.clone());
        let count = keypoint_names.as_ref().map(Vec::len).or_else(|| {
            splits.iter().find_map(|split| {
                split
                    .dataset
                    .annotations
                    .iter()
                    .find_map(|a| a.keypoints.as_ref().map(|k| k.values().len() / 3))
            })
        });
        kpt_shape = count.map(|count| [count, 3]);
        flip_idx = keypoint_names.as_deref().and_then(flip_index);
    }
    let absolute = std::path::absolute(output).unwrap_or_else(|_| output.to_owned());
    DatasetYaml {
        path: Some(absolute),
        train: or_all(folders("train")),
        val: or_all(folders("val")),
        test: folders("test"),
        names: classes.names().to_vec(),
        kpt_shape,
        flip_idx,
    }
}

#[cfg(test)]
mod tests {
    use cocoprep_coco::NoReporter;

    use super::*;
    use crate::classes::ClassMapping;

    /// Ultralytics appends each image's rows to the label file named after its
    /// `file_name`, so two images with the same name share one file, and duplicate rows
    /// are removed within an image only.
    #[test]
    fn images_sharing_a_file_name_share_a_label_file() {
        let dataset = Dataset::from_json_slice(
            br#"{"images": [{"id": 1, "file_name": "x.jpg", "width": 10, "height": 10},
                           {"id": 2, "file_name": "x.jpg", "width": 10, "height": 10},
                           {"id": 3, "file_name": "y.jpg", "width": 10, "height": 10}],
                "annotations": [
                  {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 5, 5], "iscrowd": 0},
                  {"id": 2, "image_id": 3, "category_id": 1, "bbox": [0, 0, 2, 2], "iscrowd": 0},
                  {"id": 3, "image_id": 1, "category_id": 1, "bbox": [0, 0, 5, 5], "iscrowd": 0},
                  {"id": 4, "image_id": 2, "category_id": 1, "bbox": [0, 0, 5, 5], "iscrowd": 0}],
                "categories": [{"id": 1, "name": "person"}]}"#,
        )
        .unwrap();
        let categories: Vec<_> = dataset.categories.iter().collect();
        let classes = ClassTable::build(ClassMapping::Coco80, &categories).unwrap();
        let output = tempfile::tempdir().unwrap();
        let split = SplitSource {
            name: "val".to_owned(),
            file: PathBuf::from("instances_val.json"),
            dataset: &dataset,
        };
        let report = write_yolo(
            &[split],
            &classes,
            output.path(),
            &YoloOptions::default(),
            &NoReporter,
        )
        .unwrap();
        let labels = output.path().join("labels/val");
        let read = |name: &str| std::fs::read_to_string(labels.join(name)).unwrap();
        assert_eq!(read("x.txt"), "0 0.25 0.25 0.5 0.5\n0 0.25 0.25 0.5 0.5\n");
        assert_eq!(read("y.txt"), "0 0.1 0.1 0.2 0.2\n");
        let split = &report.splits[0];
        assert_eq!((split.label_files, split.rows), (2, 3));
        assert_eq!(split.counts.duplicates, 1);
    }
}
