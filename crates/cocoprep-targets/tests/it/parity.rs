//! Token-for-token parity with the reference algorithm run in Python with the real ftfy
//! 6.3.1 and `regex` (`reference_tokenizer.py`, a clean-room run of
//! `tokenization_clip.py`): every COCO val2017 caption, the built-in class names, and a set
//! of unicode, HTML-entity and mojibake strings.

use std::path::Path;

use cocoprep_targets::ClipTokenizer;

const REFERENCE: &str = include_str!("reference_tokenizer.py");

#[test]
fn every_id_matches_the_reference_tokenizer() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let merges = crate_dir.join("data/bpe_simple_vocab_16e6.txt.gz");
    let mut args = vec![merges];
    match cocoprep_test::shared_data() {
        Some(data) => args.push(data.join("coco-val2017-captions/captions_val2017.json")),
        None => eprintln!("../shared/data is absent: comparing names and the crafted strings only"),
    }
    for list in ["imagenet1k", "k400", "k700", "mit"] {
        args.push(crate_dir.join(format!("data/names/{list}.txt")));
    }
    let arg_refs: Vec<&Path> = args.iter().map(|path| path.as_path()).collect();
    let output = cocoprep_test::run_python(REFERENCE, &arg_refs);
    let cases: Vec<(String, Vec<u32>)> = serde_json::from_str(&output).expect("reference JSON");
    if cocoprep_test::shared_data().is_some() {
        assert!(cases.len() >= 10_000, "{} strings", cases.len());
    }
    let tokenizer = ClipTokenizer::shared().expect("tokenizer");
    // The parallel batch path (per-task piece caches) must give what `encode` gives.
    let texts: Vec<&str> = cases.iter().map(|(text, _)| text.as_str()).collect();
    let batch = tokenizer.encode_batch(&texts);
    let mismatches: Vec<String> = cases
        .iter()
        .zip(&batch)
        .filter_map(|((text, expected), batch_ids)| {
            let ids = tokenizer.encode(text);
            (ids != *expected || batch_ids != expected).then(|| {
                format!("{text:?}: rust {ids:?}, batch {batch_ids:?}, reference {expected:?}")
            })
        })
        .collect();
    assert!(
        mismatches.is_empty(),
        "{} of {} strings differ:\n{}",
        mismatches.len(),
        cases.len(),
        mismatches[..mismatches.len().min(30)].join("\n")
    );
}
