//! The catalog: every resource cocoprep knows how to download (URLs, mirrors, published
//! sizes and checksums, how to unpack) and the bundles that name what a workflow needs.
//!
//! The built-in catalog is `catalog.json` in this crate, embedded in the binary. A user
//! catalog in the same schema ([`CatalogFile`]) is merged over it: entries with the same
//! name replace the built-in ones, new names are added.

mod schema;

use std::collections::BTreeSet;
use std::path::Path;

pub use schema::{
    ArchiveKind, Bundle, CatalogFile, DatasetYaml, KnownDefect, Resource, SCHEMA_VERSION,
    SubsetSource,
};

use crate::checksum::Checksum;
use crate::error::FetchError;

/// The catalog embedded in the binary.
pub const BUILT_IN: &str = include_str!("../../catalog.json");

/// The layouts a resource can be placed in.
pub const LAYOUTS: &[&str] = &["coco", "yolo", "captioning"];

/// A checked catalog.
#[derive(Clone, Debug)]
pub struct Catalog {
    file: CatalogFile,
}

impl Catalog {
    /// The built-in catalog.
    pub fn built_in() -> Result<Self, FetchError> {
        Self::parse(BUILT_IN, "built-in")
    }

    /// The built-in catalog with `path` merged over it.
    pub fn with_user_file(path: &Path) -> Result<Self, FetchError> {
        let text = fs_err::read_to_string(path)?;
        let user = Self::parse(&text, &path.display().to_string())?;
        let mut catalog = Self::built_in()?;
        catalog.merge(user.file);
        catalog.check(&path.display().to_string())?;
        Ok(catalog)
    }

    /// Parses and checks a catalog text; `source_name` names it in errors.
    pub fn parse(text: &str, source_name: &str) -> Result<Self, FetchError> {
        let file: CatalogFile =
            serde_json::from_str(text).map_err(|error| FetchError::CatalogSyntax {
                source_name: source_name.to_owned(),
                error,
            })?;
        let catalog = Self { file };
        catalog.check(source_name)?;
        Ok(catalog)
    }

    fn merge(&mut self, user: CatalogFile) {
        for resource in user.resources {
            match self
                .file
                .resources
                .iter_mut()
                .find(|r| r.name == resource.name)
            {
                Some(existing) => *existing = resource,
                None => self.file.resources.push(resource),
            }
        }
        for bundle in user.bundles {
            match self.file.bundles.iter_mut().find(|b| b.name == bundle.name) {
                Some(existing) => *existing = bundle,
                None => self.file.bundles.push(bundle),
            }
        }
    }

    fn check(&self, source_name: &str) -> Result<(), FetchError> {
        let fail = |message: String| FetchError::Catalog {
            source_name: source_name.to_owned(),
            message,
        };
        if self.file.schema != SCHEMA_VERSION {
            return Err(fail(format!(
                "`schema` is {}, this cocoprep reads schema {SCHEMA_VERSION}",
                self.file.schema
            )));
        }
        let mut names = BTreeSet::new();
        for resource in &self.file.resources {
            if !names.insert(resource.name.as_str()) {
                return Err(fail(format!(
                    "resource `{}` is listed twice",
                    resource.name
                )));
            }
            for (algorithm, value, length) in
                [("sha256", &resource.sha256, 64), ("md5", &resource.md5, 32)]
            {
                if let Some(hex) = value
                    && (hex.len() != length || !hex.bytes().all(|b| b.is_ascii_hexdigit()))
                {
                    return Err(fail(format!(
                        "resource `{}`: `{algorithm}` must be {length} hex digits, got `{hex}`",
                        resource.name
                    )));
                }
            }
            for layout in resource.destination.keys() {
                if !LAYOUTS.contains(&layout.as_str()) {
                    return Err(fail(format!(
                        "resource `{}`: unknown layout `{layout}` in `destination` (expected one of {})",
                        resource.name,
                        LAYOUTS.join(", ")
                    )));
                }
            }
            if let Some(prefix) = &resource.sha256_prefix
                && (!(8..64).contains(&prefix.len())
                    || !prefix.bytes().all(|b| b.is_ascii_hexdigit()))
            {
                return Err(fail(format!(
                    "resource `{}`: `sha256_prefix` must be 8 to 63 hex digits, got `{prefix}`",
                    resource.name
                )));
            }
            if resource.file_name.contains('/') || resource.file_name.starts_with('.') {
                return Err(fail(format!(
                    "resource `{}`: `file_name` must be a plain file name",
                    resource.name
                )));
            }
        }
        let mut bundle_names = BTreeSet::new();
        for bundle in &self.file.bundles {
            if !bundle_names.insert(bundle.name.as_str()) || names.contains(bundle.name.as_str()) {
                return Err(fail(format!("the name `{}` is used twice", bundle.name)));
            }
            if !LAYOUTS.contains(&bundle.layout.as_str()) {
                return Err(fail(format!(
                    "bundle `{}`: unknown layout `{}`",
                    bundle.name, bundle.layout
                )));
            }
            let referenced = bundle.resources.iter().chain(
                bundle
                    .subsets
                    .values()
                    .flat_map(|s| [&s.annotations, &s.images]),
            );
            for name in referenced {
                if !names.contains(name.as_str()) {
                    return Err(fail(format!(
                        "bundle `{}` names unknown resource `{name}`",
                        bundle.name
                    )));
                }
            }
        }
        Ok(())
    }

