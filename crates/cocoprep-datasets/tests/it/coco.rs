use std::path::Path;

use cocoprep_base::progress::NoReporter;
use cocoprep_captions::splits::prepare_splits;
use cocoprep_convert::layout::LinkMode;
use cocoprep_datasets::Error;
use cocoprep_datasets::coco::{SPLIT_FILES, prepare_coco};

use crate::support::{fixture, read, tree};

/// The four images of `fixtures/captions/tiny.json`, as `<filepath>/<filename>`.
const TINY_IMAGES: [&str; 4] = [
    "val2014/COCO_val2014_000000000042.jpg",
    "train2014/COCO_train2014_000000000009.jpg",
    "val2014/COCO_val2014_000000000073.jpg",
    "val2014/COCO_val2014_000000000074.jpg",
];

fn coco_folder(root: &Path, images: &[&str]) -> std::path::PathBuf {
    let folder = root.join("coco");
    for relative in images {
        let path = folder.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::copy(fixture("cc3m/val_image/00000000.jpg"), path).unwrap();
    }
    folder
}

#[test]
fn coco_split_files_karpathy_file_and_images_land_where_the_configs_look() {
    let root = cocoprep_test::temp_dir();
    let karpathy = cocoprep_test::fixtures().join("captions/tiny.json");
    let images = coco_folder(root.path(), &TINY_IMAGES);
    let summary = prepare_coco(
        root.path(),
        &karpathy,
        Some(&images),
        LinkMode::Hard,
        1,
        &NoReporter,
    )
    .unwrap();
    assert_eq!((summary.images_checked, summary.placed), (4, 4));

    // The split files are exactly `captions splits`' (coco_preprocess.py + info).
    let direct = cocoprep_test::temp_dir();
    prepare_splits(&karpathy, direct.path(), 1, &NoReporter).unwrap();
    for name in SPLIT_FILES {
        let written = read(&tree(
            root.path(),
            &format!("mscoco_dataset/new_annotations/{name}"),
        ));
        assert_eq!(written, read(&direct.path().join(name)), "{name}");
        assert!(written.contains("\"info\": {"), "{name}");
    }
    assert_eq!(
        read(&tree(
            root.path(),
            "mscoco_dataset/new_annotations/dataset_coco.json"
        )),
        read(&karpathy)
    );
    for relative in TINY_IMAGES {
        assert!(
            tree(root.path(), "mscoco_dataset/coco_origin")
                .join(relative)
                .is_file()
        );
    }
}

#[test]
fn coco_missing_images_are_counted_and_named_before_anything_is_written() {
    let root = cocoprep_test::temp_dir();
    let images = coco_folder(root.path(), &TINY_IMAGES[..2]);
    let error = prepare_coco(
        root.path(),
        &cocoprep_test::fixtures().join("captions/tiny.json"),
        Some(&images),
        LinkMode::Hard,
        1,
        &NoReporter,
    )
    .unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, Error::MissingImages { count: 2, .. }),
        "{message}"
    );
    assert!(
        message.contains(
            "val2014/COCO_val2014_000000000073.jpg, val2014/COCO_val2014_000000000074.jpg"
        ),
        "{message}"
    );
    assert!(!tree(root.path(), "mscoco_dataset").exists());
}
