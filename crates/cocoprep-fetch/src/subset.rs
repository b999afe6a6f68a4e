//! Subset downloads, as FiftyOne's zoo does them: fetch the annotation archive, select
//! images of a split (by class, up to a count), download only those images one by one
//! from their `coco_url`, and write an annotation file holding exactly them.
//!
//! Selection follows FiftyOne's order (images containing *all* requested classes first,
//! then images containing *any*, each by increasing id) but, unlike FiftyOne, does not
//! depend on which images earlier runs left on disk: the same command always selects the
//! same images. Every annotation of a selected image is kept (FiftyOne's default
//! `only_matching=False`), and the category list is kept whole so ids do not change.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use cocoprep_base::progress::{ProgressUnit, Reporter};
use cocoprep_coco::{CategoryId, Dataset, ImageId, ReadOptions};
use serde::Serialize;

use crate::catalog::Catalog;
use crate::download::{DownloadOptions, DownloadRequest, Downloader, ProgressSink};
use crate::error::FetchError;
use crate::extract::ExtractedFile;
use crate::get::{GetOptions, Plan, PlanStep};
use crate::manifest::ResourceManifest;

/// What subset to fetch.
#[derive(Clone, Debug, Default)]
pub struct SubsetRequest {
    /// The bundle (`coco2017`).
    pub bundle: String,
    /// `train` or `val` (`validation` is accepted).
    pub split: String,
    /// Category names (exact, case-sensitive); empty = any image.
    pub classes: Vec<String>,
    /// At most this many images.
    pub max_images: Option<usize>,
    /// Replace the scheme and host of every `coco_url` with this base (a local mirror).
    pub image_url_base: Option<String>,
    /// Images downloaded at the same time.
    pub parallel_images: usize,
}

/// What a subset download did.
#[derive(Clone, Debug, Serialize)]
pub struct SubsetReport {
    /// The annotation file written.
    pub annotation_file: PathBuf,
    /// The folder holding the images.
    pub images_dir: PathBuf,
    /// The layout the images were placed in (`yolo` leaves the labels to the caller, which
    /// converts `annotation_file`).
    pub layout: String,
    /// Images selected.
    pub selected: usize,
    /// Images this process was responsible for (its shard).
    pub in_shard: usize,
    /// Images downloaded now.
    pub downloaded: usize,
    /// Images already on disk and decodable.
    pub already_present: usize,
    /// Annotations in the subset file.
    pub annotations: usize,
    /// Images that failed: `(file name, error)`.
    pub failed: Vec<(String, String)>,
}

/// Images in FiftyOne's order: those with all classes, then those with any, by id.
pub fn select_images(
    dataset: &Dataset,
    classes: &[String],
    max_images: Option<usize>,
) -> Result<Vec<ImageId>, FetchError> {
    let mut wanted = BTreeSet::new();
    let mut unknown = Vec::new();
    for class in classes {
        match dataset.categories.iter().find(|c| &c.name == class) {
            Some(category) => {
                wanted.insert(category.id);
            }
            None => unknown.push(class.clone()),
        }
    }
    if !unknown.is_empty() {
        let close: Vec<String> = unknown
            .iter()
            .filter_map(|name| {
                dataset
                    .categories
                    .iter()
                    .find(|c| {
                        c.name.eq_ignore_ascii_case(name)
                            || c.name.contains(name.as_str())
                            || name.contains(c.name.as_str())
                    })
                    .map(|c| format!("`{name}` → `{}`?", c.name))
            })
            .collect();
        return Err(FetchError::Subset(format!(
            "unknown class{} {} (names are exact and case-sensitive, e.g. `tv`, `motorcycle`, `dining table`){}",
            if unknown.len() > 1 { "es" } else { "" },
            unknown
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", "),
            if close.is_empty() {
                String::new()
            } else {
                format!("; did you mean {}", close.join(", "))
            }
        )));
    }
    let mut ids: Vec<ImageId> = dataset.images.iter().map(|i| i.id).collect();
    ids.sort_unstable();
    ids.dedup();
    let selected = if wanted.is_empty() {
        ids
    } else {
        let mut present: BTreeMap<ImageId, BTreeSet<CategoryId>> = BTreeMap::new();
        for annotation in &dataset.annotations {
            if let Some(category) = annotation.category_id
                && wanted.contains(&category)
            {
                present
                    .entry(annotation.image_id)
                    .or_default()
                    .insert(category);
            }
        }
        let known: HashSet<ImageId> = ids.iter().copied().collect();
        let (all, any): (Vec<_>, Vec<_>) = present
            .into_iter()
            .filter(|(id, _)| known.contains(id))
            .partition(|(_, found)| found.len() == wanted.len());
        all.into_iter().chain(any).map(|(id, _)| id).collect()
    };
    Ok(match max_images {
        Some(limit) => selected.into_iter().take(limit).collect(),
        None => selected,
    })
}

