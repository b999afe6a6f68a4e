//! Format checks of single files, fast: big files are judged by their first 64 KiB (and
//! their last 4 KiB), never parsed whole (a 409 MB `dataset_coco.json` costs one read of
//! its head).

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use serde_json::Value;

use super::catalog::Format;
use crate::python_text;
use crate::video_classes::VideoDataset;

const HEAD_BYTES: usize = 64 * 1024;
const TAIL_BYTES: u64 = 4 * 1024;
/// Files up to this size are searched whole for the `info` key.
const SMALL_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// What a probe found wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Finding {
    /// The file is not in the format the loader reads.
    WrongFormat(String),
    /// A file it points to is absent (`path` relative to `open_source_dataset/`).
    MissingReferenced {
        /// What is missing.
        path: String,
        /// Why it matters.
        detail: String,
    },
}

fn wrong(message: impl Into<String>) -> Finding {
    Finding::WrongFormat(message.into())
}

fn read_head(path: &Path) -> Result<(Vec<u8>, u64), Finding> {
    let mut file =
        std::fs::File::open(path).map_err(|error| wrong(format!("cannot read it: {error}")))?;
    let size = file.metadata().map(|metadata| metadata.len()).unwrap_or(0);
    let mut head = Vec::with_capacity(HEAD_BYTES.min(size as usize));
    file.by_ref()
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|error| wrong(format!("cannot read it: {error}")))?;
    Ok((head, size))
}

fn read_tail(path: &Path, size: u64) -> Vec<u8> {
    let mut tail = Vec::new();
    if let Ok(mut file) = std::fs::File::open(path) {
        let start = size.saturating_sub(TAIL_BYTES);
        if file.seek(SeekFrom::Start(start)).is_ok() {
            let _ = file.read_to_end(&mut tail);
        }
    }
    tail
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// Parses one JSON value starting at `offset` (whatever follows it is ignored).
fn value_at(bytes: &[u8], offset: usize) -> Option<(Value, usize)> {
    let slice = bytes.get(offset..)?;
    let mut stream = serde_json::Deserializer::from_slice(slice).into_iter::<Value>();
    let value = stream.next()?.ok()?;
    Some((value, offset + stream.byte_offset()))
}

fn skip_space(bytes: &[u8], mut offset: usize) -> usize {
    while bytes.get(offset).is_some_and(u8::is_ascii_whitespace) {
        offset += 1;
    }
    offset
}

/// The first element of the array that is the value of top-level key `key`, if the head
/// holds it. `Ok(None)`: the array is empty.
fn first_element(head: &[u8], key: &str) -> Result<Option<Value>, Finding> {
    let needle = format!("\"{key}\"");
    let position = head
        .windows(needle.len())
        .position(|window| window == needle.as_bytes())
        .ok_or_else(|| wrong(format!("no `{key}` key at the start of the file")))?;
    let mut offset = skip_space(head, position + needle.len());
    if head.get(offset) != Some(&b':') {
        return Err(wrong(format!("`{key}` is not followed by a value")));
    }
    offset = skip_space(head, offset + 1);
    if head.get(offset) != Some(&b'[') {
        return Err(wrong(format!("`{key}` is not a list")));
    }
    offset = skip_space(head, offset + 1);
    if head.get(offset) == Some(&b']') {
        return Ok(None);
    }
    value_at(head, offset)
        .map(|(value, _)| Some(value))
        .ok_or_else(|| wrong(format!("the first `{key}` record is not JSON")))
}

fn require_keys(record: &Value, keys: &[&str], what: &str) -> Result<(), Finding> {
    let object = record
        .as_object()
        .ok_or_else(|| wrong(format!("the first {what} record is not an object")))?;
    let absent: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|key| !object.contains_key(*key))
        .collect();
    if absent.is_empty() {
        Ok(())
    } else {
        let found: Vec<&str> = object.keys().map(String::as_str).collect();
        Err(wrong(format!(
            "the first {what} record has no {} (keys: {})",
            absent
                .iter()
                .map(|key| format!("`{key}`"))
                .collect::<Vec<_>>()
                .join(", "),
            found.join(", ")
        )))
    }
}

