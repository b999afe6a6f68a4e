//! The typed model records as [`Element`]s of the parallel array pipeline.

use crate::document::pipeline::Element;

/// The typed records parse with their serde implementations.
macro_rules! typed_element {
    ($($type:ty),*) => {$(
        impl Element for $type {
            type Context = ();
            fn parse(bytes: &[u8], _index: usize, _offset: u64, _context: &()) -> Result<Self, serde_json::Error> {
                serde_json::from_slice(bytes)
            }
        }
    )*};
}
typed_element!(
    crate::model::Image,
    crate::model::Category,
    crate::model::License
);

impl Element for crate::model::Annotation {
    type Context = ();
    fn parse(
        bytes: &[u8],
        _index: usize,
        _offset: u64,
        _context: &(),
    ) -> Result<Self, serde_json::Error> {
        thread_local! {
            static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        let fast =
            SCRATCH.with(|scratch| super::fast::parse_annotation(bytes, &mut scratch.borrow_mut()));
        match fast {
            Some(annotation) => Ok(annotation),
            None => serde_json::from_slice(bytes),
        }
    }
}
