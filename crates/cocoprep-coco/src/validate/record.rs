//! Checks on one record at a time (an image, an annotation, a category, ...).
//!
//! They work on a generic `serde_json::Value` so that every problem can be found and
//! named, not just the first one a typed parser trips over. The reader reuses them to
//! explain its own failures.

use serde_json::{Map, Value};

use super::dialect::Dialect;
use super::issue::{Consumer, DialectRule, Issue, IssueCode, Severity};
use crate::record_kind::RecordKind;
use crate::segmentation::RleCounts;

/// Which optional members an image has (bits of [`ImageFacts::members`]).
pub(crate) mod image_members {
    pub(crate) const FILE_NAME: u16 = 1;
    pub(crate) const COCO_URL: u16 = 1 << 1;
    /// LVIS.
    pub(crate) const NEG_CATEGORY_IDS: u16 = 1 << 2;
    /// LVIS.
    pub(crate) const NOT_EXHAUSTIVE_CATEGORY_IDS: u16 = 1 << 3;
    /// CrowdPose.
    pub(crate) const CROWD_INDEX: u16 = 1 << 4;
    /// Objects365: `file_name` like `images/v1/patch8/objects365_v1_00420917.jpg`.
    pub(crate) const OBJECTS365_NAME: u16 = 1 << 5;
}

/// Which optional members an annotation has (bits of [`AnnotationFacts::members`]).
pub(crate) mod annotation_members {
    /// An object annotation (not a caption or a panoptic record).
    pub(crate) const INSTANCE: u16 = 1;
    pub(crate) const AREA: u16 = 1 << 1;
    pub(crate) const ISCROWD: u16 = 1 << 2;
    pub(crate) const SEGMENTATION: u16 = 1 << 3;
    pub(crate) const KEYPOINTS: u16 = 1 << 4;
    /// Objects365's `isfake` or `isreflected`.
    pub(crate) const OBJECTS365_FLAGS: u16 = 1 << 5;
}

/// Which optional members a category has (bits of [`CategoryFacts::members`]).
pub(crate) mod category_members {
    pub(crate) const SUPERCATEGORY: u16 = 1;
    /// LVIS.
    pub(crate) const FREQUENCY: u16 = 1 << 1;
    /// LVIS.
    pub(crate) const SYNSET: u16 = 1 << 2;
}

/// The number of keypoints CrowdPose defines; its `num_keypoints` counts only the first 12
/// (the body), not `head` and `neck`.
const CROWDPOSE_KEYPOINTS: usize = 14;
/// COCO's 17 keypoints: CrowdPose's category keeps COCO's skeleton, whose indices reach 17.
const COCO_KEYPOINTS: u64 = 17;

/// What the cross-record checks need to know about an image.
#[derive(Clone, Debug, Default)]
pub(crate) struct ImageFacts {
    /// Document offset of the record.
    pub(crate) offset: u64,
    /// [`image_members`] bits.
    pub(crate) members: u16,
    pub(crate) id: Option<u64>,
    pub(crate) width: Option<u64>,
    pub(crate) height: Option<u64>,
    pub(crate) file_name: Option<String>,
}

/// What the cross-record checks need to know about an annotation.
#[derive(Clone, Debug, Default)]
pub(crate) struct AnnotationFacts {
    /// Document offset of the record.
    pub(crate) offset: u64,
    /// [`annotation_members`] bits.
    pub(crate) members: u16,
    pub(crate) id: Option<u64>,
    pub(crate) image_id: Option<u64>,
    pub(crate) category_id: Option<u64>,
    pub(crate) bbox: Option<[f64; 4]>,
    /// `[height, width]` of an RLE segmentation.
    pub(crate) rle_size: Option<[u64; 2]>,
    /// Number of keypoint triplets.
    pub(crate) keypoint_count: Option<usize>,
    /// Largest polygon x and y, to spot polygons outside the image.
    pub(crate) polygon_max: Option<[f64; 2]>,
    pub(crate) polygon_min: Option<[f64; 2]>,
    /// Category ids of panoptic segments.
    pub(crate) segment_categories: Vec<u64>,
}

