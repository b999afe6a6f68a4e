//! The download engine.
//!
//! One file at a time per [`Downloader::download`] call (callers run several calls on
//! threads to fetch several files at once). A file is fetched over up to
//! [`DownloadOptions::connections`] HTTP range requests into `NAME.part`, written with
//! `pwrite` at each range's offset, while a [`journal::Journal`] records how far each range
//! got so that any interruption resumes where it stopped. A hashing thread follows the
//! contiguous prefix on disk, so the SHA-256 (and MD5) are ready when the last byte
//! arrives. Only a file whose size and checksum match is renamed to its final name; a
//! mismatch is moved to `NAME.corrupt`, reported and fetched again, then the mirrors are
//! tried.

pub(crate) mod journal;
pub(crate) mod retry;
mod segment;

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use cocoprep_base::progress::{ProgressUnit, Reporter, TaskId};

use crate::checksum::{Checksum, Digests, StreamingHasher};
use crate::error::FetchError;
use crate::error::TransferError;
use crate::http::{self, Failure, HttpOptions};
use journal::{JOURNAL_VERSION, Journal, SegmentState};

/// How downloads behave.
#[derive(Clone, Debug)]
pub struct DownloadOptions {
    /// Range connections per file.
    pub connections: usize,
    /// Files are not split into ranges smaller than this.
    pub min_segment_bytes: u64,
    /// Consecutive failed attempts (without any byte received) before a range gives up.
    pub max_attempts: u32,
    /// First pause after a failure; doubles per attempt.
    pub backoff_initial: Duration,
    /// Longest pause.
    pub backoff_max: Duration,
    /// How many times a file whose checksum did not match is fetched again from the same
    /// URL before the next mirror is tried.
    pub refetch_on_mismatch: u32,
    /// Compute SHA-256 even when no checksum is published (for manifests).
    pub always_hash: bool,
    /// Check free disk space before starting.
    pub check_free_space: bool,
    /// Timeouts and user agent.
    pub http: HttpOptions,
}

impl Default for DownloadOptions {
    fn default() -> Self {
        Self {
            connections: 4,
            min_segment_bytes: 4 << 20,
            max_attempts: 8,
            backoff_initial: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            refetch_on_mismatch: 1,
            always_hash: true,
            check_free_space: true,
            http: HttpOptions::default(),
        }
    }
}

/// One file to fetch.
#[derive(Clone, Debug)]
pub struct DownloadRequest {
    /// Shown in progress displays.
    pub label: String,
    /// The URL, then mirrors.
    pub urls: Vec<String>,
    /// The final path.
    pub destination: PathBuf,
    /// The published size, if any.
    pub expected_bytes: Option<u64>,
    /// The published checksum, if any.
    pub checksum: Option<Checksum>,
}

/// A verified file.
#[derive(Clone, Debug)]
pub struct Downloaded {
    /// Where it is.
    pub path: PathBuf,
    /// Its size.
    pub bytes: u64,
    /// Its digests (absent only when hashing was off and no checksum was published).
    pub digests: Option<Digests>,
    /// The URL it came from (empty if it was already there).
    pub url: String,
    /// Bytes received over the network in this call.
    pub received_bytes: u64,
    /// Bytes that were already on disk from an interrupted run.
    pub resumed_bytes: u64,
    /// The file was already complete; nothing was fetched.
    pub already_complete: bool,
}

/// Where progress goes: the per-file task is created here; `total` is an optional
/// overall task (all files of a `get`) that receives every byte too.
#[derive(Clone, Copy)]
pub struct ProgressSink<'a> {
    /// The reporter.
    pub reporter: &'a dyn Reporter,
    /// An overall task to advance as bytes arrive.
    pub total: Option<TaskId>,
}

/// Fetches files. Cheap to share between threads.
pub struct Downloader {
    agent: ureq::Agent,
    options: DownloadOptions,
}

/// The `.part` file for a destination.
pub fn part_path(destination: &Path) -> PathBuf {
    let mut name = destination.as_os_str().to_owned();
    name.push(".part");
    PathBuf::from(name)
}

/// Where a download whose checksum did not match is moved.
pub fn quarantine_path(destination: &Path) -> PathBuf {
    let mut name = destination.as_os_str().to_owned();
    name.push(".corrupt");
    PathBuf::from(name)
}

