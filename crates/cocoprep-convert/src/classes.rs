//! Class indexes for YOLO rows: how COCO `category_id`s become `0..n-1`.
//!
//! Ultralytics' `convert_coco(cls91to80=True)` maps COCO's 91 ids (80 used) onto 0..79 in
//! id order; with `cls91to80=False` it writes `category_id - 1`. The first silently remaps
//! custom datasets whose ids are not COCO's, the second leaves gaps and turns id 0 into
//! class -1. [`ClassMapping::Dense`] (categories sorted by id → 0..n-1) is what a custom
//! dataset needs, and [`ClassMapping::Selected`] is a subset in the user's order.

use cocoprep_coco::{Category, CategoryId};
use rustc_hash::FxHashMap;

use crate::error::Error;

/// The 80 COCO class names in class order (the `names` of Ultralytics' `coco.yaml`).
pub const COCO80_NAMES: [&str; 80] = [
    "person",
    "bicycle",
    "car",
    "motorcycle",
    "airplane",
    "bus",
    "train",
    "truck",
    "boat",
    "traffic light",
    "fire hydrant",
    "stop sign",
    "parking meter",
    "bench",
    "bird",
    "cat",
    "dog",
    "horse",
    "sheep",
    "cow",
    "elephant",
    "bear",
    "zebra",
    "giraffe",
    "backpack",
    "umbrella",
    "handbag",
    "tie",
    "suitcase",
    "frisbee",
    "skis",
    "snowboard",
    "sports ball",
    "kite",
    "baseball bat",
    "baseball glove",
    "skateboard",
    "surfboard",
    "tennis racket",
    "bottle",
    "wine glass",
    "cup",
    "fork",
    "knife",
    "spoon",
    "bowl",
    "banana",
    "apple",
    "sandwich",
    "orange",
    "broccoli",
    "carrot",
    "hot dog",
    "pizza",
    "donut",
    "cake",
    "chair",
    "couch",
    "potted plant",
    "bed",
    "dining table",
    "toilet",
    "tv",
    "laptop",
    "mouse",
    "remote",
    "keyboard",
    "cell phone",
    "microwave",
    "oven",
    "toaster",
    "sink",
    "refrigerator",
    "book",
    "clock",
    "vase",
    "scissors",
    "teddy bear",
    "hair drier",
    "toothbrush",
];
/// The COCO `category_id` of each of the 80 classes (`coco80_to_coco91_class`).
pub const COCO80_TO_91: [u32; 80] = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28,
    31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55,
    56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84,
    85, 86, 87, 88, 89, 90,
];

/// The class (0..80) of a COCO `category_id`, as `coco91_to_coco80_class()[id - 1]`:
/// `None` for the 11 unused ids (12, 26, 29, 30, 45, 66, 68, 69, 71, 83, 91), for 0 and above 91.
pub fn coco91_to_80(category_id: CategoryId) -> Option<u32> {
    COCO80_TO_91
        .binary_search(&category_id.0)
        .ok()
        .map(|index| index as u32)
}

/// How category ids become class indexes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClassMapping {
    /// COCO's 91 ids onto 0..79 (Ultralytics' default `cls91to80=True`).
    Coco80,
    /// `category_id - 1` (Ultralytics' `cls91to80=False`); id 0 has no class.
    CategoryIdMinusOne,
    /// Categories sorted by id become 0..n-1.
    Dense,
    /// Only these categories, in this order, become 0..k-1; others are dropped.
    Selected(Vec<CategoryId>),
}

impl ClassMapping {
    /// The name used in messages and `--class-map`.
    pub fn name(&self) -> &'static str {
        match self {
            ClassMapping::Coco80 => "coco80",
            ClassMapping::CategoryIdMinusOne => "id-minus-one",
            ClassMapping::Dense => "dense",
            ClassMapping::Selected(_) => "selected classes",
        }
    }

    /// `Coco80` when every category is one of COCO's 80 with its COCO name (so the file is
    /// COCO or a part of it), `Dense` otherwise. This avoids remapping custom datasets as if
    /// they were COCO, Ultralytics' most reported conversion surprise.
    pub fn detect(categories: &[&Category]) -> ClassMapping {
        let is_coco = !categories.is_empty()
            && categories.iter().all(|category| {
                coco91_to_80(category.id)
                    .is_some_and(|class| COCO80_NAMES[class as usize] == category.name)
            });
        if is_coco {
            ClassMapping::Coco80
        } else {
            ClassMapping::Dense
        }
    }
}

