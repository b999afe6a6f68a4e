//! `eval detection --pr-curves OUT.png`: hotcoco 1.3's precision-recall pictures (the
//! summary's three AP curves, one curve per IoU threshold, per category or per area
//! range), read from the evaluation by cocoprep-eval and drawn by cocoprep-render.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_coco::Category;
use cocoprep_eval::detection::{CurveSlice, Evaluation, Params, PrCurve};
use cocoprep_render::palette::{sequential_color, series_color};
use cocoprep_render::picture::encode_png;
use cocoprep_render::plot::{Axis, LinePlot, Marker, Series, draw_line_plot};

use super::category_name;
use crate::cli::{PrCurvesArgs, PrCurvesByArg};

/// The side of the square plotting area, in pixels.
const PLOT_SIDE_PX: u32 = 480;

/// hotcoco's tolerance for an IoU threshold typed by a user: the grid is computed, so
/// 0.9 is stored as 0.8999999999999999.
const IOU_TOLERANCE: f64 = 1e-6;

/// What to draw and where.
#[derive(Clone, Debug)]
pub struct PrCurvesSettings {
    pub output: PathBuf,
    pub lines: PrCurvesBy,
    /// The IoU of `category` and `area` curves: a threshold index, or `None` for the mean.
    pub iou: Option<usize>,
    /// The area range index (`area` curves draw them all).
    pub area: usize,
    /// The max-detections index.
    pub max_detections: usize,
    /// `category` curves: the categories asked for (ids or names), else the top ones.
    pub categories: Option<Vec<String>>,
    pub top: usize,
}

/// The lines of the picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrCurvesBy {
    Summary,
    Iou,
    Category,
    Area,
}

impl PrCurvesSettings {
    /// `None` without `--pr-curves`; errors name the option that does not fit `params`.
    pub fn resolve(args: PrCurvesArgs, params: &Params) -> anyhow::Result<Option<Self>> {
        let PrCurvesArgs {
            pr_curves,
            pr_curves_by,
            pr_iou,
            pr_area,
            pr_max_dets,
            pr_categories,
            pr_top,
        } = args;
        let Some(output) = pr_curves else {
            return Ok(None);
        };
        let lines = match pr_curves_by {
            PrCurvesByArg::Summary => PrCurvesBy::Summary,
            PrCurvesByArg::Iou => PrCurvesBy::Iou,
            PrCurvesByArg::Category => PrCurvesBy::Category,
            PrCurvesByArg::Area => PrCurvesBy::Area,
        };
        let thresholds = cocoprep_eval::detection::iou_thresholds();
        let iou = match (lines, pr_iou.as_deref()) {
            (PrCurvesBy::Summary | PrCurvesBy::Iou, Some(_)) => {
                anyhow::bail!("--pr-iou applies to `--pr-curves-by category` and `area` curves")
            }
            (PrCurvesBy::Summary | PrCurvesBy::Iou, None) => None,
            (_, Some("mean" | "0.50:0.95" | "0.5:0.95")) => None,
            (_, Some(text)) => {
                let value: f64 = text
                    .trim()
                    .parse()
                    .ok()
                    .with_context(|| format!("--pr-iou: `{text}` is not a number or `mean`"))?;
                let index = thresholds
                    .iter()
                    .position(|threshold| (threshold - value).abs() < IOU_TOLERANCE);
                Some(index.with_context(|| {
                    format!(
                        "--pr-iou: {value} is not one of the evaluation's IoU thresholds \
                         (0.50, 0.55, ..., 0.95)"
                    )
                })?)
            }
            // hotcoco's per-category curves default to IoU 0.5; COCO's per-area AP is the
            // mean over 0.50:0.95.
            (PrCurvesBy::Category, None) => Some(0),
            (PrCurvesBy::Area, None) => None,
        };
        let area = match pr_area {
            None => 0,
            Some(_) if lines == PrCurvesBy::Area => {
                anyhow::bail!(
                    "--pr-area does not apply to `--pr-curves-by area` (it draws every range)"
                )
            }
            Some(label) => params
                .area_ranges
                .iter()
                .position(|range| range.label == label)
                .with_context(|| {
                    let labels: Vec<&str> = params
                        .area_ranges
                        .iter()
                        .map(|range| range.label.as_str())
                        .collect();
                    format!(
                        "--pr-area: no area range `{label}` (the ranges are {})",
                        labels.join(", ")
                    )
                })?,
        };
        let max_detections = match pr_max_dets {
            None => params.max_detections.len() - 1,
            Some(count) => params
                .max_detections
                .iter()
                .position(|&max| max == count)
                .with_context(|| {
                    format!(
                        "--pr-max-dets: {count} is not one of --max-dets ({:?})",
                        params.max_detections
                    )
                })?,
        };
        if lines == PrCurvesBy::Category {
            anyhow::ensure!(
                params.use_categories,
                "`--pr-curves-by category` needs categories (not --ignore-categories)"
            );
            anyhow::ensure!(pr_top > 0, "--pr-top must be at least 1");
        } else {
            anyhow::ensure!(
                pr_categories.is_none(),
                "--pr-categories applies to `--pr-curves-by category`"
            );
        }
        Ok(Some(Self {
            output,
            lines,
            iou,
            area,
            max_detections,
            categories: pr_categories,
            top: pr_top,
        }))
    }
}

