//! JSON documents: COCO flavours, results lists, Karpathy files, vocabularies.
//!
//! The start of the file is read with a tolerant scanner (it stops where the sample
//! ends) that notes the members of the top-level object and of the first elements of
//! `images`, `annotations` and `categories`. A COCO file lists `categories` last, often
//! after hundreds of MB of images and annotations, so the end of the file is scanned too:
//! from its last `"categories": [` (or `"annotations": [`) with the same scanner, and for
//! member names anywhere in it.

use std::collections::BTreeSet;

use super::{Kind, Sample, Sniffed, strip_bom};

/// The members found at the places that tell JSON kinds apart.
#[derive(Debug, Default)]
struct Evidence {
    /// `{` or `[`.
    top: u8,
    /// Members of the top-level object, in file order.
    top_keys: Vec<String>,
    /// Members of the first elements of the top-level array.
    element_keys: BTreeSet<String>,
    /// Whether the top-level array has an element.
    has_element: bool,
    image_keys: BTreeSet<String>,
    category_ids: Vec<i64>,
    /// Every member name seen anywhere.
    keys: BTreeSet<String>,
}

impl Evidence {
    fn has(&self, key: &str) -> bool {
        self.keys.contains(key)
    }

    fn has_any(&self, keys: &[&str]) -> bool {
        keys.iter().any(|key| self.has(key))
    }
}

pub(super) fn sniff_json(sample: &Sample<'_>) -> Sniffed {
    let mut evidence = Evidence::default();
    let head = strip_bom(sample.head);
    let start = head
        .iter()
        .position(|byte| !byte.is_ascii_whitespace())
        .unwrap_or(0);
    evidence.top = head[start];
    Scanner::new(head, &mut evidence, Vec::new()).run();
    if let Some(tail) = sample.tail {
        scan_tail(tail, &mut evidence);
        for key in raw_keys(tail) {
            evidence.keys.insert(key);
        }
    }
    classify(&evidence, sample.file_name)
}

fn classify(evidence: &Evidence, file_name: &str) -> Sniffed {
    if evidence.top == b'[' {
        let keys = &evidence.element_keys;
        let kind = if keys.contains("image_id") && keys.contains("caption") {
            Kind::CaptionResults
        } else if keys.contains("image_id")
            && ["category_id", "score", "bbox", "segmentation", "keypoints"]
                .iter()
                .any(|key| keys.contains(*key))
        {
            Kind::DetectionResults
        } else if keys.contains("id") && keys.contains("name") {
            Kind::CategoryList
        } else if !evidence.has_element {
            return Sniffed::with_detail(Kind::OtherJson, "an empty list");
        } else {
            return Sniffed::with_detail(Kind::OtherJson, "a list");
        };
        return Sniffed::new(kind);
    }
    if evidence.has("ix_to_word") {
        return Sniffed::new(Kind::CaptionVocabulary);
    }
    if evidence.has_any(&["sentences", "sentids"])
        || (evidence.image_keys.contains("split") && evidence.image_keys.contains("filepath"))
    {
        return Sniffed::new(Kind::KarpathyDataset);
    }
    let sections = ["images", "annotations", "categories"];
    let is_coco = evidence
        .top_keys
        .iter()
        .any(|key| sections.contains(&key.as_str()))
        || evidence.has_any(&sections);
    if !is_coco {
        let mut members: Vec<String> = evidence
            .top_keys
            .iter()
            .take(4)
            .map(|key| format!("`{key}`"))
            .collect();
        if members.is_empty() {
            return Sniffed::new(Kind::OtherJson);
        }
        if evidence.top_keys.len() > 4 {
            members.push("...".to_owned());
        }
        return Sniffed::with_detail(
            Kind::OtherJson,
            format!("members {}, no COCO `images`", members.join(", ")),
        );
    }
    let lower_name = file_name.to_ascii_lowercase();
    let kind = if evidence.has("segments_info") {
        Kind::CocoPanoptic
    } else if evidence.has("caption") {
        Kind::CocoCaptions
    } else if evidence.has_any(&["keypoints", "num_keypoints", "skeleton"]) {
        Kind::CocoKeypoints
    } else if lower_name.starts_with("stuff_")
        || (!evidence.category_ids.is_empty() && evidence.category_ids.iter().all(|&id| id >= 92))
    {
        Kind::CocoStuff
    } else if evidence.has_any(&["bbox", "segmentation", "iscrowd", "supercategory"])
        || lower_name.starts_with("instances_")
    {
        Kind::CocoInstances
    } else if lower_name.starts_with("person_keypoints_") {
        Kind::CocoKeypoints
    } else if lower_name.starts_with("captions_") {
        Kind::CocoCaptions
    } else if lower_name.starts_with("panoptic_") {
        Kind::CocoPanoptic
    } else {
        Kind::CocoAnnotations
    };
    Sniffed::new(kind)
}

