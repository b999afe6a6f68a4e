//! The diagnostics of `cocoprep eval detection`: `--tide`, `--confusion-matrix` and
//! `--slice-by` (hotcoco / faster-coco-eval users' error breakdown, confusion matrix and
//! sliced evaluation).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::{Value, json};

use cocoprep_coco::{Category, Dataset, ImageId, ReadOptions, read_dataset};
use cocoprep_eval::detection::{
    ConfusionMatrix, ConfusionOptions, IouType, Params, SliceSource, TideOptions, TideReport,
    confusion_matrix, evaluate, image_groups, tide,
};
use cocoprep_formats::npy::{Dtype, encode_raw};

use crate::progress::Progress;

/// What to compute besides the summary.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DiagnosticsSettings {
    /// `--tide`.
    pub tide: bool,
    /// `--confusion-matrix OUT.csv|OUT.npy`.
    pub confusion_matrix: Option<PathBuf>,
    /// `--slice-by KEY|FILE.json`.
    pub slice_by: Option<String>,
}

impl DiagnosticsSettings {
    fn is_empty(&self) -> bool {
        !self.tide && self.confusion_matrix.is_none() && self.slice_by.is_none()
    }
}

/// What the diagnostics found: text for people, members for `--json`.
#[derive(Default)]
pub struct Diagnostics {
    pub text: String,
    pub json: serde_json::Map<String, Value>,
}

/// The files the diagnostics read, and how.
pub struct Inputs<'a> {
    pub ground_truth: &'a Path,
    pub results: &'a Path,
    pub options: &'a ReadOptions,
    pub progress: &'a Progress,
}

pub fn run(
    settings: &DiagnosticsSettings,
    inputs: Inputs<'_>,
    params: &Params,
    image_ids: Option<&[ImageId]>,
) -> anyhow::Result<Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    if settings.is_empty() {
        return Ok(diagnostics);
    }
    // TIDE, the confusion matrix and the slices work on whole annotations, so the two files
    // are read again in full here, and only when one of them is asked for: the summary's
    // evaluation keeps its compact records (train2017-scale files held whole cost ~1 GiB).
    let Inputs {
        ground_truth,
        results,
        options,
        progress,
    } = inputs;
    let gt = &read_dataset(ground_truth, options, progress)
        .with_context(|| format!("cannot read the ground truth `{}`", ground_truth.display()))?;
    let results = &read_dataset(results, options, progress)
        .with_context(|| format!("cannot read the results `{}`", results.display()))?;
    if settings.tide {
        let report = tide(gt, &results.annotations, &TideOptions::new(params.iou_type))
            .context("cannot compute TIDE's error breakdown")?;
        diagnostics.text.push_str(&tide_text(&report));
        diagnostics
            .json
            .insert("tide".to_owned(), tide_json(&report));
    }
    if let Some(path) = &settings.confusion_matrix {
        let mut options = ConfusionOptions::new(params.iou_type);
        options.max_detections = params.max_detections_last();
        let matrix = confusion_matrix(gt, &results.annotations, &options)
            .context("cannot compute the confusion matrix")?;
        write_confusion(path, &matrix, &gt.categories)?;
        eprintln!(
            "wrote the {side}×{side} confusion matrix to `{}`",
            path.display(),
            side = matrix.side()
        );
        diagnostics.json.insert(
            "confusion_matrix".to_owned(),
            json!({
                "path": path.display().to_string(),
                "iou_threshold": options.iou_threshold,
                "max_detections": options.max_detections,
                "categories": matrix.category_ids.iter().map(|id| id.0).collect::<Vec<_>>(),
                "matched_same_category": (0..matrix.side() - 1).map(|k| matrix.get(k, k)).sum::<u64>(),
                "matched_other_category": off_diagonal(&matrix),
            }),
        );
    }
    if let Some(slice_by) = &settings.slice_by {
        let (text, json) = slices(slice_by, gt, results, params, image_ids)?;
        diagnostics.text.push_str(&text);
        diagnostics.json.insert("slices".to_owned(), json);
    }
    Ok(diagnostics)
}

