//! Ultralytics dataset YAML (`data.yaml`): what `train`/`val`/`test`, `names`, `kpt_shape`
//! and `flip_idx` mean, read and written.
//!
//! Rules (Ultralytics `data/utils.py`): `train` and `val` are required and relative to
//! `path`; each is a folder of images, a `.txt` list of image paths, or a list of either.
//! `names` is a list or a `{index: name}` map with keys `0..n-1`. Labels live where the
//! image path has its last `images` component replaced by `labels`.
//!
//! Used by `convert yolo` / `subset` (read and write) and by `get --layout yolo` (write).

use std::path::{Path, PathBuf};

use yaml_rust2::{Yaml, YamlLoader};

use crate::error::Error;

/// The keys of a YOLO dataset YAML that cocoprep reads and writes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DatasetYaml {
    /// `path`: the dataset root (absolute, or relative to the YAML's folder when read).
    pub path: Option<PathBuf>,
    /// `train`: image folders or lists, relative to `path`.
    pub train: Vec<String>,
    /// `val`.
    pub val: Vec<String>,
    /// `test`.
    pub test: Vec<String>,
    /// `names`, in class order.
    pub names: Vec<String>,
    /// `kpt_shape`: keypoints per object and values per keypoint (2 or 3).
    pub kpt_shape: Option<[usize; 2]>,
    /// `flip_idx`: the keypoint each keypoint becomes in a horizontally flipped image.
    pub flip_idx: Option<Vec<usize>>,
}

