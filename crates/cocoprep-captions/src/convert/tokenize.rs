//! Karpathy's caption tokenization.

use crate::text::python_split;

/// Lowercases `raw`, removes ASCII punctuation and splits on whitespace:
/// `raw.lower().translate(str.maketrans('', '', string.punctuation)).split()`, which gives
/// the `tokens` of every sentence of Karpathy's `dataset_coco.json` from its `raw`.
///
/// ```
/// use cocoprep_captions::convert::tokenize;
/// assert_eq!(tokenize("A man's red-helmet, on a moped. "), ["a", "mans", "redhelmet", "on", "a", "moped"]);
/// ```
pub fn tokenize(raw: &str) -> Vec<String> {
    let cleaned: String = raw
        .to_lowercase()
        .chars()
        .filter(|character| !character.is_ascii_punctuation())
        .collect();
    python_split(&cleaned).map(str::to_owned).collect()
}
