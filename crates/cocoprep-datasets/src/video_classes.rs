//! Kinetics-400/700 and Moments in Time: label folders in the form the loader asserts, and
//! the CSVs, `categories.txt`, `annotation.json` and `category_mapping.txt` the configs read
//! (`data/preprocess/{k400,k700,moments}_construct_csv.py`, `tools/video_categories.ipynb`).
//!
//! The loader (`uniperceiver/datasets/task_dataset/video_raw.py`) reads
//! `category_mapping.txt` (`<class name>\t<index>`), turns spaces into `_`, and asserts that
//! every `annotation.json` label (= the video's folder name) is one of those names; videos
//! are opened at `<dataset>/{training|validation}/<label>/<file name>`.
//!
//! Differences from the scripts, on purpose:
//! * folders and files are visited in sorted order (the scripts follow `os.walk`, whose order
//!   depends on the file system), so the outputs are the same on every machine;
//! * `categories.txt` is sorted and has each label once (K400's is in walk order, K700's has
//!   every label twice); the CSVs list both splits (K700's script leaves `K700_val.csv`
//!   empty; Moments in Time's reads only `training/`: here `validation/` is read too when
//!   present, so the evaluator, which reads the `validation` subset, has videos);
//! * `category_mapping.txt` of Moments in Time comes from the built-in 339 names (in their
//!   `+` form), like Kinetics', so its indices match the target-set pickle even when only some
//!   classes are on disk; on the full dataset it equals the notebook's;
//! * hidden files (names starting with `.`) are skipped.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use cocoprep_formats::python_json::PythonJsonWriter;

use crate::error::Error;
use crate::files;

/// One of the three video classification datasets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VideoDataset {
    /// Kinetics-400, in `K400_official/`.
    Kinetics400,
    /// Kinetics-700, in `K700/`.
    Kinetics700,
    /// Moments in Time, in `MomentsInTime/`.
    MomentsInTime,
}

/// The two splits the loader reads, in the order the scripts walk them.
pub const SPLITS: [&str; 2] = ["validation", "training"];

impl VideoDataset {
    /// The folder under `open_source_dataset/` the configs name.
    pub fn dir(self) -> &'static str {
        match self {
            Self::Kinetics400 => "K400_official",
            Self::Kinetics700 => "K700",
            Self::MomentsInTime => "MomentsInTime",
        }
    }

    /// How people name it.
    pub fn title(self) -> &'static str {
        match self {
            Self::Kinetics400 => "Kinetics-400",
            Self::Kinetics700 => "Kinetics-700",
            Self::MomentsInTime => "Moments in Time",
        }
    }

    /// The CSV files' name of `split` (`K400_train.csv`, `moments_train.csv`).
    pub fn csv_name(self, split: &str) -> String {
        let prefix = match self {
            Self::Kinetics400 => "K400",
            Self::Kinetics700 => "K700",
            Self::MomentsInTime => "moments",
        };
        let split = if split == "training" { "train" } else { "val" };
        format!("{prefix}_{split}.csv")
    }

    /// The class names in category order, as `category_mapping.txt` holds them.
    pub fn class_names(self) -> Vec<String> {
        let (list, separator) = match self {
            Self::Kinetics400 => (cocoprep_targets::targets::K400_NAMES, " "),
            Self::Kinetics700 => (cocoprep_targets::targets::K700_NAMES, " "),
            // Moments in Time's folders and `categories.txt` use `+` between words.
            Self::MomentsInTime => (cocoprep_targets::targets::MIT_NAMES, "+"),
        };
        list.lines()
            .map(|name| name.replace(' ', separator))
            .collect()
    }

    /// A label folder's name in the form the loader accepts: Kinetics' spaces become `_`
    /// (`category_mapping.txt` names with `' '` → `'_'`), Moments in Time's become `+`.
    pub fn folder_name(self, label: &str) -> String {
        match self {
            Self::Kinetics400 | Self::Kinetics700 => label.replace(' ', "_"),
            Self::MomentsInTime => label.replace(' ', "+"),
        }
    }

    /// The names the loader's assertion accepts (`category_mapping.txt` after `' '` → `'_'`).
    pub fn accepted_labels(self) -> Vec<String> {
        self.class_names()
            .iter()
            .map(|name| name.replace(' ', "_"))
            .collect()
    }
}

