//! Image groups for sliced evaluation (hotcoco's `slice_by`): each group is evaluated on
//! its own, as pycocotools' `params.imgIds` restricts an evaluation.

use std::collections::BTreeMap;

use serde_json::Value;

use cocoprep_coco::{Dataset, Image, ImageId};

/// Where the groups come from.
#[derive(Clone, Debug, PartialEq)]
pub enum SliceSource {
    /// A member of the ground truth's image records (`license`, `width`, or any member
    /// of your own, such as `weather`); its value, as JSON text for non-strings, names
    /// the group.
    ImageKey(String),
    /// A JSON document: `{"group": [image ids]}` (hotcoco's `slice_by` dict) or
    /// `{"image id": "group"}`.
    Mapping(Value),
}

/// Groups of images, sorted by name, each with its image ids in ground-truth order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImageGroups {
    /// `(group name, image ids)`.
    pub groups: Vec<(String, Vec<ImageId>)>,
    /// Ground-truth images in no group (the key is absent or the mapping skips them).
    pub ungrouped: usize,
}

/// Sorts the ground truth's images into groups. Errors (as text, naming what is wrong)
/// when a mapping is not one of the two shapes or names an image the ground truth lacks.
pub fn image_groups(ground_truth: &Dataset, source: &SliceSource) -> Result<ImageGroups, String> {
    let mut groups: BTreeMap<String, Vec<ImageId>> = BTreeMap::new();
    let mut ungrouped = 0;
    match source {
        SliceSource::ImageKey(key) => {
            for image in &ground_truth.images {
                match image_member(image, key) {
                    Some(value) => groups.entry(group_name(&value)).or_default().push(image.id),
                    None => ungrouped += 1,
                }
            }
        }
        SliceSource::Mapping(value) => {
            let object = value
                .as_object()
                .ok_or("the slice file is not a JSON object")?;
            let known: rustc_hash::FxHashSet<ImageId> =
                ground_truth.images.iter().map(|image| image.id).collect();
            let mut group_of: rustc_hash::FxHashMap<ImageId, String> = Default::default();
            let parse_id = |value: &Value, context: &str| -> Result<ImageId, String> {
                let id = match value {
                    Value::Number(number) => number.as_u64(),
                    Value::String(text) => text.trim().parse().ok(),
                    _ => None,
                }
                .ok_or_else(|| format!("{context}: `{value}` is not an image id"))?;
                if known.contains(&ImageId(id)) {
                    Ok(ImageId(id))
                } else {
                    Err(format!("{context}: image {id} is not in the ground truth"))
                }
            };
            for (name, member) in object {
                match member {
                    Value::Array(ids) => {
                        for id in ids {
                            group_of
                                .insert(parse_id(id, &format!("group `{name}`"))?, name.clone());
                        }
                    }
                    other => {
                        let id = parse_id(&Value::String(name.clone()), "key")?;
                        group_of.insert(id, group_name(other));
                    }
                }
            }
            for image in &ground_truth.images {
                match group_of.get(&image.id) {
                    Some(name) => groups.entry(name.clone()).or_default().push(image.id),
                    None => ungrouped += 1,
                }
            }
        }
    }
    for ids in groups.values_mut() {
        let mut seen = rustc_hash::FxHashSet::default();
        ids.retain(|id| seen.insert(*id));
    }
    Ok(ImageGroups {
        groups: groups.into_iter().collect(),
        ungrouped,
    })
}

fn image_member(image: &Image, key: &str) -> Option<Value> {
    match key {
        "id" => Some(Value::from(image.id.0)),
        "width" => image.width.map(Value::from),
        "height" => image.height.map(Value::from),
        "file_name" => image.file_name.clone().map(Value::from),
        "license" => image.license.map(|license| Value::from(license.0)),
        "coco_url" => image.coco_url.clone().map(Value::from),
        "flickr_url" => image.flickr_url.clone().map(Value::from),
        "date_captured" => image.date_captured.clone().map(Value::from),
        _ => image.extras.get(key),
    }
    .filter(|value| !value.is_null())
}

fn group_name(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dataset() -> Dataset {
        Dataset::from_json_slice(
            br#"{"images": [{"id": 1, "width": 10, "height": 10, "weather": "rain"},
                            {"id": 2, "width": 10, "height": 20, "weather": "sun"},
                            {"id": 3, "width": 10, "height": 10}],
                 "annotations": [], "categories": []}"#,
        )
        .unwrap()
    }

    #[test]
    fn an_image_member_of_your_own_names_the_groups() {
        let groups = image_groups(&dataset(), &SliceSource::ImageKey("weather".into())).unwrap();
        assert_eq!(
            groups.groups,
            vec![
                ("rain".to_owned(), vec![ImageId(1)]),
                ("sun".to_owned(), vec![ImageId(2)])
            ]
        );
        assert_eq!(groups.ungrouped, 1);
        let groups = image_groups(&dataset(), &SliceSource::ImageKey("height".into())).unwrap();
        assert_eq!(
            groups.groups[0],
            ("10".to_owned(), vec![ImageId(1), ImageId(3)])
        );
    }

    #[test]
    fn both_mapping_shapes_give_the_same_groups() {
        let lists = serde_json::json!({"day": [1, 3], "night": [2]});
        let pairs = serde_json::json!({"1": "day", "2": "night", "3": "day"});
        let a = image_groups(&dataset(), &SliceSource::Mapping(lists)).unwrap();
        let b = image_groups(&dataset(), &SliceSource::Mapping(pairs)).unwrap();
        assert_eq!(a, b);
        assert_eq!(
            a.groups[0],
            ("day".to_owned(), vec![ImageId(1), ImageId(3)])
        );
        let unknown = serde_json::json!({"day": [7]});
        let error = image_groups(&dataset(), &SliceSource::Mapping(unknown)).unwrap_err();
        assert!(
            error.contains("image 7 is not in the ground truth"),
            "{error}"
        );
    }
}
