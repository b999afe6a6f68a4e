//! `cocoprep list`: the catalog's resources and bundles with their sizes.

use std::path::PathBuf;

use anyhow::Context;
use cocoprep_fetch::Checksum;
use cocoprep_fetch::catalog::{Catalog, Resource};
use indicatif::DecimalBytes;

use super::Outcome;
use crate::cli::ListArgs;
use crate::output;
use crate::settings::GlobalSettings;

#[derive(Clone, Debug)]
pub struct ListSettings {
    pub json: bool,
    pub catalog: Option<PathBuf>,
}

impl ListSettings {
    pub fn resolve(args: ListArgs) -> Self {
        let ListArgs { json, catalog } = args;
        Self { json, catalog }
    }
}

/// The built-in catalog, or it with a user file merged over it.
pub fn load_catalog(path: Option<&std::path::Path>) -> anyhow::Result<Catalog> {
    match path {
        Some(path) => Catalog::with_user_file(path)
            .with_context(|| format!("cannot use the catalog `{}`", path.display())),
        None => Catalog::built_in().context("the built-in catalog is invalid"),
    }
}

/// `19.34 GB`, `~23.00 GB` for rough sizes, `not published`.
pub fn size_text(resource: &Resource) -> String {
    match (resource.bytes, resource.approximate_bytes) {
        (Some(bytes), _) => DecimalBytes(bytes).to_string(),
        (None, Some(bytes)) => format!("~{}", DecimalBytes(bytes)),
        (None, None) => "not published".to_owned(),
    }
}

/// `sha256`, `md5`, `sha256 63fe2227…` (only a prefix is published) or `not published`.
pub fn checksum_text(resource: &Resource) -> String {
    match resource.checksum() {
        Some(Checksum::Sha256Prefix(prefix)) => format!("sha256 {prefix}…"),
        Some(checksum) => checksum.algorithm().to_owned(),
        None => "not published".to_owned(),
    }
}

pub fn run(settings: &ListSettings, _global: &GlobalSettings) -> anyhow::Result<Outcome> {
    let ListSettings { json, catalog } = settings;
    let catalog = load_catalog(catalog.as_deref())?;
    if *json {
        output::stdout(&format!(
            "{}\n",
            serde_json::to_string_pretty(catalog.file())?
        ))?;
        return Ok(Outcome::Success);
    }
    let mut text = String::from("Bundles (cocoprep get BUNDLE):\n");
    for bundle in catalog.bundles() {
        let resources: Vec<&Resource> = bundle
            .resources
            .iter()
            .filter_map(|name| catalog.resource(name))
            .collect();
        let known: u64 = resources.iter().filter_map(|r| r.planning_bytes()).sum();
        let rough = resources.iter().any(|r| r.bytes.is_none());
        let unknown = resources
            .iter()
            .filter(|r| r.planning_bytes().is_none())
            .count();
        let mut size = format!("{}{}", if rough { "~" } else { "" }, DecimalBytes(known));
        if unknown > 0 {
            size.push_str(&format!(" + {unknown} of unknown size"));
        }
        text.push_str(&format!(
            "  {:<24} {:<34} layout {:<10} {}\n",
            bundle.name, size, bundle.layout, bundle.description
        ));
        text.push_str(&format!("  {:<24} = {}\n", "", bundle.resources.join(", ")));
    }
    text.push_str("\nResources (cocoprep get RESOURCE):\n");
    text.push_str(&format!(
        "  {:<34} {:>13}  {:<16} {}\n",
        "name", "size", "checksum", "description"
    ));
    for resource in catalog.resources() {
        let mut description = resource.description.clone();
        if resource.all_urls().is_empty() {
            description.push_str(" [no download URL: see `list --json` note]");
        }
        text.push_str(&format!(
            "  {:<34} {:>13}  {:<16} {}\n",
            resource.name,
            size_text(resource),
            checksum_text(resource),
            description
        ));
    }
    text.push_str("\nSizes with ~ are rough figures from the publishers. Where the size or checksum is not published, cocoprep does not invent one: only what is published (and an archive's own CRCs) is checked; `sha256 63fe2227…` means only the first digits are published and those are checked.\n");
    output::stdout(&text)?;
    Ok(Outcome::Success)
}
