//! Fields cocoprep does not model, kept so files round-trip without loss.

use serde_json::{Map, Value};

/// The members of a JSON object that the typed model does not know (`license` on a
/// LVIS image, `isthing`/`color` on a panoptic category, `segments_info` on a panoptic
/// annotation, ...), in their original order and original text.
///
/// Stored as one JSON object text (`{"key":value,...}`) rather than a map of values: most
/// records have none or a few, and the text costs one allocation and is written back
/// verbatim.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Extras(Option<Box<str>>);

impl Extras {
    /// Whether there are no unknown members.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// The unknown members as a JSON object text, if any.
    pub fn as_json(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// Parses the unknown members into a map.
    pub fn to_map(&self) -> Map<String, Value> {
        match &self.0 {
            // The text was produced from validated JSON members, so it always parses.
            Some(text) => serde_json::from_str(text).unwrap_or_default(),
            None => Map::new(),
        }
    }

    /// The value of one unknown member.
    pub fn get(&self, key: &str) -> Option<Value> {
        self.to_map().remove(key)
    }

    /// Builds extras from a map (an empty map gives empty extras).
    pub fn from_map(map: &Map<String, Value>) -> Self {
        if map.is_empty() {
            return Self(None);
        }
        Self(Some(
            Value::Object(map.clone()).to_string().into_boxed_str(),
        ))
    }

    /// Adds or replaces one member.
    pub fn insert(&mut self, key: &str, value: Value) {
        let mut map = self.to_map();
        map.insert(key.to_owned(), value);
        *self = Self::from_map(&map);
    }

    /// Appends `,"key":value` for each member, for writers that emit the known fields first.
    pub(crate) fn write_members(&self, out: &mut Vec<u8>) {
        if let Some(text) = &self.0 {
            let inner = &text[1..text.len() - 1];
            if !inner.is_empty() {
                out.push(b',');
                out.extend_from_slice(inner.as_bytes());
            }
        }
    }
}

/// Collects unknown members while an object is parsed.
#[derive(Default)]
pub(crate) struct ExtrasBuilder(String);

impl ExtrasBuilder {
    /// Records one member; `raw_value` is valid JSON text.
    pub(crate) fn push(&mut self, key: &str, raw_value: &str) {
        self.0.push(if self.0.is_empty() { '{' } else { ',' });
        // Keys are re-escaped: the parser hands us the unescaped key.
        self.0
            .push_str(&serde_json::to_string(key).unwrap_or_default());
        self.0.push(':');
        self.0.push_str(raw_value.trim());
    }

    pub(crate) fn finish(mut self) -> Extras {
        if self.0.is_empty() {
            Extras(None)
        } else {
            self.0.push('}');
            Extras(Some(self.0.into_boxed_str()))
        }
    }
}
