//! What each command reads, and the check that stops it on anything else.

use std::path::{Path, PathBuf};

use super::{Kind, Sniffed, sniff};

/// What one input of one command may be.
#[derive(Clone, Copy, Debug)]
pub struct Expected {
    /// The command (and flag) as typed: `features butd`, `masks rle --images`.
    pub command: &'static str,
    /// What it reads, in words.
    pub wants: &'static str,
    /// The kinds it reads.
    pub accepts: &'static [Kind],
    /// Kinds it skips when given along with accepted ones (`convert yolo annotations/*.json`
    /// skips the caption files), but not on their own.
    pub tolerates: &'static [Kind],
}

/// Stops with one line naming what `path` is and where it goes, unless `expected` reads
/// it. A path that does not exist or cannot be read is left to the command.
pub fn check(path: &Path, expected: &Expected) -> anyhow::Result<()> {
    check_all(std::slice::from_ref(&path.to_owned()), expected)
}

/// [`check`] for the inputs of one command: each must be accepted or tolerated, and if
/// none is accepted the first tolerated one is refused.
pub fn check_all(paths: &[PathBuf], expected: &Expected) -> anyhow::Result<()> {
    let mut first_tolerated = None;
    let mut any_accepted = false;
    for path in paths {
        let Ok(sniffed) = sniff(path) else {
            any_accepted = true;
            continue;
        };
        if sniffed.kind == Kind::Missing || expected.accepts.contains(&sniffed.kind) {
            any_accepted = true;
        } else if expected.tolerates.contains(&sniffed.kind) {
            first_tolerated.get_or_insert((path, sniffed));
        } else {
            return Err(refusal(path, &sniffed, expected));
        }
    }
    match first_tolerated {
        Some((path, sniffed)) if !any_accepted => Err(refusal(path, &sniffed, expected)),
        _ => Ok(()),
    }
}

fn refusal(path: &Path, sniffed: &Sniffed, expected: &Expected) -> anyhow::Error {
    anyhow::anyhow!(
        "`{}` is {}, but `cocoprep {}` reads {}; {}",
        path.display(),
        sniffed.describe(),
        expected.command,
        expected.wants,
        sniffed.kind.destination()
    )
}

const COCO_ANY: &[Kind] = &[
    Kind::CocoInstances,
    Kind::CocoKeypoints,
    Kind::CocoCaptions,
    Kind::CocoPanoptic,
    Kind::CocoStuff,
    Kind::CocoAnnotations,
    Kind::DetectionResults,
    Kind::CaptionResults,
    Kind::OtherJson,
];
const COCO_WITH_IMAGES: &[Kind] = &[
    Kind::CocoInstances,
    Kind::CocoKeypoints,
    Kind::CocoCaptions,
    Kind::CocoPanoptic,
    Kind::CocoStuff,
    Kind::CocoAnnotations,
    Kind::OtherJson,
];
const COCO_OBJECTS: &[Kind] = &[
    Kind::CocoInstances,
    Kind::CocoKeypoints,
    Kind::CocoStuff,
    Kind::CocoAnnotations,
    Kind::OtherJson,
];
const FOLDERS: &[Kind] = &[
    Kind::DatasetFolder,
    Kind::CocoFolder,
    Kind::YoloFolder,
    Kind::ButdFolder,
    Kind::AnnotationFolder,
    Kind::Flickr8kFolder,
    Kind::ImageFolder,
    Kind::OtherFolder,
];
const COCO_ANY_WANTED: &str =
    "a COCO annotation file (instances, keypoints, captions, panoptic, stuff or a results list)";
const KARPATHY: &[Kind] = &[Kind::KarpathyDataset, Kind::OtherJson];
const KARPATHY_WANTED: &str = "a Karpathy dataset file (`dataset_coco.json`)";
const YAML: &[Kind] = &[Kind::DatasetYaml, Kind::OtherText];
const YAML_WANTED: &str = "a YOLO dataset YAML (`data.yaml`)";
const PICKLE: &[Kind] = &[Kind::Pickle, Kind::OtherBinary];
const BOX_INFO_WANTED: &str = "the box-info pickle (`vsua_box_info.pkl`)";

