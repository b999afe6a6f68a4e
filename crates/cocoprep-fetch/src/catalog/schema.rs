//! The catalog's file format. The built-in catalog (`catalog.json` in this crate) and a
//! user's `--catalog FILE` use this same schema; `cocoprep list --json` prints it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The current schema version.
pub const SCHEMA_VERSION: u32 = 1;

/// A whole catalog file.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogFile {
    /// Schema version (1).
    pub schema: u32,
    /// Downloadable files.
    #[serde(default)]
    pub resources: Vec<Resource>,
    /// Named groups of resources, one per workflow.
    #[serde(default)]
    pub bundles: Vec<Bundle>,
}

/// How a downloaded file is unpacked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ArchiveKind {
    /// A zip (zip64 included).
    #[serde(rename = "zip")]
    Zip,
    /// An uncompressed tar.
    #[serde(rename = "tar")]
    Tar,
    /// A gzip-compressed tar.
    #[serde(rename = "tar.gz")]
    TarGz,
    /// Not an archive: the file is placed as is.
    #[serde(rename = "none")]
    None,
}

/// One file that can be downloaded.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    /// Unique name (`train2017`).
    pub name: String,
    /// What it is.
    pub description: String,
    /// The URL, then mirrors, tried in order.
    #[serde(default)]
    pub urls: Vec<String>,
    /// A Google Drive file id; becomes a URL tried after `urls`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub google_drive_id: Option<String>,
    /// The downloaded file's name.
    pub file_name: String,
    /// The exact published size, or null if none is published.
    pub bytes: Option<u64>,
    /// A rough size for planning when no exact size is published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approximate_bytes: Option<u64>,
    /// Published SHA-256 (lowercase hex), or null.
    pub sha256: Option<String>,
    /// Published MD5 (lowercase hex), or null.
    pub md5: Option<String>,
    /// The first hex digits of the SHA-256 when only those are published (torchvision
    /// puts 8 of them in its weight file names); checked when no full checksum is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256_prefix: Option<String>,
    /// Where the size and checksums come from.
    pub source: String,
    /// How to unpack it.
    pub archive: ArchiveKind,
    /// Where it goes, relative to the dataset folder, per layout (`coco`, `yolo`,
    /// `captioning`); archives are extracted there, plain files are placed there.
    pub destination: BTreeMap<String, String>,
    /// A leading folder to drop from archive members when present (`coco/`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strip_prefix: Option<String>,
    /// Files known to be bad in some copies, checked and replaced after extraction.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub known_defects: Vec<KnownDefect>,
    /// Anything the user should know.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A file inside an archive that is corrupt in some published copies.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownDefect {
    /// Path of the extracted file, relative to the resource's destination.
    pub path: String,
    /// Where to get a good copy, tried in order.
    pub replacement_urls: Vec<String>,
    /// Why.
    pub note: String,
}

/// A named set of resources for one workflow.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// Unique name (`coco2017`).
    pub name: String,
    /// What it is for.
    pub description: String,
    /// The layout used unless `--layout` says otherwise.
    pub layout: String,
    /// Resource names.
    pub resources: Vec<String>,
    /// Splits that `--split` can download as a subset.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub subsets: BTreeMap<String, SubsetSource>,
    /// A dataset YAML to write (the ultralytics layout).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset_yaml: Option<DatasetYaml>,
}

/// Where a split's annotations and images come from, for subset downloads.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubsetSource {
    /// The resource holding the annotation file.
    pub annotations: String,
    /// The instances file inside it.
    pub file: String,
    /// The image resource (its destination folder is used for the images).
    pub images: String,
}

/// An ultralytics dataset YAML.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetYaml {
    /// File name, written in the dataset folder.
    pub file: String,
    /// `train:` relative to `path`.
    pub train: String,
    /// `val:` relative to `path`.
    pub val: String,
    /// `test:` relative to `path`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<String>,
    /// Class names, index = class id.
    pub names: Vec<String>,
}