/// What the cross-record checks need to know about a category.
#[derive(Clone, Debug, Default)]
pub(crate) struct CategoryFacts {
    /// Document offset of the record.
    pub(crate) offset: u64,
    /// [`category_members`] bits.
    pub(crate) members: u16,
    pub(crate) id: Option<u64>,
    pub(crate) name: Option<String>,
    pub(crate) keypoint_count: Option<usize>,
}

/// The facts of one record.
#[derive(Clone, Debug)]
pub(crate) enum Facts {
    Image(ImageFacts),
    Annotation(AnnotationFacts),
    Category(CategoryFacts),
    None,
}

impl Facts {
    /// Records where the record starts in the document.
    pub(crate) fn set_offset(&mut self, offset: u64) {
        match self {
            Facts::Image(facts) => facts.offset = offset,
            Facts::Annotation(facts) => facts.offset = offset,
            Facts::Category(facts) => facts.offset = offset,
            Facts::None => {}
        }
    }
}

/// `annotations[12] (id 42)`.
pub(crate) fn record_label(kind: RecordKind, index: usize, value: &Value) -> String {
    match id_text(value) {
        Some(id) => format!("{}[{index}] (id {id})", kind.key()),
        None => format!("{}[{index}]", kind.key()),
    }
}

fn id_text(value: &Value) -> Option<String> {
    match value.get("id")? {
        Value::Number(number) => Some(number.to_string()),
        Value::String(text) => Some(format!("{text:?}")),
        _ => None,
    }
}

/// Runs the per-record checks.
pub(crate) fn check_record(kind: RecordKind, index: usize, value: &Value) -> Vec<Issue> {
    check_record_with_facts(kind, index, value).0
}

/// Runs the per-record checks and extracts the facts for cross-record checks.
pub(crate) fn check_record_with_facts(
    kind: RecordKind,
    index: usize,
    value: &Value,
) -> (Vec<Issue>, Facts) {
    let mut checker = Checker {
        path: format!("{}[{index}]", kind.key()),
        id: id_text(value),
        issues: Vec::new(),
    };
    let Some(object) = value.as_object() else {
        checker.record_error(
            IssueCode::Type,
            format!("expected an object, found {}", type_name(value)),
        );
        return (checker.issues, Facts::None);
    };
    let facts = match kind {
        RecordKind::Image => Facts::Image(checker.image(object)),
        RecordKind::Annotation => Facts::Annotation(checker.annotation(object, false)),
        RecordKind::Result => Facts::Annotation(checker.annotation(object, true)),
        RecordKind::Category => Facts::Category(checker.category(object)),
        RecordKind::License => {
            checker.license(object);
            Facts::None
        }
        RecordKind::Info => {
            checker.info(object);
            Facts::None
        }
        RecordKind::TopLevel => Facts::None,
    };
    (checker.issues, facts)
}

/// A JSON type in words: "a string", "null", ...
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(number) if number.is_f64() => "a fractional number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

struct Checker {
    path: String,
    id: Option<String>,
    issues: Vec<Issue>,
}

impl Checker {
    fn push(&mut self, severity: Severity, code: IssueCode, member: Option<&str>, message: String) {
        let mut issue = Issue::new(severity, code, self.path.clone(), message).id(self.id.clone());
        if let Some(member) = member {
            issue = issue.member(member);
        }
        self.issues.push(issue);
    }

    fn error(&mut self, code: IssueCode, member: &str, message: String) {
        self.push(Severity::Error, code, Some(member), message);
    }

    fn warning(&mut self, code: IssueCode, member: &str, message: String) {
        self.push(Severity::Warning, code, Some(member), message);
    }

    fn record_error(&mut self, code: IssueCode, message: String) {
        self.push(Severity::Error, code, None, message);
    }

