//! Caption metrics as coco-caption (pycocoevalcap 1.2) computes them.

pub mod ptb;
