//! `cocoprep features resnet DATASET.json --images-root DIR --output-dir PREFIX
//! [--store files|lmdb|hdf5]`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use cocoprep_base::cluster::Shard;
use cocoprep_features::resnet::{self, Arch, ExtractOptions};
use cocoprep_features::store::{self, StoreKind};

use crate::cli::{ArchArg, ModelArg, ResnetArgs};
use crate::commands::Outcome;
use crate::commands::cluster::{
    self, ClusterSettings, DEFAULT_CPUS_PER_TASK, JobSpec, absolute_word,
};
use crate::input_kind::{self, expected};
use crate::output;
use crate::progress::Progress;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct ResnetSettings {
    pub dataset: PathBuf,
    pub images_root: PathBuf,
    pub output_prefix: PathBuf,
    pub att_size: usize,
    pub weights: PathBuf,
    pub arch: Arch,
    pub store: StoreKind,
    pub compression_level: u8,
    pub overwrite: bool,
    pub dry_run: bool,
    pub json: bool,
    pub cluster: ClusterSettings,
}

impl ResnetSettings {
    pub fn resolve(args: ResnetArgs) -> anyhow::Result<Self> {
        let ResnetArgs {
            dataset,
            input_json,
            images_root,
            output_dir,
            att_size,
            weights,
            model,
            model_root,
            arch,
            store,
            compression_level,
            overwrite,
            dry_run,
            json,
            cluster,
        } = args;
        let store = super::store_kind(store);
        let cluster = ClusterSettings::resolve(cluster)?;
        super::ensure_store_can_shard(store, &cluster)?;
        let dataset = dataset
            .or(input_json)
            .context("give the Karpathy dataset JSON (DATASET.json or --input_json)")?;
        let model = match model {
            ModelArg::Resnet101 => "resnet101",
            ModelArg::Resnet152 => "resnet152",
        };
        let weights = weights.unwrap_or_else(|| resnet::default_weights_path(&model_root, model));
        let arch = match arch {
            ArchArg::SelfCritical => Arch::SelfCritical,
            ArchArg::Torchvision => Arch::Torchvision,
        };
        Ok(Self {
            dataset,
            images_root: images_root.unwrap_or_default(),
            output_prefix: output_dir,
            att_size: usize::from(att_size),
            weights,
            arch,
            store,
            compression_level,
            overwrite,
            dry_run,
            json,
            cluster,
        })
    }

    /// The job as the cluster layer sees it: root = the folder of PREFIX.
    fn job_spec(&self) -> anyhow::Result<JobSpec> {
        let mut arguments = vec![
            absolute_word(&self.dataset)?,
            "--images-root".to_owned(),
            absolute_word(&self.images_root)?,
            "--output-dir".to_owned(),
            absolute_word(&self.output_prefix)?,
            "--att-size".to_owned(),
            self.att_size.to_string(),
            "--weights".to_owned(),
            absolute_word(&self.weights)?,
            "--arch".to_owned(),
            self.arch.name().to_owned(),
            "--store".to_owned(),
            self.store.name().to_owned(),
            "--compression-level".to_owned(),
            self.compression_level.to_string(),
        ];
        if self.overwrite {
            arguments.push("--overwrite".to_owned());
        }
        let prefix = std::path::absolute(&self.output_prefix)?;
        let root = prefix
            .parent()
            .map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
        Ok(JobSpec {
            command: "features resnet",
            arguments,
            root,
            cpus_per_task: DEFAULT_CPUS_PER_TASK,
        })
    }
}

pub fn run(settings: &ResnetSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    if settings.dry_run {
        return dry_run(settings, global);
    }
    let spec = settings.job_spec()?;
    cluster::run_job(&settings.cluster, &spec, global, |shard| {
        run_shard(settings, shard, global)
    })
}

/// The images of the dataset this shard owns (all of them without a shard).
fn images_of(
    settings: &ResnetSettings,
    shard: Option<Shard>,
) -> anyhow::Result<Vec<resnet::ImageEntry>> {
    input_kind::check(&settings.dataset, &expected::FEATURES_RESNET)?;
    let mut images = resnet::read_dataset(&settings.dataset, &settings.images_root)
        .context("cannot read the image list")?;
    if let Some(shard) = shard {
        images.retain(|image| shard.owns_key(image.image_id));
    }
    Ok(images)
}