/// Checks `path` (at `relative` under `open_source_dataset/`, which is `dataset_folder`)
/// against `format`.
pub fn probe(
    format: Format,
    path: &Path,
    relative: &str,
    dataset_folder: &Path,
) -> Result<(), Finding> {
    let (head, size) = read_head(path)?;
    if size == 0 {
        return Err(wrong("the file is empty"));
    }
    match format {
        Format::CocoCaptions(image_keys) => {
            if let Some(image) = first_element(&head, "images")? {
                require_keys(&image, image_keys, "`images`")?;
            }
            if contains(&head, b"\"annotations\"")
                && let Some(annotation) = first_element(&head, "annotations")?
            {
                require_keys(&annotation, &["image_id", "id", "caption"], "`annotations`")?;
            }
            let has_info = if size <= SMALL_FILE_BYTES {
                std::fs::read(path).is_ok_and(|bytes| contains(&bytes, b"\"info\""))
            } else {
                contains(&head, b"\"info\"") || contains(&read_tail(path, size), b"\"info\"")
            };
            if !has_info {
                return Err(wrong(
                    "no `info` key: pycocotools 2.0.9 and 2.0.10 `COCO.loadRes` (the caption evaluator) raise KeyError: 'info'",
                ));
            }
            Ok(())
        }
        Format::Karpathy => {
            let image =
                first_element(&head, "images")?.ok_or_else(|| wrong("`images` is empty"))?;
            require_keys(
                &image,
                &["filepath", "filename", "sentences", "split"],
                "`images`",
            )
        }
        Format::CaptionLines { image_prefix } => {
            caption_lines(&head, image_prefix, relative, dataset_folder)
        }
        Format::SbuDict => sbu_dict(&head, relative, dataset_folder),
        Format::YfccLines => yfcc_lines(&head, relative, dataset_folder),
        Format::VgCaptions => {
            let start = skip_space(&head, 0);
            let rest = &head[start..];
            if !(rest.starts_with(b"{\"phrase\"") || rest.starts_with(b"{ \"phrase\"")) {
                return Err(wrong("expected `{\"phrase\": {...}, \"subset\": {...}}`"));
            }
            if !contains(&head, b"\"subset\"") && !contains(&read_tail(path, size), b"\"subset\"") {
                return Err(wrong(
                    "no `subset` key (image paths) at the end of the file",
                ));
            }
            Ok(())
        }
        Format::FlickrLines => {
            let line = head.split(|&byte| byte == b'\n').next().unwrap_or_default();
            let record: Value = serde_json::from_slice(line)
                .map_err(|error| wrong(format!("the first line is not JSON ({error})")))?;
            require_keys(&record, &["sentences", "id", "img_path"], "jsonline")
        }
        Format::CategoryMapping(expected) => category_mapping(path, expected),
        Format::VideoAnnotation(dataset) => {
            let start = skip_space(&head, 0);
            if !head[start..].starts_with(b"{\"database\": {") {
                return Err(wrong(
                    "expected `{\"database\": {\"<video file>\": {...}}}`",
                ));
            }
            video_annotation(dataset, path, relative, dataset_folder)
        }
        Format::ImageList(stage) => image_list(&head, stage, dataset_folder),
        Format::Imagenet22kList => {
            let text = String::from_utf8_lossy(&head);
            let line = text.lines().next().unwrap_or_default();
            let fields: Vec<&str> = line.split(' ').collect();
            if fields.len() != 3 || python_text::parse_int(fields[2]).is_none() {
                return Err(wrong(format!(
                    "expected `<wnid> <num> <class id>` lines, found {line:?}"
                )));
            }
            let image = format!(
                "{}/{wnid}/{wnid}_{}{}",
                crate::imagenet22k::DIR,
                fields[1],
                crate::imagenet22k::EXTENSION,
                wnid = fields[0]
            );
            if !dataset_folder.join(&image).is_file() {
                return Err(Finding::MissingReferenced {
                    path: image,
                    detail: "the first image of the list is not where the loader opens it \
                             (imagenet22k/<wnid>/<wnid>_<num>.JPEG)"
                        .to_owned(),
                });
            }
            Ok(())
        }
        Format::BookswikiV2 => match crate::bookswiki::recorded_line_count(path) {
            // Counting 244M lines means reading the whole corpus (tens of GB); the count
            // cocoprep recorded when it wrote the file is used while the size still matches.
            // A corpus from elsewhere has no record and is not judged by its length.
            Some(lines) if lines != crate::bookswiki::V2_LINES => Err(wrong(format!(
                "{lines} non-empty lines, but the v2 loader hard-codes {} (general_corpus.py): \
                 it never reads lines past that, and a shorter corpus leaves the last ranks \
                 short or empty",
                crate::bookswiki::V2_LINES
            ))),
            _ => Ok(()),
        },
        Format::GlueTsv => {
            let line = head.split(|&byte| byte == b'\n').next().unwrap_or_default();
            let first = String::from_utf8_lossy(
                line.split(|&byte| byte == b'\t').next().unwrap_or_default(),
            );
            if ["id", "index", "Quality", "sentence"].contains(&first.trim()) {
                return Err(wrong(format!(
                    "the first line is the raw header (`{first}`...): fairseq's preprocessing removes it"
                )));
            }
            Ok(())
        }
        Format::Pickle => {
            if head.first() != Some(&0x80) {
                return Err(wrong("not a pickle (protocol 2 or later)"));
            }
            Ok(())
        }
        Format::Json => {
            let start = skip_space(&head, 0);
            if !matches!(head.get(start), Some(b'{' | b'[')) {
                return Err(wrong("not a JSON document"));
            }
            Ok(())
        }
        Format::Text => Ok(()),
    }
}

