//! `cocoprep get`: resolve bundle and resource names to a [`Plan`], then download, verify,
//! extract, repair known defects and record a manifest for each resource, several
//! resources at once.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use cocoprep_coco::{ProgressUnit, Reporter};
use serde::Serialize;

use crate::catalog::{ArchiveKind, Catalog, DatasetYaml, Resource};
use crate::download::{DownloadOptions, DownloadRequest, Downloader, ProgressSink};
use crate::error::FetchError;
use crate::extract::{ExtractOptions, ExtractedFile};
use crate::manifest::{ArchiveRecord, ResourceManifest};
use cocoprep_base::cluster::Shard;

/// How `get` runs.
#[derive(Clone, Debug)]
pub struct GetOptions {
    /// The dataset folder.
    pub dataset_dir: PathBuf,
    /// `coco`, `yolo` or `captioning`; `None` = the first bundle's layout (else `coco`).
    pub layout: Option<String>,
    /// Keep downloaded archives (in `DIR/.cocoprep/downloads`).
    pub keep_archives: bool,
    /// Extract only members matching these globs.
    pub only: Vec<String>,
    /// Resources fetched at the same time.
    pub parallel_files: usize,
    /// This process's share of the work.
    pub shard: Option<Shard>,
    /// Download behaviour.
    pub download: DownloadOptions,
    /// Worker threads for extraction and checks (0 = one per core).
    pub jobs: usize,
}

impl Default for GetOptions {
    fn default() -> Self {
        Self {
            dataset_dir: PathBuf::from("coco"),
            layout: None,
            keep_archives: false,
            only: Vec::new(),
            parallel_files: 2,
            shard: None,
            download: DownloadOptions::default(),
            jobs: 0,
        }
    }
}

/// One resource in a plan.
#[derive(Clone, Debug, Serialize)]
pub struct PlanStep {
    /// The resource.
    pub resource: Resource,
    /// Its folder, relative to the dataset folder.
    pub destination: String,
    /// Already complete (manifest present, files in place).
    pub done: bool,
    /// Assigned to this shard (always true without `--shard`).
    pub in_shard: bool,
}

/// What `get` will do.
#[derive(Clone, Debug, Serialize)]
pub struct Plan {
    /// The dataset folder.
    pub dataset_dir: PathBuf,
    /// The layout.
    pub layout: String,
    /// The resources, in catalog order of the names given.
    pub steps: Vec<PlanStep>,
    /// A dataset YAML to write at the end.
    pub dataset_yaml: Option<DatasetYaml>,
    /// Bytes free at the dataset folder, if known.
    pub available_bytes: Option<u64>,
}

impl Plan {
    /// Steps this process will run.
    pub fn pending(&self) -> impl Iterator<Item = &PlanStep> {
        self.steps.iter().filter(|s| s.in_shard && !s.done)
    }

    /// Bytes to download (published or rough sizes; unknown sizes count 0).
    pub fn download_bytes(&self) -> u64 {
        self.pending()
            .filter_map(|s| s.resource.planning_bytes())
            .sum()
    }

    /// Resources whose size is not published.
    pub fn unknown_sizes(&self) -> usize {
        self.pending()
            .filter(|s| s.resource.planning_bytes().is_none())
            .count()
    }

    /// Disk space needed: each archive plus its extracted contents (estimated as the
    /// archive's size: COCO's JPEG zips barely compress; JSON archives expand more).
    pub fn disk_needed(&self) -> u64 {
        self.pending()
            .filter_map(|s| {
                let bytes = s.resource.planning_bytes()?;
                Some(match s.resource.archive {
                    ArchiveKind::None => bytes,
                    _ => bytes * 2,
                })
            })
            .sum()
    }
}

