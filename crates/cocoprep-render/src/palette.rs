//! Colours that stay the same for a category in every picture, report and viewer page.

use cocoprep_coco::CategoryId;

/// Twenty colours far apart from each other (Tableau's 10 and their lighter halves,
/// reordered so that neighbouring ids differ strongly).
const COLORS: [[u8; 3]; 20] = [
    [31, 119, 180],
    [255, 127, 14],
    [44, 160, 44],
    [214, 39, 40],
    [148, 103, 189],
    [140, 86, 75],
    [227, 119, 194],
    [127, 127, 127],
    [188, 189, 34],
    [23, 190, 207],
    [174, 199, 232],
    [255, 187, 120],
    [152, 223, 138],
    [255, 152, 150],
    [197, 176, 213],
    [196, 156, 148],
    [247, 182, 210],
    [199, 199, 199],
    [219, 219, 141],
    [158, 218, 229],
];

/// The colour of a category: a function of its name (FNV-1a), so a class keeps its colour
/// across files, pictures and pages even where its id differs (a YOLO dataset numbers
/// classes from 1, `subset` renumbers them); of its id when the name is unknown.
pub fn category_color(category_id: CategoryId, name: Option<&str>) -> [u8; 3] {
    let index = match name {
        Some(name) => {
            let mut hash: u32 = 0x811c_9dc5;
            for byte in name.bytes() {
                hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
            }
            hash as usize
        }
        None => category_id.0 as usize,
    };
    COLORS[index % COLORS.len()]
}

/// The colour of the `index`-th line of a chart whose lines are unordered (categories):
/// Tableau's 10 in their own order, then their lighter halves, repeating after 20.
pub fn series_color(index: usize) -> [u8; 3] {
    COLORS[index % COLORS.len()]
}

/// A colour for an ordered value (`fraction` from 0 to 1; IoU thresholds): viridis from
/// dark purple to green, stopping short of its yellow end, which is too pale on white.
pub fn sequential_color(fraction: f64) -> [u8; 3] {
    // viridis at 0, 0.25, 0.5, 0.75 and 0.85 (matplotlib's table).
    const STOPS: [[f64; 3]; 5] = [
        [68.0, 1.0, 84.0],
        [59.0, 82.0, 139.0],
        [33.0, 145.0, 140.0],
        [94.0, 201.0, 98.0],
        [159.0, 218.0, 58.0],
    ];
    let position = fraction.clamp(0.0, 1.0) * (STOPS.len() - 1) as f64;
    let low = (position.floor() as usize).min(STOPS.len() - 2);
    let weight = position - low as f64;
    let mix = |channel: usize| {
        (STOPS[low][channel] * (1.0 - weight) + STOPS[low + 1][channel] * weight).round() as u8
    };
    [mix(0), mix(1), mix(2)]
}

/// `#rrggbb`, for HTML and SVG.
pub fn css_color(color: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", color[0], color[1], color[2])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_category_keeps_its_color_and_neighbours_differ() {
        assert_eq!(
            category_color(CategoryId(1), None),
            category_color(CategoryId(21), None)
        );
        assert_ne!(
            category_color(CategoryId(1), None),
            category_color(CategoryId(2), None)
        );
        // By name: the same class in a COCO file and in a YOLO dataset that numbers it anew.
        assert_eq!(
            category_color(CategoryId(1), Some("person")),
            category_color(CategoryId(7), Some("person"))
        );
        assert_ne!(
            category_color(CategoryId(1), Some("person")),
            category_color(CategoryId(1), Some("car"))
        );
        assert_eq!(css_color([255, 0, 16]), "#ff0010");
    }
}