fn off_diagonal(matrix: &ConfusionMatrix) -> u64 {
    let categories = matrix.side() - 1;
    (0..categories)
        .flat_map(|row| (0..categories).map(move |column| (row, column)))
        .filter(|(row, column)| row != column)
        .map(|(row, column)| matrix.get(row, column))
        .sum()
}

fn tide_text(report: &TideReport) -> String {
    let mut text = format!(
        "\nTIDE ({} AP @ {:.0}: {:.2})\n{:<6}",
        report.options.iou_type,
        report.options.foreground_threshold * 100.0,
        report.ap,
        "Type"
    );
    for error in &report.errors {
        let _ = write!(text, " {:>6}", error.kind.short_name());
    }
    text.push_str(&format!("\n{:<6}", "dAP"));
    for error in &report.errors {
        let _ = write!(text, " {:>6.2}", error.delta_ap);
    }
    text.push_str(&format!("\n{:<6}", "count"));
    for error in &report.errors {
        let _ = write!(text, " {:>6}", error.count);
    }
    let _ = writeln!(
        text,
        "\nFalsePos dAP {:.2}, FalseNeg dAP {:.2}",
        report.false_positive_delta_ap, report.false_negative_delta_ap
    );
    text
}

fn tide_json(report: &TideReport) -> Value {
    json!({
        "iou_type": report.options.iou_type.name(),
        "foreground_threshold": report.options.foreground_threshold,
        "background_threshold": report.options.background_threshold,
        "max_detections": report.options.max_detections,
        "ap": report.ap,
        "main": report.errors.iter().map(|e| (e.kind.short_name().to_owned(), json!(e.delta_ap))).collect::<serde_json::Map<_, _>>(),
        "counts": report.errors.iter().map(|e| (e.kind.short_name().to_owned(), json!(e.count))).collect::<serde_json::Map<_, _>>(),
        "special": {
            "FalsePos": report.false_positive_delta_ap,
            "FalseNeg": report.false_negative_delta_ap,
        },
    })
}

fn write_confusion(
    path: &Path,
    matrix: &ConfusionMatrix,
    categories: &[Category],
) -> anyhow::Result<()> {
    let side = matrix.side();
    let bytes = if path.extension().is_some_and(|ext| ext == "npy") {
        let raw: Vec<u8> = matrix
            .counts
            .iter()
            .flat_map(|&count| (count as i64).to_le_bytes())
            .collect();
        encode_raw(Dtype::Int64, &[side, side], &raw)?
    } else {
        let name = |index: usize| -> String {
            match matrix.category_ids.get(index) {
                None => "background".to_owned(),
                Some(id) => categories
                    .iter()
                    .find(|category| category.id == *id)
                    .map_or_else(|| id.0.to_string(), |category| category.name.clone()),
            }
        };
        let quote = |text: String| {
            if text.contains([',', '"', '\n']) {
                format!("\"{}\"", text.replace('"', "\"\""))
            } else {
                text
            }
        };
        let mut text = String::from("ground_truth\\predicted");
        for column in 0..side {
            let _ = write!(text, ",{}", quote(name(column)));
        }
        text.push('\n');
        for row in 0..side {
            text.push_str(&quote(name(row)));
            for column in 0..side {
                let _ = write!(text, ",{}", matrix.get(row, column));
            }
            text.push('\n');
        }
        text.into_bytes()
    };
    cocoprep_base::output::write_atomic(path, &bytes)
        .with_context(|| format!("cannot write `{}`", path.display()))
}

