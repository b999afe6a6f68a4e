//! Where things go: `DATA_PATH` and the `open_source_dataset/` folder under it.

use std::path::{Path, PathBuf};

/// The folder every config path starts with (`open_source_dataset/...`).
pub const DATASET_FOLDER: &str = "open_source_dataset";

/// A resolved `DATA_PATH`: the parent of `open_source_dataset/`.
///
/// Uni-Perceiver's `main.py:add_data_prefix` joins `$DATA_PATH` in front of every config
/// path, and every config path starts with `open_source_dataset/`, so `DATA_PATH` is the
/// folder *above* it (`data/prepare_data.md` wrongly shows `.../open_source_dataset`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataRoot {
    data_path: PathBuf,
    passed_dataset_folder: bool,
}

impl DataRoot {
    /// `root` as the user gave it: the `DATA_PATH`, or (a common mistake, accepted) the
    /// `open_source_dataset` folder itself, whose parent is then used.
    pub fn resolve(root: &Path) -> Self {
        if is_dataset_folder(root) {
            let parent = root
                .parent()
                .filter(|parent| !parent.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
            return Self {
                data_path: parent,
                passed_dataset_folder: true,
            };
        }
        Self {
            data_path: root.to_path_buf(),
            passed_dataset_folder: false,
        }
    }

    /// The `DATA_PATH` to export.
    pub fn data_path(&self) -> &Path {
        &self.data_path
    }

    /// Whether the user passed `open_source_dataset/` itself (its parent is used).
    pub fn passed_dataset_folder(&self) -> bool {
        self.passed_dataset_folder
    }

    /// `DATA_PATH/open_source_dataset`.
    pub fn dataset_folder(&self) -> PathBuf {
        self.data_path.join(DATASET_FOLDER)
    }

    /// `DATA_PATH/open_source_dataset/<relative>`.
    pub fn path(&self, relative: &str) -> PathBuf {
        let folder = self.dataset_folder();
        if relative.is_empty() {
            folder
        } else {
            folder.join(relative)
        }
    }
}

/// Whether `path` names the `open_source_dataset` folder itself.
pub fn is_dataset_folder(path: &Path) -> bool {
    path.file_name().is_some_and(|name| name == DATASET_FOLDER)
}