/// Draws the picture and writes it atomically.
pub fn write(
    settings: &PrCurvesSettings,
    evaluation: &Evaluation,
    categories: &[Category],
) -> anyhow::Result<()> {
    let plot = line_plot(settings, evaluation, categories)?;
    let png = draw_line_plot(&plot)
        .and_then(|picture| encode_png(&picture))
        .context("cannot draw the precision-recall curves")?;
    cocoprep_base::output::write_atomic(&settings.output, &png)
        .with_context(|| format!("cannot write `{}`", settings.output.display()))
}

/// The plot of `settings`' lines.
fn line_plot(
    settings: &PrCurvesSettings,
    evaluation: &Evaluation,
    categories: &[Category],
) -> anyhow::Result<LinePlot> {
    let all_thresholds: Vec<usize> = (0..evaluation.iou_thresholds.len()).collect();
    let all_categories: Vec<usize> = (0..evaluation.category_slots()).collect();
    let slice = |thresholds: Vec<usize>, categories: Vec<usize>, area: usize| CurveSlice {
        thresholds,
        categories,
        area,
        max_detections: settings.max_detections,
    };
    let iou_indices = |iou: Option<usize>| iou.map_or_else(|| all_thresholds.clone(), |t| vec![t]);
    let iou_name = |iou: Option<usize>| {
        iou.map_or_else(
            || "IoU=0.50:0.95".to_owned(),
            |t| format!("IoU={:.2}", evaluation.iou_thresholds[t]),
        )
    };
    let threshold_index = |value: f64| {
        evaluation
            .iou_thresholds
            .iter()
            .position(|threshold| (threshold - value).abs() < IOU_TOLERANCE)
    };
    let area_label = &evaluation.params.area_ranges[settings.area].label;
    let max_detections = evaluation.params.max_detections[settings.max_detections];
    let category_count = evaluation.category_ids.len();
    let mean_over = if evaluation.params.use_categories {
        format!("mean over {category_count} categories")
    } else {
        format!("{category_count} categories pooled")
    };
    // (label, colour, curve) per line.
    let mut lines: Vec<(String, [u8; 3], PrCurve)> = Vec::new();
    let subtitle = match settings.lines {
        PrCurvesBy::Summary => {
            let chosen = [threshold_index(0.5), threshold_index(0.75), None];
            for (index, threshold) in chosen.into_iter().enumerate() {
                if index < 2 && threshold.is_none() {
                    continue; // a custom grid without 0.5 or 0.75
                }
                let curve = evaluation.pr_curve(&slice(
                    iou_indices(threshold),
                    all_categories.clone(),
                    settings.area,
                ));
                lines.push((iou_name(threshold), series_color(index), curve));
            }
            format!("{mean_over} · area {area_label} · {max_detections} detections per image")
        }
        PrCurvesBy::Iou => {
            let count = all_thresholds.len();
            for &t in &all_thresholds {
                let curve =
                    evaluation.pr_curve(&slice(vec![t], all_categories.clone(), settings.area));
                let fraction = t as f64 / (count.max(2) - 1) as f64;
                lines.push((iou_name(Some(t)), sequential_color(fraction), curve));
            }
            format!("{mean_over} · area {area_label} · {max_detections} detections per image")
        }
        PrCurvesBy::Category => {
            let chosen = match &settings.categories {
                Some(wanted) => wanted
                    .iter()
                    .map(|key| category_index(key, evaluation, categories))
                    .collect::<anyhow::Result<Vec<usize>>>()?,
                None => top_categories(settings, evaluation, &all_categories),
            };
            for (index, k) in chosen.iter().enumerate() {
                let curve =
                    evaluation.pr_curve(&slice(iou_indices(settings.iou), vec![*k], settings.area));
                let name = category_name(categories, evaluation.category_ids[*k].0);
                lines.push((name, series_color(index), curve));
            }
            let which = if settings.categories.is_some() {
                format!("{} of {category_count} categories", chosen.len())
            } else {
                format!("top {} of {category_count} categories by AP", chosen.len())
            };
            format!(
                "{} · {which} · area {area_label} · {max_detections} detections per image",
                iou_name(settings.iou)
            )
        }
        PrCurvesBy::Area => {
            for (index, range) in evaluation.params.area_ranges.iter().enumerate() {
                let curve = evaluation.pr_curve(&slice(
                    iou_indices(settings.iou),
                    all_categories.clone(),
                    index,
                ));
                lines.push((range.label.clone(), series_color(index), curve));
            }
            format!(
                "{} · {mean_over} · {max_detections} detections per image",
                iou_name(settings.iou)
            )
        }
    };
    let overall = evaluation.pr_curve(&slice(
        all_thresholds.clone(),
        all_categories.clone(),
        settings.area,
    ));
    let title = format!(
        "Precision-recall ({}): AP {}",
        evaluation.params.iou_type.name(),
        ap_text(overall.ap)
    );
    let series = lines
        .into_iter()
        .enumerate()
        .map(|(index, (label, color, curve))| {
            // The first line leads (hotcoco draws it wider and marks its F1 peak).
            let marker = (index == 0)
                .then(|| curve.f1_peak(&evaluation.recall_thresholds))
                .flatten()
                .and_then(|(at, f1)| {
                    let precision = curve.precision[at]?;
                    (precision > 0.0).then(|| Marker {
                        at: (evaluation.recall_thresholds[at], precision),
                        note: format!("F1={f1:.2}"),
                    })
                });
            let line_width_px = match settings.lines {
                PrCurvesBy::Iou if index == 0 => 2.5,
                PrCurvesBy::Iou => 1.5,
                PrCurvesBy::Category => 1.75,
                PrCurvesBy::Summary | PrCurvesBy::Area => 2.0,
            };
            Series {
                label: format!("{label} (AP {})", ap_text(curve.ap)),
                color,
                line_width_px,
                points: evaluation
                    .recall_thresholds
                    .iter()
                    .zip(&curve.precision)
                    .map(|(&recall, precision)| precision.map(|value| (recall, value)))
                    .collect(),
                marker,
            }
        })
        .collect();
    Ok(LinePlot {
        title,
        subtitle: Some(subtitle),
        x_axis: Axis::unit("Recall"),
        y_axis: Axis::unit("Precision"),
        plot_size_px: (PLOT_SIDE_PX, PLOT_SIDE_PX),
        series,
    })
}