    /// The catalog as data (what `cocoprep list --json` prints).
    pub fn file(&self) -> &CatalogFile {
        &self.file
    }

    /// All resources, in catalog order.
    pub fn resources(&self) -> &[Resource] {
        &self.file.resources
    }

    /// All bundles, in catalog order.
    pub fn bundles(&self) -> &[Bundle] {
        &self.file.bundles
    }

    /// A resource by name.
    pub fn resource(&self, name: &str) -> Option<&Resource> {
        self.file.resources.iter().find(|r| r.name == name)
    }

    /// A bundle by name.
    pub fn bundle(&self, name: &str) -> Option<&Bundle> {
        self.file.bundles.iter().find(|b| b.name == name)
    }

    /// The closest known name to `name`, for "did you mean" messages.
    pub fn suggest(&self, name: &str) -> Option<String> {
        let candidates = self
            .file
            .bundles
            .iter()
            .map(|b| b.name.as_str())
            .chain(self.file.resources.iter().map(|r| r.name.as_str()));
        candidates
            .map(|candidate| (edit_distance(name, candidate), candidate))
            .filter(|(distance, candidate)| *distance <= candidate.len().max(3) / 3)
            .min()
            .map(|(_, candidate)| candidate.to_owned())
    }
}

impl Resource {
    /// Every URL to try, in order: `urls`, then the Google Drive id if any.
    pub fn all_urls(&self) -> Vec<String> {
        let mut urls = self.urls.clone();
        if let Some(id) = &self.google_drive_id {
            urls.push(crate::gdrive::download_url(id));
        }
        urls
    }

    /// The strongest published checksum: SHA-256 if published, else MD5, else the
    /// SHA-256 prefix.
    pub fn checksum(&self) -> Option<Checksum> {
        self.sha256
            .as_deref()
            .map(|hex| Checksum::Sha256(hex.to_ascii_lowercase()))
            .or_else(|| {
                self.md5
                    .as_deref()
                    .map(|hex| Checksum::Md5(hex.to_ascii_lowercase()))
            })
            .or_else(|| {
                self.sha256_prefix
                    .as_deref()
                    .map(|hex| Checksum::Sha256Prefix(hex.to_ascii_lowercase()))
            })
    }

    /// The exact size if published, else the rough one.
    pub fn planning_bytes(&self) -> Option<u64> {
        self.bytes.or(self.approximate_bytes)
    }

    /// The destination folder for `layout`, relative to the dataset folder.
    pub fn destination_for(&self, layout: &str) -> &str {
        self.destination
            .get(layout)
            .or_else(|| self.destination.get("coco"))
            .map_or("", String::as_str)
    }
}

