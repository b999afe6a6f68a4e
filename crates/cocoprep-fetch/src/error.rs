//! The one error type of this crate. Every variant names the file, URL or resource that
//! failed and what was expected, and keeps the error it stems from as its
//! [`source`](std::error::Error::source), so `{:#}` in `anyhow` (or [`error_chain`]) shows
//! the whole story once.

use std::path::PathBuf;

/// Why one HTTP attempt failed in a way that trying again may fix: the last one is kept
/// by [`FetchError::RetriesExhausted`] and [`FetchError::Interrupted`].
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// The request could not be sent or its response not read (refused, reset, timeout).
    #[error(transparent)]
    Http(#[from] ureq::Error),
    /// Reading the response body failed.
    #[error(transparent)]
    Read(#[from] std::io::Error),
    /// The server answered with a status worth retrying (5xx, 429, 408).
    #[error("HTTP {status}")]
    Status {
        /// The status code.
        status: u16,
    },
    /// The response ended or started somewhere else than asked.
    #[error("{0}")]
    Response(String),
}

/// `error` and its sources, joined with `: ` (what `anyhow`'s `{:#}` prints), for reports
/// that keep errors as text.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(next) = source {
        let message = next.to_string();
        // `#[error(transparent)]` wrappers repeat their inner message.
        if !text.ends_with(&message) {
            text.push_str(": ");
            text.push_str(&message);
        }
        source = next.source();
    }
    text
}

/// Why a fetch, verification or extraction failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// A file operation failed (the path is in the message, from `fs_err`).
    #[error(transparent)]
    Io(#[from] std::io::Error),

    /// The catalog file is not valid JSON of the catalog schema.
    #[error("invalid catalog `{source_name}`")]
    CatalogSyntax {
        /// The catalog (`built-in` or a path).
        source_name: String,
        /// The parse error (with line and column).
        #[source]
        error: serde_json::Error,
    },

    /// The catalog file breaks a rule of the schema (duplicate names, bad checksums).
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
    #[error("`{url}` failed after {attempts} attempts")]
    RetriesExhausted {
        /// The URL.
        url: String,
        /// How many attempts were made.
        attempts: u32,
        /// The last failure.
        #[source]
        last_error: TransferError,
    },

    /// A transfer had to start over too many times (the file kept changing on the server,
    /// or the server kept ignoring byte ranges).
    #[error("downloading `{url}` kept being restarted")]
    Interrupted {
        /// The URL.
        url: String,
        /// The last reason.
        #[source]
        last_error: TransferError,
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
    #[error("every source for `{}` failed:\n{}", path.display(), failures.iter().map(|f| format!("  - {}", error_chain(f))).collect::<Vec<_>>().join("\n"))]
    AllSourcesFailed {
        /// The destination file.
        path: PathBuf,
        /// One error per failed attempt, in order.
        failures: Vec<FetchError>,
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
        /// What was being done.
        message: String,
        /// The zip or I/O error, if any.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
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
        /// The download or decoding error.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },

    /// A manifest file is unreadable.
    #[error("cannot read manifest `{}`", path.display())]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// The parse error.
        #[source]
        error: serde_json::Error,
    },

    /// An annotation file of a subset download could not be read or written.
    #[error("cannot {action} the annotations `{}`", path.display())]
    Annotations {
        /// The annotation file.
        path: PathBuf,
        /// `read` or `write`.
        action: &'static str,
        /// The reader's or writer's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// Subset selection failed (unknown class, missing annotation file...).
    #[error("{0}")]
    Subset(String),

    /// The run was cancelled.
    #[error("cancelled")]
    Cancelled,
}
