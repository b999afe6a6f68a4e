//! Cutting a COCO file into parts by ratio: seeded random, or stratified so that every
//! part gets its share of each category.

use cocoprep_coco::{CategoryId, Dataset, ImageId};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::error::Error;
use crate::random::SeededRandom;

/// One part: its name (the output file stem) and its share of the images.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    /// `train`, `val`, ...
    pub name: String,
    /// Share of the images (the shares are normalised to sum to 1).
    pub ratio: f64,
}

/// Parses `train=0.8,val=0.2`.
pub fn parse_parts(text: &str) -> Result<Vec<Part>, Error> {
    let parts: Vec<Part> = text
        .split(',')
        .map(|item| {
            let (name, ratio) = item.split_once('=').ok_or_else(|| {
                Error::Options(format!("`{item}`: expected NAME=RATIO, e.g. train=0.8"))
            })?;
            let ratio: f64 = ratio
                .trim()
                .parse()
                .ok()
                .filter(|r: &f64| r.is_finite() && *r >= 0.0)
                .ok_or_else(|| {
                    Error::Options(format!("`{item}`: the ratio is not a non-negative number"))
                })?;
            Ok(Part {
                name: name.trim().to_owned(),
                ratio,
            })
        })
        .collect::<Result<_, Error>>()?;
    let total: f64 = parts.iter().map(|p| p.ratio).sum();
    if parts.is_empty() || total <= 0.0 {
        return Err(Error::Options(
            "the ratios must add up to more than 0".to_owned(),
        ));
    }
    Ok(parts
        .into_iter()
        .map(|part| Part {
            ratio: part.ratio / total,
            ..part
        })
        .collect())
}

/// Splits `dataset` into `parts`. Images are shuffled with `seed` and cut by ratio
/// (largest-remainder rounding, so the counts add up). With `stratify`, images are first
/// grouped by their rarest category (images without annotations form their own group) and
/// each group is cut by ratio, so rare categories reach every part.
pub fn split(
    dataset: &Dataset,
    parts: &[Part],
    seed: u64,
    stratify: bool,
) -> Vec<(String, Dataset)> {
    let mut random = SeededRandom::new(seed);
    let mut groups: Vec<Vec<ImageId>> = if stratify {
        let mut frequency: FxHashMap<CategoryId, usize> = FxHashMap::default();
        let mut image_categories: FxHashMap<ImageId, FxHashSet<CategoryId>> = FxHashMap::default();
        for annotation in &dataset.annotations {
            if let Some(category) = annotation.category_id {
                *frequency.entry(category).or_default() += 1;
                image_categories
                    .entry(annotation.image_id)
                    .or_default()
                    .insert(category);
            }
        }
        let mut by_key: FxHashMap<Option<CategoryId>, Vec<ImageId>> = FxHashMap::default();
        for image in &dataset.images {
            let rarest = image_categories.get(&image.id).and_then(|categories| {
                categories
                    .iter()
                    .copied()
                    .min_by_key(|c| (frequency[c], *c))
            });
            by_key.entry(rarest).or_default().push(image.id);
        }
        let mut keys: Vec<Option<CategoryId>> = by_key.keys().copied().collect();
        keys.sort();
        keys.into_iter()
            .map(|key| by_key.remove(&key).unwrap_or_default())
            .collect()
    } else {
        vec![dataset.images.iter().map(|image| image.id).collect()]
    };
    let mut assigned: Vec<FxHashSet<ImageId>> = vec![FxHashSet::default(); parts.len()];
    for group in &mut groups {
        random.shuffle(group);
        let counts = shares(group.len(), parts);
        let mut start = 0;
        for (index, count) in counts.into_iter().enumerate() {
            assigned[index].extend(group[start..start + count].iter().copied());
            start += count;
        }
    }
    parts
        .iter()
        .zip(assigned)
        .map(|(part, images)| {
            let mut subset = dataset.clone();
            subset.images.retain(|image| images.contains(&image.id));
            subset.annotations.retain(|a| images.contains(&a.image_id));
            (part.name.clone(), subset)
        })
        .collect()
}

/// `total` items shared by ratio with the largest-remainder method.
fn shares(total: usize, parts: &[Part]) -> Vec<usize> {
    let exact: Vec<f64> = parts.iter().map(|p| p.ratio * total as f64).collect();
    let mut counts: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
    let mut remaining = total - counts.iter().sum::<usize>();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    for index in order {
        if remaining == 0 {
            break;
        }
        counts[index] += 1;
        remaining -= 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_add_up() {
        let parts = parse_parts("train=0.8,val=0.1,test=0.1").unwrap();
        assert_eq!(shares(7, &parts).iter().sum::<usize>(), 7);
        assert_eq!(shares(100, &parts), vec![80, 10, 10]);
        assert!(parse_parts("train").is_err());
        assert!(parse_parts("a=0,b=0").is_err());
    }
}