/// Resolves names (bundles or resources) into a plan.
pub fn plan(catalog: &Catalog, names: &[String], options: &GetOptions) -> Result<Plan, FetchError> {
    let mut resources: Vec<&Resource> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut default_layout = None;
    let mut dataset_yaml = None;
    for name in names {
        let members: Vec<&str> = if let Some(bundle) = catalog.bundle(name) {
            default_layout.get_or_insert_with(|| bundle.layout.clone());
            if dataset_yaml.is_none() {
                dataset_yaml = bundle.dataset_yaml.clone();
            }
            bundle.resources.iter().map(String::as_str).collect()
        } else if catalog.resource(name).is_some() {
            vec![name.as_str()]
        } else {
            return Err(FetchError::UnknownName {
                name: name.clone(),
                suggestion: catalog.suggest(name),
            });
        };
        for member in members {
            if seen.insert(member.to_owned()) {
                resources.push(
                    catalog
                        .resource(member)
                        .expect("catalog checked its bundles"),
                );
            }
        }
    }
    let layout = options
        .layout
        .clone()
        .or(default_layout)
        .unwrap_or_else(|| "coco".to_owned());
    if layout != "yolo" {
        dataset_yaml = None;
    }
    let shares = match options.shard {
        Some(shard) => crate::shard::assign(
            shard,
            &resources
                .iter()
                .map(|r| (r.name.as_str(), r.planning_bytes().unwrap_or(1)))
                .collect::<Vec<_>>(),
        ),
        None => vec![true; resources.len()],
    };
    let mut steps = Vec::new();
    for (resource, in_shard) in resources.into_iter().zip(shares) {
        let destination = resource.destination_for(&layout).to_owned();
        let done = ResourceManifest::load(&options.dataset_dir, &resource.name)?.is_some_and(|m| {
            m.layout == layout
                && m.destination == destination
                && m.files_present(&options.dataset_dir)
        });
        steps.push(PlanStep {
            resource: resource.clone(),
            destination,
            done,
            in_shard,
        });
    }
    Ok(Plan {
        available_bytes: crate::disk::available_bytes(&options.dataset_dir),
        dataset_dir: options.dataset_dir.clone(),
        layout,
        steps,
        dataset_yaml,
    })
}

/// What happened to one resource.
#[derive(Clone, Debug, Serialize)]
pub struct StepReport {
    /// The resource.
    pub resource: String,
    /// `already complete`, `downloaded`, `resumed`, `failed`.
    pub status: String,
    /// Bytes received over the network.
    pub received_bytes: u64,
    /// Files in place.
    pub files: usize,
    /// Known defects replaced.
    pub repaired: Vec<String>,
    /// The error, if it failed.
    pub error: Option<String>,
}

/// What a `get` run did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct GetReport {
    /// One entry per resource of the plan this process handled.
    pub steps: Vec<StepReport>,
    /// The dataset YAML written, if any.
    pub dataset_yaml: Option<PathBuf>,
}

impl GetReport {
    /// Resources that failed.
    pub fn failures(&self) -> impl Iterator<Item = &StepReport> {
        self.steps.iter().filter(|s| s.error.is_some())
    }
}

/// Runs a plan. Failures of single resources are reported in [`GetReport`] (the others
/// continue); only problems that stop everything are errors.
pub fn run(
    plan: &Plan,
    options: &GetOptions,
    reporter: &dyn Reporter,
) -> Result<GetReport, FetchError> {
    let dataset = &plan.dataset_dir;
    fs_err::create_dir_all(dataset)?;
    if plan.disk_needed() > 0 {
        crate::disk::ensure_available(dataset, plan.disk_needed())?;
    }
    let mut report = GetReport::default();
    for step in plan.steps.iter().filter(|s| s.in_shard && s.done) {
        report.steps.push(StepReport {
            resource: step.resource.name.clone(),
            status: "already complete".to_owned(),
            received_bytes: 0,
            files: ResourceManifest::load(dataset, &step.resource.name)?
                .map_or(0, |m| m.files.len()),
            repaired: Vec::new(),
            error: None,
        });
    }
    let pending: Vec<&PlanStep> = plan.pending().collect();
    let downloader = Downloader::new(options.download.clone());
    let total_known: u64 = pending
        .iter()
        .filter_map(|s| s.resource.planning_bytes())
        .sum();
    let total = (!pending.is_empty()).then(|| {
        reporter.on_task_start(
            &format!("total ({} files)", pending.len()),
            (total_known > 0).then_some(total_known),
            ProgressUnit::Bytes,
        )
    });
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..options.parallel_files.clamp(1, pending.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(step) = pending.get(index) else {
                        break;
                    };
                    let sink = ProgressSink { reporter, total };
                    let outcome = run_step(step, plan, options, &downloader, sink);
                    let step_report = match outcome {
                        Ok(step_report) => step_report,
                        Err(error) => StepReport {
                            resource: step.resource.name.clone(),
                            status: "failed".to_owned(),
                            received_bytes: 0,
                            files: 0,
                            repaired: Vec::new(),
                            error: Some(format!("{error}")),
                        },
                    };
                    results
                        .lock()
                        .expect("no panics while holding the lock")
                        .push((index, step_report));
                }
            });
        }
    });
    if let Some(total) = total {
        reporter.on_task_complete(total);
    }
    let mut results = results.into_inner().expect("threads joined");
    results.sort_by_key(|(index, _)| *index);
    report.steps.extend(results.into_iter().map(|(_, r)| r));
    if let Some(yaml) = &plan.dataset_yaml
        && report.failures().next().is_none()
    {
        let path = write_dataset_yaml(dataset, yaml)?;
        report.dataset_yaml = Some(path);
    }
    Ok(report)
}

