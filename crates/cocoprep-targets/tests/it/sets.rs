//! Target sets built from input files: VQA answers, ImageNet-22k synonyms.

use cocoprep_formats::pickle::{Value, to_vec};
use cocoprep_targets::targets::{self, Preset};
use cocoprep_targets::torch_pickle::TargetEntry;
use cocoprep_targets::{ClipTokenizer, Error};

#[test]
fn vqa_answers_come_from_label2ans_in_order_including_the_empty_first() {
    let folder = cocoprep_test::temp_dir();
    let label2ans = folder.path().join("trainval_label2ans.pkl");
    let answers = ["", "yes", "no", "2"];
    let value = Value::List(
        answers
            .iter()
            .map(|a| Value::Str((*a).to_owned()))
            .collect(),
    );
    std::fs::write(&label2ans, to_vec(&value).expect("pickle")).expect("write");
    let tokenizer = ClipTokenizer::shared().expect("tokenizer");
    let files = targets::build(tokenizer, Preset::Vqa, Some(&label2ans)).expect("build");
    assert_eq!(files.len(), 1);
    assert_eq!(
        files[0].path.to_str(),
        Some("VQA_Answers_CLIP_with_endoftext.pkl")
    );
    assert_eq!(
        files[0].data,
        [
            TargetEntry::Tensor(vec![49407]),
            TargetEntry::Tensor(vec![1958, 49407]),
            TargetEntry::Tensor(vec![871, 49407]),
            TargetEntry::Tensor(vec![273, 49407]),
        ]
    );
}

#[test]
fn imagenet22k_lines_are_tab_separated_synonyms() {
    let folder = cocoprep_test::temp_dir();
    let names = folder.path().join("22k.txt");
    std::fs::write(&names, "tench\tTinca tinca\ngoldfish\n").expect("write");
    let tokenizer = ClipTokenizer::shared().expect("tokenizer");
    let files = targets::build(tokenizer, Preset::Imagenet22k, Some(&names)).expect("build");
    let TargetEntry::Synonyms(first) = &files[0].data[0] else {
        panic!("synonym lists expected");
    };
    assert_eq!(first.len(), 2);
    assert_eq!(first[0], [1149, 634, 49407]);
    assert_eq!(files[0].data.len(), 2);
}

#[test]
fn input_presets_without_input_say_which() {
    let tokenizer = ClipTokenizer::shared().expect("tokenizer");
    let error = targets::build(tokenizer, Preset::Vqa, None).expect_err("needs input");
    assert!(matches!(error, Error::MissingInput { preset: "vqa" }));
}
