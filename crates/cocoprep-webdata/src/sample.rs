//! The outcome of one input row.

/// img2dataset's `status` column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// The image is in the output.
    Success,
    /// The URL could not be fetched (HTTP error, timeout, DNS, robots opt-out).
    FailedToDownload,
    /// The bytes were fetched but are not a usable image (undecodable, filtered out).
    FailedToResize,
}

impl Status {
    /// The name written to the index and stats.
    pub fn name(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::FailedToDownload => "failed_to_download",
            Self::FailedToResize => "failed_to_resize",
        }
    }

    /// The status of a name written by [`Status::name`].
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "success" => Some(Self::Success),
            "failed_to_download" => Some(Self::FailedToDownload),
            "failed_to_resize" => Some(Self::FailedToResize),
            _ => None,
        }
    }
}

/// One row's result, as written to the shard's outputs and index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sample {
    /// 0-based input row.
    pub row: u64,
    /// The img2dataset key.
    pub key: String,
    /// The URL.
    pub url: String,
    /// The caption, if the input has one.
    pub caption: Option<String>,
    /// What happened.
    pub status: Status,
    /// Why it failed.
    pub error_message: Option<String>,
    /// Whether the failure may go away on a retry (`--retry-failed` re-fetches these).
    pub transient: bool,
    /// Output width.
    pub width: Option<u32>,
    /// Output height.
    pub height: Option<u32>,
    /// Fetched image width.
    pub original_width: Option<u32>,
    /// Fetched image height.
    pub original_height: Option<u32>,
    /// SHA-256 of the fetched bytes (hex), for every fetched body.
    pub sha256: Option<String>,
    /// The output image bytes (successes only).
    pub image: Option<Vec<u8>>,
}

impl Sample {
    /// The per-sample metadata JSON (`key.json`), img2dataset's fields, 4-space indent.
    pub fn metadata_json(&self) -> Vec<u8> {
        #[derive(serde::Serialize)]
        struct Metadata<'a> {
            url: &'a str,
            caption: Option<&'a str>,
            key: &'a str,
            status: &'a str,
            error_message: Option<&'a str>,
            width: Option<u32>,
            height: Option<u32>,
            original_width: Option<u32>,
            original_height: Option<u32>,
            sha256: Option<&'a str>,
        }
        let value = Metadata {
            url: &self.url,
            caption: self.caption.as_deref(),
            key: &self.key,
            status: self.status.name(),
            error_message: self.error_message.as_deref(),
            width: self.width,
            height: self.height,
            original_width: self.original_width,
            original_height: self.original_height,
            sha256: self.sha256.as_deref(),
        };
        let mut bytes = Vec::new();
        let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
        let mut serializer = serde_json::Serializer::with_formatter(&mut bytes, formatter);
        serde::Serialize::serialize(&value, &mut serializer).expect("JSON values serialize");
        bytes
    }
}
