//! Parsing image records into a batch of the compact model.
//!
//! Hand-written serde visitors push each token straight into the batch's word table, so a
//! caption costs a few integers and no allocation. The visitors also check what the
//! captioning jobs need (a `split`, at least one sentence, non-empty `tokens`) and name the
//! member when something is wrong.

use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::interner::{BatchWords, WorkerWords};
use cocoprep_base::position::strip_position;
use cocoprep_coco::json_split::{Batch, BatchParser};

use super::pipeline::RecordFailure;
use super::{KarpathyImage, Split};

/// Which parts of each sentence to keep. Every image's `split`, `filepath`, `filename`,
/// `cocoid`, `imgid` and sentence count are always read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fields {
    /// `tokens` (required in every sentence, non-empty).
    pub tokens: bool,
    /// `raw` (required in every sentence).
    pub raw: bool,
    /// `sentid` (required in every sentence).
    pub sentids: bool,
}

/// The images, sentences and tokens of one batch; tokens are ids of the worker's table
/// (see [`WorkerWords`]) until the batch is merged into the dataset.
#[derive(Default)]
pub(crate) struct CorpusBatch {
    pub(crate) images: Vec<KarpathyImage>,
    /// Where each sentence's tokens end in `tokens`.
    pub(crate) sentence_ends: Vec<u32>,
    pub(crate) raws: Vec<String>,
    pub(crate) sentids: Vec<i64>,
    pub(crate) tokens: Vec<u32>,
    pub(crate) words: BatchWords,
}

pub(crate) struct CorpusParser {
    pub(crate) fields: Fields,
}

impl BatchParser for CorpusParser {
    type Output = CorpusBatch;
    type Worker = WorkerWords;
    type Error = RecordFailure;

    fn worker(&self, index: usize) -> WorkerWords {
        WorkerWords::new(index)
    }

    fn parse(&self, worker: &mut WorkerWords, batch: &Batch) -> Result<CorpusBatch, RecordFailure> {
        // One UTF-8 check for the whole batch (it also covers the members the visitors
        // skip); the records can then be parsed as `str`, which skips per-string checks.
        let text = std::str::from_utf8(batch.bytes()).map_err(|error| {
            let position = error.valid_up_to();
            let record = batch.element_containing(position);
            RecordFailure {
                index: record.index,
                offset: record.offset + (position - record.start) as u64,
                bytes: record.bytes.to_vec(),
                message: format!(
                    "text is not valid UTF-8 (byte 0x{:02x})",
                    batch.bytes()[position]
                ),
            }
        })?;
        let mut output = CorpusBatch {
            words: worker.begin_batch(),
            ..CorpusBatch::default()
        };
        for record in batch.elements() {
            let mut state = State {
                batch: &mut output,
                worker: &mut *worker,
                fields: self.fields,
                location: Location::Image,
            };
            let mut deserializer = serde_json::Deserializer::from_str(
                &text[record.start..record.start + record.bytes.len()],
            );
            let result = ImageSeed {
                state: &mut state,
                offset: record.offset,
            }
            .deserialize(&mut deserializer)
            .and_then(|()| deserializer.end());
            if let Err(error) = result {
                // A rule about the whole record (no `split`, no sentences) points at the
                // record; anything else at the member that broke it.
                let whole_record = matches!(state.location, Location::Image)
                    && error.classify() == serde_json::error::Category::Data;
                let offset_in_record = if whole_record {
                    0
                } else {
                    position_in(record.bytes, &error)
                };
                let location = state.location.describe();
                return Err(RecordFailure {
                    index: record.index,
                    offset: record.offset + offset_in_record,
                    bytes: record.bytes.to_vec(),
                    message: format!("{location}{}", strip_position(&error.to_string())),
                });
            }
        }
        Ok(output)
    }
}

/// The byte position within `record` that serde_json's line and column point at.
fn position_in(record: &[u8], error: &serde_json::Error) -> u64 {
    let line_start = if error.line() <= 1 {
        0
    } else {
        memchr::memchr_iter(b'\n', record)
            .nth(error.line() - 2)
            .map_or(0, |newline| newline + 1)
    };
    (line_start + error.column().saturating_sub(1)).min(record.len()) as u64
}