/// Levenshtein distance, for suggestions.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            current.push(
                (previous[j] + cost)
                    .min(previous[j + 1] + 1)
                    .min(current[j] + 1),
            );
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_catalog_parses_and_has_the_published_coco_sizes() {
        let catalog = Catalog::built_in().unwrap();
        let train = catalog.resource("train2017").unwrap();
        assert_eq!(train.bytes, Some(19_336_861_798));
        assert_eq!(
            train.checksum(),
            Some(Checksum::Sha256(
                "69a8bb58ea5f8f99d24875f21416de2e9ded3178e903f1f7603e283b9e06d929".into()
            ))
        );
        for bundle in [
            "coco2017",
            "coco2014",
            "coco2017-yolo",
            "captioning",
            "vsua",
        ] {
            assert!(catalog.bundle(bundle).is_some(), "{bundle}");
        }
    }

    #[test]
    fn every_built_in_resource_has_a_source_in_the_order_of_the_guides() {
        let catalog = Catalog::built_in().unwrap();
        for resource in catalog.resources() {
            assert!(!resource.all_urls().is_empty(), "{}", resource.name);
        }
        // Google Drive files (captioning spec §17): the guide's URL, then Drive's page.
        let drive = |id: &str| format!("https://drive.google.com/uc?export=download&id={id}");
        assert_eq!(
            catalog.resource("vsua-box-info").unwrap().all_urls(),
            [drive("1G9_ZdjyIprl2wyWCExslWTWOimJf3x8G")]
        );
        assert_eq!(
            catalog
                .resource("vsua-coco-pred-sg-rela")
                .unwrap()
                .all_urls(),
            [
                "https://docs.google.com/uc?export=download&id=1pTLfyq5nOLTqqZiKDsZ2hzlRoetfD-Y7"
                    .to_owned(),
                drive("1pTLfyq5nOLTqqZiKDsZ2hzlRoetfD-Y7")
            ]
        );
        let scene_graphs = catalog.resource("vsua-coco-img-sg").unwrap().all_urls();
        assert!(scene_graphs[0].starts_with(
            "https://drive.usercontent.google.com/download?id=14jk1AqnJwBXwlkfGnEgj3GyHbGcSSlij"
        ));
        assert_eq!(scene_graphs[1], drive("14jk1AqnJwBXwlkfGnEgj3GyHbGcSSlij"));
        let resnet = catalog.resource("resnet101-imagenet").unwrap();
        assert_eq!(resnet.file_name, "resnet101.pth");
        assert_eq!(
            resnet.urls,
            ["https://download.pytorch.org/models/resnet101-63fe2227.pth"]
        );
        assert_eq!(
            resnet.checksum(),
            Some(Checksum::Sha256Prefix("63fe2227".into()))
        );
        let labels = &catalog.resource("yolo-labels-coco2017").unwrap().urls;
        assert!(labels[0].contains("ultralytics/assets") && labels[1].contains("yolov5"));
        let defect = &catalog.resource("train2014").unwrap().known_defects[0];
        assert_eq!(
            defect.replacement_urls[1],
            "https://msvocds.blob.core.windows.net/images/262993_z.jpg"
        );
        assert_eq!(
            catalog.resource("karpathy-dataset-coco").unwrap().urls,
            ["https://github.com/Delphboy/karpathy-splits/raw/main/dataset_coco.json?download="]
        );
    }

    #[test]
    fn misspelled_names_get_a_suggestion() {
        let catalog = Catalog::built_in().unwrap();
        assert_eq!(catalog.suggest("coco-2017").as_deref(), Some("coco2017"));
        assert_eq!(catalog.suggest("completely-unrelated"), None);
    }

    #[test]
    fn a_user_catalog_with_a_bad_checksum_is_rejected_by_name() {
        let text = r#"{"schema": 1, "resources": [{"name": "x", "description": "", "urls": [],
            "file_name": "x.zip", "bytes": 1, "sha256": "abc", "md5": null, "source": "",
            "archive": "zip", "destination": {}}]}"#;
        let error = Catalog::parse(text, "mine.json").unwrap_err().to_string();
        assert!(
            error.contains("mine.json") && error.contains("sha256"),
            "{error}"
        );
    }
}
