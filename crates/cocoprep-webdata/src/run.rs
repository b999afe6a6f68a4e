//! A whole run: rows stream from the input to a pool of fetch workers and back to one
//! writer (this thread), which writes each shard's rows in row order as they complete.
//! Several shards may be open at once, so a slow host at the end of one shard does not
//! stall the next; memory is bounded by the work queue and the rows waiting for an earlier
//! row of their shard.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cocoprep_base::permits::Permits;
use cocoprep_base::progress::{ProgressUnit, Reporter};
use crossbeam_channel::{Receiver, Sender, bounded};
use sha2::Digest;

use crate::Error;
use crate::fetch::{FetchOptions, Fetcher};
use crate::image::{ImageOptions, process};
use crate::input::InputSpec;
use crate::job::JobFile;
use crate::output::{FileNames, OutputFormat, OutputOptions, ShardStats, ShardWriter, read_index};
use crate::sample::{Sample, Status};

/// Everything a run needs.
#[derive(Clone, Debug)]
pub struct JobOptions {
    /// The URL list.
    pub input: InputSpec,
    /// Where and how to write.
    pub output: OutputOptions,
    /// How to fetch.
    pub fetch: FetchOptions,
    /// What to do with images.
    pub image: ImageOptions,
    /// Fetch workers (img2dataset's `thread_count`).
    pub workers: usize,
    /// This task's share of the shards, `(index, count)`: shards `s` with
    /// `s % count == index` (`None`: all).
    pub shard_filter: Option<(usize, usize)>,
    /// Also re-fetch the rows of finished shards that failed with a transient error.
    pub retry_failed: bool,
}

impl JobOptions {
    fn owns(&self, shard: u64) -> bool {
        self.shard_filter
            .is_none_or(|(index, count)| shard % count as u64 == index as u64)
    }
}

/// What a run did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JobSummary {
    /// Input rows read.
    pub rows: u64,
    /// Shards written by this run.
    pub shards_written: u64,
    /// Shards already complete and skipped.
    pub shards_skipped: u64,
    /// Shards rewritten by `--retry-failed`.
    pub shards_retried: u64,
    /// Rows re-fetched by `--retry-failed`.
    pub rows_retried: u64,
    /// Totals over the shards written or rewritten by this run.
    pub stats: ShardStats,
}

enum Event {
    Open(u64),
    Close { shard: u64, end_row: u64 },
    Done(Box<Sample>),
    InputEnd(u64),
    Failed(Error),
}

struct Work {
    row: u64,
    key: String,
    url: String,
    caption: Option<String>,
}

