//! Recognising a file's dialect from what its records hold, and judging missing members by
//! what that dialect's consumers need (see [`Dialect`] for the dialects and their sources).

use super::cross::CollectedFacts;
use super::dialect::Dialect;
use super::issue::{Consumer, Issue, IssueCode, Severity};
use super::record::{annotation_members, category_members, image_members};

/// Recognises the dialect from what the records hold.
pub(crate) fn detect(facts: &CollectedFacts, is_results: bool) -> (Dialect, String) {
    if is_results {
        return (
            Dialect::Results,
            "the document is a list (a results file)".to_owned(),
        );
    }
    let images_with = |flag| {
        facts
            .images
            .iter()
            .filter(|image| image.members & flag != 0)
            .count()
    };
    let lvis_images =
        images_with(image_members::NEG_CATEGORY_IDS | image_members::NOT_EXHAUSTIVE_CATEGORY_IDS);
    let lvis_categories = facts
        .categories
        .iter()
        .filter(|category| {
            category.members & (category_members::FREQUENCY | category_members::SYNSET) != 0
        })
        .count();
    if lvis_images > 0 || lvis_categories > 0 {
        let evidence = if lvis_images > 0 {
            format!("{lvis_images} images have `neg_category_ids` / `not_exhaustive_category_ids`")
        } else {
            format!("{lvis_categories} categories have `frequency` / `synset`")
        };
        return (Dialect::Lvis, evidence);
    }
    let crowd_index = images_with(image_members::CROWD_INDEX);
    if crowd_index > 0 {
        return (
            Dialect::CrowdPose,
            format!("{crowd_index} images have `crowdIndex`"),
        );
    }
    let flagged = facts
        .annotations
        .iter()
        .filter(|annotation| annotation.members & annotation_members::OBJECTS365_FLAGS != 0)
        .count();
    let named = images_with(image_members::OBJECTS365_NAME);
    if flagged > 0 || named > 0 {
        let evidence = if flagged > 0 {
            format!("{flagged} annotations have `isfake` / `isreflected`")
        } else {
            format!("{named} image file names are `objects365_*`")
        };
        return (Dialect::Objects365, evidence);
    }
    (
        Dialect::Coco,
        "no LVIS, CrowdPose or Objects365 members".to_owned(),
    )
}

/// How one dialect treats records that lack a member.
#[derive(Clone, Copy)]
enum Rule {
    /// Not a finding.
    Ignore,
    /// A finding per record.
    Each(Severity, &'static [Consumer], &'static str),
    /// One finding for the whole list: the dialect leaves the member out by design.
    Summary(Severity, &'static [Consumer], &'static str),
}

const COCOEVAL: &[Consumer] = &[
    Consumer::CocoevalBbox,
    Consumer::CocoevalSegm,
    Consumer::CocoevalKeypoints,
];
const COCOEVAL_AND_MMDET: &[Consumer] = &[
    Consumer::CocoevalBbox,
    Consumer::CocoevalSegm,
    Consumer::CocoevalKeypoints,
    Consumer::Mmdet,
];
const LOADERS: &[Consumer] = &[Consumer::Ultralytics, Consumer::Detectron2, Consumer::Mmdet];
const EVERYONE: &[Consumer] = &[
    Consumer::Pycocotools,
    Consumer::Ultralytics,
    Consumer::Detectron2,
    Consumer::Mmdet,
];

