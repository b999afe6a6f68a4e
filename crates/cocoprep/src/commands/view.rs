//! `cocoprep view DATASET`: the local, read-only web viewer.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_render::viewer::{Viewer, bind, serve};

use super::Outcome;
use super::look_source;
use crate::cli::ViewArgs;
use crate::output;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct ViewSettings {
    pub dataset: PathBuf,
    pub images_dir: Option<PathBuf>,
    pub split: Option<String>,
    pub host: String,
    pub port: u16,
}

impl ViewSettings {
    pub fn resolve(args: ViewArgs) -> Self {
        let ViewArgs {
            dataset,
            images_dir,
            split,
            host,
            port,
        } = args;
        Self {
            dataset,
            images_dir,
            split,
            host,
            port,
        }
    }
}

pub fn run(settings: &ViewSettings, global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let ViewSettings {
        dataset,
        images_dir,
        split,
        host,
        port,
    } = settings;
    let started = std::time::Instant::now();
    let source = look_source::open(dataset, images_dir.as_deref(), split.as_deref(), global)?;
    let listener =
        bind(host, *port).with_context(|| "cannot start the viewer (try another --port)")?;
    let address = listener.local_addr()?;
    let loopback = address.ip().is_loopback();
    let images = source.coco.dataset().images.len();
    let annotations = source.coco.dataset().annotations.len();
    match &source.images_dir {
        Some(dir) => output::note(global, format!("images from {}", dir.display())),
        None => output::note(
            global,
            "image files not found (give --images DIR): annotations are drawn on grey",
        ),
    }
    output::note(
        global,
        format!(
            "{images} images, {annotations} annotations loaded in {:.2} s; read-only, Ctrl-C stops{}",
            started.elapsed().as_secs_f64(),
            if loopback {
                ""
            } else {
                "; listening beyond this machine (--host)"
            }
        ),
    );
    // The URL is the command's data: scripts (and the tests) read it from stdout.
    output::stdout(&format!("http://{address}/\n"))?;
    serve(
        listener,
        Viewer::new(source.coco, source.images_dir, source.title),
    );
    Ok(Outcome::Success)
}
