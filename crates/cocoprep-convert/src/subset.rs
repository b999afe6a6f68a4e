//! Class subsets: keep the classes a user names, numbered `0..k-1` in the user's order.
//!
//! This is the job of Petoi's "COCO DIY" script, without its bugs: it kept only the first
//! five numbers of every row (dropping polygon points and keypoints), used COCO's id order
//! instead of the user's, and silently accepted misspelt class names. Here rows keep every
//! number (from COCO JSON they are computed like `convert yolo`; from YOLO labels only the
//! class token is rewritten and the rest of the line is copied verbatim), unknown names
//! are an error listing the valid ones, and the YAML lists the names in the user's order.

use std::path::{Path, PathBuf};

use cocoprep_base::output::StagedFolder;
use cocoprep_base::progress::Reporter;
use cocoprep_coco::{Category, CategoryId, Dataset, ImageId};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::classes::{ClassMapping, ClassTable, resolve_names};
use crate::dataset::{SplitImages, label_path};
use crate::error::Error;
use crate::layout::{LinkMode, place_image};
use crate::random::SeededRandom;
use crate::yolo::{SplitSource, YoloOptions, YoloReport, write_yolo};
use cocoprep_formats::dataset_yaml::DatasetYaml;

/// Which outputs a subset writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SubsetFormat {
    /// YOLO labels, images and `data.yaml`.
    #[default]
    Yolo,
    /// COCO JSON (`annotations/<input name>`), categories renumbered `1..k` in the
    /// user's order.
    Coco,
    /// Both.
    Both,
}

impl SubsetFormat {
    fn yolo(self) -> bool {
        matches!(self, SubsetFormat::Yolo | SubsetFormat::Both)
    }
    fn coco(self) -> bool {
        matches!(self, SubsetFormat::Coco | SubsetFormat::Both)
    }
}

/// What a subset wrote.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct SubsetReport {
    /// The classes, in their new order.
    pub names: Vec<String>,
    /// The YOLO conversion, when YOLO output was asked for.
    pub yolo: Option<YoloReport>,
    /// COCO files written: `(path, images, annotations)`.
    pub coco_files: Vec<(PathBuf, usize, usize)>,
    /// With YOLO input: per split, `(name, images kept, rows kept, images missing a file)`.
    pub yolo_splits: Vec<(String, usize, usize, usize)>,
}

/// The distinct category names of the inputs, by category id.
fn category_names(categories: &[&Category]) -> Vec<String> {
    let mut sorted: Vec<&&Category> = categories.iter().collect();
    sorted.sort_by_key(|category| category.id);
    let mut names: Vec<String> = Vec::new();
    for category in sorted {
        if !names.contains(&category.name) {
            names.push(category.name.clone());
        }
    }
    names
}

/// Subset of COCO annotation files. `splits` are the inputs (one per split); YOLO output
/// goes through [`write_yolo`] with the selected classes, COCO output keeps the same
/// images.
pub fn subset_coco(
    splits: &[SplitSource],
    classes: &[String],
    format: SubsetFormat,
    output: &Path,
    options: &YoloOptions,
    reporter: &dyn Reporter,
) -> Result<SubsetReport, Error> {
    let categories: Vec<&Category> = splits
        .iter()
        .flat_map(|split| split.dataset.categories.iter())
        .collect();
    let valid = category_names(&categories);
    let positions = resolve_names(classes, &valid)?;
    let mut selected: Vec<CategoryId> = Vec::with_capacity(positions.len());
    for &position in &positions {
        let name = &valid[position];
        let ids: FxHashSet<CategoryId> = categories
            .iter()
            .filter(|category| category.name == *name)
            .map(|category| category.id)
            .collect();
        if ids.len() > 1 {
            return Err(Error::Inconsistent {
                message: format!(
                    "class `{name}` has different category ids in the inputs: {ids:?}"
                ),
            });
        }
        selected.extend(ids);
    }
    let table = ClassTable::build(ClassMapping::Selected(selected.clone()), &categories)?;
    let mut options = options.clone();
    // A subset keeps images that still have a selected object.
    options.selection.min_instances = options.selection.min_instances.max(1);
    let mut report = SubsetReport {
        names: table.names().to_vec(),
        ..SubsetReport::default()
    };
    let kept: Vec<Vec<ImageId>> = if format.yolo() {
        let yolo = write_yolo(splits, &table, output, &options, reporter)?;
        let kept = yolo
            .splits
            .iter()
            .map(|split| split.image_ids.clone())
            .collect();
        report.yolo = Some(yolo);
        kept
    } else {
        splits
            .iter()
            .map(|split| crate::yolo::select_images(split, &table, &options, reporter))
            .collect::<Result<_, _>>()?
    };
    if format.coco() {
        for (split, image_ids) in splits.iter().zip(&kept) {
            let subset = coco_subset(split.dataset, &selected, image_ids);
            let name = split
                .file
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_else(|| format!("instances_{}.json", split.name));
            let path = output.join("annotations").join(name);
            subset.write(&path)?;
            report
                .coco_files
                .push((path, subset.images.len(), subset.annotations.len()));
            if !format.yolo()
                && let Some(images_dir) = &options.images_dir
                && options.link != LinkMode::None
            {
                place_split_images(&subset, images_dir, &split.name, output, options.link)?;
            }
        }
    }
    Ok(report)
}