/// Findings for members that a consumer of `dialect` reads but records leave out.
/// Returns positioned findings (document offset of the record) and whole-list summaries.
pub(crate) fn check_members(
    dialect: Dialect,
    facts: &CollectedFacts,
) -> (Vec<(u64, Issue)>, Vec<Issue>) {
    let mut findings = Findings::default();
    if dialect == Results {
        // `loadRes` fills in `area`, `iscrowd` and `id`; record checks cover the rest.
        return (findings.positioned, findings.summaries);
    }
    use Dialect::{Coco, CrowdPose, Lvis, Objects365, Results};
    use Severity::{Error, Warning};

    // images
    let image_rule = |member: u16, has_coco_url: bool| -> Rule {
        match (member, dialect) {
            (image_members::FILE_NAME, Lvis) if has_coco_url => Rule::Ignore,
            (image_members::FILE_NAME, Coco) if has_coco_url => Rule::Each(
                Warning,
                LOADERS,
                "training loaders open `file_name`; only `coco_url` is given",
            ),
            (image_members::FILE_NAME, _) => Rule::Each(
                Error,
                EVERYONE,
                "the image cannot be found (no `file_name` or `coco_url`)",
            ),
            (
                image_members::NEG_CATEGORY_IDS | image_members::NOT_EXHAUSTIVE_CATEGORY_IDS,
                Lvis,
            ) => Rule::Each(
                Error,
                &[Consumer::LvisEval],
                "LVISEval reads it for every image (KeyError)",
            ),
            (image_members::CROWD_INDEX, CrowdPose) => Rule::Each(
                Warning,
                &[Consumer::CrowdposeEval],
                "CrowdPose's easy/medium/hard split reads it",
            ),
            _ => Rule::Ignore,
        }
    };
    for (member, name) in [
        (image_members::FILE_NAME, "file_name"),
        (image_members::NEG_CATEGORY_IDS, "neg_category_ids"),
        (
            image_members::NOT_EXHAUSTIVE_CATEGORY_IDS,
            "not_exhaustive_category_ids",
        ),
        (image_members::CROWD_INDEX, "crowdIndex"),
    ] {
        // `file_name`'s rule depends on `coco_url`: judge the two groups separately.
        for has_coco_url in [false, true] {
            let lacking = facts.images.iter().enumerate().filter(|(_, image)| {
                image.members & member == 0
                    && (image.members & image_members::COCO_URL != 0) == has_coco_url
            });
            findings.add(
                "images",
                name,
                facts.images.len(),
                lacking.map(|(index, image)| (index, image.offset, image.id)),
                image_rule(member, has_coco_url),
            );
        }
    }

    // annotations (instances only: captions and panoptic records have other members)
    let annotation_rule = |member: u16| -> Rule {
        match (member, dialect) {
            (annotation_members::AREA, CrowdPose) => Rule::Summary(
                Warning,
                &[Consumer::CocoevalKeypoints, Consumer::Mmdet],
                "pycocotools COCOeval reads `area` (KeyError); CrowdPose is evaluated with crowdposetools or xtcocotools (`use_area=False`), which take it from `bbox`",
            ),
            (annotation_members::AREA, Lvis) => Rule::Each(
                Error,
                &[
                    Consumer::LvisEval,
                    Consumer::CocoevalBbox,
                    Consumer::CocoevalSegm,
                    Consumer::Mmdet,
                ],
                "LVISEval and COCOeval read it for the area ranges (KeyError)",
            ),
            (annotation_members::AREA, _) => Rule::Each(
                Error,
                COCOEVAL_AND_MMDET,
                "COCOeval reads it for the area ranges and MMDetection to drop empty objects (KeyError)",
            ),
            (annotation_members::ISCROWD, Lvis) => Rule::Summary(
                Warning,
                COCOEVAL,
                "pycocotools COCOeval reads `iscrowd` (KeyError); LVIS leaves it out and LVISEval does not read it",
            ),
            (annotation_members::ISCROWD, _) => Rule::Each(
                Error,
                COCOEVAL,
                "COCOeval reads it for every ground-truth object (KeyError); training loaders treat it as 0",
            ),
            (annotation_members::SEGMENTATION, Objects365 | CrowdPose) => Rule::Summary(
                Warning,
                &[Consumer::CocoevalSegm],
                "the dialect has boxes only: segm evaluation and mask export are not possible",
            ),
            (annotation_members::SEGMENTATION, Lvis) => Rule::Each(
                Warning,
                &[Consumer::LvisEval, Consumer::CocoevalSegm],
                "no segmentation: segm evaluation and masks will skip this object",
            ),
            (annotation_members::SEGMENTATION, Coco | Results) => Rule::Each(
                Warning,
                &[Consumer::CocoevalSegm],
                "no segmentation: segm evaluation and masks will skip this object",
            ),
            _ => Rule::Ignore,
        }
    };
    for (member, name) in [
        (annotation_members::AREA, "area"),
        (annotation_members::ISCROWD, "iscrowd"),
        (annotation_members::SEGMENTATION, "segmentation"),
    ] {
        let instances = facts
            .annotations
            .iter()
            .enumerate()
            .filter(|(_, annotation)| annotation.members & annotation_members::INSTANCE != 0);
        let lacking = instances
            .clone()
            .filter(|(_, annotation)| {
                let mut has = annotation.members & member != 0;
                // Keypoint annotations need no mask.
                if member == annotation_members::SEGMENTATION {
                    has |= annotation.members & annotation_members::KEYPOINTS != 0;
                }
                !has
            })
            .map(|(index, annotation)| (index, annotation.offset, annotation.id));
        findings.add(
            "annotations",
            name,
            instances.count(),
            lacking,
            annotation_rule(member),
        );
    }

    // categories
    let category_rule = |member: u16| -> Rule {
        match (member, dialect) {
            (category_members::SUPERCATEGORY, Lvis | Objects365) => Rule::Summary(
                Warning,
                &[Consumer::Pycocotools],
                "pycocotools `getCatIds(supNms=...)` reads `supercategory` (KeyError); the dialect leaves it out",
            ),
            (category_members::SUPERCATEGORY, _) => Rule::Each(
                Warning,
                &[Consumer::Pycocotools],
                "pycocotools `getCatIds(supNms=...)` reads it (KeyError)",
            ),
            (category_members::FREQUENCY, Lvis) => Rule::Each(
                Error,
                &[Consumer::LvisEval],
                "LVISEval groups categories into rare/common/frequent by it (KeyError)",
            ),
            _ => Rule::Ignore,
        }
    };
    for (member, name) in [
        (category_members::SUPERCATEGORY, "supercategory"),
        (category_members::FREQUENCY, "frequency"),
    ] {
        let lacking = facts
            .categories
            .iter()
            .enumerate()
            .filter(|(_, category)| category.members & member == 0)
            .map(|(index, category)| (index, category.offset, category.id));
        findings.add(
            "categories",
            name,
            facts.categories.len(),
            lacking,
            category_rule(member),
        );
    }
    (findings.positioned, findings.summaries)
}

