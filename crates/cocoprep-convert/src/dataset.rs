//! Reading an existing YOLO dataset: which images a YAML split names and where their
//! label files are.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// The image extensions Ultralytics loads (`IMG_FORMATS`).
pub const IMAGE_EXTENSIONS: &[&str] = &[
    "avif", "bmp", "dng", "heic", "heif", "jp2", "jpeg", "jpg", "mpo", "png", "tif", "tiff", "webp",
];

/// The images of one YAML split entry.
#[derive(Clone, Debug)]
pub struct SplitImages {
    /// A folder name for the split in a new dataset: the entry's last component
    /// (`images/train2017` → `train2017`, `train2017.txt` → `train2017`).
    pub name: String,
    /// The folder image paths are relative to in a new dataset.
    pub base: PathBuf,
    /// The images, sorted.
    pub images: Vec<PathBuf>,
}

impl SplitImages {
    /// The images named by `entry` (a folder, searched recursively, or a `.txt` list)
    /// relative to the dataset `root`.
    pub fn read(root: &Path, entry: &str) -> Result<SplitImages, Error> {
        let path = root.join(entry);
        let name = Path::new(entry)
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_else(|| "split".to_owned());
        if path.is_file() {
            // A list of image paths; `./x` is relative to the list's folder (Ultralytics).
            let text = fs_err::read_to_string(&path).map_err(Error::io("read", &path))?;
            let folder = path.parent().unwrap_or(root);
            let mut images: Vec<PathBuf> = text
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .map(|line| {
                    let line = line.replace('\\', "/");
                    match line.strip_prefix("./") {
                        Some(rest) => folder.join(rest),
                        None if Path::new(&line).is_absolute() => PathBuf::from(line),
                        None => folder.join(line),
                    }
                })
                .collect();
            images.sort();
            let base = common_images_folder(&images).unwrap_or_else(|| folder.to_owned());
            return Ok(SplitImages { name, base, images });
        }
        if !path.is_dir() {
            return Err(Error::Io {
                action: "find the images of",
                path,
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            });
        }
        let mut images = Vec::new();
        let mut stack = vec![path.clone()];
        while let Some(folder) = stack.pop() {
            for entry in fs_err::read_dir(&folder).map_err(Error::io("list", &folder))? {
                let entry = entry.map_err(Error::io("list", &folder))?;
                let entry_path = entry.path();
                if entry_path.is_dir() {
                    stack.push(entry_path);
                } else if is_image(&entry_path) {
                    images.push(entry_path);
                }
            }
        }
        images.sort();
        Ok(SplitImages {
            name,
            base: path,
            images,
        })
    }
}

/// Whether the extension is one Ultralytics loads.
pub fn is_image(path: &Path) -> bool {
    path.extension()
        .map(|extension| extension.to_string_lossy().to_lowercase())
        .is_some_and(|extension| IMAGE_EXTENSIONS.contains(&extension.as_str()))
}

/// Ultralytics' `img2label_paths`: the last `images` component becomes `labels`, the
/// extension `.txt`.
pub fn label_path(image: &Path) -> PathBuf {
    use std::path::Component;
    let components: Vec<Component> = image.components().collect();
    let last_images = components
        .iter()
        .rposition(|component| component.as_os_str() == "images");
    let mut path = PathBuf::new();
    for (index, component) in components.iter().enumerate() {
        if Some(index) == last_images {
            path.push("labels");
        } else {
            path.push(component.as_os_str());
        }
    }
    path.with_extension("txt")
}

/// The folder under the last `images` component shared by all images, if any.
fn common_images_folder(images: &[PathBuf]) -> Option<PathBuf> {
    let first = images.first()?;
    let mut base = first.parent()?.to_owned();
    while !images.iter().all(|image| image.starts_with(&base)) {
        base = base.parent()?.to_owned();
    }
    Some(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_replace_the_last_images_component() {
        assert_eq!(
            label_path(Path::new("/d/images/coco/images/train2017/x.jpg")),
            PathBuf::from("/d/images/coco/labels/train2017/x.txt")
        );
    }
}
