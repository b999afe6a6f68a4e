//! Pictures drawn from the real COCO sample compared pixel by pixel with committed golden
//! PNGs: boxes and polygons, a crowd RLE mask, keypoints with the skeleton, captions.
//!
//! The tolerance is `cocoprep_test::golden`'s (≤2 per channel, ≤0.5% of the pixels
//! beyond); `COCOPREP_UPDATE_GOLDEN=1` rewrites the goldens.

use std::path::{Path, PathBuf};

use cocoprep_coco::{Coco, Dataset};
use cocoprep_render::picture::encode_png;
use cocoprep_render::{Layers, Pixmap, Scene, draw_scene, find_image};
use cocoprep_test::golden::assert_png_matches_golden;

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sample(file: &str) -> Coco {
    let path = repository()
        .join("fixtures/coco-sample/annotations")
        .join(file);
    Coco::new(Dataset::read(&path).expect("the sample annotations read"))
}

/// Draws on a grey canvas rather than the photo: the goldens stay small (tens of KB) and
/// test the drawing alone; `look_cli` tests drawing over the real photos.
fn draw(coco: &Coco, key: &str, layers: &Layers) -> Pixmap {
    let image = find_image(coco, key).unwrap();
    let lookup = |id| coco.category(id);
    let scene = Scene {
        image,
        annotations: coco.image_annotations(image.id).collect(),
        category: &lookup,
    };
    draw_scene(&scene, None, layers).unwrap()
}

/// Compares `actual` with `tests/golden/<name>.png` within the tolerance above.
fn assert_matches_golden(name: &str, actual: &Pixmap) {
    let golden_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.png"));
    assert_png_matches_golden(&golden_path, &encode_png(actual).unwrap());
}

#[test]
fn boxes_labels_and_polygon_masks_match_the_golden_picture() {
    let coco = sample("instances_val2017.json");
    assert_matches_golden("instances-139", &draw(&coco, "139", &Layers::default()));
}

#[test]
fn a_crowd_rle_mask_is_filled_and_its_box_dashed_as_in_the_golden_picture() {
    let coco = sample("instances_val2017.json");
    let layers = Layers {
        labels: false,
        ..Layers::default()
    };
    assert_matches_golden("instances-rle-255165", &draw(&coco, "255165", &layers));
}

#[test]
fn keypoints_and_the_skeleton_match_the_golden_picture() {
    let coco = sample("person_keypoints_val2017.json");
    let layers = Layers {
        masks: false,
        ..Layers::default()
    };
    assert_matches_golden(
        "keypoints-397133",
        &draw(&coco, "000000397133.jpg", &layers),
    );
}

#[test]
fn captions_are_written_under_the_picture_as_in_the_golden_picture() {
    let coco = sample("captions_train2017.json");
    let picture = draw(&coco, "790", &Layers::default());
    assert!(
        picture.height()
            > coco
                .image(cocoprep_coco::ImageId(790))
                .unwrap()
                .height
                .unwrap()
    );
    assert_matches_golden("captions-790", &picture);
}
