//! The tokenizer against pycocoevalcap's `PTBTokenizer` (Stanford CoreNLP 3.4.1 under Java).

use std::path::Path;

use cocoprep_eval::captions::ptb::tokenize_captions;

/// Tokenizes `captions` with pycocoevalcap in one Java run, in this order.
fn reference_tokens(captions: &[String], folder: &Path) -> Option<Vec<String>> {
    if !crate::support::java_is_installed() {
        return None;
    }
    let input = folder.join("captions.json");
    fs_err::write(&input, serde_json::to_vec(captions).unwrap()).unwrap();
    let output = cocoprep_test::run_python(
        r#"
import json, sys
from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer
captions = json.load(open(sys.argv[1]))
tokenized = PTBTokenizer().tokenize({i: [{'caption': c}] for i, c in enumerate(captions)})
print(json.dumps([tokenized[i][0] for i in range(len(captions))]))
"#,
        &[&input],
    );
    Some(serde_json::from_str(&output).unwrap())
}

fn assert_same_tokens(captions: &[String], expected: &[String]) {
    let actual = tokenize_captions(&captions.iter().map(String::as_str).collect::<Vec<_>>());
    let differences: Vec<String> = captions
        .iter()
        .zip(expected)
        .zip(&actual)
        .filter(|((_, expected), actual)| expected != actual)
        .map(|((caption, expected), actual)| {
            format!("{caption:?}\n  java: {expected:?}\n  rust: {actual:?}")
        })
        .collect();
    assert!(
        differences.is_empty(),
        "{} of {} captions differ:\n{}",
        differences.len(),
        captions.len(),
        differences[..differences.len().min(40)].join("\n")
    );
}
/// Contractions, abbreviations, acronyms before sentence starts, quotes, brackets, numbers,
/// fractions, URLs, e-mail addresses, phone numbers, emoticons, SGML tags, Unicode letters,
/// digits and symbols, control and zero-width characters.
#[test]
fn tricky_captions_tokenize_as_the_stanford_tokenizer() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/ptb_edge_cases.json");
    let captions: Vec<String> = serde_json::from_slice(&fs_err::read(path).unwrap()).unwrap();
    let folder = cocoprep_test::temp_dir();
    let Some(expected) = reference_tokens(&captions, folder.path()) else {
        return;
    };
    assert_same_tokens(&captions, &expected);
}

/// pycocoevalcap tokenizes all captions in one Java run, one per line, and the Java
/// tokenizer also ends lines at a carriage return: every later caption then gets the tokens
/// of the one before it. Here the carriage return separates tokens and the captions stay
/// aligned.
#[test]
fn a_carriage_return_inside_a_caption_does_not_shift_later_captions() {
    let tokens = tokenize_captions(&["a dog\ron grass", "a cat", "two birds"]);
    assert_eq!(tokens, ["a dog on grass", "a cat", "two birds"]);
}
