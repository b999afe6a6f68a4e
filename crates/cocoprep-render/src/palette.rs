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

/// The colour of `category_id`: a function of the id alone, so a category keeps its
/// colour across files, pictures and pages.
pub fn category_color(category_id: CategoryId) -> [u8; 3] {
    COLORS[category_id.0 as usize % COLORS.len()]
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
            category_color(CategoryId(1)),
            category_color(CategoryId(21))
        );
        assert_ne!(category_color(CategoryId(1)), category_color(CategoryId(2)));
        assert_eq!(css_color([255, 0, 16]), "#ff0010");
    }
}
