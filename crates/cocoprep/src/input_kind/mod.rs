//! What kind of file (or folder) an input is, found from its first and last few KB.
//!
//! Every command that reads an input file checks it first with [`check`]: a COCO JSON
//! given to `features butd` by mistake stops with one line that names what the file is
//! and which commands read it, instead of a warning for every line of it. The sniffer
//! never reads a whole file: [`SNIFF_BYTES`] from the start and as many from the end
//! (COCO files keep `categories` last, zips their member list), and a folder's entry
//! names. Inputs it cannot place are let through to the command, which reports its own
//! error.

mod binary;
pub mod expected;
mod folder;
mod json;
mod text;

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

pub use expected::{check, check_all};

/// Bytes read from the start of a file, and again from its end.
pub const SNIFF_BYTES: usize = 32 * 1024;

/// A kind of input. Kinds named `Other*` are families the sniffer recognises but cannot
/// place further (a JSON document with unknown members, some text); commands that read
/// that family let them through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// The path does not exist (the command reports it in its own words).
    Missing,
    /// A file of zero bytes.
    Empty,
    /// COCO detection annotations (`instances_*.json`).
    CocoInstances,
    /// COCO person keypoints (`person_keypoints_*.json`).
    CocoKeypoints,
    /// COCO captions (`captions_*.json`).
    CocoCaptions,
    /// COCO panoptic annotations (`panoptic_*.json`).
    CocoPanoptic,
    /// COCO-Stuff annotations (`stuff_*.json`).
    CocoStuff,
    /// A COCO annotation file whose flavour its first and last KB do not show.
    CocoAnnotations,
    /// A detector's results list (`[{"image_id", "category_id", "bbox"|"segmentation"|...,
    /// "score"}]`).
    DetectionResults,
    /// A captioning model's results list (`[{"image_id", "caption"}]`).
    CaptionResults,
    /// A bare category list (`panoptic_coco_categories.json`).
    CategoryList,
    /// A Karpathy dataset file (`dataset_coco.json`).
    KarpathyDataset,
    /// The vocabulary `captions labels` writes (`cocotalk.json`, with `ix_to_word`).
    CaptionVocabulary,
    /// Some other JSON document.
    OtherJson,
    /// Bottom-up-attention feature rows (`*.tsv`, `*.tsv.0`).
    ButdTsv,
    /// Tab-separated text that is not bottom-up-attention rows.
    TabText,
    /// A YAML file (a YOLO `data.yaml`).
    DatasetYaml,
    /// A YOLO label file (`class x y w h ...` rows).
    YoloLabels,
    /// A list of image files (Karpathy's val/test lists: `<path> <cocoid>`).
    ImageList,
    /// Some other text.
    OtherText,
    /// A Python pickle.
    Pickle,
    /// A NumPy `.npy` array.
    Npy,
    /// A NumPy `.npz` archive.
    Npz,
    /// A zip holding bottom-up-attention TSVs (`trainval.zip`).
    ButdZip,
    /// A zip archive of other files.
    Zip,
    /// A zip archive whose member names are not in its first and last KB.
    ZipUnlisted,
    /// A tar archive.
    Tar,
    /// A gzip-compressed tar archive.
    TarGz,
    /// Some other gzip-compressed file.
    Gzip,
    /// A JPEG image.
    Jpeg,
    /// A PNG image.
    Png,
    /// An HDF5 file.
    Hdf5,
    /// Binary data of no known kind.
    OtherBinary,
    /// A folder made by `cocoprep get` (it has a `.cocoprep` manifest folder).
    DatasetFolder,
    /// A COCO dataset folder (`annotations/`, image folders).
    CocoFolder,
    /// A YOLO dataset (`images/`, `labels/`, a `.yaml`).
    YoloFolder,
    /// A folder of bottom-up-attention TSVs.
    ButdFolder,
    /// A folder of JSON annotation files.
    AnnotationFolder,
    /// The Flickr8k text release.
    Flickr8kFolder,
    /// A folder of images.
    ImageFolder,
    /// Some other folder.
    OtherFolder,
}

