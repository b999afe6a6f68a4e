//! `cocoprep view`: a local, read-only web app over one dataset — a paged grid of
//! thumbnails, filters (category, image id, crowd, area, text), and a full view of an image
//! with its overlays toggled per kind.
//!
//! Everything is served from memory by [`Viewer::handle`] behind a small HTTP server
//! ([`serve`]); the page, its script and its style are compiled into the binary. Image files
//! are found only through their records' `file_name` under the image folder, and request
//! paths with `..` are refused, so no request reads outside the dataset. [`bind`] listens on
//! 127.0.0.1 unless another host is asked for.

mod api;
mod http;
mod query;

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;

use cocoprep_coco::{Coco, ImageId};

pub use http::Response;
pub use query::{Target, TargetError, parse_target};

use crate::Error;

/// The page (HTML, script and style in one file).
const INDEX_HTML: &str = include_str!("index.html");

/// A dataset being viewed.
pub struct Viewer {
    coco: Coco,
    images_dir: Option<PathBuf>,
    title: String,
    /// `/api/info`, made on first request (it counts every annotation).
    info: std::sync::OnceLock<Vec<u8>>,
}

impl Viewer {
    /// A viewer of `coco`, whose images are under `images_dir` (without it the grid shows
    /// the annotations on grey).
    pub fn new(coco: Coco, images_dir: Option<PathBuf>, title: String) -> Self {
        Self {
            coco,
            images_dir,
            title,
            info: std::sync::OnceLock::new(),
        }
    }

    /// Answers one GET request for `target` (path and query).
    pub fn handle(&self, target: &str) -> Response {
        let target = match parse_target(target) {
            Ok(target) => target,
            Err(TargetError::OutsideDataset) => {
                return Response::error(403, "paths outside the dataset are not served");
            }
            Err(TargetError::Malformed) => return Response::error(400, "malformed request target"),
        };
        let path = target.path.as_str();
        let id_after = |prefix: &str, suffix: &str| -> Option<ImageId> {
            path.strip_prefix(prefix)?
                .strip_suffix(suffix)?
                .parse()
                .ok()
                .map(ImageId)
        };
        if path == "/" || path == "/index.html" {
            Response::ok("text/html; charset=utf-8", INDEX_HTML.as_bytes().to_vec())
        } else if path == "/api/info" {
            let body = self.info.get_or_init(|| api::info(self).body);
            Response::ok("application/json", body.clone())
        } else if path == "/api/images" {
            api::images(self, &target)
        } else if let Some(id) = id_after("/api/image/", "") {
            api::image(self, id)
        } else if let Some(id) = id_after("/thumb/", ".jpg") {
            api::thumbnail(self, id)
        } else if let Some(id) = id_after("/mask/", ".png") {
            api::masks(self, id)
        } else if let Some(id) = id_after("/image/", "") {
            api::image_file(self, id)
        } else {
            Response::error(404, "no such page")
        }
    }
}

/// Listens on `host:port` (port 0 picks a free one).
pub fn bind(host: &str, port: u16) -> Result<TcpListener, Error> {
    // An IPv6 literal (`::1`) needs brackets before the port.
    let address = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    TcpListener::bind(&address).map_err(|source| Error::Listen { address, source })
}

/// Serves `viewer` on `listener` until the process ends.
pub fn serve(listener: TcpListener, viewer: Viewer) {
    let viewer = Arc::new(viewer);
    http::serve(
        listener,
        Arc::new(move |target: &str| viewer.handle(target)),
    );
}
