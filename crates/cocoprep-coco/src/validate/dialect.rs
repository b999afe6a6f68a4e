//! The COCO dialects people use, how to recognise them, and what each one's consumers need.
//!
//! LVIS, CrowdPose and Objects365 ship "COCO-format" files that leave out members COCO has
//! (`iscrowd`, `area`, `segmentation`, `supercategory`, `file_name`) and add their own. A file
//! is judged by what the tools that read *that* dialect need, so a clean file of any dialect
//! has no errors; a member that a dialect leaves out by design, but that some other tool
//! reads, is one summary warning naming that tool rather than one finding per record.
//!
//! Sources of the field sets: the LVIS API (`lvis/lvis.py`, `lvis/eval.py`, and its
//! `data/lvis_val_100.json`), xtcocotools' `example_crowdpose_val.json` and `cocoeval.py`
//! (`use_area=False` for CrowdPose), and Objects365 v2 records as quoted by MMDetection and
//! detectron2 users (`isfake`, `isreflected`, `images/v1/patchN/objects365_v1_*.jpg`).

use std::fmt;

use serde::Serialize;

/// A flavour of COCO-style annotation file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// COCO itself (instances, keypoints, captions, stuff, panoptic): read by pycocotools,
    /// COCOeval and the training loaders.
    Coco,
    /// LVIS v0.5 / v1: COCO images, federated labels (`neg_category_ids`,
    /// `not_exhaustive_category_ids`), categories with `frequency`; no `iscrowd`.
    Lvis,
    /// CrowdPose: 14 keypoints, images with `crowdIndex`; no `area`, no `segmentation`.
    #[serde(rename = "crowdpose")]
    CrowdPose,
    /// Objects365 (v1/v2): boxes only, annotations with `isfake` / `isreflected`.
    Objects365,
    /// A detection or caption results list, as `COCO.loadRes` reads it.
    Results,
}

impl Dialect {
    /// Every dialect.
    pub const ALL: &'static [Dialect] = &[
        Dialect::Coco,
        Dialect::Lvis,
        Dialect::CrowdPose,
        Dialect::Objects365,
        Dialect::Results,
    ];

    /// The lowercase name, as `--dialect` takes it and `--json` writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Coco => "coco",
            Dialect::Lvis => "lvis",
            Dialect::CrowdPose => "crowdpose",
            Dialect::Objects365 => "objects365",
            Dialect::Results => "results",
        }
    }

    /// Parses a `--dialect` name.
    pub fn from_name(name: &str) -> Option<Dialect> {
        Dialect::ALL
            .iter()
            .copied()
            .find(|dialect| dialect.as_str() == name)
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// The dialect a file was judged as, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DialectChoice {
    /// The dialect the findings follow.
    pub dialect: Dialect,
    /// True when `--dialect` chose it rather than detection.
    pub forced: bool,
    /// What the detection saw (`images have `neg_category_ids``), or why it fell back to COCO.
    pub evidence: String,
}
