//! Editing COCO files: keep part of one ([`filter`]), combine several ([`merge`]), cut one
//! into parts ([`split`]). Everything not touched (info, licenses, unknown members,
//! polygon text) is carried over unchanged.

pub mod filter;
pub mod merge;
pub mod split;
