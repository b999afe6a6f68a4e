//! The streaming, parallel COCO reader.
//!
//! The document is split with a [`crate::json_split::Scanner`] and each element of the big arrays is parsed on a
//! worker thread into the typed model. Memory is the parsed model plus a few buffers: the
//! file's text is never held whole.

mod diagnose;
pub(crate) mod element;
mod fast;
mod typed;

use std::io::Read;
use std::path::Path;

use serde_json::value::RawValue;

use cocoprep_base::position::Locator;
use cocoprep_base::threads::worker_count;

use crate::document::pipeline::{ArrayError, read_array, read_array_mapped};
use crate::document::{DocumentError, DocumentVisitor, array_error, walk_document};
use crate::error::ReadError;
use crate::json_split::Scanner;
use crate::model::{Annotation, Dataset, ExtrasBuilder, Info, Layout, Sections};
use crate::record_kind::RecordKind;
use cocoprep_base::progress::{ProgressUnit, Reporter};

/// How to read.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Worker threads for parsing; 0 means as many as the rayon pool the call runs in
    /// (the global pool, which the binary sizes once at start-up).
    pub jobs: usize,
}

impl ReadOptions {
    pub(crate) fn worker_count(&self) -> usize {
        worker_count(self.jobs)
    }
}

/// Reads a COCO annotation file (instances, keypoints, captions, stuff, panoptic, or a
/// results list).
pub fn read_dataset(
    path: &Path,
    options: &ReadOptions,
    reporter: &dyn Reporter,
) -> Result<Dataset, ReadError> {
    read_file(path, reporter, |file, on_progress| {
        read_document(file, options.worker_count(), on_progress)
    })
}

/// Opens `path` and runs `read` on it under a progress task over its bytes; errors name the
/// file (and, for parse errors, the line and column).
fn read_file<T>(
    path: &Path,
    reporter: &dyn Reporter,
    read: impl FnOnce(std::fs::File, &mut dyn FnMut(u64)) -> Result<T, DocumentError>,
) -> Result<T, ReadError> {
    let io_error = |source| ReadError::Io {
        path: path.to_owned(),
        source,
    };
    // std rather than fs_err: `ReadError::Io` already names the path.
    let file = std::fs::File::open(path).map_err(io_error)?;
    let length = file.metadata().map_err(io_error)?.len();
    let label = format!("reading {}", path.display());
    let task = reporter.on_task_start(&label, Some(length), ProgressUnit::Bytes);
    let mut reported = 0u64;
    let mut on_progress = |offset: u64| {
        reporter.on_task_progress(task, offset.saturating_sub(reported));
        reported = reported.max(offset);
    };
    let result = read(file, &mut on_progress);
    reporter.on_task_complete(task);
    result.map_err(|error| error.into_read_error(path, &Locator::File(path)))
}

/// Reads a COCO document from memory; `label` names it in errors.
pub fn read_dataset_from_slice(
    bytes: &[u8],
    label: &Path,
    options: &ReadOptions,
) -> Result<Dataset, ReadError> {
    read_document(bytes, options.worker_count(), &mut |_| {})
        .map_err(|error| error.into_read_error(label, &Locator::Bytes(bytes)))
}

/// Reads a COCO file like [`read_dataset`], but hands each annotation (or result) with
/// its index in the file to `map` on the parsing threads as soon as it is parsed, and
/// keeps what `map` returns (nothing for `None`), in file order, instead of the
/// annotation. A reader that needs a few members of each annotation (an evaluation)
/// so never holds the whole file's annotations. The returned dataset's `annotations` is
/// empty; everything else is read as [`read_dataset`] reads it.
pub fn read_dataset_mapped<T, F>(
    path: &Path,
    options: &ReadOptions,
    reporter: &dyn Reporter,
    map: &F,
) -> Result<(Dataset, Vec<T>), ReadError>
where
    T: Send,
    F: Fn(usize, Annotation) -> Option<T> + Sync,
{
    let sink = MappedAnnotations {
        map,
        records: Vec::new(),
    };
    let (dataset, sink) = read_file(path, reporter, |file, on_progress| {
        read_document_into(file, options.worker_count(), on_progress, sink)
    })?;
    Ok((dataset, sink.records))
}

/// What the reader does with the annotations array (or results list) it finds.
trait AnnotationSink {
    /// Reads the array whose `[` is next in `scanner`.
    fn read_annotations<R: Read>(
        &mut self,
        scanner: &mut Scanner<R>,
        jobs: usize,
        on_progress: &mut dyn FnMut(u64),
    ) -> Result<(), ArrayError>;
}

/// Keeps the annotations whole (the [`Dataset`]'s `annotations`).
#[derive(Default)]
struct KeptAnnotations(Vec<Annotation>);

impl AnnotationSink for KeptAnnotations {
    fn read_annotations<R: Read>(
        &mut self,
        scanner: &mut Scanner<R>,
        jobs: usize,
        on_progress: &mut dyn FnMut(u64),
    ) -> Result<(), ArrayError> {
        self.0 = read_array::<Annotation, _>(scanner, jobs, &(), on_progress)?;
        Ok(())
    }
}

