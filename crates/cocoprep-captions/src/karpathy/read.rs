//! Reading a Karpathy dataset file into a [`KarpathyDataset`].

use std::path::Path;

use cocoprep_base::position::{Locator, SourcePosition};
use cocoprep_base::progress::{ProgressUnit, Reporter};
use cocoprep_base::threads::worker_count;
use cocoprep_coco::json_split::{BatchParser, ScanError};

use super::KarpathyDataset;
use super::interner::WordMerger;
use super::pipeline::{DocumentError, Members, RecordFailure, read_document};
use super::record::{CorpusBatch, CorpusParser, Fields};
use crate::error::{Error, ImageRef};
use crate::words::Words;

/// How to read.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Worker threads for parsing; 0 = as many as the rayon pool the call runs in has.
    pub jobs: usize,
    /// Which sentence members to keep.
    pub fields: Fields,
}

/// Reads a Karpathy dataset file (`dataset_coco.json` and its Flickr siblings).
///
/// Every image must have a `split` and at least one sentence; with [`Fields::tokens`],
/// every sentence must have a non-empty `tokens` list of strings. The first record that
/// breaks a rule is reported with its position, index, `cocoid` and `filename`.
pub fn read_karpathy(
    path: &Path,
    options: &ReadOptions,
    reporter: &dyn Reporter,
) -> Result<KarpathyDataset, Error> {
    let mut dataset = KarpathyDataset {
        path: path.to_owned(),
        images: Vec::new(),
        sentence_starts: vec![0],
        raws: Vec::new(),
        sentids: Vec::new(),
        tokens: Vec::new(),
        words: Words::default(),
        members: Vec::new(),
    };
    let parser = CorpusParser {
        fields: options.fields,
    };
    let mut merger = WordMerger::default();
    let mut overflow = false;
    let members = read_with_progress(path, options.jobs, reporter, &parser, &mut |batch| {
        overflow |= merge(&mut dataset, &mut merger, batch).is_none();
    })?;
    if overflow {
        return Err(Error::Invalid {
            path: path.to_owned(),
            message: "more than 2^32 sentences or tokens".to_owned(),
        });
    }
    dataset.members = members;
    Ok(dataset)
}

/// Runs the pipeline over `path` with a progress task, turning failures into [`Error`]s.
pub(crate) fn read_with_progress<P: BatchParser<Error = RecordFailure>>(
    path: &Path,
    jobs: usize,
    reporter: &dyn Reporter,
    parser: &P,
    on_batch: &mut dyn FnMut(P::Output),
) -> Result<Members, Error> {
    let io_error = |source| Error::Read {
        path: path.to_owned(),
        source,
    };
    let file = fs_err::File::open(path).map_err(io_error)?;
    let length = file.metadata().map_err(io_error)?.len();
    let task = reporter.on_task_start(
        &format!("reading {}", path.display()),
        Some(length),
        ProgressUnit::Bytes,
    );
    let mut reported = 0u64;
    let mut on_progress = |offset: u64| {
        reporter.on_task_progress(task, offset.saturating_sub(reported));
        reported = reported.max(offset);
    };
    let result = read_document(file, worker_count(jobs), parser, on_batch, &mut on_progress);
    reporter.on_task_complete(task);
    result.map_err(|error| document_error(path, error))
}

/// Appends a batch, turning its word ids into the dataset's. `None` on u32 overflow.
fn merge(dataset: &mut KarpathyDataset, merger: &mut WordMerger, batch: CorpusBatch) -> Option<()> {
    let CorpusBatch {
        images,
        sentence_ends,
        raws,
        sentids,
        tokens,
        words,
    } = batch;
    let sentence_base = u32::try_from(dataset.sentence_starts.len() - 1).ok()?;
    let token_base = u32::try_from(dataset.tokens.len()).ok()?;
    merger.merge(&mut dataset.words, &words, &tokens, &mut dataset.tokens);
    u32::try_from(dataset.tokens.len()).ok()?;
    dataset
        .sentence_starts
        .extend(sentence_ends.iter().map(|&end| end + token_base));
    dataset.raws.extend(raws);
    dataset.sentids.extend(sentids);
    u32::try_from(dataset.sentence_starts.len()).ok()?;
    dataset.images.extend(images.into_iter().map(|mut image| {
        image.sentences =
            image.sentences.start + sentence_base..image.sentences.end + sentence_base;
        image
    }));
    Some(())
}