/// An AP as the summary prints it, or `n/a` where there is no ground truth.
fn ap_text(ap: Option<f64>) -> String {
    ap.map_or_else(|| "n/a".to_owned(), |ap| format!("{ap:.3}"))
}

/// The `settings.top` categories with the highest AP at the curves' IoU (those without
/// ground truth left out), best first; ties keep id order.
fn top_categories(
    settings: &PrCurvesSettings,
    evaluation: &Evaluation,
    all_categories: &[usize],
) -> Vec<usize> {
    let thresholds: Vec<usize> = match settings.iou {
        Some(t) => vec![t],
        None => (0..evaluation.iou_thresholds.len()).collect(),
    };
    let mut ranked: Vec<(usize, f64)> = all_categories
        .iter()
        .filter_map(|&k| {
            let curve = evaluation.pr_curve(&CurveSlice {
                thresholds: thresholds.clone(),
                categories: vec![k],
                area: settings.area,
                max_detections: settings.max_detections,
            });
            curve.ap.map(|ap| (k, ap))
        })
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    ranked
        .into_iter()
        .take(settings.top)
        .map(|(k, _)| k)
        .collect()
}

/// The slot of a category given by id or by name.
fn category_index(
    key: &str,
    evaluation: &Evaluation,
    categories: &[Category],
) -> anyhow::Result<usize> {
    let id = key.trim().parse::<u32>().ok().or_else(|| {
        categories
            .iter()
            .find(|category| category.name == key.trim())
            .map(|category| category.id.0)
    });
    id.and_then(|id| {
        evaluation
            .category_ids
            .iter()
            .position(|category| category.0 == id)
    })
    .with_context(|| {
        format!("--pr-categories: no category `{key}` in the ground truth (give an id or a name)")
    })
}
