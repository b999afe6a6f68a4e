//! `cocoprep convert yolo ANN.json... -o DIR`.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_convert::classes::{ClassMapping, ClassTable};
use cocoprep_convert::yolo::{ImageSelection, SplitSource, YoloOptions, write_yolo};

use cocoprep_base::cluster::Shard;
use cocoprep_convert::layout::LinkMode;
use cocoprep_convert::number::Precision;
use cocoprep_convert::yolo::Geometry;

use super::{YoloOutputSettings, expand_inputs, read_inputs, report_yolo, with_jobs};
use crate::cli::{ClassMapArg, YoloArgs};
use crate::commands::cluster::{
    self, ClusterSettings, DEFAULT_CPUS_PER_TASK, JobSpec, absolute_word,
};
use crate::commands::{Outcome, release_at_exit};
use crate::output;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct ConvertYoloSettings {
    pub inputs: Vec<PathBuf>,
    pub output: PathBuf,
    /// `None` = detect from the categories.
    pub class_map: Option<ClassMapping>,
    pub yolo: YoloOutputSettings,
    pub json: bool,
    pub cluster: ClusterSettings,
}

impl ConvertYoloSettings {
    pub fn resolve(args: YoloArgs) -> anyhow::Result<Self> {
        let YoloArgs {
            inputs,
            output,
            class_map,
            cls91to80,
            yolo,
            json,
            cluster,
        } = args;
        let class_map = match (cls91to80, class_map) {
            (true, _) | (_, ClassMapArg::Coco80) => Some(ClassMapping::Coco80),
            (_, ClassMapArg::IdMinusOne) => Some(ClassMapping::CategoryIdMinusOne),
            (_, ClassMapArg::Dense) => Some(ClassMapping::Dense),
            (_, ClassMapArg::Auto) => None,
        };
        Ok(Self {
            inputs,
            output,
            class_map,
            yolo: YoloOutputSettings::resolve(yolo)?,
            json,
            cluster: ClusterSettings::resolve(cluster)?,
        })
    }

    /// The job as the cluster layer sees it: root = `-o`.
    fn job_spec(&self) -> anyhow::Result<JobSpec> {
        let mut arguments = Vec::new();
        for input in &self.inputs {
            arguments.push(absolute_word(input)?);
        }
        arguments.extend(["-o".to_owned(), absolute_word(&self.output)?]);
        let class_map = match &self.class_map {
            None => "auto",
            Some(ClassMapping::Coco80) => "coco80",
            Some(ClassMapping::CategoryIdMinusOne) => "id-minus-one",
            Some(_) => "dense",
        };
        arguments.extend(["--class-map".to_owned(), class_map.to_owned()]);
        let yolo = &self.yolo;
        match yolo.geometry {
            Geometry::Boxes => {}
            Geometry::Segments => arguments.push("--segments".to_owned()),
            Geometry::Keypoints => arguments.push("--keypoints".to_owned()),
        }
        if let Some(images) = &yolo.images {
            arguments.extend(["--images".to_owned(), absolute_word(images)?]);
        }
        let link = match yolo.link {
            LinkMode::Hard => "hard",
            LinkMode::Symbolic => "sym",
            LinkMode::Copy => "copy",
            LinkMode::None => "none",
        };
        let precision = match yolo.precision {
            Precision::Ultralytics => "ultralytics".to_owned(),
            Precision::Full => "full".to_owned(),
            Precision::Significant(digits) => digits.to_string(),
        };
        arguments.extend([
            "--link".to_owned(),
            link.to_owned(),
            "--precision".to_owned(),
            precision,
        ]);
        Ok(JobSpec {
            command: "convert yolo",
            arguments,
            root: std::path::absolute(&self.output)?,
            cpus_per_task: DEFAULT_CPUS_PER_TASK,
        })
    }
}

pub fn run(settings: &ConvertYoloSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let spec = settings.job_spec()?;
    cluster::run_job(&settings.cluster, &spec, global, |shard| {
        run_shard(settings, shard, global)
    })
}

/// Converts (this shard's share of) every split; returns the outcome and the label files
/// written.
fn run_shard(
    settings: &ConvertYoloSettings,
    shard: Option<Shard>,
    global: &GlobalSettings,
) -> anyhow::Result<(Outcome, u64)> {
    let ConvertYoloSettings {
        inputs,
        output,
        class_map,
        yolo,
        json,
        cluster: _,
    } = settings;
    let progress = Progress::new(global);
    let files = expand_inputs(inputs)?;
    let mut datasets = read_inputs(&files, global, &progress)?;
    // A folder of COCO annotations also holds caption files, which have no objects.
    datasets.retain(|(file, dataset)| {
        let has_objects = dataset.sections.categories;
        if !has_objects {
            output::note(
                global,
                format!(
                    "skipping `{}`: it has no `categories` (a caption file?)",
                    file.display()
                ),
            );
        }
        has_objects
    });
    anyhow::ensure!(!datasets.is_empty(), "no input has object annotations");
    let categories: Vec<_> = datasets
        .iter()
        .flat_map(|(_, d)| d.categories.iter())
        .collect();
    let mapping = class_map.clone().unwrap_or_else(|| {
        let detected = ClassMapping::detect(&categories);
        if detected != ClassMapping::Coco80 {
            output::note(
                global,
                "the categories are not COCO's: classes are the categories sorted by id (`--class-map dense`)",
            );
        }
        detected
    });
    let classes = ClassTable::build(mapping, &categories)?;
    let splits: Vec<SplitSource> = datasets
        .iter()
        .map(|(file, dataset)| SplitSource {
            name: SplitSource::split_name(file),
            file: file.clone(),
            dataset,
        })
        .collect();
    let options = YoloOptions {
        geometry: yolo.geometry,
        precision: yolo.precision,
        images_dir: yolo.images.clone(),
        link: yolo.link,
        selection: ImageSelection::default(),
        shard,
    };
    let report = with_jobs(global, || {
        write_yolo(&splits, &classes, output, &options, &progress)
    })?
    .with_context(|| format!("cannot write the YOLO dataset `{}`", output.display()))?;
    let outcome = report_yolo(&report, *json, global)?;
    let label_files = report.splits.iter().map(|split| split.label_files).sum();
    drop(splits);
    release_at_exit(datasets);
    Ok((outcome, label_files))
}
