use cocoprep_datasets::vqa::{REQUIRED_FILES, prepare_vqa};

use crate::support::{read, tree};

#[test]
fn vqa_coco_map_is_generated_and_every_missing_file_is_named() {
    let root = cocoprep_test::temp_dir();
    let coco = tree(root.path(), "mscoco_dataset/coco_origin");
    for relative in [
        "train2014/COCO_train2014_000000000009.jpg",
        "train2014/COCO_train2014_000000000025.jpg",
        "val2014/COCO_val2014_000000000042.jpg",
        "val2014/notes.txt",
        "test2015/COCO_test2015_000000000001.jpg",
    ] {
        let path = coco.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, b"jpeg").unwrap();
    }
    let vqa = tree(root.path(), "VQA");
    std::fs::create_dir_all(&vqa).unwrap();
    std::fs::write(vqa.join("trainval_ans2label.pkl"), b"\x80\x04}q\x00.").unwrap();
    std::fs::write(vqa.join("trainval_label2ans.pkl"), b"not a pickle").unwrap();
    std::fs::write(vqa.join("VG_questions2.json"), b" {\"questions\": []}").unwrap();

    let summary = prepare_vqa(root.path(), None).unwrap();
    assert_eq!(
        read(&vqa.join("coco_map.json")),
        "{\"9\": \"train2014/COCO_train2014_000000000009.jpg\", \
         \"25\": \"train2014/COCO_train2014_000000000025.jpg\", \
         \"42\": \"val2014/COCO_val2014_000000000042.jpg\", \
         \"1\": \"test2015/COCO_test2015_000000000001.jpg\"}"
    );
    let problems: Vec<(String, &str)> = summary
        .problems
        .iter()
        .map(|problem| {
            let name = problem
                .path
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned();
            (name, problem.problem.as_str())
        })
        .collect();
    let expected: Vec<(String, &str)> = REQUIRED_FILES
        .iter()
        .filter(|name| !["trainval_ans2label.pkl", "VG_questions2.json"].contains(name))
        .map(|name| {
            let problem = if *name == "trainval_label2ans.pkl" {
                "not a pickle"
            } else {
                "missing"
            };
            ((*name).to_owned(), problem)
        })
        .collect();
    assert_eq!(problems, expected);
    assert!(problems.iter().any(|(name, _)| name == "train_target.pkl"));
}
