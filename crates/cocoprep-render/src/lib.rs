//! Looking at COCO data: annotations drawn on images ([`draw_scene`]), the self-contained
//! HTML report ([`report`]), the local viewer ([`viewer`]) and line plots of evaluations
//! ([`plot`]: precision-recall curves).
//!
//! Drawing uses tiny-skia (anti-aliased paths, deterministic on one platform) and the
//! embedded DejaVu Sans; masks come from cocoprep-coco's pycocotools-exact rasteriser, so
//! what is drawn is exactly what `annToMask` gives.
//!
//! ```
//! use cocoprep_coco::{Coco, Dataset};
//! use cocoprep_render::{Layers, render_image};
//!
//! let json = br#"{"images": [{"id": 1, "width": 40, "height": 30, "file_name": "a.jpg"}],
//!   "annotations": [{"id": 7, "image_id": 1, "category_id": 2, "bbox": [5, 5, 20, 10],
//!                    "area": 200.0, "iscrowd": 0, "segmentation": [[5, 5, 25, 5, 25, 15]]}],
//!   "categories": [{"id": 2, "name": "dog"}]}"#;
//! let coco = Coco::new(Dataset::from_json_slice(json)?);
//! let image = cocoprep_render::find_image(&coco, "a.jpg")?;
//! let picture = render_image(&coco, image, None, &Layers::default())?; // no photo: grey
//! assert_eq!((picture.width(), picture.height()), (40, 30));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod blend;
mod draw;
mod error;
pub mod palette;
pub mod picture;
pub mod plot;
pub mod report;
mod scene;
pub mod text;
pub mod viewer;

pub use draw::{Layers, MASK_ALPHA, Scene, draw_scene};
pub use error::Error;
pub use scene::{find_image, image_path, mask_overlay, render_image};
pub use tiny_skia::Pixmap;
