//! The shared target sets of Uni-Perceiver's `tools/generate_target_sets.ipynb`: lists of
//! class names, each encoded as `name + " <|endoftext|>"`, pickled as
//! `{'data': [tensor, ...], 'modality': 'text'}` under the file names the configs read.

use std::path::{Path, PathBuf};

use cocoprep_formats::pickle::Pickle;

use crate::error::Error;
use crate::tokenizer::{ClipTokenizer, END_OF_TEXT, VOCAB_SIZE};
use crate::torch_pickle::TargetEntry;

/// What every name is followed by before encoding.
pub const END_OF_TEXT_SUFFIX: &str = " <|endoftext|>";

/// The built-in name lists (one name per line), from the notebook's hard-coded lists.
pub const IMAGENET1K_NAMES: &str = include_str!("../data/names/imagenet1k.txt");
/// Kinetics-400 class names.
pub const K400_NAMES: &str = include_str!("../data/names/k400.txt");
/// Kinetics-700 class names.
pub const K700_NAMES: &str = include_str!("../data/names/k700.txt");
/// Moments in Time class names (with spaces).
pub const MIT_NAMES: &str = include_str!("../data/names/mit.txt");

/// GLUE's class names per task ("the order is crucial").
pub const GLUE_CLASSES: [(&str, &[&str]); 7] = [
    ("SST-2", &["bad", "wonderful"]),
    ("CoLA", &["incorrect", "correct"]),
    ("RTE", &["no", "yes"]),
    ("MRPC", &["no", "yes"]),
    ("QQP", &["no", "yes"]),
    ("QNLI", &["no", "yes"]),
    ("MNLI", &["no", "maybe", "yes"]),
];

/// A target set, by the name `cocoprep targets` takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    /// ImageNet-1k, 1000 names.
    Imagenet1k,
    /// Kinetics-400.
    K400,
    /// Kinetics-700.
    K700,
    /// Moments in Time.
    Mit,
    /// Every vocabulary id followed by `<|endoftext|>`.
    Vocab,
    /// The seven GLUE tasks' class names.
    Glue,
    /// ImageNet-22k synonyms, from an input file.
    Imagenet22k,
    /// VQA answers, from `trainval_label2ans.pkl`.
    Vqa,
}

impl Preset {
    /// The name `cocoprep targets` takes.
    pub fn name(self) -> &'static str {
        match self {
            Self::Imagenet1k => "imagenet1k",
            Self::K400 => "k400",
            Self::K700 => "k700",
            Self::Mit => "mit",
            Self::Vocab => "vocab",
            Self::Glue => "glue",
            Self::Imagenet22k => "imagenet22k",
            Self::Vqa => "vqa",
        }
    }
}

/// One file of a target set: where it goes under the output folder, and its data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetFile {
    /// Relative to the output folder (`open_source_dataset/` in Uni-Perceiver's layout).
    pub path: PathBuf,
    /// The `data` list.
    pub data: Vec<TargetEntry>,
}

/// The lines of a names file: one name per line (a trailing newline ends the last name;
/// `\r\n` ends are accepted).
pub fn names(text: &str) -> Vec<&str> {
    text.lines().collect()
}

/// `tokenizer.encode(name + " <|endoftext|>")` as `int64` ids.
pub fn encode_name(tokenizer: &ClipTokenizer, name: &str) -> Vec<i64> {
    tokenizer
        .encode(&format!("{name}{END_OF_TEXT_SUFFIX}"))
        .into_iter()
        .map(i64::from)
        .collect()
}

/// Each name encoded with [`encode_name`], in parallel ([`ClipTokenizer::encode_batch`]).
pub fn encode_names(tokenizer: &ClipTokenizer, names: &[&str]) -> Vec<Vec<i64>> {
    tokenizer.encode_batch_with_suffix(names, END_OF_TEXT_SUFFIX)
}

/// `[[id, 49407] for id in 0..49411]`.
pub fn vocab_ids() -> Vec<Vec<i64>> {
    (0..VOCAB_SIZE as i64)
        .map(|id| vec![id, i64::from(END_OF_TEXT)])
        .collect()
}