impl Kind {
    /// The kind in words, with its article: "a COCO instances file".
    pub fn name(self) -> &'static str {
        match self {
            Kind::Missing => "missing",
            Kind::Empty => "an empty file",
            Kind::CocoInstances => "a COCO instances file",
            Kind::CocoKeypoints => "a COCO person keypoints file",
            Kind::CocoCaptions => "a COCO captions file",
            Kind::CocoPanoptic => "a COCO panoptic file",
            Kind::CocoStuff => "a COCO-Stuff annotation file",
            Kind::CocoAnnotations => "a COCO annotation file",
            Kind::DetectionResults => "a COCO results list (detections)",
            Kind::CaptionResults => "a COCO caption results list",
            Kind::CategoryList => "a category list",
            Kind::KarpathyDataset => "a Karpathy dataset file",
            Kind::CaptionVocabulary => "a caption vocabulary (cocotalk.json)",
            Kind::OtherJson => "a JSON file",
            Kind::ButdTsv => "a bottom-up-attention feature TSV",
            Kind::TabText => "a tab-separated text file",
            Kind::DatasetYaml => "a YAML file",
            Kind::YoloLabels => "a YOLO label file",
            Kind::ImageList => "a list of image files",
            Kind::OtherText => "a text file",
            Kind::Pickle => "a Python pickle",
            Kind::Npy => "a NumPy .npy array",
            Kind::Npz => "a NumPy .npz archive",
            Kind::ButdZip => "a zip of bottom-up-attention TSVs",
            Kind::Zip | Kind::ZipUnlisted => "a zip archive",
            Kind::Tar => "a tar archive",
            Kind::TarGz => "a gzip-compressed tar archive",
            Kind::Gzip => "a gzip-compressed file",
            Kind::Jpeg => "a JPEG image",
            Kind::Png => "a PNG image",
            Kind::Hdf5 => "an HDF5 file",
            Kind::OtherBinary => "a binary file of unknown kind",
            Kind::DatasetFolder => "a dataset folder made by `cocoprep get`",
            Kind::CocoFolder => "a COCO dataset folder",
            Kind::YoloFolder => "a YOLO dataset folder",
            Kind::ButdFolder => "a folder of bottom-up-attention TSVs",
            Kind::AnnotationFolder => "a folder of JSON annotation files",
            Kind::Flickr8kFolder => "the Flickr8k text release",
            Kind::ImageFolder => "a folder of images",
            Kind::OtherFolder => "a folder",
        }
    }

    /// Where this kind goes: the cocoprep commands that read it, or what to do with it.
    pub fn destination(self) -> &'static str {
        const COCO_OBJECTS: &str = "it is read by `cocoprep convert yolo`, `subset`, `masks rle`, \
            `masks semantic`, `filter`, `split`, `merge`, `inspect` and `validate`";
        match self {
            Kind::Missing => "",
            Kind::Empty => {
                "no cocoprep command reads an empty file (an interrupted download or write?)"
            }
            Kind::CocoInstances | Kind::CocoKeypoints | Kind::CocoStuff | Kind::CocoAnnotations => {
                COCO_OBJECTS
            }
            Kind::CocoCaptions => {
                "it is read by `cocoprep captions karpathy` (with Karpathy's image lists), \
                 `filter`, `split`, `merge`, `inspect` and `validate`"
            }
            Kind::CocoPanoptic => {
                "it is read by `cocoprep masks panoptic`, `filter`, `split`, `merge`, `inspect` \
                 and `validate`"
            }
            Kind::DetectionResults => {
                "it is read by `cocoprep masks rle` (with `--images GT.json`), `filter`, `split`, \
                 `inspect` and `validate`"
            }
            Kind::CaptionResults => "it is read by `cocoprep inspect` and `validate`",
            Kind::CategoryList => "it is read by `cocoprep masks panoptic --categories`",
            Kind::KarpathyDataset => {
                "it is read by `cocoprep captions labels`, `captions ngrams`, `captions reference`, \
                 `captions splits` and `captions subsample`"
            }
            Kind::CaptionVocabulary => {
                "it is written by `cocoprep captions labels` and read by `captions ngrams --dict-json`"
            }
            Kind::OtherJson => "no cocoprep command knows its members",
            Kind::ButdTsv | Kind::ButdZip | Kind::ButdFolder => {
                "it is read by `cocoprep features butd`"
            }
            Kind::TabText => "no cocoprep command reads it",
            Kind::DatasetYaml => "it is read by `cocoprep convert coco --yaml` and `subset --yaml`",
            Kind::YoloLabels => {
                "give `cocoprep convert coco` the dataset's data.yaml (`--yaml`) instead"
            }
            Kind::ImageList => "it is read by `cocoprep captions karpathy --test-list/--val-list`",
            Kind::OtherText => "no cocoprep command reads it",
            Kind::Pickle => {
                "it is read by `cocoprep features vsua-geometry` and `features vsua-graph \
                 --box-info/--geometry-path`"
            }
            Kind::Npy | Kind::Npz => {
                "no cocoprep command reads it (`features butd` and `features vsua-graph` write these)"
            }
            Kind::Zip | Kind::ZipUnlisted | Kind::Tar | Kind::TarGz => {
                "extract it first (`cocoprep get` downloads and extracts the COCO archives)"
            }
            Kind::Gzip => "decompress it first (`gunzip`)",
            Kind::Jpeg | Kind::Png => {
                "commands take the folder of images (`--images DIR`, `cocoprep verify DIR`)"
            }
            Kind::Hdf5 => "no cocoprep command reads it (`captions labels` writes these)",
            Kind::OtherBinary => "no cocoprep command knows this format",
            Kind::DatasetFolder | Kind::CocoFolder => {
                "it is read by `cocoprep verify`; the other commands take its annotation files \
                 (`annotations/*.json`)"
            }
            Kind::ImageFolder => "it is read by `cocoprep verify` and as `--images DIR`",
            Kind::YoloFolder => {
                "it is read by `cocoprep convert coco` and `subset --yaml` (with its data.yaml)"
            }
            Kind::AnnotationFolder => "it is read by `cocoprep convert yolo`",
            Kind::Flickr8kFolder => "it is read by `cocoprep captions karpathy --flickr8k`",
            Kind::OtherFolder => {
                "commands that read a folder: `convert yolo`, `convert coco`, \
                `features butd`, `verify`"
            }
        }
    }
}