    /// Settles the last finding by the file's dialect (known only at the end).
    fn tag_last(&mut self, rule: DialectRule) {
        if let Some(issue) = self.issues.pop() {
            self.issues.push(issue.dialect_rule(rule));
        }
    }

    /// A list of category ids (LVIS's `neg_category_ids`, `not_exhaustive_category_ids`).
    fn id_list(&mut self, value: &Value, member: &str) {
        let Value::Array(items) = value else {
            self.error(
                IssueCode::Type,
                member,
                format!(
                    "expected a list of category ids, found {}",
                    type_name(value)
                ),
            );
            return;
        };
        if let Some((index, bad)) = items.iter().enumerate().find(|(_, v)| v.as_u64().is_none()) {
            self.push(
                Severity::Error,
                IssueCode::Type,
                Some(&format!("{member}[{index}]")),
                format!("expected a category id, found {}", type_name(bad)),
            );
            self.tag_last_consumers(&[Consumer::LvisEval]);
        }
    }

    fn tag_last_consumers(&mut self, consumers: &'static [Consumer]) {
        if let Some(issue) = self.issues.pop() {
            self.issues.push(issue.consumers(consumers));
        }
    }

    /// A non-negative integer member. Missing: `required` decides error or nothing.
    fn integer(
        &mut self,
        object: &Map<String, Value>,
        member: &str,
        required: bool,
        max: u64,
    ) -> Option<u64> {
        let Some(value) = object.get(member) else {
            if required {
                self.error(
                    IssueCode::MissingKey,
                    member,
                    "required member is missing".to_owned(),
                );
            }
            return None;
        };
        match value {
            Value::Number(number) => {
                if let Some(integer) = number.as_u64() {
                    if integer > max {
                        self.error(
                            IssueCode::Type,
                            member,
                            format!("expected an integer at most {max}, found {integer}"),
                        );
                        return None;
                    }
                    Some(integer)
                } else if number.is_i64() {
                    self.error(
                        IssueCode::Type,
                        member,
                        format!("expected a non-negative integer, found {number}"),
                    );
                    None
                } else {
                    self.error(
                        IssueCode::Type,
                        member,
                        format!("expected an integer, found {number}"),
                    );
                    None
                }
            }
            other => {
                self.error(
                    IssueCode::Type,
                    member,
                    format!("expected an integer, found {}", type_name(other)),
                );
                None
            }
        }
    }