fn document_error(path: &Path, error: DocumentError) -> Error {
    match error {
        DocumentError::Scan(error) => {
            if let ScanError::Io(source) = error {
                return Error::Read {
                    path: path.to_owned(),
                    source,
                };
            }
            let SourcePosition { line, column } =
                Locator::File(path).position(error.offset().unwrap_or(0));
            Error::Syntax {
                path: path.to_owned(),
                line,
                column,
                message: error.to_string(),
            }
        }
        DocumentError::Record(failure) => {
            let SourcePosition { line, column } = Locator::File(path).position(failure.offset);
            Error::Image {
                path: path.to_owned(),
                line,
                column,
                image: identify(failure.index, &failure.bytes),
                message: failure.message,
            }
        }
        DocumentError::Member {
            key,
            offset,
            message,
        } => {
            let SourcePosition { line, column } = Locator::File(path).position(offset);
            Error::Syntax {
                path: path.to_owned(),
                line,
                column,
                message: format!("`{key}`: {message}"),
            }
        }
        DocumentError::NoImages => Error::NoImages {
            path: path.to_owned(),
        },
        DocumentError::DuplicateImages { offset } => {
            let SourcePosition { line, column } = Locator::File(path).position(offset);
            Error::Syntax {
                path: path.to_owned(),
                line,
                column,
                message: "`images` appears twice".to_owned(),
            }
        }
    }
}