/// Shared state of one transfer.
pub(crate) struct Transfer {
    pub(crate) url: String,
    pub(crate) file: File,
    pub(crate) segments: Vec<SharedSegment>,
    pub(crate) total: Option<u64>,
    pub(crate) validator: Option<String>,
    pub(crate) ranges: bool,
    pub(crate) extra_headers: Vec<(String, String)>,
    pub(crate) received: AtomicU64,
    /// Set when the transfer must stop (a range failed for good, or all are finished).
    pub(crate) stop: AtomicBool,
}

pub(crate) struct SharedSegment {
    pub(crate) start: u64,
    pub(crate) end: Option<u64>,
    pub(crate) done: AtomicU64,
    pub(crate) complete: AtomicBool,
}

impl Transfer {
    /// End of the contiguous prefix that is on disk.
    fn frontier(&self) -> u64 {
        for segment in &self.segments {
            let done = segment.done.load(Ordering::Acquire);
            if !segment.complete.load(Ordering::Acquire) {
                return segment.start + done;
            }
        }
        self.segments
            .last()
            .map_or(0, |s| s.start + s.done.load(Ordering::Acquire))
    }

    fn done(&self) -> u64 {
        self.segments
            .iter()
            .map(|s| s.done.load(Ordering::Acquire))
            .sum()
    }

    /// `journal` with the ranges' current progress.
    fn snapshot(&self, journal: &Journal) -> Journal {
        Journal {
            segments: self
                .segments
                .iter()
                .map(|s| SegmentState {
                    start: s.start,
                    end: s.end,
                    done: s.done.load(Ordering::Acquire),
                })
                .collect(),
            ..journal.clone()
        }
    }
}

/// What the first request from a source learned.
struct Probe {
    response: ureq::http::Response<ureq::Body>,
    url: String,
    total: Option<u64>,
    ranges: bool,
    /// False for a 416 answer (the range asked for is past the end of the file).
    satisfiable: bool,
    etag: Option<String>,
    last_modified: Option<String>,
    extra_headers: Vec<(String, String)>,
}

/// A transfer ready to run: its journal (saved), the response to the first request if
/// one was made, and the headers (cookies) every request must send.
struct Start {
    journal: Journal,
    first_response: Option<(usize, ureq::http::Response<ureq::Body>)>,
    extra_headers: Vec<(String, String)>,
}

/// Whether a partial file is continued.
enum Resume {
    Continue(Box<Start>),
    /// Start from byte 0; `Some` says why the partial file that exists is not used.
    Restart(Option<String>),
}

fn remove_if_present(path: &Path) -> std::io::Result<()> {
    match fs_err::remove_file(path) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error),
        _ => Ok(()),
    }
}

enum SegmentEnd {
    /// The server answered 200 to a range request: it ignores ranges, or the file changed.
    RangeIgnored,
    Failed(FetchError),
}

impl Downloader {
    /// A downloader with these options.
    pub fn new(options: DownloadOptions) -> Self {
        Self {
            agent: http::agent(&options.http, options.connections),
            options,
        }
    }

    /// The options.
    pub fn options(&self) -> &DownloadOptions {
        &self.options
    }

    /// Fetches one file, resuming a previous attempt, verifying size and checksum, trying
    /// mirrors in order. Returns only when the file is complete and verified under its
    /// final name, or with an error (and then no file exists under the final name).
    pub fn download(
        &self,
        request: &DownloadRequest,
        progress: ProgressSink,
    ) -> Result<Downloaded, FetchError> {
        if let Some(done) = self.already_complete(request)? {
            return Ok(done);
        }
        if request.urls.is_empty() {
            return Err(FetchError::NoUrl {
                resource: request.label.clone(),
                reason: "no URL given".to_owned(),
            });
        }
        if let Some(parent) = request.destination.parent() {
            fs_err::create_dir_all(parent)?;
        }
        let mut failures = Vec::new();
        for url in &request.urls {
            let mut refetches = 0;
            let mut restarts = 0;
            loop {
                match self.fetch_from(url, request, progress) {
                    Ok(done) => return Ok(done),
                    Err(Failure::Permanent(error @ FetchError::ChecksumMismatch { .. })) => {
                        progress
                            .reporter
                            .on_warning(&format!("{error}; fetching it again"));
                        failures.push(error);
                        refetches += 1;
                        if refetches > self.options.refetch_on_mismatch {
                            break;
                        }
                    }
                    Err(Failure::Transient { error, .. }) if restarts < 2 => {
                        // A restart (the server stopped honouring ranges, or the file
                        // changed): start over once more from this URL.
                        progress.reporter.on_warning(&format!(
                            "`{}`: {error} (`{url}`); starting over",
                            request.destination.display()
                        ));
                        restarts += 1;
                    }
                    Err(Failure::Transient { error, .. }) => {
                        failures.push(FetchError::Interrupted {
                            url: url.clone(),
                            last_error: error,
                        });
                        break;
                    }
                    Err(Failure::Permanent(error)) => {
                        if request.urls.len() > 1 {
                            progress.reporter.on_warning(&format!(
                                "{}; trying the next source",
                                crate::error::error_chain(&error)
                            ));
                        }
                        failures.push(error);
                        break;
                    }
                }
            }
        }
        match (request.urls.len(), failures.pop()) {
            (1, Some(error)) => Err(error),
            (_, last) => {
                failures.extend(last);
                Err(FetchError::AllSourcesFailed {
                    path: request.destination.clone(),
                    failures,
                })
            }
        }
    }