    fn string<'v>(
        &mut self,
        object: &'v Map<String, Value>,
        member: &str,
        missing: Option<Severity>,
    ) -> Option<&'v str> {
        match object.get(member) {
            None => {
                if let Some(severity) = missing {
                    self.push(
                        severity,
                        IssueCode::MissingKey,
                        Some(member),
                        "required member is missing".to_owned(),
                    );
                }
                None
            }
            Some(Value::String(text)) => Some(text),
            Some(other) => {
                self.error(
                    IssueCode::Type,
                    member,
                    format!("expected a string, found {}", type_name(other)),
                );
                None
            }
        }
    }

    fn number(
        &mut self,
        object: &Map<String, Value>,
        member: &str,
        missing: Option<Severity>,
    ) -> Option<f64> {
        match object.get(member) {
            None => {
                if let Some(severity) = missing {
                    self.push(
                        severity,
                        IssueCode::MissingKey,
                        Some(member),
                        "required member is missing".to_owned(),
                    );
                }
                None
            }
            Some(Value::Number(number)) => number.as_f64(),
            Some(other) => {
                self.error(
                    IssueCode::Type,
                    member,
                    format!("expected a number, found {}", type_name(other)),
                );
                None
            }
        }
    }

    fn image(&mut self, object: &Map<String, Value>) -> ImageFacts {
        let id = self.integer(object, "id", true, u64::MAX);
        let width = self.integer(object, "width", true, u32::MAX as u64);
        let height = self.integer(object, "height", true, u32::MAX as u64);
        for (member, value) in [("width", width), ("height", height)] {
            if value == Some(0) {
                self.error(
                    IssueCode::ImageSize,
                    member,
                    "must be positive, found 0".to_owned(),
                );
            }
        }
        // Whether a missing `file_name` matters depends on the dialect (LVIS v1 images have
        // only `coco_url`): see `dialect_checks::check_members`.
        let file_name = self.string(object, "file_name", None).map(str::to_owned);
        if file_name.as_deref() == Some("") {
            self.error(IssueCode::Type, "file_name", "must not be empty".to_owned());
        }
        self.integer(object, "license", false, u64::MAX);
        for member in ["coco_url", "flickr_url", "date_captured"] {
            self.string(object, member, None);
        }
        let mut members = 0;
        if object.contains_key("file_name") {
            members |= image_members::FILE_NAME;
        }
        if object.contains_key("coco_url") {
            members |= image_members::COCO_URL;
        }
        if file_name
            .as_deref()
            .is_some_and(|name| name.contains("objects365_"))
        {
            members |= image_members::OBJECTS365_NAME;
        }
        // LVIS's federated labels: categories verified absent, and categories whose
        // instances are not all annotated.
        for (member, bit) in [
            ("neg_category_ids", image_members::NEG_CATEGORY_IDS),
            (
                "not_exhaustive_category_ids",
                image_members::NOT_EXHAUSTIVE_CATEGORY_IDS,
            ),
        ] {
            if let Some(value) = object.get(member) {
                members |= bit;
                self.id_list(value, member);
            }
        }
        if let Some(value) = object.get("crowdIndex") {
            members |= image_members::CROWD_INDEX;
            if !value.is_number() {
                self.error(
                    IssueCode::Type,
                    "crowdIndex",
                    format!("expected a number, found {}", type_name(value)),
                );
            }
        }
        ImageFacts {
            members,
            id,
            width,
            height,
            file_name,
            ..ImageFacts::default()
        }
    }

    fn annotation(&mut self, object: &Map<String, Value>, is_result: bool) -> AnnotationFacts {
        let is_caption = object.contains_key("caption");
        let is_panoptic = object.contains_key("segments_info");
        let is_instance = !is_caption && !is_panoptic;
        let mut facts = AnnotationFacts {
            id: self.integer(object, "id", !is_result && !is_panoptic, u64::MAX),
            image_id: self.integer(object, "image_id", true, u64::MAX),
            category_id: self.integer(object, "category_id", is_instance, u32::MAX as u64),
            ..AnnotationFacts::default()
        };
        if is_caption
            && let Some(caption) = self.string(object, "caption", None)
            && caption.trim().is_empty()
        {
            self.warning(
                IssueCode::CaptionEmpty,
                "caption",
                "caption is empty".to_owned(),
            );
        }
        if is_panoptic {
            self.string(object, "file_name", Some(Severity::Error));
            match object.get("segments_info") {
                Some(Value::Array(segments)) => {
                    let mut seen = std::collections::HashSet::new();
                    for (index, segment) in segments.iter().enumerate() {
                        let member = format!("segments_info[{index}]");
                        let Some(segment) = segment.as_object() else {
                            self.error(
                                IssueCode::Type,
                                &member,
                                format!("expected a segment object, found {}", type_name(segment)),
                            );
                            continue;
                        };
                        let id = self.integer(segment, "id", true, (1 << 24) - 1);
                        if let Some(id) = id
                            && !seen.insert(id)
                        {
                            self.error(
                                IssueCode::DuplicateId,
                                &format!("{member}.id"),
                                format!("segment id {id} appears twice in this image"),
                            );
                        }
                        if let Some(category_id) =
                            self.integer(segment, "category_id", true, u32::MAX as u64)
                        {
                            facts.segment_categories.push(category_id);
                        }
                        self.bbox(segment, None);
                        self.number(segment, "area", None);
                    }
                }
                other => {
                    let found = other.map_or("nothing", type_name);
                    self.error(
                        IssueCode::Type,
                        "segments_info",
                        format!("expected a list of segments, found {found}"),
                    );
                }
            }
        }
        let has_shape = object.contains_key("segmentation") || object.contains_key("keypoints");
        let bbox_missing = (is_instance && !(is_result && has_shape)).then_some(Severity::Error);
        facts.bbox = self.bbox(object, bbox_missing);
        // Whether a missing `area`, `iscrowd` or `segmentation` matters depends on the
        // dialect: see `dialect_checks::check_members`.
        for (member, bit) in [
            ("area", annotation_members::AREA),
            ("iscrowd", annotation_members::ISCROWD),
            ("segmentation", annotation_members::SEGMENTATION),
            ("keypoints", annotation_members::KEYPOINTS),
            ("isfake", annotation_members::OBJECTS365_FLAGS),
            ("isreflected", annotation_members::OBJECTS365_FLAGS),
        ] {
            if object.contains_key(member) {
                facts.members |= bit;
            }
        }
        if is_instance {
            facts.members |= annotation_members::INSTANCE;
        }
        if let Some(area) = self.number(object, "area", None) {
            if area < 0.0 {
                self.error(
                    IssueCode::AreaNegative,
                    "area",
                    format!("must not be negative, found {area}"),
                );
            } else if area == 0.0 && is_instance && !is_result {
                self.warning(
                    IssueCode::AreaZero,
                    "area",
                    "area is 0: COCOeval treats the object as having no pixels".to_owned(),
                );
            }
        }
        let is_crowd = match object.get("iscrowd") {
            None => false,
            Some(Value::Number(number)) if number.as_u64() == Some(0) => false,
            Some(Value::Number(number)) if number.as_u64() == Some(1) => true,
            Some(other) => {
                let found = match other {
                    Value::Number(number) => number.to_string(),
                    other => type_name(other).to_owned(),
                };
                self.error(
                    IssueCode::IscrowdValue,
                    "iscrowd",
                    format!("expected 0 or 1, found {found}"),
                );
                false
            }
        };
        if let Some(segmentation) = object.get("segmentation") {
            self.segmentation(segmentation, is_crowd, &mut facts);
        }
        if let Some(score) = object.get("score") {
            if !matches!(score, Value::Number(_)) {
                self.error(
                    IssueCode::Type,
                    "score",
                    format!("expected a number, found {}", type_name(score)),
                );
            }
        } else if is_result && is_instance {
            self.error(
                IssueCode::MissingKey,
                "score",
                "detection results need a `score` (COCOeval sorts by it)".to_owned(),
            );
        }
        facts.keypoint_count = self.keypoints(object);
        facts
    }

    fn bbox(&mut self, object: &Map<String, Value>, missing: Option<Severity>) -> Option<[f64; 4]> {
        let value = match object.get("bbox") {
            Some(value) => value,
            None => {
                if let Some(severity) = missing {
                    self.push(
                        severity,
                        IssueCode::MissingKey,
                        Some("bbox"),
                        "required member is missing".to_owned(),
                    );
                }
                return None;
            }
        };
        let Value::Array(items) = value else {
            self.error(
                IssueCode::Type,
                "bbox",
                format!(
                    "expected 4 numbers [x, y, width, height], found {}",
                    type_name(value)
                ),
            );
            return None;
        };
        if items.len() != 4 {
            self.error(
                IssueCode::BboxLength,
                "bbox",
                format!(
                    "expected 4 numbers [x, y, width, height], found {}",
                    items.len()
                ),
            );
            return None;
        }
        let mut bbox = [0.0; 4];
        for (index, item) in items.iter().enumerate() {
            match item.as_f64() {
                Some(number) => bbox[index] = number,
                None => {
                    self.error(
                        IssueCode::Type,
                        &format!("bbox[{index}]"),
                        format!("expected a number, found {}", type_name(item)),
                    );
                    return None;
                }
            }
        }
        let [_, _, width, height] = bbox;
        if width <= 0.0 || height <= 0.0 {
            self.error(
                IssueCode::BboxSize,
                "bbox",
                format!("width and height must be positive, found {width} x {height}"),
            );
        }
        Some(bbox)
    }

    fn segmentation(&mut self, value: &Value, is_crowd: bool, facts: &mut AnnotationFacts) {
        match value {
            Value::Array(parts) => {
                if parts.is_empty() {
                    self.warning(
                        IssueCode::SegmentationEmpty,
                        "segmentation",
                        "empty polygon list: the mask is empty".to_owned(),
                    );
                }
                if is_crowd {
                    self.warning(
                        IssueCode::CrowdPolygons,
                        "segmentation",
                        "iscrowd is 1 but the segmentation is polygons (COCO uses RLE for crowds)"
                            .to_owned(),
                    );
                }
                let mut max = [f64::NEG_INFINITY; 2];
                let mut min = [f64::INFINITY; 2];
                for (part_index, part) in parts.iter().enumerate() {
                    let member = format!("segmentation[{part_index}]");
                    let Value::Array(coordinates) = part else {
                        self.error(
                            IssueCode::Type,
                            &member,
                            format!(
                                "expected a polygon (list of numbers), found {}",
                                type_name(part)
                            ),
                        );
                        continue;
                    };
                    if let Some((index, bad)) =
                        coordinates.iter().enumerate().find(|(_, v)| !v.is_number())
                    {
                        self.error(
                            IssueCode::Type,
                            &format!("{member}[{index}]"),
                            format!("expected a number, found {}", type_name(bad)),
                        );
                        continue;
                    }
                    if coordinates.len() % 2 == 1 {
                        self.error(
                            IssueCode::PolygonOdd,
                            &member,
                            format!(
                                "odd number of coordinates ({}): x and y must pair up",
                                coordinates.len()
                            ),
                        );
                    }
                    if coordinates.len() < 6 {
                        self.error(
                            IssueCode::PolygonShort,
                            &member,
                            format!(
                                "a polygon needs at least 3 points (6 numbers), found {}",
                                coordinates.len()
                            ),
                        );
                    }
                    for (index, coordinate) in coordinates.iter().enumerate() {
                        let number = coordinate.as_f64().unwrap_or(0.0);
                        max[index % 2] = max[index % 2].max(number);
                        min[index % 2] = min[index % 2].min(number);
                    }
                }
                if max[0].is_finite() {
                    facts.polygon_max = Some(max);
                    facts.polygon_min = Some(min);
                }
            }
            Value::Object(rle) => self.rle(rle, facts),
            other => self.error(
                IssueCode::Type,
                "segmentation",
                format!(
                    "expected polygons (a list of lists) or an RLE object, found {}",
                    type_name(other)
                ),
            ),
        }
    }

    fn rle(&mut self, rle: &Map<String, Value>, facts: &mut AnnotationFacts) {
        for key in rle.keys() {
            if key != "size" && key != "counts" {
                self.error(
                    IssueCode::RleInvalid,
                    "segmentation",
                    format!("unexpected member `{key}` (an RLE has only `size` and `counts`)"),
                );
            }
        }
        let size = match rle.get("size") {
            Some(Value::Array(items))
                if items.len() == 2
                    && items
                        .iter()
                        .all(|v| v.as_u64().is_some_and(|n| n <= u32::MAX as u64)) =>
            {
                [
                    items[0].as_u64().unwrap_or(0),
                    items[1].as_u64().unwrap_or(0),
                ]
            }
            Some(other) => {
                self.error(
                    IssueCode::RleInvalid,
                    "segmentation.size",
                    format!("expected [height, width] as two non-negative integers, found {other}"),
                );
                return;
            }
            None => {
                self.error(
                    IssueCode::MissingKey,
                    "segmentation.size",
                    "RLE needs `size` [height, width]".to_owned(),
                );
                return;
            }
        };
        facts.rle_size = Some(size);
        let pixels = size[0] * size[1];
        let sum: u64 = match rle.get("counts") {
            Some(Value::Array(items)) => {
                let mut sum = 0u64;
                for (index, item) in items.iter().enumerate() {
                    match item.as_u64() {
                        Some(count) if count <= u32::MAX as u64 => sum += count,
                        _ => {
                            self.error(
                                IssueCode::RleInvalid,
                                &format!("segmentation.counts[{index}]"),
                                format!("expected a non-negative run length, found {item}"),
                            );
                            return;
                        }
                    }
                }
                sum
            }
            Some(Value::String(text)) => match RleCounts::decode_compressed(text) {
                Ok(counts) => counts.iter().map(|&count| count as u64).sum(),
                Err(message) => {
                    self.error(IssueCode::RleInvalid, "segmentation.counts", message);
                    return;
                }
            },
            Some(other) => {
                self.error(
                    IssueCode::RleInvalid,
                    "segmentation.counts",
                    format!(
                        "expected a string or a list of run lengths, found {}",
                        type_name(other)
                    ),
                );
                return;
            }
            None => {
                self.error(
                    IssueCode::MissingKey,
                    "segmentation.counts",
                    "RLE needs `counts`".to_owned(),
                );
                return;
            }
        };
        if sum != pixels {
            self.error(
                IssueCode::RleSum,
                "segmentation.counts",
                format!(
                    "run lengths sum to {sum} but size {}x{} has {pixels} pixels{}",
                    size[0],
                    size[1],
                    if sum < pixels {
                        " (pycocotools would decode uninitialised memory)"
                    } else {
                        ""
                    }
                ),
            );
        }
    }

    fn keypoints(&mut self, object: &Map<String, Value>) -> Option<usize> {
        let value = object.get("keypoints")?;
        let Value::Array(items) = value else {
            self.error(
                IssueCode::Type,
                "keypoints",
                format!(
                    "expected a list [x1, y1, v1, ...], found {}",
                    type_name(value)
                ),
            );
            return None;
        };
        if let Some((index, bad)) = items.iter().enumerate().find(|(_, v)| !v.is_number()) {
            self.error(
                IssueCode::Type,
                &format!("keypoints[{index}]"),
                format!("expected a number, found {}", type_name(bad)),
            );
            return None;
        }
        if items.len() % 3 != 0 {
            self.error(
                IssueCode::KeypointsLength,
                "keypoints",
                format!(
                    "length {} is not a multiple of 3 (x, y, v triplets)",
                    items.len()
                ),
            );
            return None;
        }
        let mut labelled = 0;
        // CrowdPose's `num_keypoints` leaves out its last two keypoints (head, neck).
        let mut labelled_crowdpose_body = 0;
        let triplets = items.len() / 3;
        for (triplet, chunk) in items.chunks(3).enumerate() {
            let visibility = chunk[2].as_f64().unwrap_or(0.0);
            if visibility != 0.0 && visibility != 1.0 && visibility != 2.0 {
                self.warning(
                    IssueCode::KeypointVisibility,
                    &format!("keypoints[{}]", triplet * 3 + 2),
                    format!("visibility should be 0, 1 or 2, found {}", chunk[2]),
                );
            }
            if visibility > 0.0 {
                labelled += 1;
                if triplet < CROWDPOSE_KEYPOINTS - 2 {
                    labelled_crowdpose_body += 1;
                }
            }
        }
        if let Some(declared) = object.get("num_keypoints") {
            match declared.as_u64() {
                Some(count) if count != labelled => {
                    self.warning(
                        IssueCode::NumKeypointsMismatch,
                        "num_keypoints",
                        format!("says {count} but {labelled} keypoints have v > 0"),
                    );
                    if triplets == CROWDPOSE_KEYPOINTS && count == labelled_crowdpose_body {
                        self.tag_last(DialectRule::DropIn(Dialect::CrowdPose));
                    }
                }
                Some(_) => {}
                None => self.error(
                    IssueCode::Type,
                    "num_keypoints",
                    format!("expected a non-negative integer, found {declared}"),
                ),
            }
        }
        Some(items.len() / 3)
    }

    fn category(&mut self, object: &Map<String, Value>) -> CategoryFacts {
        let id = self.integer(object, "id", true, u32::MAX as u64);
        let name = self
            .string(object, "name", Some(Severity::Error))
            .map(str::to_owned);
        // Whether a missing `supercategory` or `frequency` matters depends on the dialect:
        // see `dialect_checks::check_members`.
        let mut members = 0;
        if self.string(object, "supercategory", None).is_some() {
            members |= category_members::SUPERCATEGORY;
        }
        if object.contains_key("synset") {
            members |= category_members::SYNSET;
        }
        if let Some(value) = object.get("frequency") {
            members |= category_members::FREQUENCY;
            // LVIS: rare (1-10 training images), common (11-100), frequent (>100).
            if !matches!(value.as_str(), Some("r" | "c" | "f")) {
                self.error(
                    IssueCode::FrequencyValue,
                    "frequency",
                    format!("expected \"r\", \"c\" or \"f\", found {value}"),
                );
            }
        }
        let mut keypoint_count = None;
        if let Some(value) = object.get("keypoints") {
            match value.as_array() {
                Some(names) if names.iter().all(Value::is_string) => {
                    keypoint_count = Some(names.len())
                }
                _ => self.error(
                    IssueCode::Type,
                    "keypoints",
                    format!("expected a list of keypoint names, found {value}"),
                ),
            }
        }
        if let Some(value) = object.get("skeleton") {
            let pairs = value.as_array().filter(|pairs| {
                pairs.iter().all(|pair| {
                    pair.as_array()
                        .is_some_and(|p| p.len() == 2 && p.iter().all(|v| v.as_u64().is_some()))
                })
            });
            match pairs {
                None => self.error(
                    IssueCode::Type,
                    "skeleton",
                    "expected a list of [a, b] pairs of 1-based keypoint indices".to_owned(),
                ),
                Some(pairs) => {
                    let limit = keypoint_count.unwrap_or(0) as u64;
                    for (index, pair) in pairs.iter().enumerate() {
                        let out_of_range = pair
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(Value::as_u64)
                            .find(|&v| v == 0 || v > limit);
                        if let Some(bad) = out_of_range {
                            self.error(
                                IssueCode::SkeletonIndex,
                                &format!("skeleton[{index}]"),
                                format!("index {bad} is outside 1..={limit} (skeleton indices are 1-based into `keypoints`)"),
                            );
                            // CrowdPose's category keeps COCO's 17-keypoint skeleton: only
                            // `showAnns` draws it, and mmpose brings its own.
                            if limit == CROWDPOSE_KEYPOINTS as u64 && bad <= COCO_KEYPOINTS {
                                self.tag_last(DialectRule::WarnIn(Dialect::CrowdPose));
                            }
                        }
                    }
                }
            }
        }
        CategoryFacts {
            members,
            id,
            name,
            keypoint_count,
            ..CategoryFacts::default()
        }
    }

    fn license(&mut self, object: &Map<String, Value>) {
        if let Some(value) = object.get("id")
            && value.as_u64().is_none()
        {
            self.warning(
                IssueCode::Type,
                "id",
                format!("expected a non-negative integer, found {value}"),
            );
        }
        for member in ["name", "url"] {
            if let Some(value) = object.get(member)
                && !value.is_string()
            {
                self.warning(
                    IssueCode::Type,
                    member,
                    format!("expected a string, found {}", type_name(value)),
                );
            }
        }
    }

    fn info(&mut self, object: &Map<String, Value>) {
        for member in [
            "description",
            "url",
            "version",
            "contributor",
            "date_created",
        ] {
            if let Some(value) = object.get(member)
                && !value.is_string()
            {
                self.warning(
                    IssueCode::Type,
                    member,
                    format!("expected a string, found {}", type_name(value)),
                );
            }
        }
        if let Some(value) = object.get("year")
            && !value.is_i64()
        {
            self.warning(
                IssueCode::Type,
                "year",
                format!("expected an integer, found {value}"),
            );
        }
    }
}
