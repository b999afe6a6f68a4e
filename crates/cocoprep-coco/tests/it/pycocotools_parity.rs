//! `Coco`'s queries give pycocotools' answers: thousands of generated `getAnnIds`,
//! `getCatIds`, `getImgIds` and `loadAnns` calls on every annotation file, run through
//! pycocotools 2.0.11 and through cocoprep, compared result for result (order included
//! where pycocotools defines it; `getImgIds` returns a Python set, so it is compared
//! sorted). Where pycocotools raises (`KeyError` on a missing member), cocoprep must
//! return an error too.

use std::path::Path;

use cocoprep_coco::{AnnotationId, AnnotationQuery, CategoryId, Coco, Dataset, ImageId};
use cocoprep_test::{annotation_files, run_python, temp_dir};
use serde_json::{Value, json};

const QUERIES_PER_FILE: usize = 3000;

const PYCOCOTOOLS: &str = r#"
import contextlib, io, json, sys
from pycocotools.coco import COCO

path, queries_path, out_path = sys.argv[1:4]
try:
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO(path)
except Exception as error:
    json.dump({"unloadable": type(error).__name__}, open(out_path, "w"))
    sys.exit(0)

def run(query):
    kind = query["type"]
    if kind == "ann":
        return coco.getAnnIds(imgIds=query["imgIds"], catIds=query["catIds"], areaRng=query["areaRng"], iscrowd=query["iscrowd"])
    if kind == "cat":
        return coco.getCatIds(catNms=query["catNms"], supNms=query["supNms"], catIds=query["catIds"])
    if kind == "img":
        ids = coco.getImgIds(imgIds=query["imgIds"], catIds=query["catIds"])
        # Without filters the order is `imgs` insertion order; with filters it is a set.
        return list(ids) if not query["imgIds"] and not query["catIds"] else sorted(ids)
    if kind == "load":
        return [ann["image_id"] for ann in coco.loadAnns(query["ids"])]
    raise ValueError(kind)

results = []
for query in json.load(open(queries_path)):
    try:
        results.append({"ok": run(query)})
    except Exception as error:
        results.append({"error": type(error).__name__})
json.dump({"results": results}, open(out_path, "w"))
"#;

/// xorshift64*: deterministic queries without a dependency.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, bound: usize) -> usize {
        if bound == 0 {
            0
        } else {
            (self.next() % bound as u64) as usize
        }
    }

    fn pick<T: Copy>(&mut self, items: &[T], counts: &[usize]) -> Vec<T> {
        let count = counts[self.below(counts.len())];
        (0..count)
            .filter(|_| !items.is_empty())
            .map(|_| items[self.below(items.len())])
            .collect()
    }
}

fn generate_queries(dataset: &Dataset, seed: u64) -> Vec<Value> {
    let mut random = Random(seed | 1);
    // Ids that exist, plus some that do not.
    let mut image_ids: Vec<u64> = dataset.images.iter().map(|i| i.id.0).collect();
    image_ids.extend(dataset.annotations.iter().map(|a| a.image_id.0));
    image_ids.extend([0, 1, 99, 123_456_789]);
    let mut category_ids: Vec<u64> = dataset.categories.iter().map(|c| c.id.0 as u64).collect();
    category_ids.extend([0, 91, 500]);
    let mut names: Vec<&str> = dataset.categories.iter().map(|c| c.name.as_str()).collect();
    names.extend(["no such category", "Person"]);
    let mut supercategories: Vec<&str> = dataset
        .categories
        .iter()
        .filter_map(|c| c.supercategory.as_deref())
        .collect();
    supercategories.push("nothing");
    let mut annotation_ids: Vec<u64> = dataset
        .annotations
        .iter()
        .filter_map(|a| a.id.map(|id| id.0))
        .collect();
    let areas: Vec<f64> = dataset.annotations.iter().filter_map(|a| a.area).collect();

    let mut queries = Vec::new();
    for _ in 0..QUERIES_PER_FILE {
        let query = match random.below(4) {
            0 => {
                let area_range: Vec<f64> = match random.below(4) {
                    0 | 1 => vec![],
                    // Bounds equal to real areas exercise pycocotools' exclusive comparison.
                    2 if !areas.is_empty() => {
                        let mut bounds = random.pick(&areas, &[2]);
                        bounds.sort_by(f64::total_cmp);
                        bounds
                    }
                    _ => vec![0.0, [32.0 * 32.0, 96.0 * 96.0, 1e10][random.below(3)]],
                };
                let iscrowd = [Value::Null, json!(0), json!(1)][random.below(3)].clone();
                let images = random.pick(&image_ids, &[0, 0, 1, 2, 5]);
                let categories = random.pick(&category_ids, &[0, 0, 1, 2, 3]);
                json!({"type": "ann", "imgIds": images, "catIds": categories, "areaRng": area_range, "iscrowd": iscrowd})
            }
            1 => {
                let names = random.pick(&names, &[0, 0, 1, 3]);
                let supercategories = random.pick(&supercategories, &[0, 0, 1, 2]);
                let categories = random.pick(&category_ids, &[0, 0, 1, 4]);
                json!({"type": "cat", "catNms": names, "supNms": supercategories, "catIds": categories})
            }
            2 => {
                let images = random.pick(&image_ids, &[0, 0, 1, 3, 20]);
                let categories = random.pick(&category_ids, &[0, 1, 1, 2, 3]);
                json!({"type": "img", "imgIds": images, "catIds": categories})
            }
            _ => {
                if annotation_ids.is_empty() {
                    annotation_ids.push(1);
                }
                json!({"type": "load", "ids": random.pick(&annotation_ids, &[1, 2, 3, 4])})
            }
        };
        queries.push(query);
    }
    queries
}