/// The first lines (up to 5) of YFCC's JSON lines: `image` a string (the loader drops
/// `.zip@` and joins it to `yfcc/`), `caption` a string or a token list, `title` and
/// `description` strings; the first record's image must be there.
fn yfcc_lines(head: &[u8], relative: &str, dataset_folder: &Path) -> Result<(), Finding> {
    let folder = relative.rsplit_once('/').map_or("", |(folder, _)| folder);
    let lines: Vec<&[u8]> = head.split(|&byte| byte == b'\n').collect();
    let complete = &lines[..lines.len().saturating_sub(1).max(1)];
    let mut checked = 0;
    for (index, line) in complete.iter().take(5).enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let record: Value = serde_json::from_slice(line)
            .map_err(|error| wrong(format!("line {} is not JSON ({error})", index + 1)))?;
        let image = record["image"]
            .as_str()
            .ok_or_else(|| wrong(format!("line {} has no `image` string", index + 1)))?;
        if !(record["caption"].is_string() || record["caption"].is_array()) {
            return Err(wrong(format!(
                "line {} has no `caption` (a string or a token list)",
                index + 1
            )));
        }
        for key in ["title", "description"] {
            if !record[key].is_string() {
                return Err(wrong(format!(
                    "line {} has no `{key}` string (RANDOM_CAPTION picks the title or the \
                     description of each record)",
                    index + 1
                )));
            }
        }
        if checked == 0 {
            let path = image.replace(".zip@", "");
            let path = format!("{folder}/{}", path.trim_matches(|c| c == '.' || c == '/'));
            if !dataset_folder.join(&path).is_file() {
                return Err(Finding::MissingReferenced {
                    path,
                    detail:
                        "the first record's image is not where the loader opens it (yfcc/<image>)"
                            .to_owned(),
                });
            }
        }
        checked += 1;
    }
    if checked == 0 {
        return Err(wrong("no JSON line in the first 64 KiB"));
    }
    Ok(())
}

fn caption_lines(
    head: &[u8],
    image_prefix: &str,
    relative: &str,
    dataset_folder: &Path,
) -> Result<(), Finding> {
    let folder = relative.rsplit_once('/').map_or("", |(folder, _)| folder);
    let lines: Vec<&[u8]> = head.split(|&byte| byte == b'\n').collect();
    // The last piece may be cut by the head's end.
    let complete = if lines.len() > 1 {
        &lines[..lines.len() - 1]
    } else {
        &lines[..]
    };
    let mut checked = 0;
    for (index, line) in complete.iter().take(5).enumerate() {
        if line.is_empty() {
            continue;
        }
        let record: Value = serde_json::from_slice(line)
            .map_err(|error| wrong(format!("line {} is not JSON ({error})", index + 1)))?;
        let image = record["image"]
            .as_str()
            .ok_or_else(|| wrong(format!("line {} has no `image` string", index + 1)))?;
        let caption = record["caption"]
            .as_array()
            .ok_or_else(|| wrong(format!("line {} has no `caption` token list", index + 1)))?;
        let text: Vec<&str> = caption.iter().filter_map(Value::as_str).collect();
        let joined = text.join(" ");
        if joined.starts_with("http://") || joined.starts_with("https://") || image.contains("://")
        {
            return Err(wrong(format!(
                "line {} has a URL as its caption ({:?}): the TSV's columns were read the wrong way \
                 round (CC3M is `caption\\turl`, CC12M is `url\\tcaption`; Uni-Perceiver's CC12M \
                 scripts swap them)",
                index + 1,
                truncate(&joined, 60)
            )));
        }
        let number = image
            .strip_prefix(image_prefix)
            .and_then(|rest| {
                rest.strip_prefix(".zip@/")
                    .or_else(|| rest.strip_prefix('/'))
            })
            .and_then(|rest| rest.strip_suffix(".jpg"))
            .filter(|digits| digits.len() == 8 && digits.bytes().all(|byte| byte.is_ascii_digit()));
        let Some(number) = number else {
            return Err(wrong(format!(
                "line {} has image {image:?}, expected `{image_prefix}.zip@/<8 digits>.jpg`",
                index + 1
            )));
        };
        if checked == 0 {
            let in_folder = format!("{folder}/{image_prefix}/{number}.jpg");
            let zip = format!("{folder}/{image_prefix}.zip");
            if !dataset_folder.join(&in_folder).is_file() && !dataset_folder.join(&zip).is_file() {
                return Err(Finding::MissingReferenced {
                    path: in_folder,
                    detail: format!(
                        "the first record's image is neither in `{folder}/{image_prefix}/` nor in `{zip}`"
                    ),
                });
            }
        }
        checked += 1;
    }
    if checked == 0 {
        return Err(wrong("no JSON line in the first 64 KiB"));
    }
    Ok(())
}