/// The images `image_ids` of `dataset` with their annotations of `selected` categories,
/// categories renumbered `1..k` in `selected`'s order.
fn coco_subset(dataset: &Dataset, selected: &[CategoryId], image_ids: &[ImageId]) -> Dataset {
    let new_id: FxHashMap<CategoryId, CategoryId> = selected
        .iter()
        .enumerate()
        .map(|(index, id)| (*id, CategoryId(index as u32 + 1)))
        .collect();
    let keep: FxHashSet<ImageId> = image_ids.iter().copied().collect();
    let mut subset = dataset.clone();
    subset.images.retain(|image| keep.contains(&image.id));
    subset.annotations.retain(|annotation| {
        keep.contains(&annotation.image_id)
            && annotation
                .category_id
                .is_some_and(|id| new_id.contains_key(&id))
    });
    for annotation in &mut subset.annotations {
        annotation.category_id = annotation.category_id.map(|id| new_id[&id]);
    }
    subset.categories = selected
        .iter()
        .filter_map(|id| {
            let mut category = dataset.categories.iter().find(|c| c.id == *id)?.clone();
            category.id = new_id[id];
            Some(category)
        })
        .collect();
    subset
}

fn place_split_images(
    dataset: &Dataset,
    images_dir: &Path,
    split: &str,
    output: &Path,
    link: LinkMode,
) -> Result<(), Error> {
    let folder_path = output.join("images").join(split);
    let folder = StagedFolder::create(&folder_path).map_err(Error::io("create", &folder_path))?;
    for image in &dataset.images {
        let Some(name) = &image.file_name else {
            continue;
        };
        let candidates = [images_dir.join(split).join(name), images_dir.join(name)];
        if let Some(source) = candidates.iter().find(|c| c.is_file()) {
            place_image(source, &folder.path().join(name), link)?;
        }
    }
    folder
        .commit()
        .map_err(Error::io("rename into place", &folder_path))
}

/// Options of [`subset_yolo`].
#[derive(Clone, Debug, Default)]
pub struct YoloSubsetOptions {
    /// How images are placed.
    pub link: LinkMode,
    /// Keep an image only with at least this many rows (at least 1).
    pub min_instances: usize,
    /// Keep images left without rows, as background images.
    pub include_empty: bool,
    /// At most this many images per split, chosen with `seed`.
    pub max_images: Option<usize>,
    /// Seed for `max_images`.
    pub seed: u64,
    /// Only these YAML keys (`train`, `val`, `test`); all when empty.
    pub splits: Vec<String>,
}