/// Runs a subset download.
pub fn run_subset(
    catalog: &Catalog,
    request: &SubsetRequest,
    options: &GetOptions,
    reporter: &dyn Reporter,
) -> Result<SubsetReport, FetchError> {
    let bundle = catalog
        .bundle(&request.bundle)
        .ok_or_else(|| FetchError::UnknownName {
            name: request.bundle.clone(),
            suggestion: catalog.suggest(&request.bundle),
        })?;
    let split = if request.split == "validation" {
        "val"
    } else {
        request.split.as_str()
    };
    let source = bundle.subsets.get(split).ok_or_else(|| {
        FetchError::Subset(format!(
            "bundle `{}` has no split `{}` for subset downloads (it has: {})",
            bundle.name,
            request.split,
            if bundle.subsets.is_empty() {
                "none".to_owned()
            } else {
                bundle
                    .subsets
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ))
    })?;
    let layout = options
        .layout
        .clone()
        .unwrap_or_else(|| bundle.layout.clone());
    let dataset_dir = &options.dataset_dir;
    // 1. The annotation archive, extracted under raw/ (FiftyOne keeps the full files in raw/ too).
    let annotations = catalog
        .resource(&source.annotations)
        .expect("catalog checked its bundles");
    let raw = "raw".to_owned();
    let done = ResourceManifest::load(dataset_dir, &annotations.name)?.is_some_and(|m| {
        m.destination == raw
            && m.files_present(dataset_dir)
            && m.files.iter().any(|f| f.path == source.file)
    });
    let annotation_options = GetOptions {
        shard: None,
        only: vec![source.file.clone()],
        ..options.clone()
    };
    let plan = Plan {
        dataset_dir: dataset_dir.clone(),
        layout: layout.clone(),
        steps: vec![PlanStep {
            resource: annotations.clone(),
            destination: raw.clone(),
            done,
            in_shard: true,
        }],
        dataset_yaml: None,
        available_bytes: None,
    };
    let fetched = crate::get::run(&plan, &annotation_options, reporter)?;
    if let Some(failure) = fetched.failures().next() {
        return Err(FetchError::Subset(format!(
            "cannot get the annotations `{}`: {}",
            annotations.name,
            failure.error.clone().unwrap_or_default()
        )));
    }
    let full_path = dataset_dir.join(&raw).join(&source.file);
    let dataset =
        cocoprep_coco::read_dataset(&full_path, &ReadOptions { jobs: options.jobs }, reporter)
            .map_err(|error| FetchError::Annotations {
                path: full_path.clone(),
                action: "read",
                source: Box::new(error),
            })?;

    // 2. Selection.
    let selected = select_images(&dataset, &request.classes, request.max_images)?;
    let chosen: HashSet<ImageId> = selected.iter().copied().collect();
    let images_resource = catalog
        .resource(&source.images)
        .expect("catalog checked its bundles");
    let images_root = dataset_dir.join(images_resource.destination_for(&layout));

    // 3. The images of this shard, one request each.
    let mut jobs: Vec<(String, String, PathBuf)> = Vec::new();
    let by_id: BTreeMap<ImageId, &cocoprep_coco::Image> =
        dataset.images.iter().map(|i| (i.id, i)).collect();
    for (position, id) in selected.iter().enumerate() {
        if options
            .shard
            .is_some_and(|shard| !shard.owns_position(position))
        {
            continue;
        }
        let image = by_id[id];
        let (Some(url), Some(file_name)) = (&image.coco_url, &image.file_name) else {
            return Err(FetchError::Subset(format!(
                "image {} has no `coco_url` or `file_name`",
                id.0
            )));
        };
        let folder = url
            .rsplit('/')
            .nth(1)
            .filter(|segment| !segment.is_empty() && !segment.contains(':'))
            .unwrap_or(&images_resource.name);
        let url = match &request.image_url_base {
            Some(base) => rebase(url, base),
            None => url.clone(),
        };
        let relative = crate::extract::path::safe_relative(&format!("{folder}/{file_name}"))
            .map_err(|reason| {
                FetchError::Subset(format!("image {}: `{file_name}`: {reason}", id.0))
            })?;
        jobs.push((file_name.clone(), url, relative));
    }
    let image_downloader = Downloader::new(DownloadOptions {
        connections: 1,
        always_hash: false,
        check_free_space: false,
        ..options.download.clone()
    });
    let task = reporter.on_task_start(
        &format!("{split} images"),
        Some(jobs.len() as u64),
        ProgressUnit::Items,
    );
    let next = AtomicUsize::new(0);
    let downloaded = AtomicUsize::new(0);
    let present = AtomicUsize::new(0);
    let failed = Mutex::new(Vec::new());
    let files = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..request.parallel_images.clamp(1, jobs.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some((file_name, url, relative)) = jobs.get(index) else {
                        break;
                    };
                    let path = images_root.join(relative);
                    match fetch_image(&image_downloader, url, &path, reporter) {
                        Ok((fetched, bytes, crc32)) => {
                            if fetched {
                                downloaded.fetch_add(1, Ordering::Relaxed);
                            } else {
                                present.fetch_add(1, Ordering::Relaxed);
                            }
                            files
                                .lock()
                                .expect("no panic under lock")
                                .push(ExtractedFile {
                                    path: relative.to_string_lossy().into_owned(),
                                    bytes,
                                    crc32,
                                });
                        }
                        Err(error) => failed
                            .lock()
                            .expect("no panic under lock")
                            .push((file_name.clone(), error)),
                    }
                    reporter.on_task_progress(task, 1);
                }
            });
        }
    });
    reporter.on_task_complete(task);

    // 4. The matching annotation file (the same in every shard; written atomically).
    let file_name = Path::new(&source.file).file_name().unwrap_or_default();
    let annotation_file = dataset_dir.join("annotations").join(file_name);
    let mut subset = dataset;
    subset.images.retain(|image| chosen.contains(&image.id));
    subset.images.sort_by_key(|image| image.id);
    subset
        .annotations
        .retain(|annotation| chosen.contains(&annotation.image_id));
    subset
        .write(&annotation_file)
        .map_err(|error| FetchError::Annotations {
            path: annotation_file.clone(),
            action: "write",
            source: Box::new(error),
        })?;

    let mut files = files.into_inner().expect("threads joined");
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut failed = failed.into_inner().expect("threads joined");
    failed.sort();
    let name = match options.shard {
        Some(shard) => format!(
            "subset-{}-shard-{}-of-{}",
            images_resource.name, shard.index, shard.count
        ),
        None => format!("subset-{}", images_resource.name),
    };
    if failed.is_empty() {
        ResourceManifest {
            version: crate::manifest::MANIFEST_VERSION,
            resource: name,
            layout: layout.clone(),
            destination: images_resource.destination_for(&plan.layout).to_owned(),
            archive: None,
            files,
            repaired: Vec::new(),
            completed_at: crate::manifest::now(),
        }
        .save(dataset_dir)?;
    }
    Ok(SubsetReport {
        annotation_file,
        images_dir: images_root,
        layout,
        selected: selected.len(),
        in_shard: jobs.len(),
        downloaded: downloaded.into_inner(),
        already_present: present.into_inner(),
        annotations: subset.annotations.len(),
        failed,
    })
}

