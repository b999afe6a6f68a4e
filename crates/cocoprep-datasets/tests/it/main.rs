//! Integration tests of the Uni-Perceiver image-text preparers, against the outputs of
//! Uni-Perceiver's own scripts on `fixtures/uni-perceiver` (see its README).

mod coco;
mod flickr30k;
mod sbu;
mod support;
mod visual_genome;
mod vqa;
mod web_captions;
