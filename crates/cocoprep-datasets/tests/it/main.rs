//! Integration tests of `cocoprep-datasets`: one test binary, one module per dataset and
//! one for the tree check. The Uni-Perceiver image-text preparers are checked against the
//! outputs of Uni-Perceiver's own scripts on `fixtures/uni-perceiver` (see its README).

#![expect(clippy::print_stderr, reason = "tests say on stderr why they skip")]

mod coco;
mod flickr30k;
mod imagenet22k;
mod msrvtt;
mod msvd;
mod sbu;
mod support;
mod text_corpora;
mod tree;
mod video;
mod visual_genome;
mod vqa;
mod web_captions;
