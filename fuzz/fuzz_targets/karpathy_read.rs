//! The Karpathy reader (`dataset_*.json`) never panics on any input; the serial and the
//! parallel pipelines agree (same dataset, or the same error); and what it accepts is
//! well-formed JSON.
#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use cocoprep_captions::karpathy::{Fields, KarpathyDataset, ReadOptions, read_karpathy};
use cocoprep_base::progress::NoReporter;
use libfuzzer_sys::fuzz_target;

/// The reader takes a path (errors re-read the file for line and column), so each input is
/// written to one file per fuzzing process.
static INPUT: LazyLock<PathBuf> = LazyLock::new(|| {
    std::env::temp_dir().join(format!(
        "cocoprep-fuzz-karpathy-{}.json",
        std::process::id()
    ))
});

fuzz_target!(|data: &[u8]| {
    std::fs::write(&*INPUT, data).expect("write the input file");
    let all = Fields {
        tokens: true,
        raw: true,
        sentids: true,
    };
    let mut outcomes = Vec::new();
    for (jobs, fields) in [(1, all), (2, all), (2, Fields::default())] {
        let options = ReadOptions { jobs, fields };
        let outcome = read_karpathy(&INPUT, &options, &NoReporter).map(|dataset| {
            let summary = summarise(&dataset, fields);
            if !dataset.images().is_empty() {
                let _ = dataset.image_error(0, "fuzz");
            }
            summary
        });
        outcomes.push(outcome.map_err(|error| error.to_string()));
    }
    assert_eq!(outcomes[0], outcomes[1], "serial and parallel reads differ");
    if outcomes[0].is_ok() {
        assert!(serde_json::from_slice::<serde_json::Value>(data).is_ok());
        // Fewer fields: everything that is read anyway is the same.
        let images =
            |outcome: &Result<Summary, String>| outcome.as_ref().ok().map(|s| s.images.clone());
        if let Ok(summary) = &outcomes[2] {
            assert_eq!(Some(&summary.images), images(&outcomes[0]).as_ref());
        }
    }
});

/// Everything a dataset exposes, in a comparable form.
#[derive(Debug, PartialEq)]
struct Summary {
    images: Vec<String>,
    sentences: Vec<(Vec<String>, Option<String>, Option<i64>)>,
    words: Vec<(String, u64)>,
    dataset_member: Option<String>,
}

fn summarise(dataset: &KarpathyDataset, fields: Fields) -> Summary {
    let mut sentences = Vec::new();
    for image in dataset.images() {
        for sentence in dataset.sentences(image) {
            let tokens: Vec<String> = sentence
                .tokens()
                .iter()
                .map(|&id| dataset.words().word(id).to_owned())
                .collect();
            sentences.push((tokens, sentence.raw().map(str::to_owned), sentence.sentid()));
        }
    }
    assert_eq!(sentences.len(), dataset.sentence_count());
    if fields.tokens {
        assert!(sentences.iter().all(|(tokens, _, _)| !tokens.is_empty()));
    }
    Summary {
        images: dataset
            .images()
            .iter()
            .map(|image| {
                format!(
                    "{} {:?} {:?} {:?} {:?} {}",
                    image.split.as_str(),
                    image.filepath,
                    image.filename,
                    image.cocoid,
                    image.imgid,
                    dataset.sentences(image).len()
                )
            })
            .collect(),
        sentences,
        words: dataset
            .words()
            .iter()
            .map(|(_, word, count)| (word.to_owned(), count))
            .collect(),
        dataset_member: dataset.member("dataset").map(str::to_owned),
    }
}