/// Downloads one image unless a decodable copy is there; returns `(downloaded, bytes, crc)`.
fn fetch_image(
    downloader: &Downloader,
    url: &str,
    path: &Path,
    reporter: &dyn Reporter,
) -> Result<(bool, u64, u32), String> {
    if path.exists() && cocoprep_coco::image_file::check_image_file(path).is_ok() {
        let bytes = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
        let crc = crate::checksum::crc32_of_file(path).map_err(|e| e.to_string())?;
        return Ok((false, bytes, crc));
    }
    let request = DownloadRequest {
        label: path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned(),
        urls: vec![url.to_owned()],
        destination: path.to_owned(),
        expected_bytes: None,
        checksum: None,
    };
    let _ = std::fs::remove_file(path);
    let done = downloader
        .download(
            &request,
            ProgressSink {
                reporter: &cocoprep_base::progress::NoReporter,
                total: None,
            },
        )
        .map_err(|error| crate::error::error_chain(&error))?;
    if let Err(error) = cocoprep_coco::image_file::check_image_file(path) {
        let _ = std::fs::remove_file(path);
        reporter.on_warning(&error.to_string());
        return Err(error.to_string());
    }
    let crc = crate::checksum::crc32_of_file(path).map_err(|e| e.to_string())?;
    Ok((true, done.bytes, crc))
}