/// The bytes of `category_mapping.txt` (`f'{class_name}\t{idx}\n'`).
pub fn category_mapping(dataset: VideoDataset) -> String {
    dataset
        .class_names()
        .iter()
        .enumerate()
        .map(|(index, name)| format!("{name}\t{index}\n"))
        .collect()
}

/// A label folder moved or renamed by [`arrange`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Renamed {
    /// The old path.
    pub from: PathBuf,
    /// The new path.
    pub to: PathBuf,
}

/// Puts the label folders of `source` (the dataset folder itself, or a download such as
/// cvdfoundation's `videos/` with `train/`, `val/`) into `dataset_dir/{training,validation}/`
/// under the names the loader accepts. Folders already in place are left alone; a move
/// is a rename (same file system), nothing is copied.
pub fn arrange(
    dataset: VideoDataset,
    source: &Path,
    dataset_dir: &Path,
) -> Result<Vec<Renamed>, Error> {
    let mut renamed = Vec::new();
    for (split, aliases) in [
        ("training", ["training", "train"]),
        ("validation", ["validation", "val"]),
    ] {
        let target_split = dataset_dir.join(split);
        for alias in aliases {
            let source_split = source.join(alias);
            if !source_split.is_dir() {
                continue;
            }
            for label in files::visible_entries(&source_split)? {
                let from = source_split.join(&label);
                if !from.is_dir() {
                    continue;
                }
                let to = target_split.join(dataset.folder_name(&label));
                if from == to {
                    continue;
                }
                if to.exists() {
                    return Err(Error::Rename {
                        from,
                        to,
                        source: std::io::Error::new(
                            std::io::ErrorKind::AlreadyExists,
                            "the target folder already exists (merge the two by hand)",
                        ),
                    });
                }
                std::fs::create_dir_all(&target_split)
                    .map_err(Error::io("create", &target_split))?;
                std::fs::rename(&from, &to).map_err(|source| Error::Rename {
                    from: from.clone(),
                    to: to.clone(),
                    source,
                })?;
                renamed.push(Renamed { from, to });
            }
            // An alias folder emptied by the moves (`train/`) is removed; a non-empty one is
            // left for the user to look at.
            if source_split != target_split {
                let _ = std::fs::remove_dir(&source_split);
            }
        }
    }
    Ok(renamed)
}

/// One video found by [`scan`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Video {
    /// `training` or `validation`.
    pub split: &'static str,
    /// The label folder's name.
    pub label: String,
    /// The file name (with extension).
    pub file_name: String,
}

/// Every video under `dataset_dir/{validation,training}/<label>/`, in sorted order
/// (validation first, as the scripts walk). Folders whose names the loader would reject are
/// an error naming them and the fix.
pub fn scan(dataset: VideoDataset, dataset_dir: &Path) -> Result<Vec<Video>, Error> {
    let accepted: std::collections::HashSet<String> =
        dataset.accepted_labels().into_iter().collect();
    let mut videos = Vec::new();
    let mut found_split = false;
    for split in SPLITS {
        let split_dir = dataset_dir.join(split);
        if !split_dir.is_dir() {
            continue;
        }
        found_split = true;
        for label in files::visible_entries(&split_dir)? {
            let label_dir = split_dir.join(&label);
            if !label_dir.is_dir() {
                return Err(Error::invalid(
                    &label_dir,
                    format!("a file directly in {split}/: videos go in {split}/<label>/"),
                ));
            }
            if !accepted.contains(&label) {
                let hint = if label.contains(' ') {
                    " (spaces: run this command again to rename the folders)"
                } else {
                    ""
                };
                return Err(Error::invalid(
                    &label_dir,
                    format!(
                        "`{label}` is not a {} class of category_mapping.txt{hint}",
                        dataset.title()
                    ),
                ));
            }
            for file_name in files::visible_entries(&label_dir)? {
                let path = label_dir.join(&file_name);
                if path.is_dir() {
                    return Err(Error::invalid(
                        &path,
                        format!(
                            "a folder inside a label folder: videos go directly in {split}/<label>/"
                        ),
                    ));
                }
                videos.push(Video {
                    split,
                    label: label.clone(),
                    file_name,
                });
            }
        }
    }
    if !found_split {
        return Err(Error::MissingInput {
            what: "videos in `training/<label>/` (and `validation/<label>/`); pass the \
                   download's folder (with `train/`, `val/`) with --videos to move them in",
            path: dataset_dir.join("training"),
        });
    }
    Ok(videos)
}

