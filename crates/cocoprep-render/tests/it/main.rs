//! Integration tests of cocoprep-render.

mod golden;
mod viewer;