/// A short name for a summary line: `AP`, `AP50`, `APsmall`, `AR@10`, ...
fn stat_label(
    line: &cocoprep_eval::detection::SummaryLine,
    first_area: &str,
    last_max: usize,
) -> String {
    let mut label = if line.precision { "AP" } else { "AR" }.to_owned();
    if let Some(threshold) = line.iou_threshold {
        let _ = write!(label, "{:.0}", threshold * 100.0);
    }
    if line.area != first_area {
        label.push_str(&line.area);
    }
    if !line.precision && (line.max_detections != last_max || line.area == first_area) {
        let _ = write!(label, "@{}", line.max_detections);
    }
    label
}

fn slices(
    slice_by: &str,
    gt: &Dataset,
    results: &Dataset,
    params: &Params,
    image_ids: Option<&[ImageId]>,
) -> anyhow::Result<(String, Value)> {
    let source = if slice_by.ends_with(".json") || Path::new(slice_by).is_file() {
        let bytes = fs_err::read(slice_by)?;
        SliceSource::Mapping(
            serde_json::from_slice(&bytes)
                .with_context(|| format!("--slice-by: `{slice_by}` is not JSON"))?,
        )
    } else {
        SliceSource::ImageKey(slice_by.to_owned())
    };
    let groups = image_groups(gt, &source)
        .map_err(|message| anyhow::anyhow!("--slice-by `{slice_by}`: {message}"))?;
    anyhow::ensure!(
        !groups.groups.is_empty(),
        "--slice-by `{slice_by}`: no image falls into a group (is `{slice_by}` a member of the \
         images?)"
    );
    let first_area = params.area_ranges[0].label.clone();
    let last_max = params.max_detections_last();
    let mut text = format!("\nsliced by `{slice_by}`");
    if groups.ungrouped > 0 {
        let _ = write!(text, " ({} images in no slice)", groups.ungrouped);
    }
    text.push('\n');
    let mut rows = Vec::new();
    let mut table: Vec<Vec<String>> = Vec::new();
    for (name, ids) in &groups.groups {
        let ids: Vec<ImageId> = match image_ids {
            Some(allowed) => ids
                .iter()
                .copied()
                .filter(|id| allowed.contains(id))
                .collect(),
            None => ids.clone(),
        };
        if ids.is_empty() {
            continue;
        }
        let evaluation = evaluate(gt, &results.annotations, params, Some(&ids))
            .with_context(|| format!("cannot evaluate slice `{name}`"))?;
        let lines = evaluation.summarize();
        if table.is_empty() {
            let mut header = vec!["slice".to_owned(), "images".to_owned()];
            header.extend(
                lines
                    .iter()
                    .map(|line| stat_label(line, &first_area, last_max)),
            );
            table.push(header);
        }
        let mut row = vec![name.clone(), ids.len().to_string()];
        row.extend(lines.iter().map(|line| format!("{:.3}", line.value)));
        table.push(row);
        rows.push(json!({
            "slice": name,
            "images": ids.len(),
            "stats": lines.iter().map(|line| line.value).collect::<Vec<_>>(),
        }));
    }
    let widths: Vec<usize> = (0..table.first().map_or(0, Vec::len))
        .map(|column| table.iter().map(|row| row[column].len()).max().unwrap_or(0))
        .collect();
    for row in &table {
        for (column, cell) in row.iter().enumerate() {
            if column == 0 {
                let _ = write!(text, "{cell:<width$}", width = widths[0]);
            } else {
                let _ = write!(text, "  {cell:>width$}", width = widths[column]);
            }
        }
        text.push('\n');
    }
    let json = json!({
        "by": slice_by,
        "ungrouped_images": groups.ungrouped,
        "labels": table.first().map(|header| header[2..].to_vec()).unwrap_or_default(),
        "slices": rows,
    });
    Ok((text, json))
}

/// `--tide` needs boxes or masks.
pub fn check(settings: &DiagnosticsSettings, iou_type: IouType) -> anyhow::Result<()> {
    anyhow::ensure!(
        !settings.tide || iou_type != IouType::Keypoints,
        "--tide compares boxes or masks: use --iou-type bbox or segm"
    );
    Ok(())
}
