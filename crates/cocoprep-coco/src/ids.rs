//! Newtypes for the ids that COCO files use to link records together.
//!
//! Keeping them apart in the type system stops an image id from being looked up as an
//! annotation id, a mistake that plain integers make easy and that pycocotools users hit.

use std::fmt;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident($inner:ty)) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub $inner);

        impl fmt::Display for $name {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, formatter)
            }
        }

        impl From<$inner> for $name {
            fn from(value: $inner) -> Self {
                Self(value)
            }
        }
    };
}

id_type!(
    /// The `id` of an entry of `images`, referred to by `annotations[].image_id`.
    ImageId(u64)
);
id_type!(
    /// The `id` of an entry of `annotations`.
    AnnotationId(u64)
);
id_type!(
    /// The `id` of an entry of `categories`, referred to by `annotations[].category_id`.
    ///
    /// COCO uses 1..=90 (80 used), COCO-Stuff up to 183 and LVIS up to 1203, so 32 bits are
    /// plenty and keep annotations small.
    CategoryId(u32)
);
id_type!(
    /// The `id` of an entry of `licenses`, referred to by `images[].license`.
    LicenseId(u64)
);
