//! Bottom-up-attention TSV → per-image feature files, as `make_bu_data.py` writes them.
//!
//! For each row of the TSVs (see [`row`]) this writes
//! * `PREFIX_att/<id>.npz`: `np.savez_compressed(path, feat=features)`, float32 `(K, 2048)`;
//! * `PREFIX_fc/<id>.npy`: `features.mean(0)`, float32 `(2048,)`, bit-identical to NumPy;
//! * `PREFIX_box/<id>.npy`: float32 `(K, 4)` boxes `[x1, y1, x2, y2]` in pixels;
//!
//! or the same bytes into one LMDB per kind ([`StoreKind::Lmdb`]), or the same arrays into
//! one HDF5 file per kind ([`StoreKind::Hdf5`]).
//!
//! One reader thread streams rows (from files, folders, or zip members read in place)
//! through a bounded channel to `jobs` workers that decode, average, compress and write,
//! so memory stays at a few rows per worker however large the input. Rows that cannot be
//! decoded (the test2014 TSVs have some) are skipped and listed in the [`ButdReport`].
//! Images whose outputs are already complete are skipped, so an interrupted run resumes.
//! When an id appears twice, the later row wins, as in `make_bu_data.py`.
//!
//! With [`ButdOptions::shard`], every shard reads all rows but converts only the images whose
//! id it owns ([`Shard::owns_key`]; rows whose id cannot be read go by row number), so the
//! shards of an array job write disjoint files whose union is the single-process output.

pub mod input;
pub mod mean;
pub mod row;
pub mod store;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use cocoprep_base::cluster::Shard;
use cocoprep_base::progress::{ProgressUnit, Reporter};
use cocoprep_base::threads::worker_count;
use cocoprep_formats::npy;
use cocoprep_formats::npz::NpzEncoder;
use crossbeam_channel::{Receiver, Sender, bounded};
use serde::Serialize;

pub use crate::store::{DatabaseStore, StoreKind, output_path};
pub use input::{SizedSource, TsvSource, resolve_inputs};
pub use row::RowError;
pub use store::{FileStore, KINDS};

use crate::Error;
use crate::store::EncodedImage;

/// How to convert.
#[derive(Clone, Debug)]
pub struct ButdOptions {
    /// Outputs go to `PREFIX_att`, `PREFIX_fc`, `PREFIX_box` (folders or `.lmdb` files).
    pub output_prefix: PathBuf,
    /// Files, LMDB or HDF5.
    pub store: StoreKind,
    /// Worker threads; 0 = as many as the rayon pool the call runs in has.
    pub jobs: usize,
    /// Deflate level of the `.npz` files, 1–12 (libdeflate's scale).
    pub compression_level: u8,
    /// Redo images whose outputs already exist.
    pub overwrite: bool,
    /// Convert only this shard's images (files store only: the databases have one writer).
    pub shard: Option<Shard>,
}

impl Default for ButdOptions {
    fn default() -> Self {
        Self {
            output_prefix: PathBuf::from("data/cocobu"),
            store: StoreKind::Files,
            jobs: 0,
            compression_level: cocoprep_formats::npz::DEFAULT_COMPRESSION_LEVEL,
            overwrite: false,
            shard: None,
        }
    }
}

/// A row that was skipped because it could not be decoded.
#[derive(Clone, Debug, Serialize)]
pub struct RowFailure {
    /// The file (or `archive:member`) it is in.
    pub source: String,
    /// Its 1-based line number.
    pub line: u64,
    /// Its image id, if that much could be read.
    pub image_id: Option<u64>,
    /// What was wrong.
    #[serde(serialize_with = "serialize_display")]
    pub error: RowError,
}

fn serialize_display<S: serde::Serializer>(
    value: &RowError,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&with_sources(value))
}

/// The error and its sources, `: `-separated (what `{:#}` shows for an `anyhow` error).
fn with_sources(error: &RowError) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// What a conversion did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ButdReport {
    /// The row sources read, in order.
    pub sources: Vec<String>,
    /// The outputs (folders or database files).
    pub outputs: Vec<PathBuf>,
    /// Rows read.
    pub rows: u64,
    /// Images written in this run.
    pub written: u64,
    /// Images skipped because their outputs were already complete.
    pub already_done: u64,
    /// Rows skipped because they could not be decoded.
    pub failures: Vec<RowFailure>,
    /// Ids that appear in more than one row (the last row wins).
    pub duplicate_ids: Vec<u64>,
}

/// A row on its way from the reader to a worker.
struct RawRow {
    source: usize,
    line: u64,
    sequence: u64,
    /// False when an earlier row of this run had the same id: such a row is always
    /// converted, so that the last row wins even when resuming.
    first_occurrence: bool,
    bytes: Vec<u8>,
}

/// What a worker tells the main thread.
enum Event {
    Written,
    Superseded,
    AlreadyDone,
    Failed(RowFailure),
    Encoded(EncodedImage),
    Fatal(Error),
}

