//! `cocoprep eval captions REFERENCE.json RESULTS.json`: coco-caption's metrics.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use cocoprep_eval::captions::{
    Evaluation, EvaluationOptions, ImageId, Metric, References, Results, pair, score, tokenize,
};
use cocoprep_formats::python_json::PythonJsonWriter;

use crate::cli::{CaptionMetricArg, EvalCaptionsArgs};
use crate::commands::Outcome;
use crate::output;
use crate::settings::{GlobalSettings, Verbosity};

#[derive(Clone, Debug)]
pub struct EvalCaptionsSettings {
    pub reference: PathBuf,
    pub results: PathBuf,
    pub options: EvaluationOptions,
    pub per_image: Option<PathBuf>,
    pub json: bool,
}

impl EvalCaptionsSettings {
    pub fn resolve(args: EvalCaptionsArgs) -> anyhow::Result<Self> {
        let EvalCaptionsArgs {
            reference,
            results,
            metrics,
            df,
            per_image,
            meteor_jar,
            spice_jar,
            json,
        } = args;
        anyhow::ensure!(
            !metrics.contains(&CaptionMetricArg::Meteor) || meteor_jar.is_some(),
            "METEOR runs through METEOR 1.5's jar: pass --meteor-jar (pycocoevalcap's \
             `pycocoevalcap/meteor/meteor-1.5.jar`) or set COCOPREP_METEOR_JAR"
        );
        anyhow::ensure!(
            !metrics.contains(&CaptionMetricArg::Spice) || spice_jar.is_some(),
            "SPICE runs through SPICE 1.0's jar: pass --spice-jar (pycocoevalcap's \
             `pycocoevalcap/spice/spice-1.0.jar`, with Stanford CoreNLP 3.6.0 in its `lib/`) \
             or set COCOPREP_SPICE_JAR"
        );
        let mut metrics: Vec<Metric> = metrics
            .into_iter()
            .map(|metric| match metric {
                CaptionMetricArg::Bleu => Metric::Bleu,
                CaptionMetricArg::Meteor => Metric::Meteor,
                CaptionMetricArg::Rouge => Metric::Rouge,
                CaptionMetricArg::Cider => Metric::Cider,
                CaptionMetricArg::Spice => Metric::Spice,
            })
            .collect();
        metrics.sort();
        metrics.dedup();
        Ok(Self {
            reference,
            results,
            options: EvaluationOptions {
                metrics,
                document_frequency: df,
                meteor_jar,
                spice_jar,
            },
            per_image,
            json,
        })
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
    let started = Instant::now();
    let references = References::read(reference)?;
    let result_captions = Results::read(results)?;
    let paired = pair(&references, &result_captions, results)?;
    let read = started.elapsed();
    let tokenized = tokenize(&paired.references, &paired.candidates);
    let tokenize_time = started.elapsed() - read;
    if options.metrics.contains(&Metric::Spice) {
        // The jar prints no progress; SPICE parses every caption with CoreNLP.
        output::note(
            global,
            format_args!(
                "SPICE: scoring {} images with its Java jar (it shows no progress; thousands of images take minutes)",
                tokenized.len()
            ),
        );
    }
    let mut evaluation = score(&paired.image_ids, &tokenized, options)?;
    evaluation.images_without_result = paired.images_without_result;
    let score_time = started.elapsed() - read - tokenize_time;
    if global.verbosity >= Verbosity::Verbose {
        output::note(
            global,
            format_args!(
                "read {:.3} s, tokenized {:.3} s, scored {:.3} s",
                read.as_secs_f64(),
                tokenize_time.as_secs_f64(),
                score_time.as_secs_f64()
            ),
        );
    }
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
