//! `cocoprep filter ANN.json -o OUT.json [--categories ...] [--image-ids ...] ...`.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_coco::{CategoryId, ImageId, ReadOptions, read_dataset};
use cocoprep_convert::edit::filter::{CrowdFilter, FilterOptions, filter};

use super::Outcome;
use crate::cli::{CrowdArg, FilterArgs};
use crate::input_kind::{self, expected};
use crate::output;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct FilterSettings {
    pub input: PathBuf,
    pub output: PathBuf,
    pub options: FilterOptions,
}

impl FilterSettings {
    pub fn resolve(args: FilterArgs) -> anyhow::Result<Self> {
        let FilterArgs {
            input,
            output,
            categories,
            category_ids,
            image_ids,
            min_area,
            max_area,
            crowd,
            drop_empty_images,
            keep_all_categories,
        } = args;
        let image_ids = match image_ids {
            None => Vec::new(),
            Some(text) => parse_ids(&text)?,
        };
        Ok(Self {
            input,
            output,
            options: FilterOptions {
                category_names: categories,
                category_ids: category_ids.into_iter().map(CategoryId).collect(),
                image_ids,
                min_area,
                max_area,
                crowd: match crowd {
                    CrowdArg::Keep => CrowdFilter::Keep,
                    CrowdArg::Drop => CrowdFilter::Drop,
                    CrowdArg::Only => CrowdFilter::Only,
                },
                drop_empty_images,
                keep_all_categories,
            },
        })
    }
}

/// `1,2,3` or `@file` (ids separated by commas, spaces or newlines).
fn parse_ids(text: &str) -> anyhow::Result<Vec<ImageId>> {
    let list = match text.strip_prefix('@') {
        Some(path) => fs_err::read_to_string(path)?,
        None => text.to_owned(),
    };
    list.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|token| !token.is_empty())
        .map(|token| {
            token
                .parse()
                .map(ImageId)
                .with_context(|| format!("`{token}` is not an image id"))
        })
        .collect()
}

pub fn run(settings: &FilterSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let FilterSettings {
        input,
        output,
        options,
    } = settings;
    input_kind::check(input, &expected::FILTER)?;
    let progress = Progress::new(global);
    let dataset = read_dataset(input, &ReadOptions { jobs: global.jobs }, &progress)
        .with_context(|| format!("cannot read `{}`", input.display()))?;
    let (filtered, report) = filter(dataset, options)?;
    filtered
        .write(output)
        .with_context(|| format!("cannot write `{}`", output.display()))?;
    output::note(
        global,
        format!(
            "{}: {} of {} images, {} of {} annotations, {} of {} categories",
            output.display(),
            report.images.1,
            report.images.0,
            report.annotations.1,
            report.annotations.0,
            report.categories.1,
            report.categories.0
        ),
    );
    super::release_at_exit(filtered);
    Ok(Outcome::Success)
}
