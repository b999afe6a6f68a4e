//! Pictures drawn from the real COCO sample compared pixel by pixel with committed golden
//! PNGs: boxes and polygons, a crowd RLE mask, keypoints with the skeleton, captions.
//!
//! Tolerance: tiny-skia and the glyph rasteriser are deterministic on one platform (on
//! x86_64 Linux every pixel matches). Another CPU may round anti-aliased edges
//! differently, so a pixel may differ by up to 2 per channel, and at most 0.5% of the
//! pixels (edge pixels) may differ by more. Set `COCOPREP_UPDATE_GOLDEN=1` to rewrite the
//! goldens; a failing test leaves the picture it drew in `target/golden-actual/`.

use std::path::{Path, PathBuf};

use cocoprep_coco::{Coco, Dataset};
use cocoprep_render::picture::{decode_picture, encode_png};
use cocoprep_render::{Layers, Pixmap, Scene, draw_scene, find_image};

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
    let png = encode_png(actual).unwrap();
    if std::env::var_os("COCOPREP_UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden_path, &png).unwrap();
        return;
    }
    let golden = decode_picture(&std::fs::read(&golden_path).unwrap_or_else(|error| {
        panic!(
            "{}: {error} (COCOPREP_UPDATE_GOLDEN=1 writes it)",
            golden_path.display()
        )
    }))
    .unwrap();
    let failure_dir = repository().join("target/golden-actual");
    let save_actual = || {
        std::fs::create_dir_all(&failure_dir).unwrap();
        let path = failure_dir.join(format!("{name}.png"));
        std::fs::write(&path, &png).unwrap();
        path
    };
    if (golden.width(), golden.height()) != (actual.width(), actual.height()) {
        panic!(
            "{name}: drew {}×{}, golden is {}×{} (drawn picture: {})",
            actual.width(),
            actual.height(),
            golden.width(),
            golden.height(),
            save_actual().display()
        );
    }
    let mut beyond_tolerance = 0usize;
    for (a, g) in actual.pixels().iter().zip(golden.pixels()) {
        let difference = [
            a.red().abs_diff(g.red()),
            a.green().abs_diff(g.green()),
            a.blue().abs_diff(g.blue()),
        ];
        if difference.iter().any(|&d| d > 2) {
            beyond_tolerance += 1;
        }
    }
    let allowed = actual.pixels().len() / 200;
    assert!(
        beyond_tolerance <= allowed,
        "{name}: {beyond_tolerance} pixels differ by more than 2 (at most {allowed} may); drawn picture: {}",
        save_actual().display()
    );
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