impl DatasetYaml {
    /// The YAML text.
    pub fn to_text(&self, header: &str) -> String {
        let mut out = String::new();
        for line in header.lines() {
            out.push_str("# ");
            out.push_str(line);
            out.push('\n');
        }
        if let Some(path) = &self.path {
            out.push_str(&format!("path: {}\n", scalar(&path.to_string_lossy())));
        }
        for (key, values) in [
            ("train", &self.train),
            ("val", &self.val),
            ("test", &self.test),
        ] {
            match values.as_slice() {
                [] => {}
                [single] => out.push_str(&format!("{key}: {}\n", scalar(single))),
                many => out.push_str(&format!(
                    "{key}: [{}]\n",
                    many.iter()
                        .map(|v| scalar(v))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            }
        }
        out.push_str(&format!("nc: {}\n", self.names.len()));
        out.push_str("names:\n");
        for (index, name) in self.names.iter().enumerate() {
            out.push_str(&format!("  {index}: {}\n", scalar(name)));
        }
        if let Some([count, dimensions]) = self.kpt_shape {
            out.push_str(&format!("kpt_shape: [{count}, {dimensions}]\n"));
        }
        if let Some(flip) = &self.flip_idx {
            let list: Vec<String> = flip.iter().map(|i| i.to_string()).collect();
            out.push_str(&format!("flip_idx: [{}]\n", list.join(", ")));
        }
        out
    }

    /// Reads a dataset YAML. `path`, when relative, is taken relative to the YAML's folder
    /// (and when absent the YAML's folder is the root), so the result is usable directly.
    pub fn read(file: &Path) -> Result<DatasetYaml, Error> {
        // fs_err's message names the file.
        let text = fs_err::read_to_string(file)?;
        Self::from_text(&text, file)
    }

    /// Reads a dataset YAML from its text. `file` is where the text came from: relative
    /// paths are resolved against its folder, as [`DatasetYaml::read`] does, and errors name
    /// it.
    pub fn from_text(text: &str, file: &Path) -> Result<DatasetYaml, Error> {
        let yaml_error = |message: String| Error::Yaml {
            path: file.to_owned(),
            message,
        };
        let documents = YamlLoader::load_from_str(text).map_err(|source| Error::YamlSyntax {
            path: file.to_owned(),
            source,
        })?;
        let Some(root) = documents.into_iter().next() else {
            return Err(yaml_error("the file is empty".to_owned()));
        };
        if root.as_hash().is_none() {
            return Err(yaml_error(
                "expected a mapping of keys at the top".to_owned(),
            ));
        }
        let folder = file.parent().unwrap_or(Path::new("."));
        let path = match &root["path"] {
            Yaml::String(text) => {
                let path = PathBuf::from(text);
                // Ultralytics also tries its DATASETS_DIR; a path relative to the YAML is
                // what hand-made datasets mean.
                Some(if path.is_absolute() {
                    path
                } else {
                    folder.join(path)
                })
            }
            Yaml::BadValue | Yaml::Null => Some(folder.to_owned()),
            other => {
                return Err(yaml_error(format!(
                    "`path` should be a string, found {other:?}"
                )));
            }
        };
        let list = |key: &str| -> Result<Vec<String>, Error> {
            match &root[key] {
                Yaml::BadValue | Yaml::Null => Ok(Vec::new()),
                Yaml::String(text) => Ok(vec![text.clone()]),
                Yaml::Array(items) => items
                    .iter()
                    .map(|item| {
                        item.as_str()
                            .map(str::to_owned)
                            .ok_or_else(|| yaml_error(format!("`{key}` entries should be strings")))
                    })
                    .collect(),
                other => Err(yaml_error(format!(
                    "`{key}` should be a path or a list of paths, found {other:?}"
                ))),
            }
        };
        let mut val = list("val")?;
        if val.is_empty() {
            val = list("validation")?; // Ultralytics renames it, with a warning
        }
        let names = read_names(&root).map_err(yaml_error)?;
        if let Some(count) = root["nc"].as_i64()
            && !names.is_empty()
            && count as usize != names.len()
        {
            return Err(yaml_error(format!(
                "`nc` is {count} but `names` has {} entries",
                names.len()
            )));
        }
        // Entries that are not non-negative integers are errors: dropping them, or
        // wrapping `-3` to a huge index, would silently misplace keypoints.
        let numbers = |key: &str| -> Result<Option<Vec<usize>>, Error> {
            match &root[key] {
                Yaml::BadValue | Yaml::Null => Ok(None),
                Yaml::Array(items) => items
                    .iter()
                    .map(|item| {
                        item.as_i64()
                            .and_then(|value| usize::try_from(value).ok())
                            .ok_or_else(|| {
                                yaml_error(format!(
                                    "`{key}` entries should be non-negative integers, found {item:?}"
                                ))
                            })
                    })
                    .collect::<Result<Vec<usize>, Error>>()
                    .map(Some),
                other => Err(yaml_error(format!(
                    "`{key}` should be a list of integers, found {other:?}"
                ))),
            }
        };
        let kpt_shape = match numbers("kpt_shape")?.as_deref() {
            None => None,
            Some(&[count, dimensions]) => Some([count, dimensions]),
            Some(other) => {
                return Err(yaml_error(format!(
                    "`kpt_shape` should be [keypoints, values per keypoint], found {} numbers",
                    other.len()
                )));
            }
        };
        Ok(DatasetYaml {
            path,
            train: list("train")?,
            val,
            test: list("test")?,
            names,
            kpt_shape,
            flip_idx: numbers("flip_idx")?,
        })
    }

    /// `(key, entry)` for every split entry: `("train", "images/train2017")`, ...
    pub fn split_entries(&self) -> Vec<(&'static str, &str)> {
        let mut entries = Vec::new();
        for (key, values) in [
            ("train", &self.train),
            ("val", &self.val),
            ("test", &self.test),
        ] {
            for value in values {
                entries.push((key, value.as_str()));
            }
        }
        entries
    }
}

/// The most classes `nc` may declare when `names` is absent and `class0`, `class1`, ... are
/// made up: a 1 KB file must not make the reader build billions of names. The largest
/// label sets in use (ImageNet-21k, 21,841 classes) are far below it.
const MAX_CLASSES_WITHOUT_NAMES: i64 = 100_000;

fn read_names(root: &Yaml) -> Result<Vec<String>, String> {
    let name_text = |value: &Yaml| -> Result<String, String> {
        match value {
            Yaml::String(text) => Ok(text.clone()),
            Yaml::Integer(number) => Ok(number.to_string()),
            Yaml::Real(text) => Ok(text.clone()),
            Yaml::Boolean(flag) => Ok(flag.to_string()),
            other => Err(format!("class names should be strings, found {other:?}")),
        }
    };
    match &root["names"] {
        Yaml::Array(items) => items.iter().map(name_text).collect(),
        Yaml::Hash(map) => {
            let mut entries = Vec::with_capacity(map.len());
            for (key, value) in map {
                let index = key
                    .as_i64()
                    .or_else(|| key.as_str().and_then(|text| text.parse().ok()))
                    .filter(|index| *index >= 0)
                    .ok_or_else(|| {
                        format!("`names` keys should be class indexes, found {key:?}")
                    })?;
                entries.push((index as usize, name_text(value)?));
            }
            entries.sort_by_key(|(index, _)| *index);
            for (position, (index, _)) in entries.iter().enumerate() {
                if *index != position {
                    return Err(format!(
                        "`names` keys should be 0..{} without gaps; class {position} is missing",
                        entries.len()
                    ));
                }
            }
            Ok(entries.into_iter().map(|(_, name)| name).collect())
        }
        Yaml::BadValue | Yaml::Null => match root["nc"].as_i64() {
            Some(count @ 0..=MAX_CLASSES_WITHOUT_NAMES) => {
                Ok((0..count).map(|index| format!("class{index}")).collect())
            }
            Some(count) => Err(format!(
                "`nc` is {count} and there are no `names`; expected 0 to {MAX_CLASSES_WITHOUT_NAMES} classes"
            )),
            None => Err("needs `names` (or `nc`)".to_owned()),
        },
        other => Err(format!(
            "`names` should be a list or a map, found {other:?}"
        )),
    }
}

/// A YAML scalar for `text`: plain when that reads back as the same string, otherwise a
/// double-quoted string (JSON's escapes are valid YAML).
pub fn scalar(text: &str) -> String {
    const RESERVED: &[&str] = &[
        "y", "n", "yes", "no", "true", "false", "on", "off", "null", "~", "nan", ".nan", "inf",
        ".inf", "-.inf",
    ];
    let plain = !text.is_empty()
        && text.chars().next().is_some_and(|first| {
            first.is_alphabetic() || first == '_' || first == '/' || first == '.'
        })
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '_' | '-' | '.' | '/' | '(' | ')'))
        && !text.ends_with(' ')
        && !RESERVED.contains(&text.to_lowercase().as_str())
        && text.parse::<f64>().is_err();
    if plain {
        text.to_owned()
    } else {
        serde_json::to_string(text).unwrap_or_else(|_| format!("{text:?}"))
    }
}

