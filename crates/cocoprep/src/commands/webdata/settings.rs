//! `cocoprep webdata` arguments resolved into the library's job options.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use cocoprep_webdata::fetch::FetchOptions;
use cocoprep_webdata::image::{EncodeFormat, ImageOptions, ResizeMode};
use cocoprep_webdata::input::{InputFormat, InputSource, InputSpec, Preset};
use cocoprep_webdata::layout::ShardLayout;
use cocoprep_webdata::output::{FileNames, OutputFormat, OutputOptions};
use cocoprep_webdata::resolve::ResolveOverride;
use cocoprep_webdata::run::JobOptions;

use crate::cli::{
    EncodeFormatArg, FileNamesArg, InputFormatArg, OutputFormatArg, ResizeModeArg,
    WebdataDownloadArgs, WebdataPresetArg,
};
use crate::commands::cluster::{ClusterSettings, absolute_word};

/// Fetch workers when --thread-count is not given.
const DEFAULT_THREADS: usize = 64;

#[derive(Clone, Debug)]
pub struct WebdataSettings {
    pub job: JobOptions,
    pub json: bool,
    pub cluster: ClusterSettings,
    /// The words that identify the job for the cluster layer (and emitted scripts).
    pub canonical_arguments: Vec<String>,
}

impl WebdataSettings {
    pub fn resolve(args: WebdataDownloadArgs) -> anyhow::Result<Self> {
        let WebdataDownloadArgs {
            url_list,
            output,
            preset,
            input_format,
            url_col,
            caption_col,
            output_format,
            file_names,
            image_size,
            resize_mode,
            resize_only_if_bigger,
            encode_format,
            encode_quality,
            skip_reencode,
            min_image_size,
            max_image_area,
            max_aspect_ratio,
            number_sample_per_shard,
            oom_shard_count,
            timeout,
            retries,
            thread_count,
            max_connections_per_host,
            resolve,
            user_agent_token,
            disallowed_header_directives,
            retry_failed,
            json,
            cluster,
        } = args;
        let url_list: PathBuf = url_list.context("URL_LIST is required")?;
        let folder: PathBuf = output.context("-o OUT is required")?;
        anyhow::ensure!(
            url_list.exists(),
            "URL list `{}` does not exist",
            url_list.display()
        );
        anyhow::ensure!(
            number_sample_per_shard > 0,
            "--number-sample-per-shard must be at least 1"
        );
        anyhow::ensure!(image_size > 0, "--image-size must be at least 1");
        anyhow::ensure!(
            timeout.is_finite() && timeout > 0.0,
            "--timeout must be a positive number of seconds"
        );
        let preset = preset.map(|preset| match preset {
            WebdataPresetArg::Cc3m => Preset::Cc3m,
            WebdataPresetArg::Cc12m => Preset::Cc12m,
            WebdataPresetArg::Sbu => Preset::Sbu,
            WebdataPresetArg::Coco => Preset::Coco,
            WebdataPresetArg::Laion => Preset::Laion,
        });
        let source = match preset {
            Some(preset) => InputSource::Preset(preset),
            None => InputSource::Table {
                format: match input_format {
                    Some(format) => match format {
                        InputFormatArg::Txt => InputFormat::Txt,
                        InputFormatArg::Csv => InputFormat::Csv,
                        InputFormatArg::Tsv => InputFormat::Tsv,
                        InputFormatArg::Jsonl => InputFormat::Jsonl,
                        InputFormatArg::Parquet => InputFormat::Parquet,
                    },
                    None => format_from_name(&url_list),
                },
                url_column: url_col,
                caption_column: caption_col,
            },
        };
        let encode_format = match encode_format {
            EncodeFormatArg::Jpg => EncodeFormat::Jpeg,
            EncodeFormatArg::Png => EncodeFormat::Png,
            EncodeFormatArg::Webp => EncodeFormat::Webp,
        };
        let encode_quality = match (encode_format, encode_quality) {
            (EncodeFormat::Jpeg | EncodeFormat::Webp, None) => 95,
            (EncodeFormat::Png, None) => 3,
            (EncodeFormat::Jpeg, Some(quality)) => {
                anyhow::ensure!(
                    (1..=100).contains(&quality),
                    "--encode-quality for jpg must be 1-100"
                );
                quality
            }
            (EncodeFormat::Png, Some(level)) => {
                anyhow::ensure!(
                    level <= 9,
                    "--encode-quality for png is a compression level 0-9"
                );
                level
            }
            // Every value means something to OpenCV's WebP encoder, which img2dataset calls:
            // 0 is quality 1 and 101 or more is lossless (the upper bound here is the u8's).
            (EncodeFormat::Webp, Some(quality)) => quality,
        };
        let file_names = match file_names {
            Some(FileNamesArg::Key) => FileNames::Key,
            Some(FileNamesArg::Row) => FileNames::Row,
            Some(FileNamesArg::UrlBasename) => FileNames::UrlBasename,
            None => match preset {
                Some(Preset::Cc3m | Preset::Cc12m) => FileNames::Row,
                Some(Preset::Sbu) => FileNames::UrlBasename,
                _ => FileNames::Key,
            },
        };
        let format = match output_format {
            OutputFormatArg::Files => OutputFormat::Files,
            OutputFormatArg::Webdataset => OutputFormat::WebDataset,
            OutputFormatArg::Parquet => OutputFormat::Parquet,
        };
        let resolve = resolve
            .iter()
            .map(|text| text.parse::<ResolveOverride>())
            .collect::<Result<Vec<_>, _>>()?;
        let disallowed_header_directives: Vec<String> = disallowed_header_directives
            .into_iter()
            .map(|directive| directive.trim().to_ascii_lowercase())
            .filter(|directive| !directive.is_empty() && directive != "none" && directive != "[]")
            .collect();
        let cluster = ClusterSettings::resolve(cluster)?;
        let workers = thread_count.unwrap_or(DEFAULT_THREADS).max(1);
        let resize_mode = match resize_mode {
            ResizeModeArg::No => ResizeMode::No,
            ResizeModeArg::KeepRatio => ResizeMode::KeepRatio,
            ResizeModeArg::CenterCrop => ResizeMode::CenterCrop,
            ResizeModeArg::Border => ResizeMode::Border,
            ResizeModeArg::KeepRatioLargest => ResizeMode::KeepRatioLargest,
        };
        let mut canonical_arguments = vec![
            absolute_word(&url_list)?,
            "-o".to_owned(),
            absolute_word(&folder)?,
        ];
        let mut add = |flag: &str, value: String| {
            canonical_arguments.push(flag.to_owned());
            canonical_arguments.push(value);
        };
        match &source {
            InputSource::Preset(preset) => add("--preset", preset.name().to_owned()),
            InputSource::Table {
                format,
                url_column,
                caption_column,
            } => {
                add("--input-format", format.name().to_owned());
                add("--url-col", url_column.clone());
                if let Some(caption) = caption_column {
                    add("--caption-col", caption.clone());
                }
            }
        }
        add("--output-format", format.name().to_owned());
        add(
            "--file-names",
            match file_names {
                FileNames::Key => "key",
                FileNames::Row => "row",
                FileNames::UrlBasename => "url-basename",
            }
            .to_owned(),
        );
        add("--image-size", image_size.to_string());
        add("--resize-mode", resize_mode.name().to_owned());
        add("--encode-format", encode_format.extension().to_owned());
        add("--encode-quality", encode_quality.to_string());
        add("--min-image-size", min_image_size.to_string());
        if let Some(area) = max_image_area {
            add("--max-image-area", area.to_string());
        }
        if let Some(ratio) = max_aspect_ratio {
            add("--max-aspect-ratio", ratio.to_string());
        }
        add(
            "--number-sample-per-shard",
            number_sample_per_shard.to_string(),
        );
        add("--oom-shard-count", oom_shard_count.to_string());
        add("--timeout", timeout.to_string());
        add("--retries", retries.to_string());
        add("--thread-count", workers.to_string());
        add(
            "--max-connections-per-host",
            max_connections_per_host.to_string(),
        );
        for text in &resolve {
            add(
                "--resolve",
                format!("{}:{}:{}", text.host, text.port, text.address),
            );
        }
        if let Some(token) = &user_agent_token {
            add("--user-agent-token", token.clone());
        }
        add(
            "--disallowed-header-directives",
            if disallowed_header_directives.is_empty() {
                "none".to_owned()
            } else {
                disallowed_header_directives.join(",")
            },
        );
        for (flag, on) in [
            ("--resize-only-if-bigger", resize_only_if_bigger),
            ("--skip-reencode", skip_reencode),
            ("--retry-failed", retry_failed),
        ] {
            if on {
                canonical_arguments.push(flag.to_owned());
            }
        }
        let job = JobOptions {
            input: InputSpec {
                path: url_list,
                source,
            },
            output: OutputOptions {
                folder,
                format,
                file_names,
                layout: ShardLayout {
                    samples_per_shard: number_sample_per_shard,
                    shard_digits: oom_shard_count,
                },
                encode_format,
            },
            fetch: FetchOptions {
                timeout: Duration::from_secs_f64(timeout),
                retries,
                max_connections_per_host,
                user_agent_token,
                disallowed_header_directives,
                resolve,
                idle_connections: workers,
                ..FetchOptions::default()
            },
            image: ImageOptions {
                image_size,
                resize_mode,
                resize_only_if_bigger,
                encode_format,
                encode_quality,
                skip_reencode,
                min_image_size,
                max_image_area,
                max_aspect_ratio,
            },
            workers,
            shard_filter: None,
            retry_failed,
        };
        Ok(Self {
            job,
            json,
            cluster,
            canonical_arguments,
        })
    }
}

/// `--input-format` from the file name: `x.tsv.gz` is tsv; unknown names are txt.
fn format_from_name(path: &std::path::Path) -> InputFormat {
    let name = path.to_string_lossy().to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    for (extension, format) in [
        (".csv", InputFormat::Csv),
        (".tsv", InputFormat::Tsv),
        (".jsonl", InputFormat::Jsonl),
        (".parquet", InputFormat::Parquet),
    ] {
        if name.ends_with(extension) {
            return format;
        }
    }
    InputFormat::Txt
}