/// Runs the job.
pub fn run(options: &JobOptions, reporter: &dyn Reporter) -> Result<JobSummary, Error> {
    let folder = &options.output.folder;
    fs_err::create_dir_all(folder).map_err(Error::write(folder))?;
    remove_own_temporaries(options);
    let mut summary = JobSummary::default();
    let task = reporter.on_task_start("webdata rows", None, ProgressUnit::Items);
    let fetcher = Fetcher::new(options.fetch.clone());
    let layout = options.output.layout;

    // The main pass over the input.
    let skipped = std::sync::atomic::AtomicU64::new(0);
    let produce = |events: &Sender<Event>, work: &Sender<Work>| {
        let rows = match options.input.rows() {
            Ok(rows) => rows,
            Err(error) => {
                let _ = events.send(Event::Failed(error));
                return;
            }
        };
        let mut open: Option<u64> = None;
        let mut count = 0u64;
        // (shard, whether its rows are skipped), decided once per shard.
        let mut current: Option<(u64, bool)> = None;
        for (row, item) in (0u64..).zip(rows) {
            let item = match item {
                Ok(item) => item,
                Err(error) => {
                    let _ = events.send(Event::Failed(error));
                    return;
                }
            };
            count = row + 1;
            let shard = layout.shard_of(row);
            let skip = match current {
                Some((known, skip)) if known == shard => skip,
                _ => {
                    let owned = options.owns(shard);
                    let skip = !owned || options.output.is_done(shard);
                    if owned && skip {
                        skipped.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    current = Some((shard, skip));
                    skip
                }
            };
            if skip {
                continue;
            }
            if open != Some(shard) {
                if let Some(previous) = open
                    && events
                        .send(Event::Close {
                            shard: previous,
                            end_row: layout.first_row(previous + 1),
                        })
                        .is_err()
                {
                    return;
                }
                open = Some(shard);
                if events.send(Event::Open(shard)).is_err() {
                    return;
                }
            }
            let item = Work {
                row,
                key: layout.key(row),
                url: item.url,
                caption: item.caption,
            };
            if work.send(item).is_err() {
                return;
            }
        }
        if let Some(previous) = open {
            // The last shard written may be followed by shards this task skips.
            let _ = events.send(Event::Close {
                shard: previous,
                end_row: count.min(layout.first_row(previous + 1)),
            });
        }
        let _ = events.send(Event::InputEnd(count));
    };
    let outcome = pipeline(options, &fetcher, reporter, task, produce)?;
    summary.rows = outcome.rows;
    summary.shards_skipped = skipped.into_inner();
    summary.shards_written = outcome.shards.len() as u64;
    for stats in &outcome.shards {
        merge(&mut summary.stats, stats);
    }
    let job = JobFile {
        rows: outcome.rows,
        shards: outcome.rows.div_ceil(layout.samples_per_shard),
        samples_per_shard: layout.samples_per_shard,
        shard_digits: layout.shard_digits,
        array_tasks: options.shard_filter.map(|(_, count)| count),
        output_format: options.output.format.name().to_owned(),
    };
    job.write(folder)?;

    if options.retry_failed {
        for shard in (0..job.shards).filter(|&shard| options.owns(shard)) {
            if !options.output.is_done(shard) {
                continue;
            }
            let old = read_index(&options.output.index_path(shard))?;
            let retry: Vec<bool> = old
                .iter()
                .map(|sample| sample.status != Status::Success && sample.transient)
                .collect();
            let retried = retry.iter().filter(|&&retry| retry).count() as u64;
            if retried == 0 {
                continue;
            }
            let old = with_old_images(&options.output, shard, old)?;
            let produce = |events: &Sender<Event>, work: &Sender<Work>| {
                if events.send(Event::Open(shard)).is_err() {
                    return;
                }
                let mut end_row = layout.first_row(shard);
                for (sample, retry) in old.iter().zip(&retry) {
                    end_row = sample.row + 1;
                    let sent = if *retry {
                        work.send(Work {
                            row: sample.row,
                            key: sample.key.clone(),
                            url: sample.url.clone(),
                            caption: sample.caption.clone(),
                        })
                        .is_ok()
                    } else {
                        events.send(Event::Done(Box::new(sample.clone()))).is_ok()
                    };
                    if !sent {
                        return;
                    }
                }
                let _ = events.send(Event::Close { shard, end_row });
            };
            let outcome = pipeline(options, &fetcher, reporter, task, produce)?;
            summary.shards_retried += 1;
            summary.rows_retried += retried;
            for stats in &outcome.shards {
                merge(&mut summary.stats, stats);
            }
        }
    }
    reporter.on_task_complete(task);
    Ok(summary)
}

fn merge(total: &mut ShardStats, stats: &ShardStats) {
    total.count += stats.count;
    total.successes += stats.successes;
    total.failed_to_download += stats.failed_to_download;
    total.failed_to_resize += stats.failed_to_resize;
    total.duration += stats.duration;
    for (reason, count) in &stats.status_dict {
        *total.status_dict.entry(reason.clone()).or_insert(0) += count;
    }
}

struct Outcome {
    rows: u64,
    shards: Vec<ShardStats>,
}

struct OpenShard {
    writer: ShardWriter,
    next_row: u64,
    end_row: Option<u64>,
    pending: BTreeMap<u64, Sample>,
    start_time: f64,
}

/// Runs `produce` (on its own thread) against the workers and writes the shards here.
fn pipeline(
    options: &JobOptions,
    fetcher: &Fetcher,
    reporter: &dyn Reporter,
    task: cocoprep_base::progress::TaskId,
    produce: impl FnOnce(&Sender<Event>, &Sender<Work>) + Send,
) -> Result<Outcome, Error> {
    let workers = options.workers.max(1);
    // Bounded both ways: when the writer falls behind (rows that fail fast come back
    // faster than their index is written), workers wait instead of queueing results.
    let (event_sender, events) = bounded::<Event>(workers * 16);
    let (work_sender, work) = bounded::<Work>(workers * 4);
    // Many workers keep requests in flight, but only two per core decode, resize and encode
    // at a time: the image buffers then exist a few at a time instead of once per worker
    // (peak memory 452 -> 253 MiB on the img2dataset benchmark), and the cores finish images
    // instead of switching between dozens. One per core left the cores idle a sixth of the
    // time (a permit holder descheduled by the writer or the server); two keep them busy.
    let computing = Permits::new(2 * cocoprep_base::threads::available_cores());
    std::thread::scope(|scope| {
        {
            let events = event_sender.clone();
            scope.spawn(move || produce(&events, &work_sender));
        }
        for _ in 0..workers {
            let events = event_sender.clone();
            let work = work.clone();
            let computing = &computing;
            scope.spawn(move || worker(fetcher, &options.image, computing, &work, &events));
        }
        drop(event_sender);
        drop(work);
        let result = collect(options, reporter, task, &events);
        // On an error, dropping the receiver makes every sender fail and stop.
        drop(events);
        result
    })
}

fn worker(
    fetcher: &Fetcher,
    image: &ImageOptions,
    computing: &Permits,
    work: &Receiver<Work>,
    events: &Sender<Event>,
) {
    let mut resizer = fast_image_resize::Resizer::new();
    for item in work {
        let sample = fetch_one(fetcher, image, computing, &mut resizer, item);
        if events.send(Event::Done(Box::new(sample))).is_err() {
            return;
        }
    }
}

fn fetch_one(
    fetcher: &Fetcher,
    options: &ImageOptions,
    computing: &Permits,
    resizer: &mut fast_image_resize::Resizer,
    item: Work,
) -> Sample {
    let mut sample = Sample {
        row: item.row,
        key: item.key,
        url: item.url,
        caption: item.caption,
        status: Status::FailedToDownload,
        error_message: None,
        transient: false,
        width: None,
        height: None,
        original_width: None,
        original_height: None,
        sha256: None,
        image: None,
    };
    let bytes = match fetcher.fetch(&sample.url) {
        Ok(bytes) => bytes,
        Err(failure) => {
            sample.error_message = Some(failure.message);
            sample.transient = failure.transient;
            return sample;
        }
    };
    let _permit = computing.acquire();
    sample.sha256 = Some(hex(&sha2::Sha256::digest(&bytes)));
    match process(&bytes, options, resizer) {
        Ok(processed) => {
            sample.status = Status::Success;
            sample.width = Some(processed.width);
            sample.height = Some(processed.height);
            sample.original_width = Some(processed.original_width);
            sample.original_height = Some(processed.original_height);
            sample.image = Some(processed.bytes);
        }
        Err(message) => {
            sample.status = Status::FailedToResize;
            // A JPEG cut short is what a dropped connection leaves: worth another try.
            sample.transient = message.starts_with("truncated");
            sample.error_message = Some(message);
        }
    }
    sample
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs_f64()
}

fn collect(
    options: &JobOptions,
    reporter: &dyn Reporter,
    task: cocoprep_base::progress::TaskId,
    events: &Receiver<Event>,
) -> Result<Outcome, Error> {
    let layout = options.output.layout;
    let mut open: HashMap<u64, OpenShard> = HashMap::new();
    let mut outcome = Outcome {
        rows: 0,
        shards: Vec::new(),
    };
    for event in events {
        let shard = match event {
            Event::Failed(error) => return Err(error),
            Event::InputEnd(rows) => {
                outcome.rows = rows;
                continue;
            }
            Event::Open(shard) => {
                open.insert(
                    shard,
                    OpenShard {
                        writer: ShardWriter::create(&options.output, shard)?,
                        next_row: layout.first_row(shard),
                        end_row: None,
                        pending: BTreeMap::new(),
                        start_time: now(),
                    },
                );
                continue;
            }
            Event::Close { shard, end_row } => {
                if let Some(state) = open.get_mut(&shard) {
                    state.end_row = Some(end_row);
                }
                shard
            }
            Event::Done(sample) => {
                reporter.on_task_progress(task, 1);
                let shard = layout.shard_of(sample.row);
                let state = open
                    .get_mut(&shard)
                    .expect("a shard is opened before its rows are sent");
                state.pending.insert(sample.row, *sample);
                while let Some(sample) = state.pending.remove(&state.next_row) {
                    state.next_row += 1;
                    state.writer.push(sample)?;
                }
                shard
            }
        };
        let complete = open
            .get(&shard)
            .is_some_and(|state| state.end_row == Some(state.next_row));
        if complete {
            let state = open.remove(&shard).expect("checked above");
            let stats = state.writer.finish(state.start_time, now())?;
            outcome.shards.push(stats);
        }
    }
    if let Some(shard) = open.keys().min() {
        return Err(Error::Options(format!(
            "shard {shard} did not receive all its rows; it was not written (run again to redo it)"
        )));
    }
    Ok(outcome)
}

/// The old samples of a finished shard with their output images, so that a rewrite keeps
/// them (`--retry-failed`).
fn with_old_images(
    output: &OutputOptions,
    shard: u64,
    mut samples: Vec<Sample>,
) -> Result<Vec<Sample>, Error> {
    let extension = output.encode_format.extension();
    match (output.format, output.file_names) {
        (OutputFormat::Parquet, _)
        | (OutputFormat::Files, FileNames::Row | FileNames::UrlBasename) => {
            // The images are in the index already, or stay where they are on disk.
        }
        (OutputFormat::WebDataset, _) => {
            let path = output.tar_path(shard);
            let file = fs_err::File::open(&path).map_err(Error::read(&path))?;
            let mut archive = tar::Archive::new(std::io::BufReader::new(file));
            let mut images: HashMap<String, Vec<u8>> = HashMap::new();
            let suffix = format!(".{extension}");
            for entry in archive.entries().map_err(Error::read(&path))? {
                let mut entry = entry.map_err(Error::read(&path))?;
                let name = entry
                    .path()
                    .map_err(Error::read(&path))?
                    .to_string_lossy()
                    .into_owned();
                if let Some(key) = name.strip_suffix(&suffix) {
                    let mut bytes = Vec::new();
                    entry.read_to_end(&mut bytes).map_err(Error::read(&path))?;
                    images.insert(key.to_owned(), bytes);
                }
            }
            for sample in &mut samples {
                if sample.status == Status::Success {
                    sample.image = images.remove(&sample.key);
                }
            }
        }
        (OutputFormat::Files, FileNames::Key) => {
            let folder = output.folder.join(output.layout.shard_name(shard));
            for sample in &mut samples {
                if sample.status == Status::Success {
                    let path = folder.join(format!("{}.{extension}", sample.key));
                    sample.image = Some(fs_err::read(&path).map_err(Error::read(&path))?);
                }
            }
        }
    }
    Ok(samples)
}

/// Removes what a killed run of this task's shards left under temporary names.
fn remove_own_temporaries(options: &JobOptions) {
    let layout = options.output.layout;
    let flat =
        options.output.format == OutputFormat::Files && options.output.file_names != FileNames::Key;
    cocoprep_base::output::remove_temporaries_if(&options.output.folder, |name, age| {
        match layout.shard_of_file_name(name) {
            Some(shard) => options.owns(shard),
            // Flat image files (`00000012.jpg`): any left for a minute is from a dead run.
            None => flat && age >= Duration::from_secs(60),
        }
    });
}
