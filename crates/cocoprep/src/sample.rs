//! The small real COCO sample built into the binary (`fixtures/coco-sample`): 10 COCO 2017
//! images (4 train, 6 val) with their real instances, person keypoints and captions.
//! `cocoprep demo` runs every job on it, so it works offline on a fresh machine.

use std::path::Path;

use anyhow::Context;

macro_rules! sample_file {
    ($path:literal) => {
        (
            $path,
            include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../fixtures/coco-sample/",
                $path
            )) as &[u8],
        )
    };
}

/// `(path relative to the sample root, contents)`.
pub const FILES: &[(&str, &[u8])] = &[
    sample_file!("annotations/captions_train2017.json"),
    sample_file!("annotations/captions_val2017.json"),
    sample_file!("annotations/instances_train2017.json"),
    sample_file!("annotations/instances_val2017.json"),
    sample_file!("annotations/person_keypoints_train2017.json"),
    sample_file!("annotations/person_keypoints_val2017.json"),
    sample_file!("train2017/000000000790.jpg"),
    sample_file!("train2017/000000214704.jpg"),
    sample_file!("train2017/000000370162.jpg"),
    sample_file!("train2017/000000535506.jpg"),
    sample_file!("val2017/000000000139.jpg"),
    sample_file!("val2017/000000151938.jpg"),
    sample_file!("val2017/000000229358.jpg"),
    sample_file!("val2017/000000255165.jpg"),
    sample_file!("val2017/000000311002.jpg"),
    sample_file!("val2017/000000397133.jpg"),
];

/// Writes the sample under `root` (files that already hold the same bytes are left alone).
pub fn write_to(root: &Path) -> anyhow::Result<usize> {
    let mut written = 0;
    for (relative, contents) in FILES {
        let path = root.join(relative);
        if fs_err::read(&path).is_ok_and(|existing| existing == *contents) {
            continue;
        }
        cocoprep_base::output::write_atomic(&path, contents)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        written += 1;
    }
    Ok(written)
}
