//! `cocoprep demo`: every job, end to end, on the built-in sample.
//!
//! Each step lives in its own module and appends what it made to the [`DemoReport`], so a
//! new job adds one module and one line to [`STEPS`].

mod captions;
mod convert;
mod core;
mod features;
mod get;
mod look;
mod masks;
mod multi_dataset;
mod resnet;
mod webdata;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use super::Outcome;
use crate::cli::DemoArgs;
use crate::output;
use crate::progress::Progress;
use crate::sample;
use crate::settings::GlobalSettings;

/// What a step can use.
pub struct DemoContext<'a> {
    /// The demo's output folder.
    pub root: PathBuf,
    /// The sample: `annotations/`, `train2017/`, `val2017/`.
    pub sample: PathBuf,
    pub global: &'a GlobalSettings,
    pub progress: &'a Progress,
}

impl DemoContext<'_> {
    /// `sample/annotations/<name>`.
    pub fn annotation(&self, name: &str) -> PathBuf {
        self.sample.join("annotations").join(name)
    }

    /// A folder for a step's outputs, created.
    pub fn output_dir(&self, name: &str) -> anyhow::Result<PathBuf> {
        let path = self.root.join(name);
        fs_err::create_dir_all(&path)?;
        Ok(path)
    }
}

/// What the steps did, printed at the end.
#[derive(Default)]
pub struct DemoReport {
    lines: Vec<(String, String)>,
}

impl DemoReport {
    /// Records one result: what it is and where it is.
    pub fn add(&mut self, what: impl Into<String>, path: &Path) {
        self.lines.push((what.into(), path.display().to_string()));
    }
}

type Step = fn(&DemoContext, &mut DemoReport) -> anyhow::Result<String>;

/// `(title, step)` in the order they run. Each step returns a one-line summary.
const STEPS: &[(&str, Step)] = &[
    ("inspect the annotations", core::inspect),
    ("validate annotations and images", core::validate),
    ("get the sample from a local server", get::get),
    ("convert COCO to YOLO (segments, pose)", convert::yolo),
    ("subset classes tv, person", convert::subset),
    (
        "captions: Karpathy file, labels, n-grams, references, splits",
        captions::captions,
    ),
    ("bottom-up features and VSUA graphs", features::features),
    ("ResNet grid features (random weights)", resnet::resnet),
    ("masks: label maps and RLE", masks::masks),
    (
        "multi-dataset: Uni-Perceiver tree (MSVD, Kinetics-400, CC3M), tree check",
        multi_dataset::multi_dataset,
    ),
    ("pictures and an HTML report of the annotations", look::look),
    ("webdata: a URL list to WebDataset shards", webdata::webdata),
];

#[derive(Clone, Debug)]
pub struct DemoSettings {
    pub output: PathBuf,
}

impl DemoSettings {
    pub fn resolve(args: DemoArgs) -> Self {
        let DemoArgs { output } = args;
        Self { output }
    }
}

pub fn run(settings: &DemoSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let DemoSettings { output: root } = settings;
    let progress = Progress::new(global);
    let sample = root.join("sample");
    let written = sample::write_to(&sample).context("cannot write the built-in sample")?;
    output::note(
        global,
        format!(
            "cocoprep demo: {} sample files ({written} written) in {}",
            sample::FILES.len(),
            sample.display()
        ),
    );
    let context = DemoContext {
        root: root.clone(),
        sample,
        global,
        progress: &progress,
    };
    let mut report = DemoReport::default();
    for (number, (title, step)) in STEPS.iter().enumerate() {
        let started = Instant::now();
        let summary =
            step(&context, &mut report).with_context(|| format!("demo step `{title}` failed"))?;
        output::note(
            global,
            format!(
                "[{}/{}] {title}: {summary} ({:.2} s)",
                number + 1,
                STEPS.len(),
                started.elapsed().as_secs_f64()
            ),
        );
    }
    output::note(global, "\noutputs:");
    for (what, path) in &report.lines {
        output::note(global, format!("  {what:<44} {path}"));
    }
    Ok(Outcome::Success)
}
