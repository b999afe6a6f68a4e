//! `cocoprep get BUNDLE|RESOURCE...`: plan, then download, verify, extract and record;
//! `--split` for subset downloads, `--dry-run` for the plan, `--emit` for job scripts.

mod emit;
mod yolo_labels;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use cocoprep_base::cluster::Shard;
use cocoprep_fetch::catalog::ArchiveKind;
use cocoprep_fetch::download::DownloadOptions;
use cocoprep_fetch::get::{GetOptions, Plan};
use cocoprep_fetch::subset::{SubsetRequest, run_subset};
use indicatif::DecimalBytes;

use super::Outcome;
use super::list::{checksum_text, load_catalog, size_text};
use crate::cli::GetArgs;
use crate::commands::cluster::{self, ClusterMode, ClusterSettings};
use crate::output;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct GetSettings {
    pub names: Vec<String>,
    pub options: GetOptions,
    /// Whether `--layout` was given (job scripts repeat it only then).
    pub layout_given: bool,
    pub subset: Option<SubsetRequest>,
    pub dry_run: bool,
    pub cluster: ClusterSettings,
    pub catalog: Option<PathBuf>,
    pub json: bool,
}

impl GetSettings {
    pub fn resolve(args: GetArgs) -> anyhow::Result<Self> {
        let GetArgs {
            names,
            dir,
            layout,
            connections,
            parallel,
            split,
            classes,
            max_images,
            dry_run,
            keep_archives,
            only,
            catalog,
            timeout,
            retries,
            json,
            image_url_base,
            cluster,
        } = args;
        let cluster = ClusterSettings::resolve(cluster)?;
        let mut download = DownloadOptions {
            connections: connections.max(1),
            max_attempts: retries.max(1),
            ..DownloadOptions::default()
        };
        download.http.read_timeout = Duration::from_secs(timeout.max(1));
        let subset = match split {
            Some(split) => {
                anyhow::ensure!(
                    names.len() == 1,
                    "--split takes one bundle (like `coco2017`), got {}",
                    names.len()
                );
                Some(SubsetRequest {
                    bundle: names[0].clone(),
                    split,
                    classes,
                    max_images,
                    image_url_base,
                    parallel_images: (connections * 2).max(4),
                })
            }
            None => None,
        };
        Ok(Self {
            names,
            options: GetOptions {
                dataset_dir: dir,
                layout: layout.map(|l| l.name().to_owned()),
                keep_archives,
                only,
                parallel_files: parallel.max(1),
                shard: cluster.shard(),
                download,
                jobs: 0,
            },
            layout_given: layout.is_some(),
            subset,
            dry_run,
            cluster,
            catalog,
            json,
        })
    }
}

pub fn run(settings: &GetSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let catalog = load_catalog(settings.catalog.as_deref())?;
    let mut options = settings.options.clone();
    options.jobs = global.jobs;
    let spec = emit::job_spec(settings)?;
    if let ClusterMode::Emit { system, shards } = settings.cluster.mode {
        let count = match shards {
            Some(count) => count,
            None if settings.subset.is_some() => 4,
            None => cocoprep_fetch::get::plan(&catalog, &settings.names, &options)?
                .steps
                .len()
                .clamp(1, 16),
        };
        cluster::emit(system, count, &spec, global)?;
        return Ok(Outcome::Success);
    }
    if settings.dry_run {
        // A plan changes nothing: no markers.
        return run_get(&catalog, &options, settings, global).map(|(outcome, _)| outcome);
    }
    cluster::run_job(&settings.cluster, &spec, global, |shard| {
        options.shard = shard;
        run_get(&catalog, &options, settings, global)
    })
}