/// Subset of an existing YOLO dataset (Petoi's input): rows of the selected classes, the
/// class token rewritten, every other token copied verbatim.
pub fn subset_yolo(
    yaml_path: &Path,
    root: Option<&Path>,
    classes: &[String],
    output: &Path,
    options: &YoloSubsetOptions,
) -> Result<SubsetReport, Error> {
    let source = DatasetYaml::read(yaml_path)?;
    let root = root
        .map(Path::to_owned)
        .or_else(|| source.path.clone())
        .unwrap_or_else(|| PathBuf::from("."));
    let positions = resolve_names(classes, &source.names)?;
    let new_class: FxHashMap<usize, usize> = positions
        .iter()
        .enumerate()
        .map(|(new, &old)| (old, new))
        .collect();
    let mut yaml = DatasetYaml {
        path: Some(std::path::absolute(output).unwrap_or_else(|_| output.to_owned())),
        names: positions
            .iter()
            .map(|&old| source.names[old].clone())
            .collect(),
        kpt_shape: source.kpt_shape,
        flip_idx: source.flip_idx.clone(),
        ..DatasetYaml::default()
    };
    let mut report = SubsetReport {
        names: yaml.names.clone(),
        ..SubsetReport::default()
    };
    let mut used_names: Vec<String> = Vec::new();
    for (key, entry) in source.split_entries() {
        if !options.splits.is_empty() && !options.splits.iter().any(|s| s == key) {
            continue;
        }
        let images = SplitImages::read(&root, entry)?;
        let mut name = images.name.clone();
        if used_names.contains(&name) {
            name = format!("{key}-{name}");
        }
        used_names.push(name.clone());
        let mut kept: Vec<(PathBuf, String, usize)> = Vec::new();
        let mut missing = 0;
        for image in &images.images {
            let label = label_path(image);
            let text = match fs_err::read_to_string(&label) {
                Ok(text) => text,
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                    missing += 1;
                    String::new()
                }
                Err(error) => return Err(Error::io("read", &label)(error)),
            };
            let (rows, count) = remap_rows(&label, &text, &new_class, source.names.len())?;
            let keep =
                count >= options.min_instances.max(1) || (options.include_empty && count == 0);
            if keep {
                kept.push((image.clone(), rows, count));
            }
        }
        if let Some(limit) = options.max_images
            && kept.len() > limit
        {
            let chosen = SeededRandom::new(options.seed).sample_indexes(kept.len(), limit);
            kept = chosen
                .into_iter()
                .map(|index| kept[index].clone())
                .collect();
        }
        let labels_path = output.join("labels").join(&name);
        let labels =
            StagedFolder::create(&labels_path).map_err(Error::io("create", &labels_path))?;
        let images_path = output.join("images").join(&name);
        let images_folder = (options.link != LinkMode::None)
            .then(|| StagedFolder::create(&images_path))
            .transpose()
            .map_err(Error::io("create", &images_path))?;
        let mut rows_total = 0;
        for (image, rows, count) in &kept {
            let relative = image.strip_prefix(&images.base).unwrap_or(image);
            let label = labels.path().join(relative).with_extension("txt");
            if let Some(parent) = label.parent() {
                fs_err::create_dir_all(parent).map_err(Error::io("create", parent))?;
            }
            fs_err::write(&label, rows).map_err(Error::io("write", &label))?;
            if let Some(folder) = &images_folder {
                place_image(image, &folder.path().join(relative), options.link)?;
            }
            rows_total += count;
        }
        labels
            .commit()
            .map_err(Error::io("rename into place", &labels_path))?;
        if let Some(folder) = images_folder {
            folder
                .commit()
                .map_err(Error::io("rename into place", &images_path))?;
        }
        let entry = format!("images/{name}");
        match key {
            "train" => yaml.train.push(entry),
            "val" => yaml.val.push(entry),
            _ => yaml.test.push(entry),
        }
        report
            .yolo_splits
            .push((name, kept.len(), rows_total, missing));
    }
    let written = output.join("data.yaml");
    let header = format!(
        "classes {} of {}, written by cocoprep subset",
        report.names.join(", "),
        yaml_path.display()
    );
    cocoprep_base::output::write_atomic(&written, yaml.to_text(&header).as_bytes())
        .map_err(Error::io("write", &written))?;
    Ok(report)
}

/// Keeps the rows of selected classes, rewriting only the class token. Returns the new
/// text and the number of rows kept.
fn remap_rows(
    path: &Path,
    text: &str,
    new_class: &FxHashMap<usize, usize>,
    class_count: usize,
) -> Result<(String, usize), Error> {
    let mut out = String::with_capacity(text.len());
    let mut kept = 0;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            continue;
        }
        let split_at = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
        let (class_text, rest) = trimmed.split_at(split_at);
        let class: usize = class_text.parse().map_err(|_| Error::Label {
            path: path.to_owned(),
            line: index + 1,
            message: format!("class `{class_text}` is not a non-negative integer"),
        })?;
        if class >= class_count {
            return Err(Error::Label {
                path: path.to_owned(),
                line: index + 1,
                message: format!(
                    "class {class} is out of range: the YAML names {class_count} classes"
                ),
            });
        }
        if let Some(new) = new_class.get(&class) {
            out.push_str(&new.to_string());
            out.push_str(rest.trim_end_matches('\r'));
            out.push('\n');
            kept += 1;
        }
    }
    Ok((out, kept))
}