fn truncate(text: &str, characters: usize) -> String {
    text.chars().take(characters).collect()
}

fn sbu_dict(head: &[u8], relative: &str, dataset_folder: &Path) -> Result<(), Finding> {
    let start = skip_space(head, 0);
    if head.get(start) != Some(&b'{') {
        return Err(wrong(
            "expected a JSON object `{\"<image name>\": \"<caption>\", ...}`",
        ));
    }
    let offset = skip_space(head, start + 1);
    if head.get(offset) == Some(&b'}') {
        return Err(wrong("the object is empty"));
    }
    let (key, after_key) =
        value_at(head, offset).ok_or_else(|| wrong("the first key is not a string"))?;
    let key = key.as_str().unwrap_or_default().to_owned();
    let value_start = skip_space(head, skip_space(head, after_key) + 1);
    let (value, _) =
        value_at(head, value_start).ok_or_else(|| wrong("the first value is not JSON"))?;
    if !value.is_string() {
        return Err(wrong(format!("the caption of `{key}` is not a string")));
    }
    // `os.path.join(FEATS_FOLDER, str(key).strip('./'))` with FEATS_FOLDER `sbucaption/`.
    let image = key.trim_matches(['.', '/']);
    let sbu_folder = relative.split('/').next().unwrap_or("sbucaption");
    let opened = format!("{sbu_folder}/{image}");
    if !dataset_folder.join(&opened).is_file() {
        let in_images = format!("{sbu_folder}/images/{image}");
        let detail = if dataset_folder.join(&in_images).is_file() {
            format!(
                "the loader opens `{opened}` (FEATS_FOLDER + key) but the image is in `{in_images}`: \
                 write the keys as `images/<name>` or move the images up into `{sbu_folder}/`"
            )
        } else {
            format!("the first key's image `{opened}` is not there")
        };
        return Err(Finding::MissingReferenced {
            path: opened,
            detail,
        });
    }
    Ok(())
}

fn category_mapping(path: &Path, expected: usize) -> Result<(), Finding> {
    let bytes = std::fs::read(path).map_err(|error| wrong(format!("cannot read it: {error}")))?;
    let text = String::from_utf8_lossy(&bytes);
    let lines = python_text::lines(&text);
    for (index, line) in lines.iter().enumerate() {
        // `class_name, idx = line.strip().split('\t')`.
        let fields: Vec<&str> = python_text::python_strip(line).split('\t').collect();
        if fields.len() != 2 || python_text::parse_int(fields[1]).is_none() {
            return Err(wrong(format!(
                "line {} is {line:?}, expected `<class name>\\t<index>`",
                index + 1
            )));
        }
    }
    if lines.len() != expected {
        return Err(wrong(format!(
            "{} classes, expected {expected}",
            lines.len()
        )));
    }
    Ok(())
}

fn image_list(head: &[u8], stage: &str, dataset_folder: &Path) -> Result<(), Finding> {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default().to_owned();
    for (index, line) in std::iter::once(first.as_str())
        .chain(lines.take(4))
        .enumerate()
    {
        let fields: Vec<&str> = line.split(' ').collect();
        if fields.len() != 2 || python_text::parse_int(fields[1]).is_none() {
            return Err(wrong(format!(
                "line {} is {line:?}, expected `<path> <class id>` (one space)",
                index + 1
            )));
        }
    }
    let relative_image = first.split(' ').next().unwrap_or_default();
    let image = format!("imagenet/{stage}/{relative_image}");
    if !dataset_folder.join(&image).is_file() {
        return Err(Finding::MissingReferenced {
            path: image,
            detail: format!("the first listed image is not at `imagenet/{stage}/<path>`"),
        });
    }
    Ok(())
}

