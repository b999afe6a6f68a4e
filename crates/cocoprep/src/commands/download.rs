//! `cocoprep download URL...`: the `get` engine for any file.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use cocoprep_fetch::Checksum;
use cocoprep_fetch::download::{DownloadOptions, DownloadRequest, Downloader, ProgressSink};

use super::Outcome;
use crate::cli::DownloadArgs;
use crate::output;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct DownloadSettings {
    pub files: Vec<(String, PathBuf)>,
    pub checksum: Option<Checksum>,
    pub size: Option<u64>,
    pub options: DownloadOptions,
    pub json: bool,
}

/// The file name a URL saves to: its last path segment, percent-decoded minimally.
fn file_name_of(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next()?;
    let after_scheme = path.find("://").map_or(0, |p| p + 3);
    let path = &path[after_scheme..];
    let name = path.rsplit('/').next()?;
    let name = name.replace("%20", " ");
    (!name.is_empty() && !path.ends_with('/') && path.contains('/') && name != "." && name != "..")
        .then_some(name)
}

impl DownloadSettings {
    pub fn resolve(args: DownloadArgs) -> anyhow::Result<Self> {
        let DownloadArgs {
            urls,
            output,
            file_name,
            sha256,
            md5,
            size,
            connections,
            timeout,
            retries,
            hash,
            json,
        } = args;
        anyhow::ensure!(
            file_name.is_none() || urls.len() == 1,
            "--file-name needs exactly one URL"
        );
        let checksum = match (sha256, md5) {
            (Some(hex), _) => Some(
                Checksum::from_hex(&hex)
                    .filter(|c| matches!(c, Checksum::Sha256(_)))
                    .with_context(|| format!("--sha256 `{hex}` is not 64 hex digits"))?,
            ),
            (None, Some(hex)) => Some(
                Checksum::from_hex(&hex)
                    .filter(|c| matches!(c, Checksum::Md5(_)))
                    .with_context(|| format!("--md5 `{hex}` is not 32 hex digits"))?,
            ),
            (None, None) => None,
        };
        let mut files = Vec::new();
        for url in urls {
            let name = match &file_name {
                Some(name) => name.clone(),
                None => file_name_of(&url).with_context(|| {
                    format!("cannot tell a file name from `{url}`; pass --file-name")
                })?,
            };
            anyhow::ensure!(
                !name.contains('/'),
                "the file name `{name}` must not contain `/`"
            );
            files.push((url, output.join(name)));
        }
        let mut options = DownloadOptions {
            connections: connections.max(1),
            max_attempts: retries.max(1),
            always_hash: hash,
            ..DownloadOptions::default()
        };
        options.http.read_timeout = Duration::from_secs(timeout.max(1));
        Ok(Self {
            files,
            checksum,
            size,
            options,
            json,
        })
    }
}

pub fn run(settings: &DownloadSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let DownloadSettings {
        files,
        checksum,
        size,
        options,
        json,
    } = settings;
    let progress = Progress::new(global);
    let downloader = Downloader::new(options.clone());
    let mut records = Vec::new();
    let mut text = String::new();
    for (url, destination) in files {
        let request = DownloadRequest {
            label: destination
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned(),
            urls: vec![url.clone()],
            destination: destination.clone(),
            expected_bytes: *size,
            checksum: checksum.clone(),
        };
        let done = downloader
            .download(
                &request,
                ProgressSink {
                    reporter: &progress,
                    total: None,
                },
            )
            .with_context(|| format!("cannot download `{url}`"))?;
        let sha256 = done.digests.as_ref().map(|d| d.sha256.clone());
        text.push_str(&format!(
            "{}\t{}\t{}\n",
            done.path.display(),
            done.bytes,
            sha256.as_deref().unwrap_or("-")
        ));
        let how = if done.already_complete {
            "already complete".to_owned()
        } else if done.resumed_bytes > 0 {
            format!("resumed after {} bytes", done.resumed_bytes)
        } else {
            "downloaded".to_owned()
        };
        let verified = match checksum {
            Some(c) => format!(", {} verified", c.algorithm()),
            None => String::new(),
        };
        progress.println(&format!(
            "{}: {how}, {} bytes{verified}",
            done.path.display(),
            done.bytes
        ));
        records.push(serde_json::json!({
            "url": url,
            "path": done.path,
            "bytes": done.bytes,
            "sha256": sha256,
            "md5": done.digests.as_ref().and_then(|d| d.md5.clone()),
            "received_bytes": done.received_bytes,
            "resumed_bytes": done.resumed_bytes,
            "already_complete": done.already_complete,
        }));
    }
    if *json {
        output::stdout(&format!("{}\n", serde_json::to_string_pretty(&records)?))?;
    } else {
        output::stdout(&text)?;
    }
    let _ = global;
    Ok(Outcome::Success)
}

#[cfg(test)]
mod tests {
    use super::file_name_of;

    #[test]
    fn file_names_come_from_the_url_path() {
        assert_eq!(
            file_name_of("http://images.cocodataset.org/zips/val2017.zip").as_deref(),
            Some("val2017.zip")
        );
        assert_eq!(
            file_name_of("http://x.org/a/b.pkl?dl=1").as_deref(),
            Some("b.pkl")
        );
        assert_eq!(file_name_of("http://x.org/"), None);
        assert_eq!(file_name_of("http://x.org"), None);
    }
}