/// Gets (this shard's share of) the files; returns the outcome and the resources (or
/// subset images) done.
fn run_get(
    catalog: &cocoprep_fetch::catalog::Catalog,
    options: &GetOptions,
    settings: &GetSettings,
    global: &GlobalSettings,
) -> anyhow::Result<(Outcome, u64)> {
    if let Some(subset) = &settings.subset {
        return run_subset_command(catalog, subset, options, settings, global);
    }
    let plan = cocoprep_fetch::get::plan(catalog, &settings.names, options)?;
    if settings.dry_run {
        if settings.json {
            output::stdout(&format!("{}\n", serde_json::to_string_pretty(&plan)?))?;
        } else {
            output::stdout(&render_plan(&plan, options.shard))?;
        }
        return Ok((Outcome::Success, 0));
    }
    let progress = Progress::new(global);
    let report = cocoprep_fetch::get::run(&plan, options, &progress)
        .with_context(|| format!("cannot get {}", settings.names.join(", ")))?;
    if settings.json {
        output::stdout(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
    }
    for step in &report.steps {
        let mut line = format!("{:<34} {}", step.resource, step.status);
        if step.error.is_none() {
            line.push_str(&format!(
                ", {} files, {} received",
                step.files,
                DecimalBytes(step.received_bytes)
            ));
        }
        if !step.repaired.is_empty() {
            line.push_str(&format!(", replaced corrupt {}", step.repaired.join(", ")));
        }
        progress.println(&line);
    }
    if let Some(path) = &report.dataset_yaml {
        progress.println(&format!("dataset YAML: {}", path.display()));
    }
    let failures: Vec<_> = report.failures().collect();
    if !failures.is_empty() {
        let list: Vec<String> = failures
            .iter()
            .map(|f| format!("  {}: {}", f.resource, f.error.as_deref().unwrap_or("")))
            .collect();
        anyhow::bail!(
            "{} of {} resources failed (re-run the same command to resume):\n{}",
            failures.len(),
            report.steps.len(),
            list.join("\n")
        );
    }
    output::note(
        global,
        format!(
            "{}: {} resources ready in {}",
            settings.names.join(", "),
            report.steps.len(),
            plan.dataset_dir.display()
        ),
    );
    Ok((Outcome::Success, report.steps.len() as u64))
}

fn run_subset_command(
    catalog: &cocoprep_fetch::catalog::Catalog,
    subset: &SubsetRequest,
    options: &GetOptions,
    settings: &GetSettings,
    global: &GlobalSettings,
) -> anyhow::Result<(Outcome, u64)> {
    if settings.dry_run {
        let bundle = catalog
            .bundle(&subset.bundle)
            .with_context(|| format!("`{}` is not a bundle", subset.bundle))?;
        let split = if subset.split == "validation" {
            "val"
        } else {
            subset.split.as_str()
        };
        let source = bundle
            .subsets
            .get(split)
            .with_context(|| format!("bundle `{}` has no split `{}`", bundle.name, subset.split))?;
        let annotations = catalog
            .resource(&source.annotations)
            .context("the catalog names an unknown resource")?;
        let mut text = format!(
            "subset of {} split {} into {} (dry run, nothing downloaded)\n",
            bundle.name,
            split,
            options.dataset_dir.display()
        );
        text.push_str(&format!(
            "  1. {} ({}, {}) → raw/{}\n",
            annotations.name,
            size_text(annotations),
            checksum_text(annotations),
            source.file
        ));
        text.push_str(&format!(
            "  2. select images{}{} (all classes first, then any, by id)\n",
            if subset.classes.is_empty() {
                String::new()
            } else {
                format!(" with {}", subset.classes.join(", "))
            },
            subset
                .max_images
                .map(|n| format!(", at most {n}"))
                .unwrap_or_default()
        ));
        text.push_str(&format!(
            "  3. download each selected image from its coco_url into {}/\n  4. write annotations/{}\n",
            source.images,
            std::path::Path::new(&source.file)
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
        ));
        if options.layout.as_deref().unwrap_or(&bundle.layout) == "yolo" {
            text.push_str(
                "  5. write YOLO box labels into labels/ and data.yaml (as `convert yolo`)\n",
            );
        }
        output::stdout(&text)?;
        return Ok((Outcome::Success, 0));
    }
    let progress = Progress::new(global);
    let report = run_subset(catalog, subset, options, &progress).with_context(|| {
        format!(
            "cannot get the {} subset of {}",
            subset.split, subset.bundle
        )
    })?;
    if settings.json {
        output::stdout(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
    }
    for (name, error) in &report.failed {
        progress.println(&format!("{name}: {error}"));
    }
    output::note(
        global,
        format!(
            "{} images selected, {} downloaded, {} already present, {} failed; {} annotations in {}",
            report.selected,
            report.downloaded,
            report.already_present,
            report.failed.len(),
            report.annotations,
            report.annotation_file.display()
        ),
    );
    anyhow::ensure!(
        report.failed.is_empty(),
        "{} images could not be downloaded (re-run to retry)",
        report.failed.len()
    );
    if report.layout == "yolo" {
        let labels =
            yolo_labels::write_subset_labels(&report, &options.dataset_dir, global, &progress)?;
        let rows: u64 = labels.splits.iter().map(|split| split.rows).sum();
        let files: u64 = labels.splits.iter().map(|split| split.label_files).sum();
        output::note(
            global,
            format!(
                "{files} label files ({rows} rows) in {}, dataset YAML {}",
                options.dataset_dir.join("labels").display(),
                labels.yaml.display()
            ),
        );
    }
    Ok((
        Outcome::Success,
        (report.downloaded + report.already_present) as u64,
    ))
}

/// The human-readable plan of `--dry-run`.
pub fn render_plan(plan: &Plan, shard: Option<Shard>) -> String {
    let mut text = format!(
        "cocoprep get: layout {} into {}{} (dry run, nothing downloaded)\n",
        plan.layout,
        plan.dataset_dir.display(),
        shard.map(|s| format!(", shard {s}")).unwrap_or_default()
    );
    text.push_str(&format!(
        "  {:<34} {:>14} {:>10}  {:<8} {:<22} url\n",
        "resource", "bytes", "size", "checksum", "to"
    ));
    for step in &plan.steps {
        let resource = &step.resource;
        let state = if !step.in_shard {
            " (other shard)"
        } else if step.done {
            " (done)"
        } else {
            ""
        };
        let to = match resource.archive {
            ArchiveKind::None => format!("{}/", display_dir(&step.destination)),
            _ => format!("{}/ (unzip)", display_dir(&step.destination)),
        };
        let url = resource
            .all_urls()
            .first()
            .cloned()
            .unwrap_or_else(|| "(no URL known)".to_owned());
        text.push_str(&format!(
            "  {:<34} {:>14} {:>10}  {:<8} {:<22} {url}{state}\n",
            resource.name,
            resource
                .bytes
                .map_or_else(|| "unknown".to_owned(), |b| b.to_string()),
            size_text(resource),
            checksum_text(resource),
            to,
        ));
    }
    let pending = plan.pending().count();
    text.push_str(&format!(
        "download: {} in {pending} files{}\n",
        DecimalBytes(plan.download_bytes()),
        match plan.unknown_sizes() {
            0 => String::new(),
            n => format!(" ({n} of unknown size not counted)"),
        }
    ));
    text.push_str(&format!(
        "disk needed: ~{} (archives + extracted contents, estimated as the archive sizes){}\n",
        DecimalBytes(plan.disk_needed()),
        match plan.available_bytes {
            Some(free) => format!("; available: {}", DecimalBytes(free)),
            None => String::new(),
        }
    ));
    if let Some(yaml) = &plan.dataset_yaml {
        text.push_str(&format!("dataset YAML: {}\n", yaml.file));
    }
    text
}

fn display_dir(relative: &str) -> &str {
    if relative.is_empty() { "." } else { relative }
}