/// Where workers put their results.
enum Sink<'a> {
    Files(&'a FileStore),
    /// Encoded images go to the main thread, which owns the store.
    Single {
        complete: &'a HashSet<u64>,
        /// Whether att is stored as `.npz` bytes (LMDB) or as an array (HDF5).
        npz: bool,
    },
}

/// Converts the rows of `inputs` (TSV files, folders of them, or zip archives).
pub fn convert(
    inputs: &[PathBuf],
    options: &ButdOptions,
    reporter: &dyn Reporter,
) -> Result<ButdReport, Error> {
    if let (Some(shard), StoreKind::Lmdb | StoreKind::Hdf5) = (options.shard, options.store) {
        return Err(Error::InvalidOption(format!(
            "shard {shard}: --store {} writes one file per kind, which parallel shards cannot \
             share; shard with --store files (the default), or convert in one process",
            options.store.name()
        )));
    }
    let sources = resolve_inputs(inputs)?;
    // Fail on a bad level before any output is created.
    NpzEncoder::new(options.compression_level)?;
    let jobs = worker_count(options.jobs);
    let mut report = ButdReport {
        sources: sources.iter().map(|s| s.source.to_string()).collect(),
        ..ButdReport::default()
    };
    let prefix = &options.output_prefix;
    match options.store {
        StoreKind::Files => {
            // Parallel shards share the folders: a shard clears only its own leftovers.
            let store = FileStore::create(prefix, options.shard)?;
            report.outputs = store.folders().to_vec();
            run(
                &sources,
                options,
                jobs,
                Sink::Files(&store),
                reporter,
                &mut report,
                |_| unreachable!("files are written by the workers"),
            )?;
        }
        StoreKind::Lmdb | StoreKind::Hdf5 => {
            let mut store = DatabaseStore::open(prefix, options.store, &KINDS)?;
            report.outputs = store.paths().to_vec();
            let complete = if options.overwrite {
                HashSet::new()
            } else {
                store.complete_ids()
            };
            run(
                &sources,
                options,
                jobs,
                Sink::Single {
                    complete: &complete,
                    npz: store.wants_npz(),
                },
                reporter,
                &mut report,
                |image| store.write(image),
            )?;
            store.finish()?;
        }
    }
    report
        .failures
        .sort_by(|a, b| (&a.source, a.line).cmp(&(&b.source, b.line)));
    Ok(report)
}

fn run(
    sources: &[SizedSource],
    options: &ButdOptions,
    jobs: usize,
    sink: Sink,
    reporter: &dyn Reporter,
    report: &mut ButdReport,
    mut write: impl FnMut(EncodedImage) -> Result<bool, Error>,
) -> Result<(), Error> {
    let total_bytes = sources.iter().map(|s| s.bytes).sum();
    let task = reporter.on_task_start(
        "converting bottom-up features",
        Some(total_bytes),
        ProgressUnit::Bytes,
    );
    let stop = AtomicBool::new(false);
    let (row_sender, row_receiver) = bounded::<RawRow>(2 * jobs);
    let (event_sender, event_receiver) = bounded::<Event>(4 * jobs);
    let result = std::thread::scope(|scope| {
        let stop = &stop;
        let reader = scope.spawn(move || {
            read_all(sources, options.shard, &row_sender, stop, |bytes| {
                reporter.on_task_progress(task, bytes);
            })
        });
        for _ in 0..jobs {
            let rows = row_receiver.clone();
            let events = event_sender.clone();
            let sink = &sink;
            scope.spawn(move || work(rows, events, sink, sources, options, stop));
        }
        drop(row_receiver);
        drop(event_sender);
        let mut fatal = None;
        for event in event_receiver {
            match event {
                Event::Written => report.written += 1,
                Event::Superseded => {}
                Event::AlreadyDone => report.already_done += 1,
                Event::Failed(failure) => {
                    reporter.on_warning(&format!(
                        "skipping {} line {}{}: {}",
                        failure.source,
                        failure.line,
                        failure
                            .image_id
                            .map(|id| format!(" (image {id})"))
                            .unwrap_or_default(),
                        with_sources(&failure.error)
                    ));
                    report.failures.push(failure);
                }
                Event::Encoded(image) => {
                    if fatal.is_none() {
                        match write(image) {
                            Ok(true) => report.written += 1,
                            Ok(false) => {}
                            Err(error) => {
                                stop.store(true, Ordering::Relaxed);
                                fatal = Some(error);
                            }
                        }
                    }
                }
                Event::Fatal(error) => {
                    stop.store(true, Ordering::Relaxed);
                    fatal.get_or_insert(error);
                }
            }
        }
        let read = reader.join().expect("the reader thread does not panic");
        match (fatal, read) {
            (Some(error), _) | (None, Err(error)) => Err(error),
            (None, Ok((rows, duplicates))) => {
                report.rows = rows;
                report.duplicate_ids = duplicates;
                Ok(())
            }
        }
    });
    reporter.on_task_complete(task);
    result
}