/// `flip_idx` from keypoint names: `left_x` ↔ `right_x`, others map to themselves.
/// `None` when no left/right pair exists.
pub fn flip_index(keypoint_names: &[String]) -> Option<Vec<usize>> {
    let mut flip: Vec<usize> = (0..keypoint_names.len()).collect();
    let mut paired = false;
    for (index, name) in keypoint_names.iter().enumerate() {
        let mirrored = if let Some(rest) = name.strip_prefix("left") {
            format!("right{rest}")
        } else if let Some(rest) = name.strip_prefix("right") {
            format!("left{rest}")
        } else {
            continue;
        };
        if let Some(other) = keypoint_names.iter().position(|n| *n == mirrored) {
            flip[index] = other;
            paired = true;
        }
    }
    paired.then_some(flip)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_yaml_would_mangle_are_quoted() {
        assert_eq!(scalar("person"), "person");
        assert_eq!(scalar("traffic light"), "traffic light");
        assert_eq!(scalar("yes"), "\"yes\"");
        assert_eq!(scalar("No"), "\"No\"");
        assert_eq!(scalar("null"), "\"null\"");
        assert_eq!(scalar("1"), "\"1\"");
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(scalar("# x"), "\"# x\"");
        assert_eq!(scalar(""), "\"\"");
    }

    #[test]
    fn coco_person_flip_index_matches_coco_pose_yaml() {
        let names: Vec<String> = [
            "nose",
            "left_eye",
            "right_eye",
            "left_ear",
            "right_ear",
            "left_shoulder",
            "right_shoulder",
            "left_elbow",
            "right_elbow",
            "left_wrist",
            "right_wrist",
            "left_hip",
            "right_hip",
            "left_knee",
            "right_knee",
            "left_ankle",
            "right_ankle",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            flip_index(&names).unwrap(),
            vec![0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]
        );
    }

    #[test]
    fn negative_or_non_integer_keypoint_indexes_are_errors() {
        // Found by the `dataset_yaml` fuzz target: `-3` became 18446744073709551613 and
        // `x` was dropped, shifting the indexes after it.
        let file = Path::new("/data/coco-pose.yaml");
        let read = |extra: &str| {
            DatasetYaml::from_text(&format!("train: a\nval: b\nnames: [person]\n{extra}"), file)
        };
        for bad in [
            "flip_idx: [0, 2, -3]",
            "flip_idx: [0, x, 1]",
            "flip_idx: 3",
            "kpt_shape: [17, -3]",
            "kpt_shape: [17]",
        ] {
            let error = read(bad).unwrap_err().to_string();
            assert!(error.contains("/data/coco-pose.yaml"), "{bad}: {error}");
        }
        let yaml = read("kpt_shape: [2, 3]\nflip_idx: [1, 0]").unwrap();
        assert_eq!(yaml.kpt_shape, Some([2, 3]));
        assert_eq!(yaml.flip_idx, Some(vec![1, 0]));
    }

    #[test]
    fn a_huge_or_negative_nc_without_names_is_an_error() {
        // Found by the `dataset_yaml` fuzz target: `nc: 684392` took seconds, and a larger
        // `nc` ran out of memory making up `class0`, `class1`, ...
        let file = Path::new("data.yaml");
        for nc in ["100001", "99999999999", "-1"] {
            let error = DatasetYaml::from_text(&format!("train: a\nval: b\nnc: {nc}\n"), file)
                .unwrap_err()
                .to_string();
            assert!(error.contains(&format!("`nc` is {nc}")), "{error}");
        }
        let yaml = DatasetYaml::from_text("train: a\nval: b\nnc: 2\n", file).unwrap();
        assert_eq!(yaml.names, ["class0", "class1"]);
    }

    #[test]
    fn written_yaml_reads_back() {
        let folder = tempfile::tempdir().unwrap();
        let yaml = DatasetYaml {
            path: Some(folder.path().to_owned()),
            train: vec!["images/train2017".into()],
            val: vec!["images/val2017".into()],
            test: vec![],
            names: vec!["dog".into(), "yes".into(), "tv".into()],
            kpt_shape: Some([17, 3]),
            flip_idx: Some(vec![0, 2, 1]),
        };
        let file = folder.path().join("data.yaml");
        fs_err::write(&file, yaml.to_text("test")).unwrap();
        assert_eq!(DatasetYaml::read(&file).unwrap(), yaml);
    }
}
