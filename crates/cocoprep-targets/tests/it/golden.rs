//! The golden vectors and whole-set checksums of the spec (multi-dataset-and-web-scale.md §1.2).

use cocoprep_targets::targets::{self, IMAGENET1K_NAMES, K400_NAMES, K700_NAMES, MIT_NAMES};
use cocoprep_targets::{ClipTokenizer, VOCAB_SIZE};
use sha2::{Digest, Sha256};

fn tokenizer() -> &'static ClipTokenizer {
    ClipTokenizer::shared().expect("the embedded merges load")
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn embedded_merges_are_the_spec_file() {
    let bytes = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/bpe_simple_vocab_16e6.txt.gz"),
    )
    .expect("merges file");
    assert_eq!(
        sha256_hex(&bytes),
        "924691ac288e54409236115652ad4aa250f48203de50a9e4722a6ecd48d6804a"
    );
}

#[test]
fn golden_vectors_encode_exactly() {
    let cases: &[(&str, &[u32])] = &[
        ("tench <|endoftext|>", &[1149, 634, 49407]),
        ("goldfish <|endoftext|>", &[40293, 49407]),
        ("great white shark <|endoftext|>", &[830, 1579, 7980, 49407]),
        (
            "kite (bird of prey) <|endoftext|>",
            &[19867, 263, 3329, 539, 17131, 264, 49407],
        ),
        ("abseiling <|endoftext|>", &[596, 567, 3299, 49407]),
        (
            "passing American football (in game) <|endoftext|>",
            &[6589, 2151, 1882, 263, 530, 1063, 264, 49407],
        ),
        (
            "adult female singing <|endoftext|>",
            &[7115, 3970, 5864, 49407],
        ),
        (
            "massaging person's head <|endoftext|>",
            &[4636, 4336, 2533, 568, 1375, 49407],
        ),
        ("bad <|endoftext|>", &[2103, 49407]),
        ("wonderful <|endoftext|>", &[2582, 49407]),
        ("no <|endoftext|>", &[871, 49407]),
        ("yes <|endoftext|>", &[1958, 49407]),
        ("maybe <|endoftext|>", &[3746, 49407]),
        ("incorrect <|endoftext|>", &[31872, 49407]),
        ("correct <|endoftext|>", &[8340, 49407]),
        (" <|endoftext|>", &[49407]),
        ("<|spe|>", &[49410]),
        (
            "A man riding a wave on top of a surfboard. <|endoftext|>",
            &[
                320, 786, 6765, 320, 4535, 525, 1253, 539, 320, 10176, 1972, 269, 49407,
            ],
        ),
        (
            "Café &amp; crème <|endoftext|>",
            &[15304, 261, 1075, 12138, 614, 49407],
        ),
        ("12:35 <|endoftext|>", &[272, 273, 281, 274, 276, 49407]),
    ];
    for (text, expected) in cases {
        assert_eq!(tokenizer().encode(text), *expected, "{text:?}");
    }
}

#[test]
fn basic_tokenize_splits_like_the_reference() {
    assert_eq!(
        tokenizer().basic_tokenize("Hello, World! it's 2021 <|endoftext|>"),
        [
            "hello",
            ",",
            "world",
            "!",
            "it",
            "'s",
            "2",
            "0",
            "2",
            "1",
            "<|endoftext|>"
        ]
    );
}

#[test]
fn vocabulary_entries_have_the_reference_ids() {
    let tokenizer = tokenizer();
    for (token, id) in [
        ("left</w>", 1823),
        ("right</w>", 1155),
        ("left", 33949),
        ("right", 13341),
        (".</w>", 269),
        ("<|mask|>", 49408),
        ("<|gen|>", 49409),
    ] {
        assert_eq!(tokenizer.token_id(token), Some(id), "{token}");
        assert_eq!(tokenizer.token(id), Some(token));
    }
    assert_eq!(tokenizer.token(VOCAB_SIZE as u32 - 1), Some("<|spe|>"));
    assert_eq!(tokenizer.token(VOCAB_SIZE as u32), None);
}

#[test]
fn whole_sets_match_the_spec_checksums() {
    let tokenizer = tokenizer();
    for (list, count, total, checksum) in [
        (
            IMAGENET1K_NAMES,
            1000,
            3171,
            "52f751d8262843e9538365013e693bfa6d25f9e1bf4d1127780ee3f295e4cb4f",
        ),
        (
            K400_NAMES,
            400,
            1344,
            "fb86d8d81ff25ddddbb4938456795516ef1b1fba7fa0e2ed5efb923531de4806",
        ),
        (
            K700_NAMES,
            700,
            2439,
            "2f0bf6d7d94384e3bead7b9b1ff0d0e83f0c7a0b3f74778be56ccf430ac40e8c",
        ),
        (
            MIT_NAMES,
            339,
            783,
            "fdf985e4df71fa2f81230bcd9761d50b03cfd87fff0034093048c3b2d3679ab7",
        ),
    ] {
        let ids = targets::encode_names(tokenizer, &targets::names(list));
        assert_eq!(ids.len(), count);
        assert_eq!(ids.iter().map(Vec::len).sum::<usize>(), total);
        assert_eq!(sha256_hex(targets::ids_json(&ids).as_bytes()), checksum);
    }
    assert_eq!(
        sha256_hex(targets::ids_json(&targets::vocab_ids()).as_bytes()),
        "77748d9d98e605b1b2d25f4cd1779c5c41c15b1e025c02394dd37975b96b67de"
    );
}

#[test]
fn built_in_lists_are_the_shared_ones() {
    let Some(data) = cocoprep_test::shared_data() else {
        eprintln!("skipped: ../shared/data is absent");
        return;
    };
    for (file, list) in [
        ("imagenet1k.txt", IMAGENET1K_NAMES),
        ("k400.txt", K400_NAMES),
        ("k700.txt", K700_NAMES),
        ("mit.txt", MIT_NAMES),
    ] {
        let shared = std::fs::read_to_string(data.join("target-names").join(file)).expect("names");
        assert_eq!(shared, list, "{file}");
    }
}
