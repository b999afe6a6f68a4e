//! The COCO core of cocoprep: data model, reader/writer, index and validation.
//!
//! * [`Dataset`] models a whole annotation file (instances, keypoints, captions, stuff,
//!   panoptic, or a results list). Unknown members are kept, so files round-trip without
//!   loss, and polygons are stored as packed text ([`PackedNumbers`]) rather than parsed
//!   floats: a train2017-sized file takes 0.17× of pycocotools' peak memory (BENCHMARKS.md).
//! * [`read_dataset`] streams a file through a parallel parser; errors name the file,
//!   line and column, record and member.
//! * [`Coco`] indexes a dataset and answers `getAnnIds` / `getCatIds` / `getImgIds` with
//!   pycocotools' semantics.
//! * [`validate::validate_file`] reports every problem in a file.
//! * [`Summary`] computes what `cocoprep inspect` shows.
//! * [`json_split`] cuts a big JSON document into values without parsing them and parses
//!   array elements on worker threads in file order; the COCO reader and the other
//!   crates' readers of big JSON files (Karpathy captions) are built on it.
//!
//! ```
//! use cocoprep_coco::{AnnotationQuery, CategoryId, Coco, Dataset, ImageId};
//!
//! let json = br#"{"images": [{"id": 1, "width": 4, "height": 3, "file_name": "a.jpg"}],
//!   "annotations": [{"id": 7, "image_id": 1, "category_id": 2, "bbox": [0, 0, 2, 2],
//!                    "area": 4.0, "iscrowd": 0, "segmentation": [[0, 0, 2, 0, 2, 2]]}],
//!   "categories": [{"id": 2, "name": "dog", "supercategory": "animal"}]}"#;
//! let coco = Coco::new(Dataset::from_json_slice(json)?);
//! let dogs = coco.category_ids(&["dog"], &[], &[])?;
//! assert_eq!(dogs, vec![CategoryId(2)]);
//! let query = AnnotationQuery { category_ids: &dogs, ..Default::default() };
//! assert_eq!(coco.annotation_ids(&query)?.len(), 1);
//! assert_eq!(coco.image_ids(&[], &dogs), vec![ImageId(1)]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]

mod bbox;
mod decimal;
mod document;
mod error;
mod ids;
pub mod image_file;
mod index;
pub mod json_split;
pub mod mask;
mod model;
mod packed;
mod read;
mod record_kind;
mod segmentation;
mod summary;
pub mod validate;
mod write;

pub use bbox::BBoxXywh;
pub use error::{ReadError, WriteError};
pub use ids::{AnnotationId, CategoryId, ImageId, LicenseId};
pub use index::{AnnotationQuery, Coco, QueryError};
pub use model::{
    Annotation, Category, Dataset, Extras, Image, Info, Layout, License, PanopticAnnotation,
    PanopticSegment, Sections, SegmentId,
};
pub use packed::{Nesting, PackError, PackedNumbers};
pub use read::{ReadOptions, read_dataset, read_dataset_from_slice, read_dataset_mapped};
pub use segmentation::{Rle, RleCounts, Segmentation};
pub use summary::{
    AreaCounts, CaptionSummary, CategorySummary, FileKind, KeypointSummary, MEDIUM_AREA_LIMIT,
    SMALL_AREA_LIMIT, SegmentationCounts, Spread, Summary,
};