/// Category id → class index, and the class names in index order.
#[derive(Clone, Debug)]
pub struct ClassTable {
    mapping: ClassMapping,
    lookup: FxHashMap<CategoryId, u32>,
    names: Vec<String>,
}

impl ClassTable {
    /// Builds the table for `mapping` from the categories of every input file. A class
    /// named differently by two files is an error.
    pub fn build(mapping: ClassMapping, categories: &[&Category]) -> Result<ClassTable, Error> {
        let mut lookup = FxHashMap::default();
        let mut named: Vec<Option<String>> = Vec::new();
        let mut set_name = |class: u32, name: &str| -> Result<(), Error> {
            let slot = class as usize;
            if named.len() <= slot {
                named.resize(slot + 1, None);
            }
            match &named[slot] {
                Some(existing) if existing != name => Err(Error::Inconsistent {
                    message: format!(
                        "class {class} is called both `{existing}` and `{name}` in the inputs"
                    ),
                }),
                _ => {
                    named[slot] = Some(name.to_owned());
                    Ok(())
                }
            }
        };
        match &mapping {
            ClassMapping::Coco80 => {
                for category in categories {
                    if let Some(class) = coco91_to_80(category.id) {
                        set_name(class, &category.name)?;
                    }
                }
            }
            ClassMapping::CategoryIdMinusOne => {
                for category in categories {
                    if category.id.0 > 0 {
                        set_name(category.id.0 - 1, &category.name)?;
                    }
                }
            }
            ClassMapping::Dense => {
                let mut ids: Vec<CategoryId> = categories.iter().map(|c| c.id).collect();
                ids.sort_unstable();
                ids.dedup();
                for (class, id) in ids.iter().enumerate() {
                    lookup.insert(*id, class as u32);
                }
                for category in categories {
                    set_name(lookup[&category.id], &category.name)?;
                }
            }
            ClassMapping::Selected(ids) => {
                for (class, id) in ids.iter().enumerate() {
                    lookup.insert(*id, class as u32);
                }
                for category in categories {
                    if let Some(&class) = lookup.get(&category.id) {
                        set_name(class, &category.name)?;
                    }
                }
                if named.len() < ids.len() {
                    named.resize(ids.len(), None);
                }
            }
        }
        let names = named
            .into_iter()
            .enumerate()
            .map(|(class, name)| {
                name.unwrap_or_else(|| match &mapping {
                    // Gaps below the highest class get COCO's name (a file with only some
                    // COCO categories still trains with COCO's class list).
                    ClassMapping::Coco80 => COCO80_NAMES[class].to_owned(),
                    _ => format!("class{class}"),
                })
            })
            .collect();
        Ok(ClassTable {
            mapping,
            lookup,
            names,
        })
    }

    /// The class of `category_id`, if it has one under this mapping.
    pub fn class_of(&self, category_id: CategoryId) -> Option<u32> {
        match self.mapping {
            ClassMapping::Coco80 => coco91_to_80(category_id),
            ClassMapping::CategoryIdMinusOne => category_id.0.checked_sub(1),
            ClassMapping::Dense | ClassMapping::Selected(_) => {
                self.lookup.get(&category_id).copied()
            }
        }
    }

    /// Whether annotations of unmapped categories are dropped (a subset) rather than an error.
    pub fn drops_unmapped(&self) -> bool {
        matches!(self.mapping, ClassMapping::Selected(_))
    }

    /// The mapping this table implements.
    pub fn mapping(&self) -> &ClassMapping {
        &self.mapping
    }

