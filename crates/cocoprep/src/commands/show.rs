//! `cocoprep show DATASET --image ID... -o OUT.png`: annotations drawn on images.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_render::picture::{encode_jpeg, encode_png, scale_down};
use cocoprep_render::{Layers, find_image, render_image};

use super::Outcome;
use super::look_source;
use crate::cli::{LayerArg, ShowArgs};
use crate::output;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct ShowSettings {
    pub dataset: PathBuf,
    pub images: Vec<String>,
    pub images_dir: Option<PathBuf>,
    pub output: PathBuf,
    pub max_side: Option<u32>,
    pub split: Option<String>,
    pub layers: Layers,
    pub json: bool,
}

impl ShowSettings {
    pub fn resolve(args: ShowArgs) -> Self {
        let ShowArgs {
            dataset,
            image,
            images_dir,
            output,
            max_side,
            split,
            hide,
            json,
        } = args;
        Self {
            dataset,
            images: image,
            images_dir,
            output,
            max_side,
            split,
            layers: layers_without(&hide),
            json,
        }
    }
}

/// Every overlay except those in `hide`.
pub fn layers_without(hide: &[LayerArg]) -> Layers {
    Layers {
        boxes: !hide.contains(&LayerArg::Boxes),
        labels: !hide.contains(&LayerArg::Labels),
        masks: !hide.contains(&LayerArg::Masks),
        keypoints: !hide.contains(&LayerArg::Keypoints),
        captions: !hide.contains(&LayerArg::Captions),
    }
}

pub fn run(settings: &ShowSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let ShowSettings {
        dataset,
        images,
        images_dir,
        output,
        max_side,
        split,
        layers,
        json,
    } = settings;
    let source = look_source::open(dataset, images_dir.as_deref(), split.as_deref(), global)?;
    let images_dir = source.images_dir.as_deref();
    if images_dir.is_none() {
        output::note(
            global,
            format!(
                "the images of `{}` were not found: annotations are drawn on grey (give their folder with --images)",
                dataset.display()
            ),
        );
    }
    let extension = output
        .extension()
        .map(|extension| extension.to_string_lossy().to_lowercase());
    let jpeg = matches!(extension.as_deref(), Some("jpg" | "jpeg"));
    let single_file = jpeg || extension.as_deref() == Some("png");
    anyhow::ensure!(
        !single_file || images.len() == 1,
        "`{}` is one file but {} images were asked for; give a folder with -o",
        output.display(),
        images.len()
    );
    let mut written = Vec::new();
    for key in images {
        let image = find_image(&source.coco, key)
            .with_context(|| format!("cannot show `{key}` of `{}`", dataset.display()))?;
        let mut picture = render_image(&source.coco, image, images_dir, layers)
            .with_context(|| format!("cannot draw image {}", image.id.0))?;
        if let Some(max_side) = max_side {
            picture = scale_down(&picture, (*max_side).max(1));
        }
        let path = if single_file {
            output.clone()
        } else {
            let stem = image
                .file_name
                .as_deref()
                .and_then(|name| std::path::Path::new(name).file_stem())
                .map_or_else(
                    || image.id.0.to_string(),
                    |stem| stem.to_string_lossy().into_owned(),
                );
            output.join(format!("{stem}.png"))
        };
        let bytes = if jpeg {
            encode_jpeg(&picture, 90)?
        } else {
            encode_png(&picture)?
        };
        cocoprep_base::output::write_atomic(&path, &bytes)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        output::note(
            global,
            format!(
                "image {}: {} annotations → {}",
                image.id.0,
                source.coco.image_annotation_indexes(image.id).len(),
                path.display()
            ),
        );
        written.push(serde_json::json!({
            "image_id": image.id.0,
            "file": path,
            "width": picture.width(),
            "height": picture.height(),
        }));
    }
    if *json {
        output::stdout(&format!("{}\n", serde_json::to_string_pretty(&written)?))?;
    }
    Ok(Outcome::Success)
}