fn dry_run(settings: &ResnetSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let images = images_of(settings, settings.cluster.shard())?;
    let stored = match settings.store {
        StoreKind::Files => Default::default(),
        database => store::stored_ids(&settings.output_prefix, database, &resnet::KINDS)
            .context("cannot read the existing store")?,
    };
    let pending = images
        .iter()
        .filter(|image| {
            settings.overwrite
                || match settings.store {
                    StoreKind::Files => {
                        !resnet::is_finished(&settings.output_prefix, image.image_id)
                    }
                    _ => !stored.contains(&image.image_id),
                }
        })
        .count();
    let missing = images.iter().filter(|image| !image.path.is_file()).count();
    let per_image = resnet::output_bytes_per_image(settings.att_size, 2048);
    let bytes = per_image * pending as u64;
    let summary = serde_json::json!({
        "images": images.len(),
        "pending": pending,
        "done": images.len() - pending,
        "missing_image_files": missing,
        "estimated_bytes": bytes,
        "estimated_bytes_per_image": per_image,
        "weights": settings.weights,
        "weights_found": settings.weights.is_file(),
    });
    if settings.json {
        output::stdout(&format!("{}\n", serde_json::to_string_pretty(&summary)?))?;
    }
    output::note(
        global,
        format!(
            "{} images, {} done, {} to do ({} image files missing): about {:.1} GB of outputs \
             (uncompressed size; the .npz deflate saves ~10% on real features){}",
            images.len(),
            images.len() - pending,
            pending,
            missing,
            bytes as f64 / 1e9,
            if settings.weights.is_file() {
                String::new()
            } else {
                format!("; weights `{}` not found", settings.weights.display())
            }
        ),
    );
    Ok(Outcome::Success)
}

fn run_shard(
    settings: &ResnetSettings,
    shard: Option<Shard>,
    global: &GlobalSettings,
) -> anyhow::Result<(Outcome, u64)> {
    let ResnetSettings {
        dataset: _,
        images_root: _,
        output_prefix,
        att_size,
        weights,
        arch,
        store,
        compression_level,
        overwrite,
        dry_run: _,
        json,
        cluster: _,
    } = settings;
    let images = images_of(settings, shard)?;
    let network = resnet::load_network(weights, *arch).context("cannot load the ResNet weights")?;
    let progress = Progress::new(global);
    let options = ExtractOptions {
        att_size: *att_size,
        compression_level: *compression_level,
        overwrite: *overwrite,
        decoders: 2,
        store: *store,
    };
    let started = Instant::now();
    let summary = resnet::extract(&network, &images, output_prefix, &options, &progress)
        .context("cannot extract the ResNet features")?;
    let seconds = started.elapsed().as_secs_f64();
    progress.finish_warnings();
    let outputs = resnet::output_paths(output_prefix, *store);
    if *json {
        let failures: Vec<_> = summary
            .failures
            .iter()
            .map(|failure| {
                serde_json::json!({
                    "image_id": failure.image_id,
                    "path": failure.path,
                    "error": failure.message,
                })
            })
            .collect();
        let report = serde_json::json!({
            "images": images.len(),
            "written": summary.written,
            "already_done": summary.skipped,
            "failures": failures,
            "seconds": seconds,
            "blocks": network.block_counts(),
            "arch": arch.name(),
            "outputs": outputs,
        });
        output::stdout(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
    }
    for failure in &summary.failures {
        output::note(
            global,
            format!(
                "image {} (`{}`) skipped: {}",
                failure.image_id,
                failure.path.display(),
                failure.message
            ),
        );
    }
    output::note(
        global,
        format!(
            "{} images: {} written ({:.2} images/s), {} already done, {} failed -> {}",
            images.len(),
            summary.written,
            summary.written as f64 / seconds.max(1e-9),
            summary.skipped,
            summary.failures.len(),
            outputs
                .iter()
                .map(|path| path.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    let outcome = if summary.failures.is_empty() {
        Outcome::Success
    } else {
        Outcome::ProblemsFound
    };
    Ok((outcome, (summary.written + summary.skipped) as u64))
}
