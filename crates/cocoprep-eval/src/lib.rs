//! Evaluation of model outputs against ground truth.
//!
//! * detection: pycocotools' `COCOeval` (`evaluate` / `accumulate` / `summarize`) for bbox,
//!   segm and keypoints, with identical semantics and numbers, plus diagnostics;
//! * captions: coco-caption's PTB tokenization, BLEU-1..4, ROUGE-L and CIDEr(-D).

#![forbid(unsafe_code)]

pub mod captions;
pub mod detection;