    /// A file already under its final name with the right size and checksum.
    fn already_complete(
        &self,
        request: &DownloadRequest,
    ) -> Result<Option<Downloaded>, FetchError> {
        let Ok(metadata) = fs_err::metadata(&request.destination) else {
            return Ok(None);
        };
        if request
            .expected_bytes
            .is_some_and(|bytes| bytes != metadata.len())
        {
            return Ok(None);
        }
        let digests = match &request.checksum {
            Some(expected) => {
                let digests = crate::checksum::hash_file(
                    &request.destination,
                    matches!(expected, Checksum::Md5(_)),
                )?;
                if !expected.matches(&digests) {
                    return Ok(None);
                }
                Some(digests)
            }
            None => None,
        };
        Ok(Some(Downloaded {
            path: request.destination.clone(),
            bytes: metadata.len(),
            digests,
            url: String::new(),
            received_bytes: 0,
            resumed_bytes: metadata.len(),
            already_complete: true,
        }))
    }

    /// Decides whether the partial file of `request` can be continued from `source`, and
    /// if so asks `source` for its first missing range (whose response then feeds that
    /// range). Nothing is deleted here: a source that cannot be reached leaves the partial
    /// file for the next source or run.
    fn resume(
        &self,
        source: &str,
        request: &DownloadRequest,
        part: &Path,
        journal_path: &Path,
        progress: ProgressSink,
    ) -> Result<Resume, Failure> {
        let Some(mut journal) = Journal::load(journal_path) else {
            return Ok(Resume::Restart(None));
        };
        let Some(total) = journal.total else {
            return Ok(Resume::Restart(None));
        };
        if !fs_err::metadata(part).is_ok_and(|metadata| metadata.len() == total) {
            return Ok(Resume::Restart(None));
        }
        let restart = |reason: String| Ok(Resume::Restart(Some(reason)));
        if let Some(expected) = request.expected_bytes
            && expected != total
        {
            return restart(format!(
                "it is part of a {total}-byte file, {expected} bytes are expected now"
            ));
        }
        let expected_checksum = request.checksum.as_ref().map(journal::checksum_tag);
        if let (Some(expected), Some(recorded)) = (&expected_checksum, &journal.expected_checksum)
            && expected != recorded
        {
            return restart(format!(
                "it was fetched for checksum {recorded}, {expected} is expected now"
            ));
        }
        let same_source = journal.source == source;
        if !same_source && expected_checksum.is_none() {
            return restart(format!(
                "its bytes came from `{}` and without a published checksum bytes from two \
                 sources cannot be checked together",
                journal.source
            ));
        }
        journal.version = JOURNAL_VERSION;
        journal.expected_bytes = request.expected_bytes.or(journal.expected_bytes);
        journal.expected_checksum = expected_checksum.or(journal.expected_checksum);
        let mut start = Start {
            journal,
            first_response: None,
            extra_headers: Vec::new(),
        };
        let Some((index, position, end)) = start.journal.first_missing() else {
            // Every byte is on disk; only the checks and the rename were missing.
            return Ok(Resume::Continue(Box::new(start)));
        };
        let probe = self.probe_with_retries(source, (position, end.map(|e| e - 1)), progress)?;
        let journal = &mut start.journal;
        if probe.total != Some(total) || !probe.satisfiable {
            return restart(match probe.total {
                Some(now) => format!(
                    "`{}` is now {now} bytes, the partial file is of {total} bytes",
                    probe.url
                ),
                None => format!("`{}` no longer tells the file's size", probe.url),
            });
        }
        if !probe.ranges && journal.segments.len() > 1 {
            return restart(format!("`{}` does not honour byte ranges", probe.url));
        }
        if same_source || journal.url == probe.url {
            // Validators only mean something for the same URL: mirrors legitimately have
            // their own ETags and dates.
            let strip = |tag: &str| tag.trim_start_matches("W/").to_owned();
            if let (Some(before), Some(now)) = (&journal.etag, &probe.etag)
                && strip(before) != strip(now)
            {
                return restart(format!(
                    "the file at `{source}` changed (ETag {before} became {now})"
                ));
            }
            if let (Some(before), Some(now)) = (&journal.last_modified, &probe.last_modified)
                && before != now
            {
                return restart(format!(
                    "the file at `{source}` changed (Last-Modified {before} became {now})"
                ));
            }
        }
        journal.url = probe.url;
        journal.source = source.to_owned();
        journal.etag = probe.etag;
        journal.last_modified = probe.last_modified;
        journal.ranges = probe.ranges;
        journal.save(journal_path).map_err(io_failure)?;
        start.first_response = Some((index, probe.response));
        start.extra_headers = probe.extra_headers;
        Ok(Resume::Continue(Box::new(start)))
    }