/// The files of `preset`; `input` is the file ImageNet-22k (names, one class per line,
/// synonyms separated by tabs) and VQA (`trainval_label2ans.pkl`) are read from.
pub fn build(
    tokenizer: &ClipTokenizer,
    preset: Preset,
    input: Option<&Path>,
) -> Result<Vec<TargetFile>, Error> {
    let tensors = |ids: Vec<Vec<i64>>| ids.into_iter().map(TargetEntry::Tensor).collect();
    let single = |file: &str, list: &str| {
        vec![TargetFile {
            path: PathBuf::from(file),
            data: tensors(encode_names(tokenizer, &names(list))),
        }]
    };
    Ok(match preset {
        Preset::Imagenet1k => single(
            "imagenet_class_name_CLIP_with_endoftext.pkl",
            IMAGENET1K_NAMES,
        ),
        Preset::K400 => single("k400_class_name_CLIP_with_endoftext.pkl", K400_NAMES),
        Preset::K700 => single("k700_class_name_CLIP_with_endoftext.pkl", K700_NAMES),
        Preset::Mit => single("MiT_class_name_CLIP_with_endoftext.pkl", MIT_NAMES),
        Preset::Vocab => vec![TargetFile {
            path: PathBuf::from("vocabulary_CLIP_with_endoftext.pkl"),
            data: tensors(vocab_ids()),
        }],
        Preset::Glue => GLUE_CLASSES
            .iter()
            .map(|(task, classes)| TargetFile {
                path: Path::new("GLUE_classnames")
                    .join(format!("{task}_class_name_CLIP_with_endoftext.pkl")),
                data: tensors(encode_names(tokenizer, classes)),
            })
            .collect(),
        Preset::Imagenet22k => {
            let path = required(input, preset)?;
            let text = read_to_string(path)?;
            let data = names(&text)
                .into_iter()
                .map(|line| {
                    let synonyms: Vec<&str> = line.split('\t').collect();
                    TargetEntry::Synonyms(encode_names(tokenizer, &synonyms))
                })
                .collect();
            vec![TargetFile {
                path: PathBuf::from("imagenet_22k_class_name_CLIP_with_endoftext.pkl"),
                data,
            }]
        }
        Preset::Vqa => {
            let path = required(input, preset)?;
            let answers = read_label2ans(path)?;
            let answers: Vec<&str> = answers.iter().map(String::as_str).collect();
            vec![TargetFile {
                path: PathBuf::from("VQA_Answers_CLIP_with_endoftext.pkl"),
                data: tensors(encode_names(tokenizer, &answers)),
            }]
        }
    })
}

fn required(input: Option<&Path>, preset: Preset) -> Result<&Path, Error> {
    input.ok_or(Error::MissingInput {
        preset: preset.name(),
    })
}

fn read_to_string(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })
}

/// `trainval_label2ans.pkl`: a pickled list of answer strings (element 0 is `''`).
pub fn read_label2ans(path: &Path) -> Result<Vec<String>, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    let invalid = |source| Error::Label2Ans {
        path: path.to_owned(),
        source,
    };
    let pickle = Pickle::parse(&bytes).map_err(invalid)?;
    pickle
        .root()
        .as_sequence()
        .map_err(invalid)?
        .iter()
        .map(|answer| {
            answer
                .as_str()
                .map(|answer| answer.into_owned())
                .map_err(invalid)
        })
        .collect()
}

/// Writes a target set's pickle atomically.
pub fn write(path: &Path, data: &[TargetEntry]) -> Result<(), Error> {
    let write_error = |source| Error::Write {
        path: path.to_owned(),
        source,
    };
    // Streamed through the buffered temporary file: a list of 600k names makes a 244 MB
    // pickle, which need not be held in memory first.
    let file = cocoprep_base::AtomicFile::create(path).map_err(write_error)?;
    crate::torch_pickle::write_target_set(file, data)
        .and_then(cocoprep_base::AtomicFile::commit)
        .map_err(write_error)
}

/// Writes a target set's pickle and, when `json` is given, its [`data_json`] text there,
/// both atomically. The two are made and written at the same time: while one waits for its
/// file to reach the disk, the other's bytes are being made.
pub fn write_with_json(
    path: &Path,
    data: &[TargetEntry],
    json: Option<&Path>,
) -> Result<(), Error> {
    let (pickle, json) = rayon::join(
        || write(path, data),
        || {
            json.map_or(Ok(()), |json| {
                cocoprep_base::AtomicFile::create(json)
                    .and_then(|file| write_data_json(file, data))
                    .and_then(cocoprep_base::AtomicFile::commit)
                    .map_err(|source| Error::Write {
                        path: json.to_owned(),
                        source,
                    })
            })
        },
    );
    pickle.and(json)
}