/// `http://images.cocodataset.org/val2017/x.jpg` on base `http://127.0.0.1:9/coco` →
/// `http://127.0.0.1:9/coco/val2017/x.jpg`.
fn rebase(url: &str, base: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |p| p + 3);
    let path = url[after_scheme..]
        .find('/')
        .map_or("/", |p| &url[after_scheme + p..]);
    format!("{}{path}", base.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coco_urls_are_rebased_onto_a_mirror() {
        assert_eq!(
            rebase(
                "http://images.cocodataset.org/val2017/000000000139.jpg",
                "http://127.0.0.1:8/m/"
            ),
            "http://127.0.0.1:8/m/val2017/000000000139.jpg"
        );
    }

    #[test]
    fn images_with_all_classes_come_before_images_with_any() {
        let path = cocoprep_test::fixtures().join("coco-sample/annotations/instances_val2017.json");
        let dataset = Dataset::read(&path).unwrap();
        let people = select_images(&dataset, &["person".into()], None).unwrap();
        let both = select_images(&dataset, &["person".into(), "bowl".into()], None).unwrap();
        assert!(!people.is_empty());
        // Every image with both comes first.
        let with_bowl: HashSet<ImageId> = select_images(&dataset, &["bowl".into()], None)
            .unwrap()
            .into_iter()
            .collect();
        let people_set: HashSet<ImageId> = people.iter().copied().collect();
        let first_any = both
            .iter()
            .position(|id| !(with_bowl.contains(id) && people_set.contains(id)));
        if let Some(first_any) = first_any {
            assert!(
                both[first_any..]
                    .iter()
                    .all(|id| !(with_bowl.contains(id) && people_set.contains(id)))
            );
        }
        assert_eq!(
            select_images(&dataset, &["person".into()], Some(1))
                .unwrap()
                .len(),
            1
        );
        let error = select_images(&dataset, &["tvmonitor".into()], None)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("tvmonitor") && error.contains("`tv`"),
            "{error}"
        );
    }
}
