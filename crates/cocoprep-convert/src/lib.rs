//! Detection datasets for YOLO trainers: COCO → YOLO labels (boxes, segments,
//! keypoints), class subsets with remapped ids, YOLO → COCO, and filter / merge / split of
//! COCO files.
//!
//! * [`yolo::write_yolo`] writes `labels/<split>/*.txt`, `images/<split>/` and `data.yaml`
//!   with rows identical to Ultralytics 8.4's `convert_coco` ([`yolo::rows`]).
//! * [`subset`] keeps the classes a user names, in the user's order, from COCO JSON or
//!   from an existing YOLO dataset, without dropping polygon points or keypoints.
//! * [`to_coco::yolo_to_coco`] turns YOLO labels back into COCO JSON (image sizes from
//!   the image headers).
//! * [`edit`] filters, merges and splits COCO files.
//!
//! ```
//! use cocoprep_convert::classes::{ClassMapping, ClassTable};
//! use cocoprep_convert::number::Precision;
//! use cocoprep_convert::yolo::{Geometry, RowBuilder, RowCounts, push_rows};
//! use cocoprep_coco::Dataset;
//!
//! let json = br#"{"images": [{"id": 1, "width": 640, "height": 480, "file_name": "a.jpg"}],
//!   "annotations": [{"id": 7, "image_id": 1, "category_id": 18, "bbox": [64, 48, 320, 240],
//!                    "area": 76800.0, "iscrowd": 0, "segmentation": [[64, 48, 384, 48, 384, 288]]}],
//!   "categories": [{"id": 18, "name": "dog", "supercategory": "animal"}]}"#;
//! let dataset = Dataset::from_json_slice(json)?;
//! let categories: Vec<_> = dataset.categories.iter().collect();
//! let classes = ClassTable::build(ClassMapping::Coco80, &categories)?;
//! let builder = RowBuilder { file: "a.json".as_ref(), classes: &classes, geometry: Geometry::Boxes };
//! let annotations = [(0, &dataset.annotations[0])];
//! let rows = builder.rows(&dataset.images[0], &annotations, &mut RowCounts::default())?;
//! let mut text = String::new();
//! push_rows(&mut text, &rows, Precision::Ultralytics);
//! assert_eq!(text, "16 0.35 0.35 0.5 0.5\n"); // dog is COCO id 18, class 16
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]

pub mod classes;
pub mod dataset;
pub mod edit;
mod error;
pub mod layout;
pub mod number;
pub mod outline;
pub mod random;
pub mod subset;
pub mod to_coco;
pub mod yolo;

pub use error::{AnnotationLabel, Error};