/// Names a record that failed to parse, from whatever of it can be read.
fn identify(index: usize, bytes: &[u8]) -> ImageRef {
    let text = String::from_utf8_lossy(bytes);
    let value = serde_json::from_str::<serde_json::Value>(&text).ok();
    let member = |key: &str| value.as_ref().and_then(|value| value.get(key));
    // A COCO image record (a common mistake) names itself with `id` and `file_name`.
    ImageRef {
        index,
        cocoid: member("cocoid")
            .or_else(|| member("id"))
            .and_then(|cocoid| cocoid.as_i64()),
        filename: member("filename")
            .or_else(|| member("file_name"))
            .and_then(|filename| filename.as_str())
            .map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cocoprep_base::progress::NoReporter;

    fn read_text(text: &str, jobs: usize) -> Result<KarpathyDataset, Error> {
        let folder = cocoprep_test::temp_dir();
        let path = folder.path().join("dataset.json");
        std::fs::write(&path, text).unwrap();
        let options = ReadOptions {
            jobs,
            fields: Fields {
                tokens: true,
                raw: true,
                sentids: true,
            },
        };
        read_karpathy(&path, &options, &NoReporter)
    }

    #[test]
    fn tokens_are_interned_in_first_occurrence_order() {
        let text = r#"{"images": [
            {"split": "train", "cocoid": 1, "sentences": [
                {"tokens": ["a", "dog"], "raw": "A dog", "sentid": 5}]},
            {"split": "restval", "cocoid": 2, "sentences": [
                {"tokens": ["a", "caf\u00e9"], "raw": "a caf\u00e9", "sentid": 6},
                {"tokens": ["dog"], "raw": "dog", "sentid": 7}]}
        ], "dataset": "coco"}"#;
        for jobs in [1, 3] {
            let dataset = read_text(text, jobs).unwrap();
            let words: Vec<_> = dataset.words().iter().map(|(_, w, c)| (w, c)).collect();
            assert_eq!(words, vec![("a", 2), ("dog", 2), ("caf\u{e9}", 1)]);
            let image = &dataset.images()[1];
            assert_eq!(image.split, super::super::Split::Restval);
            let sentences: Vec<_> = dataset.sentences(image).collect();
            assert_eq!(sentences.len(), 2);
            assert_eq!(sentences[1].sentid(), Some(7));
            assert_eq!(sentences[0].raw(), Some("a caf\u{e9}"));
            let tokens: Vec<_> = sentences[0]
                .tokens()
                .iter()
                .map(|&id| dataset.words().word(id))
                .collect();
            assert_eq!(tokens, vec!["a", "caf\u{e9}"]);
            assert_eq!(dataset.member("dataset"), Some("\"coco\""));
        }
    }

    #[test]
    fn bad_records_are_named_with_their_position() {
        let cases = [
            (
                r#"{"images": [{"split": "train", "cocoid": 7, "filename": "x.jpg", "sentences": []}]}"#,
                "1:13: images[0] (cocoid 7, `x.jpg`): the image has no sentences",
            ),
            (
                r#"{"images": [{"split": "train", "cocoid": 7, "sentences": [{"raw": "x", "sentid": 1}]}]}"#,
                "images[0] (cocoid 7): sentences[0]: missing `tokens`",
            ),
            (
                r#"{"images": [{"split": "train", "cocoid": 7, "sentences": [{"tokens": [], "raw": "", "sentid": 1}]}]}"#,
                "images[0] (cocoid 7): sentences[0]: `tokens` is empty",
            ),
            (
                r#"{"images": [{"split": "train", "cocoid": 7, "sentences": [{"tokens": ["a", 5], "raw": "", "sentid": 1}]}]}"#,
                "images[0] (cocoid 7): sentences[0].tokens[1]: invalid type: integer `5`, expected a token (a string)",
            ),
            (
                r#"{"images": [{"cocoid": 7, "sentences": [{"tokens": ["a"], "raw": "", "sentid": 1}]}]}"#,
                "images[0] (cocoid 7): missing `split`",
            ),
        ];
        for (text, expected) in cases {
            let message = read_text(text, 2).unwrap_err().to_string();
            assert!(
                message.contains(expected),
                "{message}\ndoes not contain\n{expected}"
            );
        }
    }

    #[test]
    fn invalid_utf8_names_the_image() {
        let mut text = br#"{"images": [{"split": "train", "cocoid": 3, "filename": "a.jpg", "sentences": [{"tokens": ["ok"], "raw": "r", "sentid": 1}]},
{"split": "train", "cocoid": 9, "filename": "b.jpg", "sentences": [{"tokens": ["caf"#
            .to_vec();
        text.extend_from_slice(b"\xe9\"], \"raw\": \"r\", \"sentid\": 2}]}]}");
        let folder = cocoprep_test::temp_dir();
        let path = folder.path().join("dataset.json");
        std::fs::write(&path, &text).unwrap();
        let options = ReadOptions {
            jobs: 2,
            fields: Fields {
                tokens: true,
                ..Fields::default()
            },
        };
        let message = read_karpathy(&path, &options, &NoReporter)
            .unwrap_err()
            .to_string();
        assert!(
            message.ends_with(
                ":2:84: images[1] (cocoid 9, `b.jpg`): text is not valid UTF-8 (byte 0xe9)"
            ),
            "{message}"
        );
    }

    #[test]
    fn syntax_errors_and_other_shapes_are_reported() {
        // The record before the syntax error is valid: a bad one would be reported
        // instead, being earlier in the file.
        let text = r#"{"images": [{"split": "train", "sentences": [{"tokens": ["a"], "raw": "", "sentid": 1}]} {"#;
        for jobs in [1, 2] {
            let message = read_text(text, jobs).unwrap_err().to_string();
            assert!(
                message.contains(":1:90: expected `,` or `]` after an image record, found `{`"),
                "{message}"
            );
        }
        let message = read_text(r#"{"images": [{"split": "train"} {"#, 2)
            .unwrap_err()
            .to_string();
        assert!(
            message.contains(":1:13: images[0]: missing `sentences`"),
            "{message}"
        );
        let message = read_text(r#"{"annotations": []}"#, 1)
            .unwrap_err()
            .to_string();
        assert!(message.contains("has no `images` list"), "{message}");
        let message = read_text(r#"{"images": [{"split": "train", "sentences": [{"tokens": ["a"], "raw": "", "sentid": 1}]}]"#, 1)
            .unwrap_err()
            .to_string();
        assert!(message.contains("unexpected end of file"), "{message}");
    }
}