/// Where in the record the visitors are, to name the member in an error.
#[derive(Clone, Copy)]
enum Location {
    Image,
    Member(&'static str),
    Sentence(usize),
    Token(usize, usize),
}

impl Location {
    fn describe(self) -> String {
        match self {
            Location::Image => String::new(),
            Location::Member(name) => format!("`{name}`: "),
            Location::Sentence(sentence) => format!("sentences[{sentence}]: "),
            Location::Token(sentence, token) => {
                format!("sentences[{sentence}].tokens[{token}]: ")
            }
        }
    }
}

struct State<'b> {
    batch: &'b mut CorpusBatch,
    worker: &'b mut WorkerWords,
    fields: Fields,
    location: Location,
}

fn range(start: usize, end: usize) -> std::ops::Range<u32> {
    // A batch is about a megabyte: its positions fit in u32; the dataset checks totals.
    start as u32..end as u32
}

struct ImageSeed<'s, 'b> {
    state: &'s mut State<'b>,
    offset: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ImageKey {
    Split,
    Filepath,
    Filename,
    Cocoid,
    Imgid,
    Sentences,
    Other,
}

impl ImageKey {
    fn name(self) -> &'static str {
        match self {
            ImageKey::Split => "split",
            ImageKey::Filepath => "filepath",
            ImageKey::Filename => "filename",
            ImageKey::Cocoid => "cocoid",
            ImageKey::Imgid => "imgid",
            ImageKey::Sentences => "sentences",
            ImageKey::Other => "",
        }
    }
}

impl<'de> de::Deserialize<'de> for ImageKey {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = ImageKey;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a member name")
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<ImageKey, E> {
                Ok(match key {
                    "split" => ImageKey::Split,
                    "filepath" => ImageKey::Filepath,
                    "filename" => ImageKey::Filename,
                    "cocoid" => ImageKey::Cocoid,
                    "imgid" => ImageKey::Imgid,
                    "sentences" => ImageKey::Sentences,
                    _ => ImageKey::Other,
                })
            }
        }
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

impl<'de> DeserializeSeed<'de> for ImageSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ImageSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("an image record (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let state = self.state;
        let mut split = None;
        let mut filepath = None;
        let mut filename = None;
        let mut cocoid = None;
        let mut imgid = None;
        let mut sentences = None;
        let mut seen = [false; 6];
        while let Some(key) = map.next_key::<ImageKey>()? {
            if key != ImageKey::Other {
                let slot = &mut seen[key as usize];
                if *slot {
                    return Err(de::Error::custom(format!(
                        "duplicate member `{}`",
                        key.name()
                    )));
                }
                *slot = true;
                state.location = Location::Member(key.name());
            }
            match key {
                ImageKey::Split => split = Some(map.next_value::<SplitName>()?.0),
                ImageKey::Filepath => filepath = Some(map.next_value::<String>()?),
                ImageKey::Filename => filename = Some(map.next_value::<String>()?),
                ImageKey::Cocoid => cocoid = Some(map.next_value::<i64>()?),
                ImageKey::Imgid => imgid = Some(map.next_value::<i64>()?),
                ImageKey::Sentences => {
                    let start = state.batch.sentence_ends.len();
                    map.next_value_seed(SentencesSeed { state: &mut *state })?;
                    sentences = Some(range(start, state.batch.sentence_ends.len()));
                }
                ImageKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            state.location = Location::Image;
        }
        let split = split.ok_or_else(|| {
            de::Error::custom(
                "missing `split` (is this a Karpathy dataset file? COCO caption files are \
                 converted with `cocoprep captions karpathy`)",
            )
        })?;
        let sentences = sentences.ok_or_else(|| de::Error::custom("missing `sentences`"))?;
        if sentences.is_empty() {
            return Err(de::Error::custom("the image has no sentences"));
        }
        state.batch.images.push(KarpathyImage {
            split,
            filepath,
            filename,
            cocoid,
            imgid,
            sentences,
            offset: self.offset,
        });
        Ok(())
    }
}

/// A `split` value, read without allocating for the four known names.
pub(crate) struct SplitName(pub(crate) Split);

impl<'de> de::Deserialize<'de> for SplitName {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SplitVisitor;
        impl Visitor<'_> for SplitVisitor {
            type Value = SplitName;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a split name (a string)")
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<SplitName, E> {
                Ok(SplitName(Split::from_name(name)))
            }
        }
        deserializer.deserialize_str(SplitVisitor)
    }
}