/// The files the configs read, built from the scanned videos.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VideoFiles {
    /// (file name, bytes) of each output, relative to the dataset folder.
    pub files: Vec<(String, Vec<u8>)>,
    /// Videos per split (training, validation).
    pub counts: [usize; 2],
    /// Label folders that hold at least one video.
    pub labels: usize,
}

/// Builds the CSVs, `categories.txt`, `annotation.json` and `category_mapping.txt`.
pub fn build(dataset: VideoDataset, videos: &[Video]) -> VideoFiles {
    let mut files = Vec::new();
    let mut counts = [0, 0];
    for split in SPLITS {
        // Moments in Time's script writes only the training CSV; its validation CSV is
        // written here only when there are validation videos.
        let in_split: Vec<&Video> = videos.iter().filter(|video| video.split == split).collect();
        if dataset == VideoDataset::MomentsInTime && split == "validation" && in_split.is_empty() {
            continue;
        }
        let mut csv = String::new();
        for video in &in_split {
            csv.push_str(&format!(
                "./{split}/{}/{},{}\n",
                video.label, video.file_name, video.label
            ));
        }
        counts[usize::from(split == "validation")] = in_split.len();
        files.push((dataset.csv_name(split), csv.into_bytes()));
    }
    let mut labels: Vec<&str> = videos.iter().map(|video| video.label.as_str()).collect();
    labels.sort_unstable();
    labels.dedup();
    let categories: String = labels
        .iter()
        .enumerate()
        .map(|(index, label)| format!("{label},{index}\n"))
        .collect();
    files.push(("categories.txt".to_owned(), categories.into_bytes()));
    files.push(("annotation.json".to_owned(), annotation_json(videos)));
    files.push((
        "category_mapping.txt".to_owned(),
        category_mapping(dataset).into_bytes(),
    ));
    VideoFiles {
        files,
        counts,
        labels: labels.len(),
    }
}

/// `json.dump({"database": {name: {"subset": ..., "annotations": {"label": ...}}}})` with
/// Python dict semantics: a file name seen again keeps its first position, and its last
/// value.
fn annotation_json(videos: &[Video]) -> Vec<u8> {
    let mut order: Vec<&str> = Vec::new();
    let mut latest: HashMap<&str, &Video> = HashMap::new();
    for video in videos {
        if latest.insert(&video.file_name, video).is_none() {
            order.push(&video.file_name);
        }
    }
    let mut json = PythonJsonWriter::new(Vec::with_capacity(order.len() * 96 + 16));
    let result: std::io::Result<()> = (|| {
        json.begin_object()?;
        json.key("database")?;
        json.begin_object()?;
        for name in &order {
            let video = latest[name];
            json.key(name)?;
            json.begin_object()?;
            json.key("subset")?;
            json.string(video.split)?;
            json.key("annotations")?;
            json.begin_object()?;
            json.key("label")?;
            json.string(&video.label)?;
            json.end_object()?;
            json.end_object()?;
        }
        json.end_object()?;
        json.end_object()
    })();
    result.expect("writing JSON into memory cannot fail");
    json.into_inner().expect("a Vec flushes")
}

/// What [`prepare`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prepared {
    /// Label folders moved or renamed.
    pub renamed: Vec<Renamed>,
    /// Files written.
    pub written: Vec<PathBuf>,
    /// Videos per split (training, validation).
    pub counts: [usize; 2],
    /// Labels with videos.
    pub labels: usize,
}

/// Arranges the folders (from `source`, default the dataset folder itself), scans them and
/// writes every file atomically into `dataset_dir`.
pub fn prepare(
    dataset: VideoDataset,
    dataset_dir: &Path,
    source: Option<&Path>,
) -> Result<Prepared, Error> {
    let renamed = arrange(dataset, source.unwrap_or(dataset_dir), dataset_dir)?;
    let videos = scan(dataset, dataset_dir)?;
    let VideoFiles {
        files,
        counts,
        labels,
    } = build(dataset, &videos);
    let mut written = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let path = dataset_dir.join(name);
        files::write(&path, &bytes)?;
        written.push(path);
    }
    Ok(Prepared {
        renamed,
        written,
        counts,
        labels,
    })
}