/// What the sniffer found: the kind and, where it helps, a few words on what it saw
/// (a zip's first members, a JSON object's members, what a folder holds).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sniffed {
    pub kind: Kind,
    pub detail: Option<String>,
}

impl Sniffed {
    fn new(kind: Kind) -> Self {
        Self { kind, detail: None }
    }

    fn with_detail(kind: Kind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: Some(detail.into()),
        }
    }

    /// "a zip archive (annotations/instances_val2017.json, ...)".
    pub fn describe(&self) -> String {
        match &self.detail {
            Some(detail) => format!("{} ({detail})", self.kind.name()),
            None => self.kind.name().to_owned(),
        }
    }
}

/// The start and (for files larger than two windows) the end of a file.
pub(crate) struct Sample<'a> {
    pub head: &'a [u8],
    pub tail: Option<&'a [u8]>,
    /// Whether `head` is the whole file.
    pub complete: bool,
    /// The file name, for the few kinds only a name tells apart (`stuff_*.json`).
    pub file_name: &'a str,
}

/// Finds what `path` is. Reads at most [`SNIFF_BYTES`] from each end of a file, or the
/// entry names of a folder (and of a few well-known subfolders).
pub fn sniff(path: &Path) -> std::io::Result<Sniffed> {
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Sniffed::new(Kind::Missing));
        }
        Err(error) => return Err(error),
    };
    if metadata.is_dir() {
        return folder::sniff_folder(path);
    }
    if metadata.len() == 0 {
        return Ok(Sniffed::new(Kind::Empty));
    }
    let mut file = File::open(path)?;
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    (&mut file)
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)?;
    let complete = (head.len() as u64) >= metadata.len();
    let mut tail = Vec::new();
    if !complete {
        let start = metadata
            .len()
            .saturating_sub(SNIFF_BYTES as u64)
            .max(head.len() as u64);
        file.seek(SeekFrom::Start(start))?;
        file.take(SNIFF_BYTES as u64).read_to_end(&mut tail)?;
    }
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let sample = Sample {
        head: &head,
        tail: (!tail.is_empty()).then_some(tail.as_slice()),
        complete,
        file_name: &file_name,
    };
    Ok(sniff_bytes(&sample))
}

/// Classifies a sample of a file's bytes.
pub(crate) fn sniff_bytes(sample: &Sample<'_>) -> Sniffed {
    if sample.head.is_empty() {
        return Sniffed::new(Kind::Empty);
    }
    if let Some(sniffed) = binary::sniff_binary(sample) {
        return sniffed;
    }
    let text = strip_bom(sample.head);
    match text.iter().find(|byte| !byte.is_ascii_whitespace()) {
        // Before the test for binary data: a JSON file with bad UTF-8 in it is still JSON
        // (and its reader says where the bad byte is).
        Some(b'{' | b'[') => return json::sniff_json(sample),
        None => return Sniffed::with_detail(Kind::Empty, "only white space"),
        Some(_) => {}
    }
    if binary::looks_binary(sample.head) {
        return Sniffed::new(Kind::OtherBinary);
    }
    // A small file holding one JSON string or number (a COCO reader says what is wrong).
    if sample.complete && serde_json::from_slice::<serde_json::Value>(text).is_ok() {
        return Sniffed::with_detail(Kind::OtherJson, "not an object");
    }
    text::sniff_text(sample)
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

#[cfg(test)]
mod tests;
