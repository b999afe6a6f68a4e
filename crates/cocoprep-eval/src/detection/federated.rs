//! LVIS' federated evaluation (`lvis` 0.5.3, `LVISEval`): what each image says about
//! each category, and how it changes what is evaluated.
//!
//! LVIS annotates every category on only some images: an image lists the categories
//! verified absent (`neg_category_ids`) and those whose instances are not all annotated
//! (`not_exhaustive_category_ids`). A detection counts only on the images where its
//! category is known: annotated there (a "positive" image) or verified absent; an
//! unmatched detection of a not-exhaustive category is ignored. Categories are grouped
//! by `frequency` (`r`, `c`, `f`) for APr, APc and APf.

use serde_json::Value;

use cocoprep_coco::{Category, Dataset, Image};

use super::error::EvalError;
use super::records::Lookup;

/// A category's `frequency` in the LVIS training set (how many images it is on).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Frequency {
    /// `r`: fewer than 10 images.
    Rare,
    /// `c`: 10 to 99 images.
    Common,
    /// `f`: 100 images or more.
    Frequent,
}

impl Frequency {
    /// All three, in LVIS' order (`img_count_lbl = ["r", "c", "f"]`).
    pub const ALL: [Frequency; 3] = [Frequency::Rare, Frequency::Common, Frequency::Frequent];

    /// The letter LVIS writes (`r`, `c`, `f`).
    pub fn letter(self) -> char {
        match self {
            Frequency::Rare => 'r',
            Frequency::Common => 'c',
            Frequency::Frequent => 'f',
        }
    }
}

/// Whether a ground truth is LVIS: an image with `neg_category_ids` or a category with
/// `frequency`.
pub(crate) fn looks_like_lvis(dataset: &Dataset) -> bool {
    let has = |json: Option<&str>, key: &str| json.is_some_and(|text| text.contains(key));
    dataset
        .images
        .iter()
        .any(|image| has(image.extras.as_json(), "\"neg_category_ids\""))
        || dataset
            .categories
            .iter()
            .any(|category| has(category.extras.as_json(), "\"frequency\""))
}

/// Per image (in lookup order) the categories (lookup positions, sorted) it has ground
/// truth of, verified absent, or not exhaustively annotated; per category its frequency.
pub(crate) struct Federation {
    pub positive: Vec<Box<[u32]>>,
    pub negative: Vec<Box<[u32]>>,
    pub not_exhaustive: Vec<Box<[u32]>>,
    /// Per category in lookup order.
    pub frequencies: Vec<Frequency>,
}

impl Federation {
    /// Reads the images' and categories' LVIS members; `positive` starts empty.
    pub(crate) fn new(dataset: &Dataset, lookup: &Lookup) -> Result<Self, EvalError> {
        let image_count = lookup.images.len();
        let mut federation = Self {
            positive: vec![Box::default(); image_count],
            negative: vec![Box::default(); image_count],
            not_exhaustive: vec![Box::default(); image_count],
            frequencies: vec![Frequency::Frequent; lookup.category_ids.len()],
        };
        for image in &dataset.images {
            let at = lookup.image_index[&image.id] as usize;
            federation.negative[at] = category_list(image, "neg_category_ids", lookup)?;
            federation.not_exhaustive[at] =
                category_list(image, "not_exhaustive_category_ids", lookup)?;
        }
        for category in &dataset.categories {
            let at = lookup.category_index[&category.id] as usize;
            federation.frequencies[at] = frequency(category)?;
        }
        Ok(federation)
    }

    /// Whether a detection of `category` on `image` is evaluated at all (LVIS drops the
    /// others: "the detector is not penalized for categories about which we don't have
    /// ground-truth information").
    pub(crate) fn is_known(&self, image: u32, category: u32) -> bool {
        let image = image as usize;
        self.positive[image].binary_search(&category).is_ok()
            || self.negative[image].binary_search(&category).is_ok()
    }

    /// Whether an unmatched detection of `category` on `image` is ignored.
    pub(crate) fn is_not_exhaustive(&self, image: u32, category: u32) -> bool {
        self.not_exhaustive[image as usize]
            .binary_search(&category)
            .is_ok()
    }
}

/// An image's list of category ids, as sorted lookup positions (ids that are not
/// categories of the ground truth cannot match a detection and are left out).
fn category_list(
    image: &Image,
    member: &'static str,
    lookup: &Lookup,
) -> Result<Box<[u32]>, EvalError> {
    let bad = |why: &'static str| EvalError::LvisMember {
        record: format!("image {}", image.id.0),
        member,
        why,
    };
    let value = image
        .extras
        .get(member)
        .ok_or_else(|| bad("LVIS ground truth lists it on every image"))?;
    let Value::Array(items) = value else {
        return Err(bad("expected a list of category ids"));
    };
    let mut categories = Vec::with_capacity(items.len());
    for item in items {
        let id = item
            .as_u64()
            .and_then(|id| u32::try_from(id).ok())
            .ok_or_else(|| bad("expected a list of category ids"))?;
        if let Some(&at) = lookup.category_index.get(&cocoprep_coco::CategoryId(id)) {
            categories.push(at);
        }
    }
    categories.sort_unstable();
    categories.dedup();
    Ok(categories.into_boxed_slice())
}

fn frequency(category: &Category) -> Result<Frequency, EvalError> {
    let bad = |why: &'static str| EvalError::LvisMember {
        record: format!("category {}", category.id.0),
        member: "frequency",
        why,
    };
    match category.extras.get("frequency") {
        None => Err(bad("LVIS groups categories into APr, APc and APf by it")),
        Some(Value::String(text)) => match text.as_str() {
            "r" => Ok(Frequency::Rare),
            "c" => Ok(Frequency::Common),
            "f" => Ok(Frequency::Frequent),
            _ => Err(bad("expected `r`, `c` or `f`")),
        },
        Some(_) => Err(bad("expected `r`, `c` or `f`")),
    }
}

/// Whether LVIS evaluates an annotation or detection of this area at all:
/// `get_ann_ids` keeps `0 < area < inf` only.
pub(crate) fn area_is_evaluated(area: f64) -> bool {
    area > 0.0 && area < f64::INFINITY
}
