//! Text formats: bottom-up-attention TSV rows, YAML, YOLO labels, image lists.

use super::{Kind, Sample, Sniffed, strip_bom};

/// Keys of an Ultralytics dataset YAML.
const YAML_KEYS: [&str; 7] = ["path", "train", "val", "test", "names", "nc", "kpt_shape"];

pub(super) fn sniff_text(sample: &Sample<'_>) -> Sniffed {
    let text = String::from_utf8_lossy(strip_bom(sample.head));
    let mut lines: Vec<&str> = text
        .split('\n')
        .map(|line| line.trim_end_matches('\r'))
        .collect();
    let first = lines.first().copied().unwrap_or_default();
    // A bottom-up row is hundreds of KB: its start is all there is to see.
    if is_butd_row_start(first) {
        return Sniffed::new(Kind::ButdTsv);
    }
    if !sample.complete && lines.len() > 1 {
        // The last line is cut where the sample ends.
        lines.pop();
    }
    let lines: Vec<&str> = lines
        .into_iter()
        .filter(|line| !line.trim().is_empty())
        .collect();
    let lower_name = sample.file_name.to_ascii_lowercase();
    if lower_name.ends_with(".yaml") || lower_name.ends_with(".yml") || is_dataset_yaml(&lines) {
        return Sniffed::new(Kind::DatasetYaml);
    }
    if lines.is_empty() {
        return Sniffed::with_detail(Kind::Empty, "only white space");
    }
    if lines.iter().all(|line| is_yolo_row(line)) {
        return Sniffed::new(Kind::YoloLabels);
    }
    if lines.iter().all(|line| is_image_list_line(line)) {
        return Sniffed::new(Kind::ImageList);
    }
    if first.contains('\t') {
        let columns = first.split('\t').count();
        return Sniffed::with_detail(Kind::TabText, format!("{columns} columns"));
    }
    Sniffed::new(Kind::OtherText)
}

/// `image_id \t image_w \t image_h \t num_boxes \t boxes...`: four numbers, then more.
fn is_butd_row_start(line: &str) -> bool {
    let fields: Vec<&str> = line.splitn(6, '\t').collect();
    fields.len() >= 5
        && fields[..4]
            .iter()
            .all(|field| !field.is_empty() && field.trim().parse::<f64>().is_ok())
}

/// At least two top-level lines are Ultralytics keys (`train: images/train`).
fn is_dataset_yaml(lines: &[&str]) -> bool {
    lines
        .iter()
        .filter(|line| {
            line.split_once(':').is_some_and(|(key, _)| {
                !key.starts_with(char::is_whitespace) && YAML_KEYS.contains(&key.trim())
            })
        })
        .count()
        >= 2
}

/// `class x y w h [...]`: a class number and at least four numbers.
fn is_yolo_row(line: &str) -> bool {
    let mut tokens = line.split_whitespace();
    let class_ok = tokens
        .next()
        .is_some_and(|token| token.parse::<u32>().is_ok());
    let numbers: Vec<&str> = tokens.collect();
    class_ok && numbers.len() >= 4 && numbers.iter().all(|token| token.parse::<f64>().is_ok())
}

/// `val2014/COCO_val2014_000000253964.jpg 253964` or a bare image path.
fn is_image_list_line(line: &str) -> bool {
    let mut tokens = line.split_whitespace();
    let Some(path) = tokens.next() else {
        return false;
    };
    let lower = path.to_ascii_lowercase();
    let is_image = [".jpg", ".jpeg", ".png"]
        .iter()
        .any(|extension| lower.ends_with(extension));
    let rest: Vec<&str> = tokens.collect();
    is_image && rest.len() <= 1 && rest.iter().all(|token| token.parse::<u64>().is_ok())
}