struct SentencesSeed<'s, 'b> {
    state: &'s mut State<'b>,
}

impl<'de> DeserializeSeed<'de> for SentencesSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for SentencesSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a list of sentences")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut sentences: A) -> Result<(), A::Error> {
        let state = self.state;
        let mut index = 0;
        loop {
            state.location = Location::Sentence(index);
            let seed = SentenceSeed {
                state: &mut *state,
                index,
            };
            if sentences.next_element_seed(seed)?.is_none() {
                return Ok(());
            }
            index += 1;
        }
    }
}

struct SentenceSeed<'s, 'b> {
    state: &'s mut State<'b>,
    index: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SentenceKey {
    Tokens,
    Raw,
    Sentid,
    Other,
}

impl<'de> de::Deserialize<'de> for SentenceKey {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = SentenceKey;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a member name")
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<SentenceKey, E> {
                Ok(match key {
                    "tokens" => SentenceKey::Tokens,
                    "raw" => SentenceKey::Raw,
                    "sentid" => SentenceKey::Sentid,
                    _ => SentenceKey::Other,
                })
            }
        }
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

impl<'de> DeserializeSeed<'de> for SentenceSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SentenceSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a sentence (a JSON object with `tokens`)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let state = self.state;
        let fields = state.fields;
        let mut tokens = None;
        let mut raw = None;
        let mut sentid = None;
        while let Some(key) = map.next_key::<SentenceKey>()? {
            match key {
                SentenceKey::Tokens if fields.tokens => {
                    if tokens.is_some() {
                        return Err(de::Error::custom("duplicate member `tokens`"));
                    }
                    let start = state.batch.tokens.len();
                    map.next_value_seed(TokensSeed {
                        state: &mut *state,
                        sentence: self.index,
                    })?;
                    tokens = Some(range(start, state.batch.tokens.len()));
                    state.location = Location::Sentence(self.index);
                }
                SentenceKey::Raw if fields.raw => {
                    if raw.is_some() {
                        return Err(de::Error::custom("duplicate member `raw`"));
                    }
                    raw = Some(map.next_value::<String>()?);
                }
                SentenceKey::Sentid if fields.sentids => {
                    if sentid.is_some() {
                        return Err(de::Error::custom("duplicate member `sentid`"));
                    }
                    sentid = Some(map.next_value::<i64>()?);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        match tokens {
            Some(tokens) if tokens.is_empty() => {
                return Err(de::Error::custom(
                    "`tokens` is empty (prepro_labels.py requires every caption to have a word)",
                ));
            }
            None if fields.tokens => return Err(de::Error::custom("missing `tokens`")),
            _ => {}
        }
        let batch = &mut *state.batch;
        if fields.raw {
            batch
                .raws
                .push(raw.ok_or_else(|| de::Error::custom("missing `raw`"))?);
        }
        if fields.sentids {
            batch
                .sentids
                .push(sentid.ok_or_else(|| de::Error::custom("missing `sentid`"))?);
        }
        batch.sentence_ends.push(batch.tokens.len() as u32);
        Ok(())
    }
}

struct TokensSeed<'s, 'b> {
    state: &'s mut State<'b>,
    sentence: usize,
}

impl<'de> DeserializeSeed<'de> for TokensSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for TokensSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a list of token strings")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut tokens: A) -> Result<(), A::Error> {
        let mut index = 0;
        loop {
            self.state.location = Location::Token(self.sentence, index);
            let seed = TokenSeed {
                batch: &mut *self.state.batch,
                worker: &mut *self.state.worker,
            };
            if tokens.next_element_seed(seed)?.is_none() {
                return Ok(());
            }
            index += 1;
        }
    }
}

struct TokenSeed<'b> {
    batch: &'b mut CorpusBatch,
    worker: &'b mut WorkerWords,
}

impl<'de> DeserializeSeed<'de> for TokenSeed<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for TokenSeed<'_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a token (a string)")
    }

    fn visit_str<E: de::Error>(self, token: &str) -> Result<(), E> {
        let id = self.worker.add(&mut self.batch.words, token);
        self.batch.tokens.push(id);
        Ok(())
    }
}
