//! Axis-aligned boxes in COCO's convention.

/// A box as COCO stores it: `[x, y, width, height]` in absolute pixels, origin at the
/// top-left corner of the image, continuous coordinates (a box covering pixel column 0
/// exactly has `x = 0, width = 1`). Not `[x1, y1, x2, y2]`.
///
/// See <https://cocodataset.org/#format-data>.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct BBoxXywh {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width in pixels.
    pub width: f64,
    /// Height in pixels.
    pub height: f64,
}

impl BBoxXywh {
    /// Builds a box from COCO's array order.
    pub fn from_array([x, y, width, height]: [f64; 4]) -> Self {
        Self {
            x,
            y,
            width,
            height,
        }
    }

    /// The box in COCO's array order `[x, y, width, height]`.
    pub fn to_array(self) -> [f64; 4] {
        [self.x, self.y, self.width, self.height]
    }

    /// Right edge (`x + width`).
    pub fn right(self) -> f64 {
        self.x + self.width
    }

    /// Bottom edge (`y + height`).
    pub fn bottom(self) -> f64 {
        self.y + self.height
    }

    /// `width * height`, the area pycocotools' `loadRes` uses for detection results.
    pub fn area(self) -> f64 {
        self.width * self.height
    }
}