/// Writes the bundle's ultralytics dataset YAML in `dataset`, with `path:` absolute so the
/// YAML works from any working directory.
pub fn write_dataset_yaml(
    dataset: &Path,
    spec: &crate::catalog::DatasetYaml,
) -> Result<PathBuf, FetchError> {
    let yaml = cocoprep_formats::dataset_yaml::DatasetYaml {
        path: Some(std::path::absolute(dataset)?),
        train: vec![spec.train.clone()],
        val: vec![spec.val.clone()],
        test: spec.test.iter().cloned().collect(),
        names: spec.names.clone(),
        kpt_shape: None,
        flip_idx: None,
    };
    let path = dataset.join(&spec.file);
    cocoprep_coco::atomic::write_atomic(
        &path,
        yaml.to_text("Written by cocoprep get (ultralytics dataset layout)")
            .as_bytes(),
    )?;
    Ok(path)
}

fn run_step(
    step: &PlanStep,
    plan: &Plan,
    options: &GetOptions,
    downloader: &Downloader,
    sink: ProgressSink,
) -> Result<StepReport, FetchError> {
    let resource = &step.resource;
    let dataset = &plan.dataset_dir;
    let urls = resource.all_urls();
    if urls.is_empty() {
        return Err(FetchError::NoUrl {
            resource: resource.name.clone(),
            reason: resource
                .note
                .clone()
                .unwrap_or_else(|| "the catalog lists none".to_owned()),
        });
    }
    let destination = dataset.join(&step.destination);
    let archive_path = match resource.archive {
        ArchiveKind::None => destination.join(&resource.file_name),
        _ => dataset
            .join(".cocoprep")
            .join("downloads")
            .join(&resource.file_name),
    };
    let request = DownloadRequest {
        label: resource.file_name.clone(),
        urls,
        destination: archive_path.clone(),
        expected_bytes: resource.bytes,
        checksum: resource.checksum(),
    };
    let downloaded = downloader.download(&request, sink)?;
    let verified_against = match resource.checksum() {
        Some(checksum) => checksum.algorithm().to_owned(),
        None if resource.bytes.is_some() => "size (no checksum published)".to_owned(),
        None => "archive CRCs only (no size or checksum published)".to_owned(),
    };
    let relative_archive = archive_path
        .strip_prefix(dataset)
        .unwrap_or(&archive_path)
        .to_string_lossy()
        .into_owned();
    let mut files = match resource.archive {
        ArchiveKind::None => vec![ExtractedFile {
            path: resource.file_name.clone(),
            bytes: downloaded.bytes,
            crc32: crc32_of_file(&archive_path)?,
        }],
        kind => {
            let extract_options = ExtractOptions {
                jobs: options.jobs,
                only: options.only.clone(),
                strip_prefix: resource.strip_prefix.clone(),
            };
            crate::extract::extract(
                &archive_path,
                kind,
                &destination,
                &extract_options,
                sink.reporter,
            )?
            .files
        }
    };
    let repaired = crate::defects::repair(resource, &destination, &mut files, downloader, sink)?;
    let keep = options.keep_archives && resource.archive != ArchiveKind::None;
    let manifest = ResourceManifest {
        version: crate::manifest::MANIFEST_VERSION,
        resource: resource.name.clone(),
        layout: plan.layout.clone(),
        destination: step.destination.clone(),
        archive: Some(ArchiveRecord {
            file_name: resource.file_name.clone(),
            bytes: downloaded.bytes,
            sha256: downloaded.digests.as_ref().map(|d| d.sha256.clone()),
            verified_against,
            url: downloaded.url.clone(),
            kept_at: (keep || resource.archive == ArchiveKind::None)
                .then(|| relative_archive.clone()),
        }),
        files,
        repaired: repaired.clone(),
        completed_at: crate::manifest::now(),
    };
    manifest.save(dataset)?;
    if resource.archive != ArchiveKind::None && !options.keep_archives {
        fs_err::remove_file(&archive_path)?;
    }
    Ok(StepReport {
        resource: resource.name.clone(),
        status: if downloaded.already_complete {
            "archive already downloaded".to_owned()
        } else if downloaded.resumed_bytes > 0 {
            "resumed".to_owned()
        } else {
            "downloaded".to_owned()
        },
        received_bytes: downloaded.received_bytes,
        files: manifest.files.len(),
        repaired,
        error: None,
    })
}

pub(crate) fn crc32_of_file(path: &Path) -> Result<u32, FetchError> {
    use std::io::Read;
    let mut file = fs_err::File::open(path)?;
    let mut crc = crc32fast::Hasher::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            return Ok(crc.finalize());
        }
        crc.update(&buffer[..read]);
    }
}
