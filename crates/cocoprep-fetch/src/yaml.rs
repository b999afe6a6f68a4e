//! The ultralytics dataset YAML (`path`, `train`, `val`, `test`, `names`).

use std::path::{Path, PathBuf};

use crate::catalog::DatasetYaml;
use crate::error::FetchError;

/// Writes `DIR/<yaml.file>` with `path:` set to the absolute dataset folder.
pub fn write_dataset_yaml(dataset: &Path, yaml: &DatasetYaml) -> Result<PathBuf, FetchError> {
    let absolute = std::path::absolute(dataset)?;
    let mut text = String::new();
    text.push_str("# Written by cocoprep get (ultralytics dataset layout)\n");
    text.push_str(&format!("path: {}\n", quote(&absolute.to_string_lossy())));
    text.push_str(&format!("train: {}\n", quote(&yaml.train)));
    text.push_str(&format!("val: {}\n", quote(&yaml.val)));
    if let Some(test) = &yaml.test {
        text.push_str(&format!("test: {}\n", quote(test)));
    }
    text.push_str("names:\n");
    for (index, name) in yaml.names.iter().enumerate() {
        text.push_str(&format!("  {index}: {}\n", quote(name)));
    }
    let path = dataset.join(&yaml.file);
    cocoprep_coco::atomic::write_atomic(&path, text.as_bytes())?;
    Ok(path)
}

/// Quotes a scalar when YAML would read it as something else (`yes`, `null`, `1.5`, or
/// text with `:` / `#`).
pub fn quote(value: &str) -> String {
    let lower = value.to_ascii_lowercase();
    let special = matches!(
        lower.as_str(),
        "" | "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null" | "~"
    ) || value.parse::<f64>().is_ok()
        || value.contains([
            ':', '#', '\'', '"', '{', '}', '[', ']', ',', '&', '*', '!', '|', '>', '%', '@', '`',
        ])
        || value.starts_with([' ', '-', '?'])
        || value.ends_with(' ');
    if special {
        format!("'{}'", value.replace('\'', "''"))
    } else {
        value.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_yaml_would_mangle_are_quoted() {
        assert_eq!(quote("person"), "person");
        assert_eq!(quote("traffic light"), "traffic light");
        assert_eq!(quote("no"), "'no'");
        assert_eq!(quote("a: b"), "'a: b'");
        assert_eq!(quote("it's"), "'it''s'");
    }
}