pub const INSPECT: Expected = Expected {
    command: "inspect",
    wants: COCO_ANY_WANTED,
    accepts: COCO_ANY,
    tolerates: &[],
};
pub const VALIDATE: Expected = Expected {
    command: "validate",
    ..INSPECT
};
pub const FILTER: Expected = Expected {
    command: "filter",
    ..INSPECT
};
pub const SPLIT: Expected = Expected {
    command: "split",
    ..INSPECT
};
pub const MERGE: Expected = Expected {
    command: "merge",
    wants: "COCO annotation files with `images` (not results lists)",
    accepts: COCO_WITH_IMAGES,
    tolerates: &[],
};
pub const MASKS_RLE: Expected = Expected {
    command: "masks rle",
    wants: "a COCO file with segmentations (instances, keypoints, stuff or a results list)",
    accepts: &[
        Kind::CocoInstances,
        Kind::CocoKeypoints,
        Kind::CocoStuff,
        Kind::CocoAnnotations,
        Kind::DetectionResults,
        Kind::OtherJson,
    ],
    tolerates: &[],
};
pub const MASKS_RLE_IMAGES: Expected = Expected {
    command: "masks rle --images",
    wants: "the ground-truth COCO file with the images' sizes",
    accepts: COCO_WITH_IMAGES,
    tolerates: &[],
};
pub const MASKS_SEMANTIC: Expected = Expected {
    command: "masks semantic",
    wants: "a COCO file with segmentations (COCO-Stuff, instances or keypoints)",
    accepts: COCO_OBJECTS,
    tolerates: &[],
};
pub const MASKS_PANOPTIC: Expected = Expected {
    command: "masks panoptic",
    wants: "a COCO panoptic file (`panoptic_val2017.json`)",
    accepts: &[Kind::CocoPanoptic, Kind::CocoAnnotations, Kind::OtherJson],
    tolerates: &[],
};
pub const MASKS_PANOPTIC_CATEGORIES: Expected = Expected {
    command: "masks panoptic --categories",
    wants: "a category list (`panoptic_coco_categories.json`) or a COCO file's categories",
    accepts: &[
        Kind::CategoryList,
        Kind::CocoPanoptic,
        Kind::CocoInstances,
        Kind::CocoKeypoints,
        Kind::CocoStuff,
        Kind::CocoAnnotations,
        Kind::OtherJson,
    ],
    tolerates: &[],
};
pub const CONVERT_YOLO: Expected = Expected {
    command: "convert yolo",
    wants: "COCO object annotations (instances, keypoints or stuff files, or folders of them)",
    accepts: &[
        Kind::CocoInstances,
        Kind::CocoKeypoints,
        Kind::CocoStuff,
        Kind::CocoAnnotations,
        Kind::OtherJson,
        Kind::AnnotationFolder,
        Kind::OtherFolder,
    ],
    tolerates: &[Kind::CocoCaptions],
};
pub const CONVERT_COCO_YAML: Expected = Expected {
    command: "convert coco --yaml",
    wants: YAML_WANTED,
    accepts: YAML,
    tolerates: &[],
};
pub const CONVERT_COCO_ROOT: Expected = Expected {
    command: "convert coco",
    wants: "a YOLO dataset folder",
    accepts: FOLDERS,
    tolerates: &[],
};
pub const SUBSET: Expected = Expected {
    command: "subset",
    wants: "COCO object annotations (instances, keypoints or stuff files)",
    accepts: COCO_OBJECTS,
    tolerates: &[],
};
pub const SUBSET_YAML: Expected = Expected {
    command: "subset --yaml",
    wants: YAML_WANTED,
    accepts: YAML,
    tolerates: &[],
};
pub const SUBSET_YOLO_ROOT: Expected = Expected {
    command: "subset --yolo",
    wants: "a YOLO dataset folder",
    accepts: FOLDERS,
    tolerates: &[],
};
pub const CAPTIONS_LABELS: Expected = Expected {
    command: "captions labels",
    wants: KARPATHY_WANTED,
    accepts: KARPATHY,
    tolerates: &[],
};
pub const CAPTIONS_NGRAMS: Expected = Expected {
    command: "captions ngrams",
    ..CAPTIONS_LABELS
};
pub const CAPTIONS_NGRAMS_VOCABULARY: Expected = Expected {
    command: "captions ngrams --dict-json",
    wants: "the vocabulary `captions labels` writes (`cocotalk.json`)",
    accepts: &[Kind::CaptionVocabulary, Kind::OtherJson],
    tolerates: &[],
};
pub const CAPTIONS_REFERENCE: Expected = Expected {
    command: "captions reference",
    ..CAPTIONS_LABELS
};
pub const CAPTIONS_SPLITS: Expected = Expected {
    command: "captions splits",
    ..CAPTIONS_LABELS
};
pub const FEATURES_RESNET: Expected = Expected {
    command: "features resnet",
    ..CAPTIONS_LABELS
};
pub const CAPTIONS_SUBSAMPLE: Expected = Expected {
    command: "captions subsample",
    ..CAPTIONS_LABELS
};
pub const CAPTIONS_KARPATHY: Expected = Expected {
    command: "captions karpathy",
    wants: "COCO caption files (`captions_train2014.json`)",
    accepts: &[Kind::CocoCaptions, Kind::CocoAnnotations, Kind::OtherJson],
    tolerates: &[],
};
pub const CAPTIONS_KARPATHY_LIST: Expected = Expected {
    command: "captions karpathy --test-list/--val-list",
    wants: "Karpathy's image lists (`<path> <cocoid>` lines)",
    // An empty list is a split without images.
    accepts: &[Kind::ImageList, Kind::OtherText, Kind::Empty],
    tolerates: &[],
};
pub const CAPTIONS_KARPATHY_FLICKR8K: Expected = Expected {
    command: "captions karpathy --flickr8k",
    wants: "the folder of the Flickr8k text release",
    accepts: &[Kind::Flickr8kFolder, Kind::OtherFolder],
    tolerates: &[],
};
pub const FEATURES_BUTD: Expected = Expected {
    command: "features butd",
    wants: "bottom-up-attention TSVs (`*.tsv` files, a folder of them or `trainval.zip`)",
    accepts: &[
        Kind::ButdTsv,
        Kind::ButdZip,
        Kind::ZipUnlisted,
        Kind::ButdFolder,
        Kind::OtherFolder,
    ],
    tolerates: &[],
};
pub const FEATURES_VSUA_GEOMETRY: Expected = Expected {
    command: "features vsua-geometry",
    wants: BOX_INFO_WANTED,
    accepts: PICKLE,
    tolerates: &[],
};
pub const FEATURES_VSUA_GRAPH_BOX_INFO: Expected = Expected {
    command: "features vsua-graph --box-info",
    ..FEATURES_VSUA_GEOMETRY
};
pub const FEATURES_VSUA_GRAPH_GEOMETRY: Expected = Expected {
    command: "features vsua-graph --geometry-path",
    wants: "the geometry pickle of `features vsua-geometry` (or its prefix)",
    accepts: PICKLE,
    tolerates: &[],
};
pub const VERIFY: Expected = Expected {
    command: "verify",
    wants: "a dataset folder",
    accepts: FOLDERS,
    tolerates: &[],
};
