//! One range connection: request `start+done..end`, write what arrives at its offset,
//! reconnect with backoff after a timeout, reset or early close, and give up only after
//! [`DownloadOptions::max_attempts`](super::DownloadOptions) attempts in a row that
//! brought no byte.

use std::io::Read;
use std::os::unix::fs::FileExt;
use std::sync::atomic::Ordering;

use super::{Downloader, SegmentEnd, Transfer, retry};
use crate::error::{FetchError, TransferError};
use crate::http::{self, Failure};

enum Received {
    /// The range is complete.
    Complete,
    /// The connection ended early; bytes may have arrived.
    Interrupted(TransferError),
    RangeIgnored,
}

pub(super) fn run(
    downloader: &Downloader,
    transfer: &Transfer,
    index: usize,
    first: Option<ureq::http::Response<ureq::Body>>,
) -> Result<(), SegmentEnd> {
    let segment = &transfer.segments[index];
    let options = &downloader.options;
    let mut first = first;
    let mut failures_in_a_row = 0u32;
    let mut buffer = vec![0u8; 256 << 10];
    loop {
        if transfer.stop.load(Ordering::Acquire) {
            return Ok(());
        }
        let done_before = segment.done.load(Ordering::Acquire);
        let position = segment.start + done_before;
        if segment.end.is_some_and(|end| position >= end) {
            segment.complete.store(true, Ordering::Release);
            return Ok(());
        }
        let response = match first.take() {
            Some(response) => Ok(response),
            None => http::get(
                &downloader.agent,
                &transfer.url,
                Some((position, segment.end.map(|end| end - 1))),
                transfer.validator.as_deref(),
                &transfer.extra_headers,
            ),
        };
        let (last_error, retry_after) = match response {
            Ok(response) => match receive(transfer, index, response, &mut buffer) {
                Ok(Received::Complete) => {
                    segment.complete.store(true, Ordering::Release);
                    return Ok(());
                }
                Ok(Received::RangeIgnored) => {
                    transfer.stop.store(true, Ordering::Release);
                    return Err(SegmentEnd::RangeIgnored);
                }
                Ok(Received::Interrupted(error)) => (error, None),
                Err(error) => {
                    transfer.stop.store(true, Ordering::Release);
                    return Err(SegmentEnd::Failed(error));
                }
            },
            Err(Failure::Transient { error, retry_after }) => (error, retry_after),
            Err(Failure::Permanent(error)) => {
                transfer.stop.store(true, Ordering::Release);
                return Err(SegmentEnd::Failed(error));
            }
        };
        if segment.done.load(Ordering::Acquire) > done_before {
            failures_in_a_row = 0;
        }
        failures_in_a_row += 1;
        if failures_in_a_row >= options.max_attempts {
            transfer.stop.store(true, Ordering::Release);
            return Err(SegmentEnd::Failed(FetchError::RetriesExhausted {
                url: transfer.url.clone(),
                attempts: failures_in_a_row,
                last_error,
            }));
        }
        let pause = retry_after
            .map(|pause| pause.min(options.backoff_max))
            .unwrap_or_else(|| {
                retry::backoff(
                    options.backoff_initial,
                    options.backoff_max,
                    failures_in_a_row - 1,
                )
            });
        std::thread::sleep(pause);
    }
}

fn receive(
    transfer: &Transfer,
    index: usize,
    response: ureq::http::Response<ureq::Body>,
    buffer: &mut [u8],
) -> Result<Received, FetchError> {
    let segment = &transfer.segments[index];
    let mut position = segment.start + segment.done.load(Ordering::Acquire);
    let status = response.status().as_u16();
    let mut skip = 0u64;
    match status {
        206 => {
            let range =
                http::header(&response, "content-range").and_then(http::parse_content_range);
            match range {
                Some((start, _, total)) if start == position => {
                    if let (Some(expected), Some(total)) = (transfer.total, total)
                        && expected != total
                    {
                        return Ok(Received::RangeIgnored);
                    }
                }
                Some((start, _, _)) => {
                    return Ok(Received::Interrupted(TransferError::Response(format!(
                        "asked for bytes from {position}, the server sent them from {start}"
                    ))));
                }
                None => {
                    return Ok(Received::Interrupted(TransferError::Response(
                        "206 response without Content-Range".to_owned(),
                    )));
                }
            }
        }
        200 => {
            if transfer.ranges {
                return Ok(Received::RangeIgnored);
            }
            // No range support: the body starts at byte 0 again; skip what we have.
            skip = position;
        }
        416 if transfer.total == Some(position) => return Ok(Received::Complete),
        _ => {
            return Err(FetchError::HttpStatus {
                url: transfer.url.clone(),
                status,
            });
        }
    }
    let mut reader = response.into_body().into_reader();
    if skip > 0 {
        let skipped = std::io::copy(&mut (&mut reader).take(skip), &mut std::io::sink());
        match skipped {
            Ok(count) if count == skip => {}
            Ok(_) => return Ok(Received::Interrupted(closed_early())),
            Err(error) => return Ok(Received::Interrupted(TransferError::Read(error))),
        }
        transfer.received.fetch_add(skip, Ordering::Relaxed);
    }
    loop {
        if transfer.stop.load(Ordering::Acquire) {
            return Ok(Received::Interrupted(TransferError::Response(
                "stopped".to_owned(),
            )));
        }
        let wanted = match segment.end {
            Some(end) if position >= end => return Ok(Received::Complete),
            Some(end) => ((end - position) as usize).min(buffer.len()),
            None => buffer.len(),
        };
        let read = match reader.read(&mut buffer[..wanted]) {
            Ok(0) if segment.end.is_none() => return Ok(Received::Complete),
            Ok(0) => return Ok(Received::Interrupted(closed_early())),
            Ok(read) => read,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => return Ok(Received::Interrupted(TransferError::Read(error))),
        };
        transfer.file.write_all_at(&buffer[..read], position)?;
        position += read as u64;
        segment.done.fetch_add(read as u64, Ordering::Release);
        transfer.received.fetch_add(read as u64, Ordering::Relaxed);
    }
}

fn closed_early() -> TransferError {
    TransferError::Response("the connection closed early".to_owned())
}
