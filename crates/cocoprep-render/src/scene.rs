//! One image of an indexed dataset, drawn: finding it, finding its file, drawing it.

use std::path::{Component, Path, PathBuf};

use cocoprep_coco::mask::segmentation_to_mask;
use cocoprep_coco::{Coco, Image, ImageId};
use tiny_skia::{Pixmap, PremultipliedColorU8};

use crate::Error;
use crate::draw::{Layers, MASK_ALPHA, Scene, draw_scene};
use crate::palette::category_color;
use crate::picture::read_picture;

/// The image named by `key`: an image id, or a `file_name` (with or without folders).
pub fn find_image<'c>(coco: &'c Coco, key: &str) -> Result<&'c Image, Error> {
    if let Ok(id) = key.parse::<u64>()
        && let Some(image) = coco.image(ImageId(id))
    {
        return Ok(image);
    }
    let base = key.rsplit('/').next().unwrap_or(key);
    coco.dataset()
        .images
        .iter()
        .find(|image| {
            image
                .file_name
                .as_deref()
                .is_some_and(|name| name == key || name.rsplit('/').next() == Some(base))
        })
        .ok_or_else(|| Error::UnknownImage(key.to_owned()))
}

/// The file of `image` under `images_dir`, or `None` when its `file_name` is missing,
/// absolute or climbs out of the folder (`..`): a dataset never makes anyone read a file
/// outside its image folder.
pub fn image_path(images_dir: &Path, image: &Image) -> Option<PathBuf> {
    let name = image.file_name.as_deref()?;
    let relative = Path::new(name);
    if relative
        .components()
        .any(|component| !matches!(component, Component::Normal(_)))
    {
        return None;
    }
    Some(images_dir.join(relative))
}

/// Draws every annotation of `image` over its photo from `images_dir` (a grey canvas
/// when no folder is given).
pub fn render_image(
    coco: &Coco,
    image: &Image,
    images_dir: Option<&Path>,
    layers: &Layers,
) -> Result<Pixmap, Error> {
    let photo = match images_dir {
        Some(dir) => {
            let path = image_path(dir, image).ok_or_else(|| {
                Error::UnknownImage(format!("{} (no usable file_name)", image.id.0))
            })?;
            Some(read_picture(&path)?)
        }
        None => None,
    };
    let lookup = |id| coco.category(id);
    let scene = Scene {
        image,
        annotations: coco.image_annotations(image.id).collect(),
        category: &lookup,
    };
    draw_scene(&scene, photo.as_ref(), layers)
}

/// A transparent picture of the image's size holding only its masks, tinted by category
/// (the viewer lays it over the photo and toggles it).
pub fn mask_overlay(coco: &Coco, image: &Image) -> Result<Pixmap, Error> {
    let (width, height) = image.size().ok_or(Error::PictureSize {
        width: 0,
        height: 0,
    })?;
    let mut pixmap =
        Pixmap::new(width.max(1), height.max(1)).ok_or(Error::PictureSize { width, height })?;
    let alpha = (MASK_ALPHA * 255.0).round() as u8;
    for annotation in coco.image_annotations(image.id) {
        let Some(segmentation) = &annotation.segmentation else {
            continue;
        };
        let Ok(mask) = segmentation_to_mask(segmentation, Some((height, width)), image.id) else {
            continue;
        };
        if mask.size() != (height, width) {
            continue;
        }
        let color = annotation.category_id.map_or([255, 255, 255], |id| {
            category_color(id, coco.category(id).map(|category| category.name.as_str()))
        });
        let premultiply = |value: u8| (u16::from(value) * u16::from(alpha) / 255) as u8;
        let pixel = PremultipliedColorU8::from_rgba(
            premultiply(color[0]),
            premultiply(color[1]),
            premultiply(color[2]),
            alpha,
        )
        .expect("premultiplied components never exceed alpha");
        let pixels = pixmap.pixels_mut();
        mask.for_each_foreground_pixel_row_major(|index| pixels[index] = pixel);
    }
    Ok(pixmap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_that_leave_the_folder_have_no_path() {
        let mut image = Image::new_for_test("../secret.jpg");
        assert_eq!(image_path(Path::new("/data"), &image), None);
        image.file_name = Some("/etc/passwd".to_owned());
        assert_eq!(image_path(Path::new("/data"), &image), None);
        image.file_name = Some("val2017/1.jpg".to_owned());
        assert_eq!(
            image_path(Path::new("/data"), &image),
            Some(PathBuf::from("/data/val2017/1.jpg"))
        );
    }

    trait ForTest {
        fn new_for_test(name: &str) -> Self;
    }

    impl ForTest for Image {
        fn new_for_test(name: &str) -> Self {
            Image {
                file_name: Some(name.to_owned()),
                ..Image::default()
            }
        }
    }
}
