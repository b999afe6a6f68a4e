use cocoprep_convert::layout::LinkMode;
use cocoprep_datasets::Error;
use cocoprep_datasets::flickr30k::{IMAGE_DIR, SPLITS, prepare_flickr30k};

use crate::support::{file_names, fixture, read, tree};

#[test]
fn flickr30k_caption_files_are_the_scripts_bytes_plus_info() {
    let root = cocoprep_test::temp_dir();
    // The archive's top folder: the images are two `flickr30k_images/` levels further down.
    let summary = prepare_flickr30k(
        root.path(),
        &fixture("flickr30k"),
        Some(&fixture("flickr30k/flickr30k_images")),
        LinkMode::Hard,
    )
    .unwrap();
    assert_eq!(
        summary.image_source.unwrap(),
        fixture("flickr30k/flickr30k_images/flickr30k_images/flickr30k_images")
    );
    let counts: Vec<(u64, u64)> = summary
        .splits
        .iter()
        .map(|split| (split.images, split.captions))
        .collect();
    assert_eq!(counts, [(2, 5), (1, 1), (2, 3)]);
    for (jsonline, captions) in SPLITS {
        let reference = read(&fixture(&format!(
            "flickr30k/{}",
            captions.replace(".json", ".reference.json")
        )));
        let written = read(&tree(root.path(), &format!("flickr30k/{captions}")));
        // Deliberate difference: `info`, `licenses`, `type` appended (pycocotools loadRes).
        let expected = format!(
            "{}, \"info\": {{\"description\": \"Flickr30k captions from {jsonline}\"}}, \
             \"licenses\": [], \"type\": \"captions\"}}",
            reference.strip_suffix('}').unwrap()
        );
        assert_eq!(written, expected, "{captions}");
        // The loader's jsonlines are placed unchanged.
        assert_eq!(
            read(&tree(root.path(), &format!("flickr30k/{jsonline}"))),
            read(&fixture(&format!("flickr30k/{jsonline}")))
        );
    }
    assert_eq!(summary.placed, 5);
    assert_eq!(file_names(&tree(root.path(), IMAGE_DIR)).len(), 5);
}

#[test]
fn flickr30k_missing_images_are_named_and_nothing_is_written() {
    let root = cocoprep_test::temp_dir();
    let images = root.path().join("images");
    std::fs::create_dir_all(&images).unwrap();
    std::fs::copy(
        fixture("flickr30k/flickr30k_images/flickr30k_images/flickr30k_images/1000092795.jpg"),
        images.join("1000092795.jpg"),
    )
    .unwrap();
    let error = prepare_flickr30k(
        root.path(),
        &fixture("flickr30k"),
        Some(&images),
        LinkMode::Hard,
    )
    .unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, Error::MissingImages { count: 4, .. }),
        "{message}"
    );
    assert!(message.contains("10002456.jpg"), "{message}");
    assert!(!tree(root.path(), "flickr30k").exists());
}

#[test]
fn pycocotools_loads_the_caption_files_and_their_results() {
    // The script's files have no `info`, on which pycocotools 2.0.9 and 2.0.10 `loadRes`
    // raise KeyError('info') (spec §0.9; the pinned 2.0.11 copes); cocoprep's carry it.
    let root = cocoprep_test::temp_dir();
    prepare_flickr30k(root.path(), &fixture("flickr30k"), None, LinkMode::None).unwrap();
    let script = r#"
import sys
from pycocotools.coco import COCO
gt = COCO(sys.argv[1])
results = [{"image_id": image_id, "caption": "a dog"} for image_id in gt.getImgIds()]
res = gt.loadRes(results)
print(len(gt.getImgIds()), len(gt.getAnnIds()), len(res.getAnnIds()))
"#;
    let printed = cocoprep_test::run_python(
        script,
        &[&tree(root.path(), "flickr30k/captions_test.json")],
    );
    assert_eq!(printed.lines().last(), Some("2 3 2"), "{printed}");
}
