//! `cocoprep eval detection GT.json RESULTS.json --iou-type bbox|segm|keypoints`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use cocoprep_coco::{Category, Dataset, ImageId, ReadOptions};
use cocoprep_eval::detection::{
    AreaRange, Evaluation, Federated, GroundTruthTable, IouType, Params, ResultsTable,
    evaluate_tables,
};
use cocoprep_formats::npy::{Dtype, encode_raw};

use super::diagnostics::DiagnosticsSettings;
use super::pr_curves::PrCurvesSettings;
use super::{Outcome, category_name};
use crate::cli::{DetectionArgs, IouTypeArg};
use crate::output;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct DetectionSettings {
    pub ground_truth: PathBuf,
    pub results: PathBuf,
    pub params: Params,
    pub image_ids: Option<Vec<ImageId>>,
    pub per_category: bool,
    pub arrays: Option<PathBuf>,
    pub pr_curves: Option<PrCurvesSettings>,
    pub diagnostics: DiagnosticsSettings,
    pub json: bool,
}

impl DetectionSettings {
    pub fn resolve(args: DetectionArgs) -> anyhow::Result<Self> {
        let DetectionArgs {
            ground_truth,
            results,
            iou_type,
            max_dets,
            area_ranges,
            ignore_categories,
            lvis,
            no_lvis,
            image_ids,
            per_category,
            arrays,
            pr_curves,
            tide,
            confusion_matrix,
            slice_by,
            json,
        } = args;
        let iou_type = match iou_type {
            IouTypeArg::Bbox => IouType::Bbox,
            IouTypeArg::Segm => IouType::Segm,
            IouTypeArg::Keypoints => IouType::Keypoints,
        };
        let mut params = Params::new(iou_type);
        if let Some(max_dets) = max_dets {
            anyhow::ensure!(!max_dets.is_empty(), "--max-dets needs at least one number");
            let mut sorted = max_dets;
            // pycocotools sorts them (`p.maxDets = sorted(p.maxDets)`).
            sorted.sort_unstable();
            params.lvis_max_detections = *sorted.last().expect("checked non-empty");
            params.max_detections = sorted;
        }
        params.federated = if lvis {
            anyhow::ensure!(
                iou_type != IouType::Keypoints,
                "--lvis evaluates boxes or masks (LVIS has no keypoints)"
            );
            Federated::Always
        } else if no_lvis {
            Federated::Never
        } else {
            Federated::Detect
        };
        if let Some(ranges) = area_ranges {
            params.area_ranges = ranges
                .iter()
                .map(|text| parse_area_range(text))
                .collect::<anyhow::Result<_>>()?;
        }
        params.use_categories = !ignore_categories;
        let pr_curves = PrCurvesSettings::resolve(pr_curves, &params)?;
        let diagnostics = DiagnosticsSettings {
            tide,
            confusion_matrix,
            slice_by,
        };
        super::diagnostics::check(&diagnostics, iou_type)?;
        Ok(Self {
            ground_truth,
            results,
            params,
            image_ids: image_ids.map(|ids| ids.into_iter().map(ImageId).collect()),
            per_category,
            arrays,
            pr_curves,
            diagnostics,
            json,
        })
    }
}

/// `small=0:1024` → an area range.
fn parse_area_range(text: &str) -> anyhow::Result<AreaRange> {
    let parse = || -> Option<AreaRange> {
        let (label, range) = text.split_once('=')?;
        let (min, max) = range.split_once(':')?;
        Some(AreaRange::new(
            label.trim(),
            min.trim().parse().ok()?,
            max.trim().parse().ok()?,
        ))
    };
    parse().with_context(|| {
        format!("--area-ranges: `{text}` is not LABEL=MIN:MAX (e.g. `small=0:1024`)")
    })
}