#[derive(Default)]
struct Findings {
    positioned: Vec<(u64, Issue)>,
    summaries: Vec<Issue>,
}

impl Findings {
    /// Adds the findings for `lacking` records (index, offset, id) of list `key`, which has
    /// `total` records the rule applies to.
    fn add(
        &mut self,
        key: &str,
        member: &str,
        total: usize,
        lacking: impl Iterator<Item = (usize, u64, Option<u64>)>,
        rule: Rule,
    ) {
        match rule {
            Rule::Ignore => {}
            Rule::Each(severity, consumers, why) => {
                for (index, offset, id) in lacking {
                    let issue = Issue::new(
                        severity,
                        IssueCode::MissingKey,
                        format!("{key}[{index}]"),
                        format!("required member is missing: {why}"),
                    )
                    .member(member)
                    .id(id.map(|id| id.to_string()))
                    .consumers(consumers);
                    self.positioned.push((offset, issue));
                }
            }
            Rule::Summary(severity, consumers, why) => {
                let count = lacking.count();
                if count > 0 {
                    let message = if count == total {
                        format!("none of the {total} {key} has `{member}`: {why}")
                    } else {
                        format!("{count} of the {total} {key} have no `{member}`: {why}")
                    };
                    self.summaries.push(
                        Issue::new(severity, IssueCode::MissingKey, key, message)
                            .member(member)
                            .consumers(consumers),
                    );
                }
            }
        }
    }
}