/// Keeps what a function makes of each annotation.
struct MappedAnnotations<'f, T, F> {
    map: &'f F,
    records: Vec<T>,
}

impl<T, F> AnnotationSink for MappedAnnotations<'_, T, F>
where
    T: Send,
    F: Fn(usize, Annotation) -> Option<T> + Sync,
{
    fn read_annotations<R: Read>(
        &mut self,
        scanner: &mut Scanner<R>,
        jobs: usize,
        on_progress: &mut dyn FnMut(u64),
    ) -> Result<(), ArrayError> {
        read_array_mapped(scanner, jobs, self.map, &mut self.records, on_progress)
    }
}

/// Builds a [`Dataset`] from the parts of a document.
struct DatasetBuilder<'p, S> {
    dataset: Dataset,
    extras: ExtrasBuilder,
    jobs: usize,
    on_progress: &'p mut dyn FnMut(u64),
    annotations: S,
}

impl<S: AnnotationSink> DocumentVisitor for DatasetBuilder<'_, S> {
    fn on_results_list<R: Read>(&mut self, scanner: &mut Scanner<R>) -> Result<(), DocumentError> {
        self.dataset.layout = Layout::ResultsList;
        self.dataset.sections.annotations = true;
        self.annotations
            .read_annotations(scanner, self.jobs, self.on_progress)
            .map_err(array_error(RecordKind::Result))?;
        Ok(())
    }

    fn on_array<R: Read>(
        &mut self,
        kind: RecordKind,
        scanner: &mut Scanner<R>,
    ) -> Result<(), DocumentError> {
        let (jobs, progress) = (self.jobs, &mut *self.on_progress);
        let dataset = &mut self.dataset;
        match kind {
            RecordKind::Image => {
                dataset.images =
                    read_array(scanner, jobs, &(), progress).map_err(array_error(kind))?;
                dataset.sections.images = true;
            }
            RecordKind::Annotation => {
                self.annotations
                    .read_annotations(scanner, jobs, progress)
                    .map_err(array_error(kind))?;
                dataset.sections.annotations = true;
            }
            RecordKind::Category => {
                dataset.categories =
                    read_array(scanner, jobs, &(), progress).map_err(array_error(kind))?;
                dataset.sections.categories = true;
            }
            _ => {
                dataset.licenses =
                    read_array(scanner, 1, &(), progress).map_err(array_error(kind))?;
                dataset.sections.licenses = true;
            }
        }
        Ok(())
    }

    fn on_member(&mut self, key: &str, offset: u64, bytes: &[u8]) -> Result<(), DocumentError> {
        let record_error = |kind, error| DocumentError::Record {
            kind,
            index: 0,
            offset,
            bytes: bytes.to_vec(),
            error,
        };
        if key == "info" {
            let info: Info = serde_json::from_slice(bytes)
                .map_err(|error| record_error(RecordKind::Info, error))?;
            self.dataset.info = Some(info);
        } else {
            let raw: &RawValue = serde_json::from_slice(bytes)
                .map_err(|error| record_error(RecordKind::TopLevel, error))?;
            self.extras.push(key, raw.get());
        }
        Ok(())
    }
}

fn read_document<R: Read>(
    reader: R,
    jobs: usize,
    on_progress: &mut dyn FnMut(u64),
) -> Result<Dataset, DocumentError> {
    let (mut dataset, annotations) =
        read_document_into(reader, jobs, on_progress, KeptAnnotations::default())?;
    dataset.annotations = annotations.0;
    Ok(dataset)
}

fn read_document_into<R: Read, S: AnnotationSink>(
    reader: R,
    jobs: usize,
    on_progress: &mut dyn FnMut(u64),
    annotations: S,
) -> Result<(Dataset, S), DocumentError> {
    let mut scanner = Scanner::new(reader);
    let mut builder = DatasetBuilder {
        dataset: Dataset {
            sections: Sections::NONE,
            ..Dataset::default()
        },
        extras: ExtrasBuilder::default(),
        jobs,
        on_progress,
        annotations,
    };
    walk_document(&mut scanner, &mut builder)?;
    (builder.on_progress)(scanner.offset());
    let mut dataset = builder.dataset;
    dataset.extras = builder.extras.finish();
    Ok((dataset, builder.annotations))
}

impl Dataset {
    /// Reads a COCO file with default options and no progress reporting.
    pub fn read(path: &Path) -> Result<Dataset, ReadError> {
        read_dataset(
            path,
            &ReadOptions::default(),
            &cocoprep_base::progress::NoReporter,
        )
    }

    /// Parses a COCO document held in memory.
    pub fn from_json_slice(bytes: &[u8]) -> Result<Dataset, ReadError> {
        read_dataset_from_slice(bytes, Path::new("<memory>"), &ReadOptions::default())
    }
}