pub fn run(settings: &DetectionSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let DetectionSettings {
        ground_truth,
        results,
        params,
        image_ids,
        per_category,
        arrays,
        pr_curves,
        diagnostics,
        json,
    } = settings;
    let progress = Progress::new(global);
    let options = ReadOptions { jobs: global.jobs };
    // Only what the evaluation reads of each annotation is kept while the files are
    // parsed (train2017-scale files would otherwise be held whole, twice).
    let (gt_table, gt) = GroundTruthTable::read(ground_truth, params, &options, &progress)
        .with_context(|| format!("cannot read the ground truth `{}`", ground_truth.display()))?;
    let detections = ResultsTable::read(results, &gt_table, &options, &progress)
        .with_context(|| format!("cannot read the results `{}`", results.display()))?;
    let evaluation =
        evaluate_tables(&gt_table, &detections, image_ids.as_deref()).with_context(|| {
            format!(
                "cannot evaluate `{}` against `{}`",
                results.display(),
                ground_truth.display()
            )
        })?;
    if evaluation.ground_truth_id_zero > 0 {
        eprintln!(
            "warning: {} ground-truth annotation(s) have id 0; as in pycocotools, their matches \
             count as false positives (renumber ids from 1)",
            evaluation.ground_truth_id_zero
        );
    }
    if let Some(folder) = arrays {
        write_arrays(folder, &evaluation)?;
    }
    if let Some(pr_curves) = pr_curves {
        super::pr_curves::write(pr_curves, &evaluation, &gt.categories)?;
    }
    // --tide, --confusion-matrix, --slice-by (commands/eval/diagnostics.rs).
    let extra = super::diagnostics::run(
        diagnostics,
        super::diagnostics::Inputs {
            ground_truth,
            results,
            options: &options,
            progress: &progress,
        },
        params,
        image_ids.as_deref(),
    )?;
    if *json {
        let mut value = to_json(&gt, &evaluation);
        if let serde_json::Value::Object(map) = &mut value {
            map.extend(extra.json);
        }
        output::stdout(&format!("{}\n", serde_json::to_string_pretty(&value)?))?;
    } else {
        let mut text = String::new();
        for line in evaluation.summarize() {
            writeln!(text, "{line}")?;
        }
        if *per_category {
            text.push_str(&category_table(&gt.categories, &evaluation));
        }
        text.push_str(&extra.text);
        output::stdout(&text)?;
    }
    crate::commands::release_at_exit((gt, gt_table, detections));
    Ok(Outcome::Success)
}

fn category_table(categories: &[Category], evaluation: &Evaluation) -> String {
    let rows = evaluation.per_category();
    let width = rows
        .iter()
        .map(|row| category_name(categories, row.category_id).len())
        .max()
        .unwrap_or(8)
        .max(8);
    let mut text = format!(
        "\n{:<width$}  {:>6}  {:>6}  {:>6}\n",
        "category", "AP", "AP50", "AP75"
    );
    let cell = |value: f64| {
        if value < 0.0 {
            "-".to_owned()
        } else {
            format!("{value:.3}")
        }
    };
    for row in rows {
        let _ = writeln!(
            text,
            "{:<width$}  {:>6}  {:>6}  {:>6}",
            category_name(categories, row.category_id),
            cell(row.ap),
            cell(row.ap50),
            cell(row.ap75)
        );
    }
    text
}

fn to_json(gt: &Dataset, evaluation: &Evaluation) -> serde_json::Value {
    let lines = evaluation.summarize();
    let lvis_results: serde_json::Map<String, serde_json::Value> = lines
        .iter()
        .filter_map(|line| Some((line.name.clone()?, serde_json::json!(line.value))))
        .collect();
    let mut value = serde_json::json!({
        "iou_type": evaluation.params.iou_type.name(),
        "stats": lines.iter().map(|line| line.value).collect::<Vec<_>>(),
        "lines": lines.iter().map(|line| serde_json::json!({
            "metric": if line.precision { "AP" } else { "AR" },
            "iou": line.iou_threshold.map_or_else(|| "0.50:0.95".to_owned(), |t| format!("{t:.2}")),
            "area": line.area,
            "max_dets": line.max_detections,
            "value": line.value,
            "name": line.name,
            "text": line.to_string(),
        })).collect::<Vec<_>>(),
        "per_category": evaluation.per_category().iter().map(|row| serde_json::json!({
            "category_id": row.category_id,
            "name": category_name(&gt.categories, row.category_id),
            "ap": row.ap,
            "ap50": row.ap50,
            "ap75": row.ap75,
        })).collect::<Vec<_>>(),
        "images": evaluation.image_ids.len(),
        "categories": evaluation.category_ids.len(),
        "lvis": evaluation.params.is_lvis(),
    });
    // LVIS: `LVISEval.get_results()`, by name.
    if let serde_json::Value::Object(map) = &mut value
        && !lvis_results.is_empty()
    {
        map.insert(
            "results".to_owned(),
            serde_json::Value::Object(lvis_results),
        );
    }
    value
}

fn write_arrays(folder: &Path, evaluation: &Evaluation) -> anyhow::Result<()> {
    fs_err::create_dir_all(folder)?;
    let write = |name: &str, shape: &[usize], values: &[f64]| -> anyhow::Result<()> {
        let bytes: Vec<u8> = values
            .iter()
            .flat_map(|value| value.to_le_bytes())
            .collect();
        let npy = encode_raw(Dtype::Float64, shape, &bytes)?;
        let path = folder.join(name);
        cocoprep_base::output::write_atomic(&path, &npy)
            .with_context(|| format!("cannot write `{}`", path.display()))
    };
    write(
        "precision.npy",
        &evaluation.precision_shape(),
        &evaluation.precision,
    )?;
    write("recall.npy", &evaluation.recall_shape(), &evaluation.recall)?;
    write(
        "scores.npy",
        &evaluation.precision_shape(),
        &evaluation.scores,
    )?;
    Ok(())
}