/// The label folders of a video split: space-form names (which the loader's assertion
/// rejects) and names that are not classes at all.
pub fn label_folders(dataset: VideoDataset, split_dir: &Path) -> Result<(), Finding> {
    let accepted: std::collections::HashSet<String> =
        dataset.accepted_labels().into_iter().collect();
    let mut spaced = Vec::new();
    let mut unknown = Vec::new();
    let mut count = 0;
    let entries =
        std::fs::read_dir(split_dir).map_err(|error| wrong(format!("cannot read it: {error}")))?;
    for entry in entries.flatten() {
        if !entry.path().is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        count += 1;
        if accepted.contains(&name) {
            continue;
        }
        if name.contains(' ') && accepted.contains(&dataset.folder_name(&name).replace(' ', "_")) {
            spaced.push(name);
        } else {
            unknown.push(name);
        }
    }
    spaced.sort();
    unknown.sort();
    let examples = |names: &[String]| {
        names
            .iter()
            .take(3)
            .map(|name| format!("`{name}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut messages = Vec::new();
    if !spaced.is_empty() {
        messages.push(format!(
            "{} label folders have spaces (e.g. {}): the loader asserts the `{}` form",
            spaced.len(),
            examples(&spaced),
            if dataset == VideoDataset::MomentsInTime {
                "+"
            } else {
                "_"
            },
        ));
    }
    if !unknown.is_empty() {
        messages.push(format!(
            "{} folders are not {} classes of category_mapping.txt (e.g. {})",
            unknown.len(),
            dataset.title(),
            examples(&unknown)
        ));
    }
    if !messages.is_empty() {
        return Err(wrong(messages.join("; ")));
    }
    if count == 0 {
        return Err(wrong("no label folders"));
    }
    Ok(())
}

/// One `annotation.json` record as `video_raw.py` reads it.
#[derive(serde::Deserialize)]
struct VideoRecord {
    subset: String,
    annotations: VideoLabel,
}

#[derive(serde::Deserialize)]
struct VideoLabel {
    label: String,
}

#[derive(serde::Deserialize)]
struct VideoDatabase {
    database: std::collections::BTreeMap<String, VideoRecord>,
}

/// Every record of a video `annotation.json`: its label must be one the loader asserts
/// (a `category_mapping.txt` name with spaces as `_`) and its video must be at
/// `<dataset>/<subset>/<label>/<file>`. The file (tens of MB for Kinetics-700) is parsed
/// once and each video costs one `stat`; the first bad record is named with the count.
fn video_annotation(
    dataset: VideoDataset,
    path: &Path,
    relative: &str,
    dataset_folder: &Path,
) -> Result<(), Finding> {
    let file =
        std::fs::File::open(path).map_err(|error| wrong(format!("cannot read it: {error}")))?;
    let VideoDatabase { database } =
        serde_json::from_reader(std::io::BufReader::with_capacity(1 << 20, file)).map_err(
            |error| {
                wrong(format!(
                    "not `{{\"database\": {{\"<video file>\": {{\"subset\": ..., \"annotations\": {{\"label\": ...}}}}}}}}` ({error})"
                ))
            },
        )?;
    if database.is_empty() {
        return Err(wrong("`database` is empty"));
    }
    let accepted: std::collections::HashSet<String> =
        dataset.accepted_labels().into_iter().collect();
    let unknown: Vec<&str> = database
        .values()
        .map(|record| record.annotations.label.as_str())
        .filter(|label| !accepted.contains(*label))
        .collect();
    if let Some(label) = unknown.first() {
        return Err(wrong(format!(
            "{} of {} records have a label that is not a {} class in the loader's form, e.g. \
             `{label}` (written before the label folders were renamed?)",
            unknown.len(),
            database.len(),
            dataset.title()
        )));
    }
    let folder = relative.rsplit_once('/').map_or("", |(folder, _)| folder);
    let missing: Vec<String> = database
        .iter()
        .map(|(name, record)| {
            format!(
                "{folder}/{}/{}/{name}",
                record.subset, record.annotations.label
            )
        })
        .filter(|video| !dataset_folder.join(video).is_file())
        .collect();
    if let Some(video) = missing.first() {
        return Err(Finding::MissingReferenced {
            path: video.clone(),
            detail: format!(
                "{} of {} videos of annotation.json are not where the loader opens them \
                 (<dataset>/<subset>/<label>/<file>); this is the first by name",
                missing.len(),
                database.len()
            ),
        });
    }
    Ok(())
}