/// Scans the end of the file from its last `"categories": [` or `"annotations": [`, the
/// only places there whose structure is known.
fn scan_tail(tail: &[u8], evidence: &mut Evidence) {
    let resync = ["categories", "annotations"]
        .iter()
        .filter_map(|member| last_member_array(tail, member).map(|at| (at, (*member).to_owned())))
        .max_by_key(|(at, _)| *at);
    if let Some((at, member)) = resync {
        let stack = vec![Frame::Object {
            context: Context::Top,
            key: Some(member),
            expect_key: false,
        }];
        Scanner::new(&tail[at..], evidence, stack).run();
    }
}

/// The position of the `[` after the last `"<member>"\s*:\s*` in `bytes`.
fn last_member_array(bytes: &[u8], member: &str) -> Option<usize> {
    let needle = format!("\"{member}\"");
    let needle = needle.as_bytes();
    let mut found = None;
    let mut from = 0;
    while let Some(offset) = bytes[from..]
        .windows(needle.len())
        .position(|window| window == needle)
    {
        let at = from + offset;
        from = at + 1;
        let mut next = at + needle.len();
        next += skip_whitespace(&bytes[next..]);
        if bytes.get(next) != Some(&b':') {
            continue;
        }
        next += 1;
        next += skip_whitespace(&bytes[next..]);
        if bytes.get(next) == Some(&b'[') {
            found = Some(next);
        }
    }
    found
}

fn skip_whitespace(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|byte| !byte.is_ascii_whitespace())
        .unwrap_or(bytes.len())
}

/// Member names anywhere in a sample that may start inside a string: `"name"` (an
/// identifier, its opening quote not escaped) followed by `:`.
fn raw_keys(bytes: &[u8]) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] != b'"' || (at > 0 && bytes[at - 1] == b'\\') {
            at += 1;
            continue;
        }
        let start = at + 1;
        let length = bytes[start..]
            .iter()
            .position(|byte| !(byte.is_ascii_alphanumeric() || *byte == b'_'))
            .unwrap_or(bytes.len() - start);
        let end = start + length;
        if length > 0 && bytes.get(end) == Some(&b'"') {
            let after = end + 1 + skip_whitespace(&bytes[end + 1..]);
            if bytes.get(after) == Some(&b':') {
                keys.insert(String::from_utf8_lossy(&bytes[start..end]).into_owned());
            }
        }
        at = end.max(at + 1);
    }
    keys
}

/// Where an object sits in the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Context {
    /// The top-level object.
    Top,
    /// An element of the top-level array.
    TopElement,
    /// An element of the top-level object's `images`.
    Image,
    /// An element of the top-level object's `categories`.
    Category,
    Other,
}

#[derive(Debug)]
enum Frame {
    Object {
        context: Context,
        /// The member whose value comes next.
        key: Option<String>,
        expect_key: bool,
    },
    Array {
        /// What the elements' context is.
        elements: Context,
    },
}

/// A JSON scanner that tolerates a sample cut anywhere: it stops at the end.
struct Scanner<'a, 'e> {
    bytes: &'a [u8],
    at: usize,
    stack: Vec<Frame>,
    evidence: &'e mut Evidence,
}