/// Streams every row of every source (of `shard`, when given) into `rows`; returns the count
/// of rows sent and the ids seen more than once.
fn read_all(
    sources: &[SizedSource],
    shard: Option<Shard>,
    rows: &Sender<RawRow>,
    stop: &AtomicBool,
    progress: impl Fn(u64),
) -> Result<(u64, Vec<u64>), Error> {
    let mut sequence = 0;
    let mut sent = 0;
    let mut seen = HashSet::new();
    let mut duplicates = Vec::new();
    for (index, source) in sources.iter().enumerate() {
        input::read_rows(&source.source, |line, bytes, read| {
            progress(read);
            let image_id = row::peek_image_id(&bytes);
            if let Some(shard) = shard {
                // Every row of an id goes to the same shard, so the last one still wins.
                let mine = match image_id {
                    Some(id) => shard.owns_key(id),
                    None => shard.owns_position(sequence as usize),
                };
                if !mine {
                    sequence += 1;
                    return !stop.load(Ordering::Relaxed);
                }
            }
            sent += 1;
            let first_occurrence = match image_id {
                Some(id) if !seen.insert(id) => {
                    duplicates.push(id);
                    false
                }
                _ => true,
            };
            let row = RawRow {
                source: index,
                line,
                sequence,
                first_occurrence,
                bytes,
            };
            sequence += 1;
            !stop.load(Ordering::Relaxed) && rows.send(row).is_ok()
        })?;
        if stop.load(Ordering::Relaxed) {
            break;
        }
    }
    duplicates.sort_unstable();
    duplicates.dedup();
    Ok((sent, duplicates))
}

fn work(
    rows: Receiver<RawRow>,
    events: Sender<Event>,
    sink: &Sink,
    sources: &[SizedSource],
    options: &ButdOptions,
    stop: &AtomicBool,
) {
    let mut encoder = match NpzEncoder::new(options.compression_level) {
        Ok(encoder) => encoder,
        Err(error) => {
            let _ = events.send(Event::Fatal(error.into()));
            return;
        }
    };
    for row in rows {
        if stop.load(Ordering::Relaxed) {
            continue; // drain, so the reader is never blocked
        }
        let event = match convert_one(&row, sink, options, &mut encoder) {
            Ok(event) => event,
            Err(Failure::Fatal(error)) => Event::Fatal(error),
            Err(Failure::Row(error)) => Event::Failed(RowFailure {
                source: sources[row.source].source.to_string(),
                line: row.line,
                image_id: row::peek_image_id(&row.bytes),
                error,
            }),
        };
        if events.send(event).is_err() {
            return;
        }
    }
}

/// Why a row produced no image: the row is bad (reported, the run goes on), or something
/// that does not depend on the row failed (the run stops).
enum Failure {
    Row(RowError),
    Fatal(Error),
}

impl From<RowError> for Failure {
    fn from(error: RowError) -> Self {
        Failure::Row(error)
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::Fatal(error)
    }
}

impl From<cocoprep_formats::Error> for Failure {
    fn from(error: cocoprep_formats::Error) -> Self {
        Failure::Fatal(error.into())
    }
}

fn convert_one(
    raw: &RawRow,
    sink: &Sink,
    options: &ButdOptions,
    encoder: &mut NpzEncoder,
) -> Result<Event, Failure> {
    let fields = row::RowFields::parse(&raw.bytes)?;
    let skip_if_done = raw.first_occurrence && !options.overwrite;
    let already_done = match sink {
        Sink::Files(store) => skip_if_done && store.is_complete(&fields),
        Sink::Single { complete, .. } => skip_if_done && complete.contains(&fields.image_id),
    };
    if already_done {
        return Ok(Event::AlreadyDone);
    }
    let npz = !matches!(sink, Sink::Single { npz: false, .. });
    let image = encode(&fields, raw.sequence, npz, encoder)?;
    Ok(match sink {
        Sink::Files(store) => match store.write(&image)? {
            true => Event::Written,
            false => Event::Superseded,
        },
        Sink::Single { .. } => Event::Encoded(image),
    })
}

/// Decodes a row and encodes its three files (att as `.npz` when `npz`, else `.npy`).
fn encode(
    fields: &row::RowFields,
    sequence: u64,
    npz: bool,
    encoder: &mut NpzEncoder,
) -> Result<EncodedImage, Failure> {
    let num_boxes = fields.num_boxes;
    let (features, header_len) = row::decode_to_npy("features", fields.features, num_boxes)?;
    let (boxes, _) = row::decode_to_npy("boxes", fields.boxes, num_boxes)?;
    let columns = (features.len() - header_len) / 4 / num_boxes;
    let fc = mean::mean_over_rows(&features[header_len..], num_boxes, columns);
    let fc = npy::encode_f32(&[columns], &fc)?;
    let att = if npz {
        encoder.encode(&[("feat", &features)])?
    } else {
        features
    };
    Ok(EncodedImage {
        image_id: fields.image_id,
        sequence,
        files: vec![att, fc, boxes],
    })
}

/// The report's path for an output prefix: `PREFIX_report.json`.
pub fn report_path(prefix: &Path) -> PathBuf {
    output_path(prefix, "report", ".json")
}
