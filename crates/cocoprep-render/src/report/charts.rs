//! Inline SVG charts: horizontal bars (one per category) and vertical histograms.

use std::fmt::Write as _;

use super::html::escape;

/// One bar: its label, its value and its fill colour (`#rrggbb`).
pub struct Bar {
    /// What the bar counts.
    pub label: String,
    /// The count.
    pub value: u64,
    /// Its fill colour.
    pub color: String,
}

const ROW_PX: usize = 18;
const LABEL_PX: usize = 150;
const WIDTH_PX: usize = 640;

/// Horizontal bars, one row each, longest first as given.
pub fn horizontal_bars(bars: &[Bar], chart_id: &str) -> String {
    let max = bars.iter().map(|bar| bar.value).max().unwrap_or(0).max(1);
    let height = bars.len() * ROW_PX + 4;
    let span = (WIDTH_PX - LABEL_PX - 70) as f64;
    let mut svg = format!(
        r#"<svg class="chart" id="{chart_id}" xmlns="http://www.w3.org/2000/svg" width="{WIDTH_PX}" height="{height}" viewBox="0 0 {WIDTH_PX} {height}" role="img">"#
    );
    for (row, bar) in bars.iter().enumerate() {
        let y = row * ROW_PX + 2;
        let width =
            (bar.value as f64 / max as f64 * span).max(if bar.value > 0 { 1.0 } else { 0.0 });
        let label = escape(&bar.label);
        let _ = write!(
            svg,
            r#"<g><title>{label}: {value}</title><text x="{text_x}" y="{text_y}" text-anchor="end">{label}</text><rect x="{LABEL_PX}" y="{y}" width="{width:.1}" height="{bar_h}" fill="{color}"/><text x="{count_x:.1}" y="{text_y}">{value}</text></g>"#,
            value = bar.value,
            text_x = LABEL_PX - 6,
            text_y = y + 13,
            bar_h = ROW_PX - 4,
            color = bar.color,
            count_x = LABEL_PX as f64 + width + 4.0,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A histogram: one column per bin, labelled under it, with its count on hover and on top.
pub fn histogram(bins: &[(String, u64)], color: &str, chart_id: &str) -> String {
    let max = bins
        .iter()
        .map(|(_, count)| *count)
        .max()
        .unwrap_or(0)
        .max(1);
    let height = 190usize;
    let plot = 140.0;
    let column = ((WIDTH_PX - 20) / bins.len().max(1)).clamp(8, 60);
    let width = column * bins.len() + 20;
    let mut svg = format!(
        r#"<svg class="chart" id="{chart_id}" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">"#
    );
    for (index, (label, count)) in bins.iter().enumerate() {
        let bar = *count as f64 / max as f64 * plot;
        let x = 10 + index * column;
        let label = escape(label);
        let _ = write!(
            svg,
            r#"<g><title>{label}: {count}</title><rect x="{x}" y="{top:.1}" width="{bar_w}" height="{bar:.1}" fill="{color}"/><text class="small" x="{center}" y="{label_y}" text-anchor="middle">{label}</text><text class="small" x="{center}" y="{count_y:.1}" text-anchor="middle">{count}</text></g>"#,
            top = 20.0 + plot - bar,
            bar_w = column.saturating_sub(2),
            center = x + column / 2,
            label_y = 20.0 + plot + 14.0,
            count_y = 20.0 + plot - bar - 3.0,
        );
    }
    svg.push_str("</svg>");
    svg
}
