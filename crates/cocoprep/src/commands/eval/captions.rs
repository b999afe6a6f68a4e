//! `cocoprep eval captions REFERENCE.json RESULTS.json`: coco-caption's metrics.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_eval::captions::{
    Evaluation, EvaluationOptions, ImageId, Metric, References, Results, evaluate_with_path,
};
use cocoprep_formats::python_json::PythonJsonWriter;

use crate::cli::{CaptionMetricArg, EvalCaptionsArgs};
use crate::commands::Outcome;
use crate::output;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct EvalCaptionsSettings {
    pub reference: PathBuf,
    pub results: PathBuf,
    pub options: EvaluationOptions,
    pub per_image: Option<PathBuf>,
    pub json: bool,
}

impl EvalCaptionsSettings {
    pub fn resolve(args: EvalCaptionsArgs) -> Self {
        let EvalCaptionsArgs {
            reference,
            results,
            metrics,
            df,
            per_image,
            json,
        } = args;
        let mut metrics: Vec<Metric> = metrics
            .into_iter()
            .map(|metric| match metric {
                CaptionMetricArg::Bleu => Metric::Bleu,
                CaptionMetricArg::Rouge => Metric::Rouge,
                CaptionMetricArg::Cider => Metric::Cider,
            })
            .collect();
        metrics.sort();
        metrics.dedup();
        Self {
            reference,
            results,
            options: EvaluationOptions {
                metrics,
                document_frequency: df,
            },
            per_image,
            json,
        }
    }
}

pub fn run(settings: &EvalCaptionsSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let EvalCaptionsSettings {
        reference,
        results,
        options,
        per_image,
        json,
    } = settings;
    let references = References::read(reference)?;
    let result_captions = Results::read(results)?;
    let evaluation = evaluate_with_path(&references, &result_captions, results, options)?;
    for warning in &evaluation.warnings {
        output::note(global, format_args!("warning: {warning}"));
    }
    if evaluation.images_without_result > 0 {
        output::note(
            global,
            format_args!(
                "note: {} reference images have no result and are not evaluated",
                evaluation.images_without_result
            ),
        );
    }
    output::note(
        global,
        format_args!("evaluated {} images", evaluation.image_ids.len()),
    );
    if let Some(path) = per_image {
        let bytes = per_image_json(&evaluation)?;
        cocoprep_base::write_atomic(path, &bytes)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        output::note(global, format_args!("wrote {}", path.display()));
    }
    let text = if *json {
        let mut writer = PythonJsonWriter::new(Vec::new());
        writer.begin_object()?;
        for (name, score) in evaluation.corpus_scores() {
            writer.key(name)?;
            writer.float(score)?;
        }
        writer.end_object()?;
        let mut text = String::from_utf8(writer.into_inner()?)?;
        text.push('\n');
        text
    } else {
        // coco-caption prints `%s: %0.3f`.
        evaluation
            .corpus_scores()
            .iter()
            .map(|(name, score)| format!("{name}: {score:.3}\n"))
            .collect()
    };
    output::stdout(&text)?;
    Ok(Outcome::Success)
}

/// `[{"image_id": ..., "Bleu_1": ..., ...}, ...]`, as coco-caption's `evalImgs`.
fn per_image_json(evaluation: &Evaluation) -> anyhow::Result<Vec<u8>> {
    let mut writer = PythonJsonWriter::new(Vec::new());
    writer.begin_array()?;
    for (index, image_id) in evaluation.image_ids.iter().enumerate() {
        writer.begin_object()?;
        writer.key("image_id")?;
        match image_id {
            ImageId::Number(number) => writer.formatted_value(&number.to_string())?,
            ImageId::Text(text) => writer.string(text)?,
        }
        for (name, score) in evaluation.image_scores(index) {
            writer.key(name)?;
            writer.float(score)?;
        }
        writer.end_object()?;
    }
    writer.end_array()?;
    Ok(writer.into_inner()?)
}
