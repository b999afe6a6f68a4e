//! The resume journal: which byte ranges of a `.part` file are already on disk.
//!
//! Written next to the part file (`NAME.part.journal`) by replacing it atomically every
//! fraction of a second. A range's `done` count is only advanced after its bytes were
//! written with `pwrite`, so after any interruption, including `kill -9`, the journal
//! never claims bytes that are not in the part file (the kernel keeps written pages when
//! a process dies). On restart each range continues at `start + done`.
//!
//! The journal belongs to the output file and the content it is expected to hold (the
//! published size and checksum), not to a URL: another mirror of the same file resumes
//! it. What it records about the server (`ETag`, `Last-Modified`) is only compared with
//! the same URL, since mirrors legitimately differ in those; across mirrors the size and
//! the expected checksum (checked over the whole file at the end) are what make mixing
//! their bytes safe.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::checksum::Checksum;

/// The journal format written by this version.
pub const JOURNAL_VERSION: u32 = 2;

/// What is known about a partial download.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal {
    /// Format version (1 had no `expected_*` fields; it is still read).
    pub version: u32,
    /// The URL the bytes came from last (after redirects and confirmation pages).
    pub url: String,
    /// The URL that was asked for (the catalog's URL or mirror) when the bytes came.
    pub source: String,
    /// The size the caller expected (the published size), if any.
    #[serde(default)]
    pub expected_bytes: Option<u64>,
    /// The checksum the caller expected, as `sha256:HEX` or `md5:HEX`, if any.
    #[serde(default)]
    pub expected_checksum: Option<String>,
    /// Total size, if the server said.
    pub total: Option<u64>,
    /// `ETag` of the response, to detect a file that changed on the server.
    pub etag: Option<String>,
    /// `Last-Modified` of the response.
    pub last_modified: Option<String>,
    /// Whether the server honours `Range`.
    pub ranges: bool,
    /// The ranges, in order of `start`.
    pub segments: Vec<SegmentState>,
}

/// One byte range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentState {
    /// First byte.
    pub start: u64,
    /// One past the last byte (`None`: until the end of an unknown-length body).
    pub end: Option<u64>,
    /// Bytes of the range already on disk.
    pub done: u64,
}

impl Journal {
    /// The journal's path for a part file.
    pub fn path_for(part: &Path) -> PathBuf {
        let mut name = part.as_os_str().to_owned();
        name.push(".journal");
        PathBuf::from(name)
    }

    /// Reads a journal; `None` if absent or unreadable (the download then starts over).
    pub fn load(path: &Path) -> Option<Self> {
        let text = std::fs::read(path).ok()?;
        let journal: Self = serde_json::from_slice(&text).ok()?;
        (1..=JOURNAL_VERSION)
            .contains(&journal.version)
            .then_some(journal)
    }

    /// Replaces the journal on disk atomically (temporary file, fsync, rename).
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let bytes = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        cocoprep_base::output::write_atomic(path, &bytes)
    }

    /// Bytes already on disk.
    pub fn done_bytes(&self) -> u64 {
        self.segments.iter().map(|s| s.done).sum()
    }

    /// The first range that is not complete: `(index, first missing byte, end)`.
    pub fn first_missing(&self) -> Option<(usize, u64, Option<u64>)> {
        self.segments.iter().enumerate().find_map(|(index, s)| {
            let position = s.start + s.done;
            s.end
                .is_none_or(|end| position < end)
                .then_some((index, position, s.end))
        })
    }

    /// The validator to send as `If-Range`: the ETag if strong, else `Last-Modified`.
    pub fn validator(&self) -> Option<&str> {
        self.etag
            .as_deref()
            .filter(|etag| !etag.starts_with("W/"))
            .or(self.last_modified.as_deref())
    }
}

/// How a checksum is recorded in a journal: `sha256:HEX`.
pub fn checksum_tag(checksum: &Checksum) -> String {
    format!("{}:{}", checksum.algorithm(), checksum.hex())
}

/// Splits `[0, total)` into at most `count` ranges of at least `minimum` bytes.
pub fn split(total: u64, count: usize, minimum: u64) -> Vec<SegmentState> {
    let by_size = (total / minimum.max(1)).max(1) as usize;
    let count = count.clamp(1, by_size);
    let size = total.div_ceil(count as u64);
    (0..count as u64)
        .map(|index| SegmentState {
            start: index * size,
            end: Some(((index + 1) * size).min(total)),
            done: 0,
        })
        .filter(|segment| segment.end.is_some_and(|end| end > segment.start) || total == 0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_covers_the_file_exactly() {
        let segments = split(1003, 4, 1);
        assert_eq!(segments.len(), 4);
        assert_eq!(segments[0].start, 0);
        assert_eq!(segments[3].end, Some(1003));
        for pair in segments.windows(2) {
            assert_eq!(pair[0].end, Some(pair[1].start));
        }
        assert_eq!(split(10, 4, 1 << 20).len(), 1);
    }

    #[test]
    fn journal_round_trips_through_disk() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("x.part.journal");
        let journal = Journal {
            version: JOURNAL_VERSION,
            url: "http://a/b".into(),
            source: "http://a/b".into(),
            expected_bytes: Some(10),
            expected_checksum: Some("sha256:00".into()),
            total: Some(10),
            etag: Some("\"e\"".into()),
            last_modified: None,
            ranges: true,
            segments: split(10, 2, 1),
        };
        journal.save(&path).unwrap();
        assert_eq!(Journal::load(&path), Some(journal.clone()));
        // Only the journal is left in the folder: the temporary name was renamed.
        assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 1);
        assert_eq!(journal.first_missing(), Some((0, 0, Some(5))));
    }

    #[test]
    fn a_version_1_journal_is_still_resumed() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("x.part.journal");
        std::fs::write(
            &path,
            r#"{"version":1,"url":"http://a/b","source":"http://a/b","total":10,"etag":null,
               "last_modified":null,"ranges":true,"segments":[{"start":0,"end":10,"done":4}]}"#,
        )
        .unwrap();
        let journal = Journal::load(&path).unwrap();
        assert_eq!(journal.expected_checksum, None);
        assert_eq!(journal.first_missing(), Some((0, 4, Some(10))));
    }
}
