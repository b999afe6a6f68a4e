//! `cocoprep subset ANN.json... | --yaml data.yaml --classes a,b,c -o DIR`.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_convert::subset::{SubsetFormat, YoloSubsetOptions, subset_coco, subset_yolo};
use cocoprep_convert::yolo::{ImageSelection, SplitSource, YoloOptions};

use super::Outcome;
use super::convert::{YoloOutputSettings, expand_inputs, read_inputs, report_yolo, with_jobs};
use crate::cli::{SubsetArgs, SubsetFormatArg};
use crate::output;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct SubsetSettings {
    pub inputs: Vec<PathBuf>,
    pub classes: Vec<String>,
    pub output: PathBuf,
    pub yaml: Option<PathBuf>,
    pub yolo_root: Option<PathBuf>,
    pub format: SubsetFormat,
    pub splits: Vec<String>,
    pub selection: ImageSelection,
    pub yolo: YoloOutputSettings,
    pub json: bool,
}

impl SubsetSettings {
    pub fn resolve(args: SubsetArgs) -> anyhow::Result<Self> {
        let SubsetArgs {
            inputs,
            classes,
            output,
            yaml,
            yolo,
            format,
            splits,
            max_images,
            seed,
            min_instances,
            include_empty,
            yolo_output,
            json,
        } = args;
        anyhow::ensure!(
            inputs.is_empty() || yaml.is_none(),
            "give COCO annotation files or a YOLO dataset (--yaml), not both"
        );
        let classes: Vec<String> = classes
            .into_iter()
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty())
            .collect();
        anyhow::ensure!(!classes.is_empty(), "--classes names no class");
        Ok(Self {
            inputs,
            classes,
            output,
            yaml,
            yolo_root: yolo,
            format: match format {
                SubsetFormatArg::Yolo => SubsetFormat::Yolo,
                SubsetFormatArg::Coco => SubsetFormat::Coco,
                SubsetFormatArg::Both => SubsetFormat::Both,
            },
            splits,
            selection: ImageSelection {
                min_instances: min_instances.max(1),
                include_empty,
                max_images,
                seed,
            },
            yolo: YoloOutputSettings::resolve(yolo_output)?,
            json,
        })
    }
}

pub fn run(settings: &SubsetSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let SubsetSettings {
        inputs,
        classes,
        output,
        yaml,
        yolo_root,
        format,
        splits,
        selection,
        yolo,
        json,
    } = settings;
    let progress = Progress::new(global);
    if let Some(yaml) = yaml {
        anyhow::ensure!(
            *format == SubsetFormat::Yolo,
            "a YOLO dataset is subset into YOLO; run `cocoprep convert coco` on the result for COCO JSON"
        );
        let options = YoloSubsetOptions {
            link: yolo.link,
            min_instances: selection.min_instances,
            include_empty: selection.include_empty,
            max_images: selection.max_images,
            seed: selection.seed,
            splits: splits.clone(),
        };
        let report = subset_yolo(yaml, yolo_root.as_deref(), classes, output, &options)
            .with_context(|| format!("cannot subset `{}`", yaml.display()))?;
        if *json {
            output::stdout(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
        } else {
            for (name, images, rows, missing) in &report.yolo_splits {
                let mut line = format!("{name}: {images} images, {rows} rows");
                if *missing > 0 {
                    line.push_str(&format!(" ({missing} images had no label file)"));
                }
                output::note(global, line);
            }
            output::note(
                global,
                format!(
                    "classes: {}; dataset YAML: {}",
                    report.names.join(", "),
                    output.join("data.yaml").display()
                ),
            );
        }
        return Ok(Outcome::Success);
    }
    let files = expand_inputs(inputs)?;
    let mut datasets = read_inputs(&files, global, &progress)?;
    if !splits.is_empty() {
        datasets.retain(|(file, _)| splits.contains(&SplitSource::split_name(file)));
        anyhow::ensure!(
            !datasets.is_empty(),
            "no input is one of the splits {}",
            splits.join(", ")
        );
    }
    let sources: Vec<SplitSource> = datasets
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
        selection: selection.clone(),
        shard: None,
    };
    let report = with_jobs(global, || {
        subset_coco(&sources, classes, *format, output, &options, &progress)
    })?
    .with_context(|| format!("cannot write the subset `{}`", output.display()))?;
    let mut outcome = Outcome::Success;
    if let Some(yolo_report) = &report.yolo {
        outcome = report_yolo(yolo_report, *json, global)?;
    } else if *json {
        output::stdout(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
    }
    for (path, images, annotations) in &report.coco_files {
        output::note(
            global,
            format!(
                "{}: {images} images, {annotations} annotations",
                path.display()
            ),
        );
    }
    output::note(
        global,
        format!("classes in order: {}", report.names.join(", ")),
    );
    drop(sources);
    super::release_at_exit(datasets);
    Ok(outcome)
}
