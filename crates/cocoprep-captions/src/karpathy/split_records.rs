//! Locating image records and their splits without keeping their contents, for jobs that
//! copy records through unchanged (`captions subsample`).

use std::path::Path;

use cocoprep_base::position::strip_position;
use cocoprep_base::progress::Reporter;
use serde::Deserialize;

use super::Split;
use cocoprep_coco::json_split::{Batch, BatchParser};

use super::pipeline::{Members, RecordFailure};
use super::read::read_with_progress;
use super::record::SplitName;
use crate::error::Error;

/// Where one image record is in the file, and its split.
#[derive(Clone, Debug)]
pub(crate) struct RecordLocation {
    pub(crate) offset: u64,
    pub(crate) length: usize,
    pub(crate) split: Split,
}

#[derive(Deserialize)]
struct SplitOnly {
    split: Option<SplitName>,
}

struct SplitParser;

impl BatchParser for SplitParser {
    type Output = Vec<RecordLocation>;
    type Worker = ();
    type Error = RecordFailure;

    fn worker(&self, _index: usize) {}

    fn parse(&self, _worker: &mut (), batch: &Batch) -> Result<Vec<RecordLocation>, RecordFailure> {
        batch
            .elements()
            .map(|record| {
                let (index, offset, bytes) = (record.index, record.offset, record.bytes);
                let failure = |message: String| RecordFailure {
                    index,
                    offset,
                    bytes: bytes.to_vec(),
                    message,
                };
                // The records are copied through as text, so they must be valid UTF-8.
                let text = std::str::from_utf8(bytes).map_err(|error| {
                    failure(format!(
                        "text is not valid UTF-8 (byte 0x{:02x})",
                        bytes[error.valid_up_to()]
                    ))
                })?;
                let record: SplitOnly = serde_json::from_str(text)
                    .map_err(|error| failure(strip_position(&error.to_string())))?;
                let split = record
                    .split
                    .ok_or_else(|| failure("missing `split`".to_owned()))?
                    .0;
                Ok(RecordLocation {
                    offset,
                    length: bytes.len(),
                    split,
                })
            })
            .collect()
    }
}

/// The location and split of every image record, and the other top-level members.
pub(crate) fn read_record_locations(
    path: &Path,
    jobs: usize,
    reporter: &dyn Reporter,
) -> Result<(Vec<RecordLocation>, Members), Error> {
    let mut locations = Vec::new();
    let members = read_with_progress(path, jobs, reporter, &SplitParser, &mut |batch| {
        locations.extend(batch)
    })?;
    Ok((locations, members))
}
