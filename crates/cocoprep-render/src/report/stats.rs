//! The distributions the report draws, computed from the dataset.

use cocoprep_coco::Coco;

/// Counts per bin, labelled.
pub type Bins = Vec<(String, u64)>;

/// Box areas by the side of a square of the same area (√area, pixels), with COCOeval's
/// small / medium / large limits (32, 96) among the edges.
pub fn area_bins(coco: &Coco) -> Bins {
    const EDGES: [f64; 9] = [4.0, 8.0, 16.0, 32.0, 64.0, 96.0, 128.0, 256.0, 512.0];
    let mut counts = [0u64; EDGES.len() + 1];
    for annotation in &coco.dataset().annotations {
        let Some(area) = annotation
            .area
            .or(annotation.bbox.map(|bbox| bbox.width * bbox.height))
        else {
            continue;
        };
        let side = area.max(0.0).sqrt();
        let bin = EDGES
            .iter()
            .position(|&edge| side < edge)
            .unwrap_or(EDGES.len());
        counts[bin] += 1;
    }
    let mut bins = Vec::new();
    for (index, count) in counts.iter().enumerate() {
        let label = match index {
            0 => format!("<{}", EDGES[0]),
            last if last == EDGES.len() => format!("≥{}", EDGES[last - 1]),
            _ => format!("{}–{}", EDGES[index - 1], EDGES[index]),
        };
        bins.push((label, *count));
    }
    bins
}

/// Box aspect ratios (width / height) on a log₂ scale from 1/8 to 8.
pub fn aspect_bins(coco: &Coco) -> Bins {
    const LABELS: [&str; 8] = [
        "<1/4",
        "1/4–1/2",
        "1/2–2/3",
        "2/3–1",
        "1–3/2",
        "3/2–2",
        "2–4",
        "≥4",
    ];
    const EDGES: [f64; 7] = [0.25, 0.5, 2.0 / 3.0, 1.0, 1.5, 2.0, 4.0];
    let mut counts = [0u64; 8];
    for annotation in &coco.dataset().annotations {
        let Some(bbox) = annotation.bbox else {
            continue;
        };
        if bbox.width <= 0.0 || bbox.height <= 0.0 {
            continue;
        }
        let ratio = bbox.width / bbox.height;
        let bin = EDGES
            .iter()
            .position(|&edge| ratio < edge)
            .unwrap_or(EDGES.len());
        counts[bin] += 1;
    }
    LABELS
        .iter()
        .zip(counts)
        .map(|(label, count)| ((*label).to_owned(), count))
        .collect()
}

/// How many images have 0, 1, 2, ... boxes (the last bin holds the rest).
pub fn boxes_per_image_bins(coco: &Coco) -> Bins {
    const LAST: usize = 30;
    let mut counts = [0u64; LAST + 1];
    for image in &coco.dataset().images {
        let boxes = coco
            .image_annotations(image.id)
            .filter(|annotation| annotation.bbox.is_some())
            .count();
        counts[boxes.min(LAST)] += 1;
    }
    let mut bins: Bins = counts
        .iter()
        .enumerate()
        .map(|(boxes, count)| {
            let label = if boxes == LAST {
                format!("{LAST}+")
            } else {
                boxes.to_string()
            };
            (label, *count)
        })
        .collect();
    // Drop the empty tail so small datasets get readable columns.
    while bins.len() > 2 && bins.last().is_some_and(|(_, count)| *count == 0) {
        bins.pop();
    }
    bins
}

/// Per keypoint name: (name, visible, occluded, not labelled), over annotations that have
/// keypoints.
pub fn keypoint_visibility(coco: &Coco) -> Vec<(String, [u64; 3])> {
    let mut rows: Vec<(String, [u64; 3])> = Vec::new();
    for category in &coco.dataset().categories {
        let Some(names) = &category.keypoints else {
            continue;
        };
        let offset = rows.len();
        rows.extend(names.iter().map(|name| (name.clone(), [0; 3])));
        for annotation in &coco.dataset().annotations {
            if annotation.category_id != Some(category.id) {
                continue;
            }
            let Some(keypoints) = &annotation.keypoints else {
                continue;
            };
            for (index, triple) in keypoints
                .values()
                .chunks_exact(3)
                .enumerate()
                .take(names.len())
            {
                let slot = match triple[2] as i64 {
                    2 => 0,
                    1 => 1,
                    _ => 2,
                };
                rows[offset + index].1[slot] += 1;
            }
        }
    }
    rows
}

/// Words per caption (split on white space), 1..=30 then a last bin.
pub fn caption_length_bins(coco: &Coco) -> Bins {
    const LAST: usize = 30;
    let mut counts = [0u64; LAST + 1];
    let mut any = false;
    for annotation in &coco.dataset().annotations {
        if let Some(caption) = &annotation.caption {
            any = true;
            counts[caption.split_whitespace().count().min(LAST)] += 1;
        }
    }
    if !any {
        return Vec::new();
    }
    let first = counts.iter().position(|&count| count > 0).unwrap_or(0);
    let last = counts.iter().rposition(|&count| count > 0).unwrap_or(0);
    (first..=last)
        .map(|words| {
            let label = if words == LAST {
                format!("{LAST}+")
            } else {
                words.to_string()
            };
            (label, counts[words])
        })
        .collect()
}
