//! Demo step for ResNet grid features: a small ResNet with seeded random weights (one
//! bottleneck block per layer, 8 stem channels, 256 output channels), saved as a PyTorch
//! `.pth` (legacy format) and read back, run over every sample image as `features resnet`
//! would run ResNet-101 (real weights: `cocoprep get resnet101-imagenet`).

use anyhow::Context;
use cocoprep_features::resnet::{self, Arch, ExtractOptions, weights};

use super::{DemoContext, DemoReport};

pub fn resnet(context: &DemoContext, report: &mut DemoReport) -> anyhow::Result<String> {
    let folder = context.output_dir("features-resnet")?;
    let weights_path = folder.join("resnet-random.pth");
    let tensors = resnet::random_state_dict([1, 1, 1, 1], 8, 2026);
    let mut bytes = Vec::new();
    weights::write_state_dict(&mut bytes, &tensors)?;
    cocoprep_base::output::write_atomic(&weights_path, &bytes)
        .with_context(|| format!("cannot write `{}`", weights_path.display()))?;
    report.add("random-weight ResNet (.pth)", &weights_path);
    // The Karpathy-style image list of the sample.
    let mut images = Vec::new();
    for split in ["train2017", "val2017"] {
        let mut names: Vec<String> = fs_err::read_dir(context.sample.join(split))?
            .filter_map(|entry| entry.ok())
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".jpg"))
            .collect();
        names.sort();
        for name in names {
            let cocoid: u64 = name.trim_end_matches(".jpg").parse().unwrap_or(0);
            images.push(serde_json::json!({"filepath": split, "filename": name, "cocoid": cocoid}));
        }
    }
    let dataset_path = folder.join("dataset.json");
    cocoprep_base::output::write_atomic(
        &dataset_path,
        serde_json::to_string(&serde_json::json!({ "images": images }))?.as_bytes(),
    )?;
    let network = resnet::load_network(&weights_path, Arch::SelfCritical)?;
    let entries = resnet::read_dataset(&dataset_path, &context.sample)?;
    let prefix = folder.join("resnet");
    let summary = resnet::extract(
        &network,
        &entries,
        &prefix,
        &ExtractOptions::default(),
        context.progress,
    )?;
    anyhow::ensure!(
        summary.failures.is_empty(),
        "images failed: {:?}",
        summary.failures
    );
    let (fc, att) = resnet::output_folders(&prefix);
    report.add("ResNet fc features (.npy)", &fc);
    report.add("ResNet att features (.npz, 14x14)", &att);
    Ok(format!(
        "{} images through a random-weight ResNet ({} written, {} already done)",
        entries.len(),
        summary.written,
        summary.skipped
    ))
}