fn ids(value: &Value) -> Vec<u64> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect()
}

fn answer(coco: &Coco, query: &Value) -> Value {
    let image_ids: Vec<ImageId> = query
        .get("imgIds")
        .map(ids)
        .unwrap_or_default()
        .into_iter()
        .map(ImageId)
        .collect();
    let category_ids: Vec<CategoryId> = query
        .get("catIds")
        .map(ids)
        .unwrap_or_default()
        .into_iter()
        .map(|id| CategoryId(id as u32))
        .collect();
    let result: Result<Value, String> = match query["type"].as_str().unwrap() {
        "ann" => {
            let range = query["areaRng"].as_array().unwrap();
            let area_range = (range.len() == 2)
                .then(|| (range[0].as_f64().unwrap(), range[1].as_f64().unwrap()));
            let iscrowd = query["iscrowd"].as_u64().map(|value| value == 1);
            let query = AnnotationQuery {
                image_ids: &image_ids,
                category_ids: &category_ids,
                area_range,
                iscrowd,
            };
            coco.annotation_ids(&query)
                .map(|ids| json!(ids.iter().map(|id| id.0).collect::<Vec<_>>()))
                .map_err(|error| error.to_string())
        }
        "cat" => {
            let strings = |key: &str| -> Vec<String> {
                query[key]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap().to_owned())
                    .collect()
            };
            let (names, supercategories) = (strings("catNms"), strings("supNms"));
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let supercategories: Vec<&str> = supercategories.iter().map(String::as_str).collect();
            coco.category_ids(&names, &supercategories, &category_ids)
                .map(|ids| json!(ids.iter().map(|id| id.0).collect::<Vec<_>>()))
                .map_err(|error| error.to_string())
        }
        "img" => Ok(json!(
            coco.image_ids(&image_ids, &category_ids)
                .iter()
                .map(|id| id.0)
                .collect::<Vec<_>>()
        )),
        "load" => {
            let annotation_ids: Vec<AnnotationId> =
                ids(&query["ids"]).into_iter().map(AnnotationId).collect();
            coco.load_annotations(&annotation_ids)
                .map(|annotations| {
                    json!(annotations.iter().map(|a| a.image_id.0).collect::<Vec<_>>())
                })
                .map_err(|error| error.to_string())
        }
        other => panic!("unknown query {other}"),
    };
    match result {
        Ok(value) => json!({"ok": value}),
        Err(message) => json!({"error": message}),
    }
}

#[test]
fn queries_match_pycocotools_on_every_annotation_file() {
    let folder = temp_dir();
    let mut compared_files = 0;
    let mut compared_queries = 0;
    for (index, file) in annotation_files().iter().enumerate() {
        let dataset = Dataset::read(file).unwrap();
        let queries = generate_queries(&dataset, 0x9e37_79b9_7f4a_7c15 ^ index as u64);
        let queries_path = folder.path().join(format!("{index}-queries.json"));
        let out_path = folder.path().join(format!("{index}-pycocotools.json"));
        std::fs::write(&queries_path, serde_json::to_vec(&queries).unwrap()).unwrap();
        run_python(
            PYCOCOTOOLS,
            &[file.as_path(), queries_path.as_path(), Path::new(&out_path)],
        );
        let expected: Value = serde_json::from_slice(&std::fs::read(&out_path).unwrap()).unwrap();
        if let Some(reason) = expected.get("unloadable") {
            // pycocotools cannot index files without annotation ids (panoptic) or with a
            // top-level list; cocoprep can, so there is nothing to compare.
            eprintln!("skipped {} (pycocotools: {reason})", file.display());
            continue;
        }
        let coco = Coco::new(dataset);
        for (query, expected) in queries.iter().zip(expected["results"].as_array().unwrap()) {
            let actual = answer(&coco, query);
            match (expected.get("ok"), actual.get("ok")) {
                (Some(expected), Some(actual)) => {
                    assert_eq!(actual, expected, "{}: query {query}", file.display())
                }
                (None, None) => {} // both refused (pycocotools raised, cocoprep returned an error)
                _ => panic!(
                    "{}: query {query}: pycocotools {expected}, cocoprep {actual}",
                    file.display()
                ),
            }
            compared_queries += 1;
        }
        compared_files += 1;
    }
    eprintln!("compared {compared_queries} queries on {compared_files} files");
    assert!(compared_files >= 6);
}
