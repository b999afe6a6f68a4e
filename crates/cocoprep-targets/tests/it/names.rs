//! `names::write_names` (chunks encoded and written as they are made) writes the bytes of
//! the whole-list writers (`encode_names` then `write_with_json`).

use cocoprep_targets::torch_pickle::TargetEntry;
use cocoprep_targets::{ClipTokenizer, names, targets};

/// Names meeting every path of the encoder: plain ASCII in any case, whitespace runs,
/// contractions, special tokens, long words (past the cache's short keys), HTML entities,
/// non-ASCII text and mojibake, empty lines.
const CRAFTED: [&str; 16] = [
    "A Man's DOG isn't   2 <|endoftext|>",
    "",
    "\ttabs\tand  spaces \x0c form feed",
    "Pneumonoultramicroscopicsilicovolcanoconiosis and supercalifragilistic",
    "fish &amp; chips",
    "Café crème",
    "cafÃ© mojibake",
    "ﬁne ligature",
    "<|startoftext|> <|mask|> <|gen|> <|spe|>",
    "can't WE'LL they'RE i'M you'VE he'D",
    "3.5 inches, 42%!",
    "...!!!",
    "x",
    "UPPER CASE ONLY",
    "new\rline",
    "ＦＵＬＬ width",
];

fn names_list() -> Vec<String> {
    let mut names: Vec<String> = CRAFTED.iter().map(|name| (*name).to_owned()).collect();
    if let Some(data) = cocoprep_test::shared_data() {
        let path = data.join("coco-val2017-captions/captions_val2017.json");
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path).expect("captions")).expect("JSON");
        names.extend(
            json["annotations"]
                .as_array()
                .expect("annotations")
                .iter()
                .take(2_600)
                .map(|annotation| {
                    annotation["caption"]
                        .as_str()
                        .expect("caption")
                        .replace(['\n', '\r'], " ")
                }),
        );
    } else {
        eprintln!("../shared/data is absent: crafted names only, repeated");
    }
    while names.len() < 2_600 {
        names.push(CRAFTED[names.len() % CRAFTED.len()].to_owned());
    }
    names
}

#[test]
fn streamed_names_write_the_bytes_of_the_whole_list_writers() {
    let tokenizer = ClipTokenizer::shared().expect("tokenizer");
    let all = names_list();
    let folder = cocoprep_test::temp_dir();
    // Empty, one name, one chunk, across chunk (1000) boundaries.
    for count in [0, 1, 1000, 2_600] {
        let list: Vec<&str> = all[..count].iter().map(String::as_str).collect();
        let expected_pickle = folder.path().join(format!("expected-{count}.pkl"));
        let expected_json = folder.path().join(format!("expected-{count}.json"));
        let data: Vec<TargetEntry> = targets::encode_names(tokenizer, &list)
            .into_iter()
            .map(TargetEntry::Tensor)
            .collect();
        targets::write_with_json(&expected_pickle, &data, Some(&expected_json)).expect("write");
        let pickle = folder.path().join(format!("streamed-{count}.pkl"));
        let json = folder.path().join(format!("streamed-{count}.json"));
        names::write_names(tokenizer, &list, &pickle, Some(&json)).expect("streamed");
        assert!(
            std::fs::read(&pickle).unwrap() == std::fs::read(&expected_pickle).unwrap(),
            "pickle of {count} names"
        );
        assert_eq!(
            std::fs::read_to_string(&json).unwrap(),
            std::fs::read_to_string(&expected_json).unwrap(),
            "JSON of {count} names"
        );
        let pickle_only = folder.path().join(format!("alone-{count}.pkl"));
        names::write_names(tokenizer, &list, &pickle_only, None).expect("without JSON");
        assert!(std::fs::read(&pickle_only).unwrap() == std::fs::read(&pickle).unwrap());
    }
    // Nothing but the outputs: no temporary file is left behind.
    let left: Vec<String> = std::fs::read_dir(folder.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn batch_with_suffix_encodes_as_encode_of_the_joined_text() {
    let tokenizer = ClipTokenizer::shared().expect("tokenizer");
    let all = names_list();
    for suffix in [
        " <|endoftext|>",
        "",
        "<|endoftext|>",
        "\tTail",
        " caf\u{e9}",
    ] {
        let batch = tokenizer.encode_batch_with_suffix(&all, suffix);
        for (name, ids) in all.iter().zip(&batch) {
            let expected: Vec<i64> = tokenizer
                .encode(&format!("{name}{suffix}"))
                .into_iter()
                .map(i64::from)
                .collect();
            assert_eq!(*ids, expected, "{name:?} + {suffix:?}");
        }
    }
}
