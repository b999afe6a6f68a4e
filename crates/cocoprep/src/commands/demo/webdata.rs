//! Demo step for `cocoprep webdata`: the sample's val2017 images behind a loopback web
//! server, a URL list with captions (and one dead URL), fetched into WebDataset shards with
//! a Parquet index and stats per shard, resized with img2dataset's `keep_ratio`.

use std::collections::HashMap;

use anyhow::Context;
use cocoprep_webdata::image::{EncodeFormat, ImageOptions, ResizeMode};
use cocoprep_webdata::input::{InputFormat, InputSource, InputSpec};
use cocoprep_webdata::layout::ShardLayout;
use cocoprep_webdata::output::{FileNames, OutputFormat, OutputOptions};
use cocoprep_webdata::run::{JobOptions, run};

use super::get::LoopbackServer;
use super::{DemoContext, DemoReport};

pub fn webdata(context: &DemoContext, report: &mut DemoReport) -> anyhow::Result<String> {
    let images = context.sample.join("val2017");
    let mut names: Vec<String> = fs_err::read_dir(&images)?
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".jpg"))
        .collect();
    names.sort();
    let mut files = HashMap::new();
    for name in &names {
        files.insert(format!("/images/{name}"), fs_err::read(images.join(name))?);
    }
    let server = LoopbackServer::start(files)?;
    let folder = context.output_dir("webdata")?;
    let list = folder.join("urls.tsv");
    let mut text = String::from("url\tcaption\n");
    for name in &names {
        text.push_str(&format!(
            "{}\tCOCO val2017 image {name}\n",
            server.url(&format!("/images/{name}"))
        ));
    }
    text.push_str(&format!(
        "{}\ta URL that is gone\n",
        server.url("/images/removed.jpg")
    ));
    fs_err::write(&list, text)?;
    let output = folder.join("shards");
    let job = JobOptions {
        input: InputSpec {
            path: list.clone(),
            source: InputSource::Table {
                format: InputFormat::Tsv,
                url_column: "url".to_owned(),
                caption_column: Some("caption".to_owned()),
            },
        },
        output: OutputOptions {
            folder: output.clone(),
            format: OutputFormat::WebDataset,
            file_names: FileNames::Key,
            layout: ShardLayout {
                samples_per_shard: 4,
                shard_digits: 5,
            },
            encode_format: EncodeFormat::Jpeg,
        },
        fetch: cocoprep_webdata::fetch::FetchOptions::default(),
        image: ImageOptions {
            image_size: 256,
            resize_mode: ResizeMode::KeepRatio,
            ..ImageOptions::default()
        },
        workers: 8,
        shard_filter: None,
        retry_failed: false,
    };
    let summary = run(&job, context.progress).context("webdata run failed")?;
    report.add("URL list (url, caption TSV)", &list);
    report.add("WebDataset shards, indexes, stats", &output);
    Ok(format!(
        "{} of {} URLs fetched into {} shards ({} failed: {})",
        summary.stats.successes,
        summary.rows,
        summary.shards_written,
        summary.stats.count - summary.stats.successes,
        summary
            .stats
            .status_dict
            .keys()
            .filter(|reason| *reason != "success")
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    ))
}