/// A target set's `data` as JSON in Python's `json.dumps` form: a list of id lists, or
/// of lists of id lists for synonym sets.
pub fn data_json(data: &[TargetEntry]) -> String {
    let bytes = write_data_json(Vec::with_capacity(data.len() * 64 + 2), data)
        .expect("writing to a Vec cannot fail");
    String::from_utf8(bytes).expect("the JSON of integer lists is ASCII")
}

/// Entries whose JSON text one parallel task makes.
const JSON_CHUNK_ENTRIES: usize = 4096;
/// Chunks made in parallel before they are written (written while the next group is made).
const JSON_CHUNKS_PER_GROUP: usize = 16;

/// Writes [`data_json`]'s text to `out`, made in chunks on the rayon pool and written in
/// order.
pub fn write_data_json<W: std::io::Write + Send>(
    mut out: W,
    data: &[TargetEntry],
) -> std::io::Result<W> {
    use rayon::prelude::*;
    out.write_all(b"[")?;
    let mut pending: Vec<Vec<u8>> = Vec::new();
    let group_entries = JSON_CHUNK_ENTRIES * JSON_CHUNKS_PER_GROUP;
    for (group_index, group) in data.chunks(group_entries).enumerate() {
        let (written, made) = rayon::join(
            || pending.iter().try_for_each(|chunk| out.write_all(chunk)),
            || {
                group
                    .par_chunks(JSON_CHUNK_ENTRIES)
                    .enumerate()
                    .map(|(chunk_index, chunk)| {
                        let first = group_index == 0 && chunk_index == 0;
                        let mut text = Vec::with_capacity(chunk.len() * 64);
                        for (index, entry) in chunk.iter().enumerate() {
                            if !(first && index == 0) {
                                text.extend_from_slice(b", ");
                            }
                            match entry {
                                TargetEntry::Tensor(ids) => push_list(&mut text, ids),
                                TargetEntry::Synonyms(lists) => push_lists(&mut text, lists),
                            }
                        }
                        text
                    })
                    .collect()
            },
        );
        written?;
        pending = made;
    }
    pending.iter().try_for_each(|chunk| out.write_all(chunk))?;
    out.write_all(b"]")?;
    Ok(out)
}

/// The data as the JSON text Python's `json.dumps(list_of_id_lists)` writes (separators
/// `", "`), what the spec's whole-set checksums hash.
pub fn ids_json(ids: &[Vec<i64>]) -> String {
    let mut out = Vec::with_capacity(ids.len() * 64 + 2);
    push_lists(&mut out, ids);
    String::from_utf8(out).expect("the JSON of integer lists is ASCII")
}

fn push_lists(out: &mut Vec<u8>, lists: &[Vec<i64>]) {
    out.push(b'[');
    for (index, list) in lists.iter().enumerate() {
        if index > 0 {
            out.extend_from_slice(b", ");
        }
        push_list(out, list);
    }
    out.push(b']');
}

/// `ids` as a JSON list (`[1, 2]`), appended to `out`.
pub(crate) fn push_list<I: itoa::Integer + Copy>(out: &mut Vec<u8>, ids: &[I]) {
    let mut buffer = itoa::Buffer::new();
    out.push(b'[');
    for (index, &id) in ids.iter().enumerate() {
        if index > 0 {
            out.extend_from_slice(b", ");
        }
        out.extend_from_slice(buffer.format(id).as_bytes());
    }
    out.push(b']');
}

#[cfg(test)]
mod tests {
    use super::{TargetEntry, data_json};

    #[test]
    fn parallel_json_chunks_join_into_python_json_dumps_text() {
        // Across chunk (4096) and group (65,536) boundaries.
        for count in [0_i64, 1, 4097, 70_000] {
            let data: Vec<TargetEntry> = (0..count)
                .map(|index| match index % 3 {
                    0 => TargetEntry::Tensor(vec![index, -5, 49407]),
                    1 => TargetEntry::Synonyms(vec![vec![index], Vec::new()]),
                    _ => TargetEntry::Tensor(Vec::new()),
                })
                .collect();
            let expected = format!(
                "[{}]",
                data.iter()
                    .map(|entry| match entry {
                        TargetEntry::Tensor(ids) => format!("{ids:?}"),
                        TargetEntry::Synonyms(lists) => format!("{lists:?}"),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            assert!(data_json(&data) == expected, "{count} entries");
        }
    }
}