    /// Starts the file from byte 0 at `source`. The old partial file, if any, is only
    /// removed once `source` answered, and `reason` (why it could not be resumed) is then
    /// reported.
    fn start_over(
        &self,
        source: &str,
        request: &DownloadRequest,
        part: &Path,
        journal_path: &Path,
        reason: Option<String>,
        progress: ProgressSink,
    ) -> Result<Start, Failure> {
        // With a published size the ranges are known before asking, so the first request
        // asks for exactly the first range (an open-ended one would make the server push
        // bytes of the other ranges until the connection is closed).
        let first_range_end = request
            .expected_bytes
            .filter(|&total| total > 0)
            .and_then(|total| {
                journal::split(
                    total,
                    self.options.connections,
                    self.options.min_segment_bytes,
                )
                .first()
                .and_then(|segment| segment.end)
            });
        let probe =
            self.probe_with_retries(source, (0, first_range_end.map(|end| end - 1)), progress)?;
        if let (Some(expected), Some(total)) = (request.expected_bytes, probe.total)
            && expected != total
        {
            return Err(Failure::Permanent(FetchError::SizeMismatch {
                url: probe.url,
                expected,
                actual: total,
            }));
        }
        if let Some(reason) = reason {
            progress.reporter.on_warning(&format!(
                "`{}`: the partial download cannot be resumed: {reason}; starting over from `{source}`",
                request.destination.display()
            ));
        }
        remove_if_present(journal_path).map_err(io_failure)?;
        remove_if_present(part).map_err(io_failure)?;
        if self.options.check_free_space {
            let needed = probe.total.or(request.expected_bytes).unwrap_or(0);
            let folder = request.destination.parent().unwrap_or(Path::new("."));
            crate::disk::ensure_available(folder, needed).map_err(Failure::Permanent)?;
        }
        let file = fs_err::File::create(part).map_err(io_failure)?;
        if let Some(total) = probe.total {
            file.set_len(total).map_err(io_failure)?;
        }
        let segments = match probe.total {
            Some(total) if probe.ranges => journal::split(
                total,
                self.options.connections,
                self.options.min_segment_bytes,
            ),
            total => vec![SegmentState {
                start: 0,
                end: total,
                done: 0,
            }],
        };
        let journal = Journal {
            version: JOURNAL_VERSION,
            url: probe.url.clone(),
            source: source.to_owned(),
            expected_bytes: request.expected_bytes,
            expected_checksum: request.checksum.as_ref().map(journal::checksum_tag),
            total: probe.total,
            etag: probe.etag.clone(),
            last_modified: probe.last_modified.clone(),
            ranges: probe.ranges,
            segments,
        };
        if journal.total.is_some() {
            journal.save(journal_path).map_err(io_failure)?;
        }
        Ok(Start {
            journal,
            first_response: Some((0, probe.response)),
            extra_headers: probe.extra_headers,
        })
    }