    /// Class names in class order (the YAML's `names`).
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Makes sure there is a name for every class up to `class` (Coco80 with no categories).
    pub(crate) fn ensure_named(&mut self, class: u32) {
        while self.names.len() <= class as usize {
            let next = self.names.len();
            self.names.push(match self.mapping {
                ClassMapping::Coco80 => COCO80_NAMES[next].to_owned(),
                _ => format!("class{next}"),
            });
        }
    }
}

/// Resolves class names to positions in `valid` (exact, case-sensitive, in the order asked).
/// Unknown names are an error listing every valid name and close matches.
pub fn resolve_names(asked: &[String], valid: &[String]) -> Result<Vec<usize>, Error> {
    let mut positions = Vec::with_capacity(asked.len());
    let mut unknown = Vec::new();
    let mut suggested = Vec::new();
    for name in asked {
        match valid.iter().position(|candidate| candidate == name) {
            Some(position) => {
                if positions.contains(&position) {
                    return Err(Error::Options(format!(
                        "class `{name}` is listed twice in --classes"
                    )));
                }
                positions.push(position);
            }
            None => {
                unknown.push(name.clone());
                for candidate in close_matches(name, valid) {
                    if !suggested.contains(&candidate) {
                        suggested.push(candidate);
                    }
                }
            }
        }
    }
    if unknown.is_empty() {
        Ok(positions)
    } else {
        Err(Error::UnknownClasses {
            unknown,
            suggested,
            valid: valid.to_vec(),
        })
    }
}

/// Names PASCAL VOC and older COCO tools use for COCO classes.
const ALIASES: &[(&str, &str)] = &[
    ("tvmonitor", "tv"),
    ("tv monitor", "tv"),
    ("motorbike", "motorcycle"),
    ("aeroplane", "airplane"),
    ("sofa", "couch"),
    ("diningtable", "dining table"),
    ("pottedplant", "potted plant"),
    ("hair dryer", "hair drier"),
    ("hairdryer", "hair drier"),
];

fn close_matches(name: &str, valid: &[String]) -> Vec<String> {
    let lower = name.to_lowercase();
    let squashed: String = lower.chars().filter(|c| c.is_alphanumeric()).collect();
    let mut matches: Vec<String> = Vec::new();
    for (alias, target) in ALIASES {
        if (*alias == lower || *alias == squashed) && valid.iter().any(|v| v == target) {
            matches.push((*target).to_owned());
        }
    }
    for candidate in valid {
        let candidate_lower = candidate.to_lowercase();
        let candidate_squashed: String = candidate_lower
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        let near = candidate_squashed == squashed
            || edit_distance(&candidate_lower, &lower) <= 2.min(lower.len() / 3 + 1);
        if near && !matches.contains(candidate) {
            matches.push(candidate.clone());
        }
    }
    matches
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            current[j + 1] = (previous[j] + usize::from(ca != *cb))
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coco91_to_80_matches_ultralytics_table() {
        assert_eq!(coco91_to_80(CategoryId(1)), Some(0));
        assert_eq!(coco91_to_80(CategoryId(11)), Some(10));
        assert_eq!(coco91_to_80(CategoryId(13)), Some(11));
        assert_eq!(coco91_to_80(CategoryId(67)), Some(60));
        assert_eq!(coco91_to_80(CategoryId(90)), Some(79));
        for unused in [0, 12, 26, 29, 30, 45, 66, 68, 69, 71, 83, 91, 92] {
            assert_eq!(coco91_to_80(CategoryId(unused)), None, "{unused}");
        }
    }

    #[test]
    fn unknown_class_names_suggest_coco_spellings() {
        let valid: Vec<String> = COCO80_NAMES.iter().map(|n| n.to_string()).collect();
        let asked = vec!["dog".to_owned(), "tvmonitor".to_owned(), "Persn".to_owned()];
        let message = resolve_names(&asked, &valid).unwrap_err().to_string();
        assert!(message.contains("`tvmonitor`, `Persn`"), "{message}");
        assert!(
            message.contains("did you mean `tv`, `person`?"),
            "{message}"
        );
        assert!(message.contains("`toothbrush`"), "{message}");
        let order = resolve_names(&["tv".to_owned(), "person".to_owned()], &valid).unwrap();
        assert_eq!(order, vec![62, 0]);
    }
}
