//! Folders, told by the names of their entries.

use std::path::Path;

use super::{Kind, Sniffed};

/// Entries looked at; a folder of images can hold hundreds of thousands.
const ENTRIES_LOOKED_AT: usize = 4096;

pub(super) fn sniff_folder(path: &Path) -> std::io::Result<Sniffed> {
    let mut files = Vec::new();
    let mut folders = Vec::new();
    for entry in std::fs::read_dir(path)?.take(ENTRIES_LOOKED_AT) {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        // `is_dir` follows symbolic links, as the commands will.
        if entry.path().is_dir() {
            folders.push(name);
        } else {
            files.push(name.to_ascii_lowercase());
        }
    }
    let has_folder = |name: &str| folders.iter().any(|folder| folder == name);
    let count = |extensions: &[&str]| {
        files
            .iter()
            .filter(|file| extensions.iter().any(|extension| file.ends_with(extension)))
            .count()
    };
    let yamls = count(&[".yaml", ".yml"]);
    let jsons = count(&[".json"]);
    let images = count(&[".jpg", ".jpeg", ".png"]);
    let tsvs = files
        .iter()
        .filter(|file| cocoprep_features::butd::input::is_tsv_name(file))
        .count();
    let sniffed = if has_folder(".cocoprep") {
        Sniffed::new(Kind::DatasetFolder)
    } else if (has_folder("images") && has_folder("labels")) || (yamls > 0 && has_folder("labels"))
    {
        Sniffed::new(Kind::YoloFolder)
    } else if tsvs > 0 {
        Sniffed::with_detail(Kind::ButdFolder, plural(tsvs, "TSV file"))
    } else if files.iter().any(|file| file == "flickr8k.token.txt") {
        Sniffed::new(Kind::Flickr8kFolder)
    } else if jsons > 0 {
        Sniffed::with_detail(Kind::AnnotationFolder, plural(jsons, "JSON file"))
    } else if has_folder("annotations") {
        Sniffed::new(Kind::CocoFolder)
    } else if images > 0 && images * 2 >= files.len() {
        Sniffed::with_detail(Kind::ImageFolder, plural(images, "image"))
    } else if files.is_empty() && folders.is_empty() {
        Sniffed::with_detail(Kind::OtherFolder, "empty")
    } else {
        Sniffed::new(Kind::OtherFolder)
    };
    Ok(sniffed)
}

fn plural(count: usize, noun: &str) -> String {
    let more = if count >= ENTRIES_LOOKED_AT { "+" } else { "" };
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count}{more} {noun}s")
    }
}
