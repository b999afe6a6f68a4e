//! The top-level `info` object and the `licenses` list.

use super::Extras;
use crate::ids::LicenseId;

/// The top-level `info` object. Members with an unexpected type are kept in `extras` rather
/// than rejected: `info` is descriptive and real files disagree on types (`"year": "2014"`).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Info {
    /// `description`.
    pub description: Option<String>,
    /// `url`.
    pub url: Option<String>,
    /// `version`.
    pub version: Option<String>,
    /// `year`.
    pub year: Option<i64>,
    /// `contributor`.
    pub contributor: Option<String>,
    /// `date_created`.
    pub date_created: Option<String>,
    /// Other members, kept verbatim.
    pub extras: Extras,
}

/// One entry of `licenses`. As with [`Info`], mistyped members land in `extras`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct License {
    /// `id`, referred to by `images[].license`.
    pub id: Option<LicenseId>,
    /// `name`.
    pub name: Option<String>,
    /// `url`.
    pub url: Option<String>,
    /// Other members, kept verbatim.
    pub extras: Extras,
}
