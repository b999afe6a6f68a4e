//! Which numbers of a record the file wrote as integers.

/// Remembers which float-typed fields were written as JSON integers (`"area": 5` rather than
/// `"area": 5.0`). Python reads the two as `int` and `float`, so a lossless round trip must
/// keep the distinction. One bit per number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct IntegerNumbers(u8);

impl IntegerNumbers {
    pub(crate) const BBOX_X: u8 = 1 << 0;
    pub(crate) const AREA: u8 = 1 << 4;
    pub(crate) const SCORE: u8 = 1 << 5;

    pub(crate) fn set(&mut self, bit: u8, is_integer: bool) {
        if is_integer {
            self.0 |= bit;
        } else {
            self.0 &= !bit;
        }
    }

    pub(crate) fn get(self, bit: u8) -> bool {
        self.0 & bit != 0
    }

    /// Every number an integer.
    pub(crate) fn all() -> Self {
        Self(u8::MAX)
    }
}