    fn fetch_from(
        &self,
        source: &str,
        request: &DownloadRequest,
        progress: ProgressSink,
    ) -> Result<Downloaded, Failure> {
        let part = part_path(&request.destination);
        let journal_path = Journal::path_for(&part);
        let Start {
            journal,
            first_response,
            extra_headers,
        } = match self.resume(source, request, &part, &journal_path, progress)? {
            Resume::Continue(start) => *start,
            Resume::Restart(reason) => {
                self.start_over(source, request, &part, &journal_path, reason, progress)?
            }
        };
        let resumed_bytes = journal.done_bytes();
        let file = fs_err::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&part)
            .map_err(io_failure)?
            .into_parts()
            .0;
        let transfer = Transfer {
            url: journal.url.clone(),
            file,
            segments: journal
                .segments
                .iter()
                .map(|s| SharedSegment {
                    start: s.start,
                    end: s.end,
                    done: AtomicU64::new(s.done),
                    complete: AtomicBool::new(s.end.is_some_and(|end| s.start + s.done >= end)),
                })
                .collect(),
            total: journal.total,
            validator: journal.validator().map(str::to_owned),
            ranges: journal.ranges,
            extra_headers,
            received: AtomicU64::new(0),
            stop: AtomicBool::new(false),
        };
        let with_md5 = matches!(request.checksum, Some(Checksum::Md5(_)));
        let hash = self.options.always_hash || request.checksum.is_some();
        let task =
            progress
                .reporter
                .on_task_start(&request.label, transfer.total, ProgressUnit::Bytes);
        let result = self.run_transfer(
            &transfer,
            first_response,
            &journal,
            &journal_path,
            hash.then_some(with_md5),
            progress,
            task,
        );
        progress.reporter.on_task_complete(task);
        let digests = match result {
            Ok(digests) => digests,
            Err(SegmentEnd::RangeIgnored) => {
                drop(transfer);
                let _ = fs_err::remove_file(&journal_path);
                let _ = fs_err::remove_file(&part);
                return Err(Failure::transient(TransferError::Response(
                    "the server stopped honouring byte ranges (or the file changed)".to_owned(),
                )));
            }
            Err(SegmentEnd::Failed(error)) => {
                // Keep the journal: the next run resumes from here.
                let _ = transfer.snapshot(&journal).save(&journal_path);
                return Err(Failure::Permanent(error));
            }
        };
        let bytes = transfer.done();
        let received_bytes = transfer.received.load(Ordering::Relaxed);
        drop(transfer);
        let quarantine = |path: &Path| -> Result<PathBuf, Failure> {
            let target = quarantine_path(&request.destination);
            fs_err::rename(path, &target).map_err(io_failure)?;
            let _ = fs_err::remove_file(&journal_path);
            Ok(target)
        };
        if let Some(expected) = request.expected_bytes
            && expected != bytes
        {
            quarantine(&part)?;
            return Err(Failure::Permanent(FetchError::SizeMismatch {
                url: journal.url,
                expected,
                actual: bytes,
            }));
        }
        if let (Some(expected), Some(digests)) = (&request.checksum, &digests)
            && !expected.matches(digests)
        {
            let actual = digests.matching(expected).unwrap_or_default().to_owned();
            let quarantined = quarantine(&part)?;
            return Err(Failure::Permanent(FetchError::ChecksumMismatch {
                path: request.destination.clone(),
                algorithm: expected.algorithm(),
                expected: expected.hex().to_owned(),
                actual,
                quarantined,
            }));
        }
        let file = fs_err::OpenOptions::new()
            .write(true)
            .open(&part)
            .map_err(io_failure)?;
        file.sync_all().map_err(io_failure)?;
        drop(file);
        fs_err::rename(&part, &request.destination).map_err(io_failure)?;
        let _ = fs_err::remove_file(&journal_path);
        Ok(Downloaded {
            path: request.destination.clone(),
            bytes,
            digests,
            url: journal.url,
            received_bytes,
            resumed_bytes,
            already_complete: false,
        })
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one internal call site; the pieces are unrelated"
    )]
    fn run_transfer(
        &self,
        transfer: &Transfer,
        first_response: Option<(usize, ureq::http::Response<ureq::Body>)>,
        journal: &Journal,
        journal_path: &Path,
        hash_with_md5: Option<bool>,
        progress: ProgressSink,
        task: TaskId,
    ) -> Result<Option<Digests>, SegmentEnd> {
        let mut first_response = first_response;
        let mut reported = transfer.done();
        progress.reporter.on_task_position(task, reported);
        if let Some(total) = progress.total {
            progress.reporter.on_task_progress(total, reported);
        }
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..transfer.segments.len())
                .filter(|&index| !transfer.segments[index].complete.load(Ordering::Acquire))
                .map(|index| {
                    let first = match first_response.take() {
                        Some((first_index, response)) if first_index == index => Some(response),
                        other => {
                            first_response = other;
                            None
                        }
                    };
                    scope.spawn(move || segment::run(self, transfer, index, first))
                })
                .collect();
            drop(first_response.take());
            let hasher = hash_with_md5
                .map(|with_md5| scope.spawn(move || hash_following(transfer, with_md5)));
            let mut last_save = Instant::now();
            let mut outcome = Ok(());
            loop {
                let finished = workers.iter().all(|w| w.is_finished());
                let done = transfer.done();
                if done > reported {
                    progress.reporter.on_task_position(task, done);
                    if let Some(total) = progress.total {
                        progress.reporter.on_task_progress(total, done - reported);
                    }
                    reported = done;
                }
                if finished || last_save.elapsed() >= Duration::from_millis(500) {
                    if transfer.total.is_some() {
                        let _ = transfer.snapshot(journal).save(journal_path);
                    }
                    last_save = Instant::now();
                }
                if finished {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            for worker in workers {
                match worker.join() {
                    Ok(Ok(())) => {}
                    Ok(Err(end)) => {
                        if outcome.is_ok() || matches!(end, SegmentEnd::RangeIgnored) {
                            outcome = Err(end);
                        }
                    }
                    Err(_) => {
                        outcome = Err(SegmentEnd::Failed(FetchError::Protocol {
                            url: transfer.url.clone(),
                            message: "a download thread panicked".to_owned(),
                        }))
                    }
                }
            }
            transfer.stop.store(true, Ordering::Release);
            let digests = match hasher.map(|h| h.join()) {
                None => None,
                Some(Ok(Ok(digests))) => digests,
                Some(Ok(Err(error))) => {
                    return Err(SegmentEnd::Failed(FetchError::Io(error)));
                }
                Some(Err(_)) => {
                    return Err(SegmentEnd::Failed(FetchError::Protocol {
                        url: transfer.url.clone(),
                        message: "the hashing thread panicked".to_owned(),
                    }));
                }
            };
            outcome.map(|()| digests)
        })
    }

    fn probe_with_retries(
        &self,
        url: &str,
        range: (u64, Option<u64>),
        progress: ProgressSink,
    ) -> Result<Probe, Failure> {
        let mut attempt = 0;
        loop {
            match self.probe(url, range) {
                Ok(probe) => return Ok(probe),
                Err(Failure::Transient { error, retry_after }) => {
                    attempt += 1;
                    if attempt >= self.options.max_attempts {
                        return Err(Failure::Permanent(FetchError::RetriesExhausted {
                            url: url.to_owned(),
                            attempts: attempt,
                            last_error: error,
                        }));
                    }
                    let pause = retry_after
                        .map(|pause| pause.min(self.options.backoff_max))
                        .unwrap_or_else(|| {
                            retry::backoff(
                                self.options.backoff_initial,
                                self.options.backoff_max,
                                attempt - 1,
                            )
                        });
                    progress.reporter.on_warning(&format!(
                        "`{url}`: {}; retrying in {:.1} s",
                        crate::error::error_chain(&error),
                        pause.as_secs_f64()
                    ));
                    std::thread::sleep(pause);
                }
                Err(permanent) => return Err(permanent),
            }
        }
    }

    /// Asks for `range` (`bytes=0-` for a new download, the first missing range when
    /// resuming): a 206 tells the size and that ranges work, a 200 that they do not. An
    /// HTML page is checked for Google Drive's confirmation form, which is followed (with
    /// its cookies) to the file.
    fn probe(&self, url: &str, range: (u64, Option<u64>)) -> Result<Probe, Failure> {
        let mut current = url.to_owned();
        let mut extra_headers: Vec<(String, String)> = Vec::new();
        for _ in 0..3 {
            let response = http::get(&self.agent, &current, Some(range), None, &extra_headers)?;
            let final_url = http::final_url(&response, &current);
            let is_html = http::header(&response, "content-type")
                .is_some_and(|value| value.trim_start().starts_with("text/html"));
            if is_html && !looks_like_html_file(url) {
                let cookies = http::headers_all(&response, "set-cookie");
                let page = response
                    .into_body()
                    .with_config()
                    .limit(4 << 20)
                    .lossy_utf8(true)
                    .read_to_string()
                    .map_err(Failure::transient)?;
                if let Some(next) = crate::gdrive::confirmation_url(&page, &final_url, &cookies) {
                    let cookie_header: Vec<String> = cookies
                        .iter()
                        .filter_map(|c| c.split(';').next().map(str::to_owned))
                        .collect();
                    extra_headers.retain(|(name, _)| name != "Cookie");
                    if !cookie_header.is_empty() {
                        extra_headers.push(("Cookie".to_owned(), cookie_header.join("; ")));
                    }
                    current = next;
                    continue;
                }
                let snippet: String = page.split_whitespace().collect::<Vec<_>>().join(" ");
                let snippet: String = snippet.chars().take(160).collect();
                return Err(Failure::Permanent(FetchError::Protocol {
                    url: final_url,
                    message: format!("the server sent an HTML page instead of the file: {snippet}"),
                }));
            }
            let etag = http::header(&response, "etag").map(str::to_owned);
            let last_modified = http::header(&response, "last-modified").map(str::to_owned);
            let status = response.status().as_u16();
            let mut satisfiable = true;
            let (total, ranges) = match status {
                206 => {
                    let content_range = http::header(&response, "content-range")
                        .and_then(http::parse_content_range);
                    match content_range {
                        Some((start, _, Some(total))) if start == range.0 => (Some(total), true),
                        _ => {
                            return Err(Failure::Permanent(FetchError::Protocol {
                                url: final_url,
                                message: "206 response without a usable Content-Range".to_owned(),
                            }));
                        }
                    }
                }
                200 => (
                    http::header(&response, "content-length").and_then(|v| v.trim().parse().ok()),
                    false,
                ),
                416 => {
                    // `bytes=0-` of an empty file.
                    let total = http::header(&response, "content-range")
                        .and_then(|v| v.trim().strip_prefix("bytes */"))
                        .and_then(|v| v.trim().parse::<u64>().ok());
                    if total == Some(0) && range.0 == 0 {
                        (Some(0), false)
                    } else if range.0 > 0 && total.is_some() {
                        // Resuming past the end: the file is shorter now.
                        satisfiable = false;
                        (total, true)
                    } else {
                        return Err(Failure::Permanent(FetchError::HttpStatus {
                            url: final_url,
                            status,
                        }));
                    }
                }
                _ => {
                    return Err(Failure::Permanent(FetchError::HttpStatus {
                        url: final_url,
                        status,
                    }));
                }
            };
            return Ok(Probe {
                response,
                url: final_url,
                total,
                ranges,
                satisfiable,
                etag,
                last_modified,
                extra_headers,
            });
        }
        Err(Failure::Permanent(FetchError::Protocol {
            url: url.to_owned(),
            message: "confirmation pages kept coming back".to_owned(),
        }))
    }
}

fn looks_like_html_file(url: &str) -> bool {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.ends_with(".html") || path.ends_with(".htm")
}

pub(crate) fn io_failure(error: std::io::Error) -> Failure {
    Failure::Permanent(FetchError::Io(error))
}

/// Hashes the part file as its contiguous prefix grows, reading back from the page cache.
fn hash_following(transfer: &Transfer, with_md5: bool) -> std::io::Result<Option<Digests>> {
    let mut hasher = StreamingHasher::new(with_md5);
    let mut buffer = vec![0u8; 4 << 20];
    loop {
        let stopping = transfer.stop.load(Ordering::Acquire);
        let frontier = transfer.frontier();
        let hashed = hasher.bytes();
        if frontier > hashed {
            let length = (frontier - hashed).min(buffer.len() as u64) as usize;
            transfer.file.read_exact_at(&mut buffer[..length], hashed)?;
            hasher.update(&buffer[..length]);
            continue;
        }
        if stopping {
            let complete = transfer
                .segments
                .iter()
                .all(|s| s.complete.load(Ordering::Acquire));
            return Ok(complete.then(|| hasher.finish()));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}
