//! `cocoprep convert yolo ANN.json... -o DIR`.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_convert::classes::{ClassMapping, ClassTable};
use cocoprep_convert::yolo::{ImageSelection, SplitSource, YoloOptions, write_yolo};

use super::{YoloOutputSettings, expand_inputs, read_inputs, report_yolo};
use crate::cli::{ClassMapArg, YoloArgs};
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
        })
    }
}

pub fn run(settings: &ConvertYoloSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let ConvertYoloSettings {
        inputs,
        output,
        class_map,
        yolo,
        json,
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
    };
    let report = write_yolo(&splits, &classes, output, &options, &progress)
        .with_context(|| format!("cannot write the YOLO dataset `{}`", output.display()))?;
    let outcome = report_yolo(&report, *json, global);
    drop(splits);
    release_at_exit(datasets);
    outcome
}