impl<'a, 'e> Scanner<'a, 'e> {
    fn new(bytes: &'a [u8], evidence: &'e mut Evidence, stack: Vec<Frame>) -> Self {
        Self {
            bytes,
            at: 0,
            stack,
            evidence,
        }
    }

    fn run(&mut self) {
        while self.at < self.bytes.len() {
            let byte = self.bytes[self.at];
            match byte {
                b'{' => {
                    let context = match self.stack.last() {
                        None => Context::Top,
                        Some(Frame::Array { elements }) => *elements,
                        Some(Frame::Object { .. }) => Context::Other,
                    };
                    if context == Context::TopElement {
                        self.evidence.has_element = true;
                    }
                    self.stack.push(Frame::Object {
                        context,
                        key: None,
                        expect_key: true,
                    });
                    self.at += 1;
                }
                b'[' => {
                    let elements = match self.stack.last() {
                        None => Context::TopElement,
                        Some(Frame::Object {
                            context: Context::Top,
                            key: Some(key),
                            ..
                        }) => match key.as_str() {
                            "images" => Context::Image,
                            "categories" => Context::Category,
                            _ => Context::Other,
                        },
                        _ => Context::Other,
                    };
                    self.stack.push(Frame::Array { elements });
                    self.at += 1;
                }
                b'}' | b']' => {
                    self.stack.pop();
                    self.at += 1;
                }
                b',' => {
                    if let Some(Frame::Object {
                        expect_key, key, ..
                    }) = self.stack.last_mut()
                    {
                        *expect_key = true;
                        *key = None;
                    }
                    self.at += 1;
                }
                b'"' => {
                    let Some(text) = self.string() else {
                        return;
                    };
                    self.on_string(text);
                }
                byte if byte.is_ascii_whitespace() || byte == b':' => self.at += 1,
                _ => {
                    let start = self.at;
                    while self.at < self.bytes.len()
                        && !matches!(
                            self.bytes[self.at],
                            b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t'
                        )
                    {
                        self.at += 1;
                    }
                    if self.at == self.bytes.len() {
                        return;
                    }
                    self.on_scalar(&self.bytes[start..self.at]);
                }
            }
            if self.at > 0 && self.stack.is_empty() {
                return;
            }
        }
    }

    /// Reads a string starting at the opening quote; `None` if the sample ends inside it.
    fn string(&mut self) -> Option<String> {
        let start = self.at + 1;
        let mut at = start;
        while at < self.bytes.len() {
            match self.bytes[at] {
                b'\\' => at += 2,
                b'"' => {
                    self.at = at + 1;
                    return Some(String::from_utf8_lossy(&self.bytes[start..at]).into_owned());
                }
                _ => at += 1,
            }
        }
        None
    }

    fn on_string(&mut self, text: String) {
        let Some(Frame::Object {
            context,
            key,
            expect_key,
        }) = self.stack.last_mut()
        else {
            return;
        };
        if !*expect_key {
            return;
        }
        *expect_key = false;
        let context = *context;
        let evidence = &mut *self.evidence;
        match context {
            Context::Top => {
                if evidence.top_keys.len() < 64 {
                    evidence.top_keys.push(text.clone());
                }
            }
            Context::TopElement => {
                evidence.element_keys.insert(text.clone());
            }
            Context::Image => {
                evidence.image_keys.insert(text.clone());
            }
            Context::Category | Context::Other => {}
        }
        evidence.keys.insert(text.clone());
        *key = Some(text);
    }

    fn on_scalar(&mut self, value: &[u8]) {
        if let Some(Frame::Object {
            context: Context::Category,
            key: Some(key),
            ..
        }) = self.stack.last()
            && key == "id"
            && let Some(id) = std::str::from_utf8(value)
                .ok()
                .and_then(|text| text.parse::<i64>().ok())
        {
            self.evidence.category_ids.push(id);
        }
    }
}
