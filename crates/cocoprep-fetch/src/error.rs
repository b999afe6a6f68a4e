//! The one error type of this crate. Every variant names the file, URL or resource that
//! failed and what was expected.

use std::path::PathBuf;

/// Why a fetch, verification or extraction failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// A file operation failed (the path is in the message, from `fs_err`).
    #[error(transparent)]
    Io(#[from] std::io::Error),

    /// The catalog file is not valid.
    #[error("invalid catalog `{source_name}`: {message}")]
    Catalog {
        /// The catalog (`built-in` or a path).
        source_name: String,
        /// What is wrong.
        message: String,
    },

    /// A name given on the command line is neither a bundle nor a resource.
    #[error("`{name}` is not a bundle or resource in the catalog (see `cocoprep list`){}", suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    UnknownName {
        /// The name.
        name: String,
        /// A close match, if any.
        suggestion: Option<String>,
    },

    /// A resource has no URL to download from.
    #[error("resource `{resource}` has no download URL: {reason}")]
    NoUrl {
        /// The resource.
        resource: String,
        /// Why (from the catalog's note).
        reason: String,
    },

    /// A server answered with a status that retrying will not fix.
    #[error("`{url}` answered HTTP {status}")]
    HttpStatus {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
    },

    /// Transfers kept failing after every retry.
    #[error("`{url}` failed after {attempts} attempts: {last_error}")]
    RetriesExhausted {
        /// The URL.
        url: String,
        /// How many attempts were made.
        attempts: u32,
        /// The last failure.
        last_error: String,
    },

    /// The server answered something that is not the file (an HTML page, a wrong range).
    #[error("`{url}`: {message}")]
    Protocol {
        /// The URL.
        url: String,
        /// What was wrong.
        message: String,
    },

    /// The server's size differs from the published size.
    #[error("`{url}` is {actual} bytes but the catalog says {expected} bytes")]
    SizeMismatch {
        /// The URL.
        url: String,
        /// The published size.
        expected: u64,
        /// What the server reported or sent.
        actual: u64,
    },

    /// The downloaded bytes do not have the published checksum.
    #[error("checksum mismatch for `{}` ({algorithm}: expected {expected}, got {actual}); the download was moved to `{}`", path.display(), quarantined.display())]
    ChecksumMismatch {
        /// The file that was being downloaded.
        path: PathBuf,
        /// `sha256` or `md5`.
        algorithm: &'static str,
        /// The published checksum.
        expected: String,
        /// The checksum of what arrived.
        actual: String,
        /// Where the bad bytes were moved.
        quarantined: PathBuf,
    },

    /// Every URL of a resource failed; the last error of each is listed.
    #[error("every source for `{}` failed:\n{}", path.display(), failures.iter().map(|f| format!("  - {f}")).collect::<Vec<_>>().join("\n"))]
    AllSourcesFailed {
        /// The destination file.
        path: PathBuf,
        /// One line per URL.
        failures: Vec<String>,
    },

    /// Not enough free space at the destination.
    #[error("not enough free disk space in `{}`: {needed} bytes needed, {available} available", path.display())]
    DiskFull {
        /// The destination folder.
        path: PathBuf,
        /// Bytes needed.
        needed: u64,
        /// Bytes available.
        available: u64,
    },

    /// An archive could not be read.
    #[error("cannot read archive `{}`: {message}", path.display())]
    Archive {
        /// The archive.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },

    /// An archive member would be written outside the destination, or is a link.
    #[error("archive `{}` member `{member}` is unsafe: {reason}", archive.display())]
    UnsafeMember {
        /// The archive.
        archive: PathBuf,
        /// The member name as stored.
        member: String,
        /// Why it was refused.
        reason: &'static str,
    },

    /// An extracted member does not match the CRC-32 or size recorded in the archive.
    #[error("archive `{}` member `{member}` is corrupt: {message}", archive.display())]
    CorruptMember {
        /// The archive.
        archive: PathBuf,
        /// The member.
        member: String,
        /// The mismatch.
        message: String,
    },

    /// A known-bad file could not be repaired.
    #[error("`{}` is corrupt and could not be replaced: {message}", path.display())]
    RepairFailed {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },

    /// A manifest file is unreadable.
    #[error("cannot read manifest `{}`: {message}", path.display())]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// Why.
        message: String,
    },

    /// Subset selection failed (unknown class, missing annotation file...).
    #[error("{0}")]
    Subset(String),

    /// The run was cancelled.
    #[error("cancelled")]
    Cancelled,
}
