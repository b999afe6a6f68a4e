//! The test vectors of `shared/specs/captioning.md` (§2, §3), reproduced by running the
//! reference scripts: `fixtures/captions/tiny.json`.

use crate::support;

use cocoprep_base::progress::NoReporter;
use cocoprep_captions::karpathy::{Fields, ReadOptions, read_karpathy};
use cocoprep_captions::labels::{Labels, LabelsOptions, LabelsOutputs, Vocabulary, prepare_labels};
use cocoprep_captions::ngrams::{SplitSelection, prepare_ngrams};

fn tiny() -> cocoprep_captions::karpathy::KarpathyDataset {
    let options = ReadOptions {
        jobs: 1,
        fields: Fields {
            tokens: true,
            ..Fields::default()
        },
    };
    read_karpathy(&support::fixture("tiny.json"), &options, &NoReporter).unwrap()
}

#[test]
fn tiny_vector_threshold_1_gives_the_reference_json_and_labels() {
    let folder = cocoprep_test::temp_dir();
    let outputs = LabelsOutputs::new(
        &folder.path().join("talk.json"),
        &folder.path().join("talk"),
    );
    let options = LabelsOptions {
        word_count_threshold: 1,
        jobs: 2,
        ..LabelsOptions::default()
    };
    prepare_labels(
        &support::fixture("tiny.json"),
        &outputs,
        &options,
        &NoReporter,
    )
    .unwrap();
    // md5 d81bef991507adbcf19923bfeee1b8db in the spec.
    assert_eq!(
        std::fs::read_to_string(&outputs.json).unwrap(),
        r#"{"ix_to_word": {"1": "a", "2": "dog", "3": "cat", "4": "the", "5": "UNK"}, "images": [{"split": "test", "file_path": "val2014/COCO_val2014_000000000042.jpg", "id": 42}, {"split": "train", "file_path": "train2014/COCO_train2014_000000000009.jpg", "id": 9}, {"split": "restval", "file_path": "val2014/COCO_val2014_000000000073.jpg", "id": 73}, {"split": "val", "file_path": "val2014/COCO_val2014_000000000074.jpg", "id": 74}]}"#
    );
    assert_eq!(outputs.hdf5, folder.path().join("talk_label.h5"));

    let dataset = tiny();
    let labels = Labels::encode(&dataset, &Vocabulary::build(dataset.words(), 1), 16);
    let row = |values: &[u32]| {
        let mut row = values.to_vec();
        row.resize(16, 0);
        row
    };
    let expected: Vec<u32> = [
        row(&[1, 2, 5]),
        row(&[1, 3, 5, 5, 1, 5, 5, 4, 5, 5, 2, 5, 1, 5, 5, 5]),
        row(&[4, 2, 5]),
        row(&[1, 2]),
        row(&[5, 1]),
        row(&[4, 3]),
    ]
    .concat();
    assert_eq!(labels.labels, expected);
    assert_eq!(labels.label_start_ix, [1, 3, 4, 6]);
    assert_eq!(labels.label_end_ix, [2, 3, 5, 6]);
    assert_eq!(labels.label_length, [3, 16, 3, 2, 2, 2]);

    // The same arrays, read back from the file by h5py.
    let script = r#"
import sys, h5py
f = h5py.File(sys.argv[1], 'r')
print({k: (str(f[k].dtype), f[k].shape) for k in sorted(f)})
print(f['labels'][1].tolist(), f['label_start_ix'][:].tolist(), f['label_end_ix'][:].tolist(), f['label_length'][:].tolist())
"#;
    let output = cocoprep_test::run_python(script, &[&outputs.hdf5]);
    assert_eq!(
        output,
        "{'label_end_ix': ('uint32', (4,)), 'label_length': ('uint32', (6,)), 'label_start_ix': ('uint32', (4,)), 'labels': ('uint32', (6, 16))}\n\
         [1, 3, 5, 5, 1, 5, 5, 4, 5, 5, 2, 5, 1, 5, 5, 5] [1, 3, 4, 6] [2, 3, 5, 6] [3, 16, 3, 2, 2, 2]\n"
    );
}

#[test]
fn tiny_vector_threshold_0_keeps_every_word_without_unk() {
    let dataset = tiny();
    let vocabulary = Vocabulary::build(dataset.words(), 0);
    assert!(!vocabulary.has_unknown());
    assert_eq!(
        vocabulary.words().join(" "),
        "a dog runs cat sits on mat near the big red and small blue bird today caf\u{e9} zebra"
    );
    let labels = Labels::encode(&dataset, &vocabulary, 4);
    assert_eq!(
        labels.labels,
        [
            1, 2, 3, 0, 1, 4, 5, 6, 9, 2, 17, 0, 1, 2, 0, 0, 18, 1, 0, 0, 9, 4, 0, 0
        ]
    );
    assert_eq!(labels.label_length, [3, 4, 3, 2, 2, 2]);
}

#[test]
fn tiny_vector_ngrams_of_train_and_restval() {
    let folder = cocoprep_test::temp_dir();
    let dictionary = folder.path().join("talk.json");
    let options = LabelsOptions {
        word_count_threshold: 1,
        ..LabelsOptions::default()
    };
    prepare_labels(
        &support::fixture("tiny.json"),
        &LabelsOutputs::new(&dictionary, &folder.path().join("talk")),
        &options,
        &NoReporter,
    )
    .unwrap();
    let prefix = folder.path().join("coco-train");
    let summary = prepare_ngrams(
        &support::fixture("tiny.json"),
        &dictionary,
        &prefix,
        &SplitSelection::from_name("train"),
        2,
        &NoReporter,
    )
    .unwrap();
    assert_eq!(summary.images, 2);
    // The spec's listing of the idxs pickle; the words pickle is the same with
    // 1 = a, 2 = dog, 4 = the, 5 = UNK, 0 = <eos>.
    let script = r#"
import sys, pickle
idxs = pickle.load(open(sys.argv[1], 'rb'))
words = pickle.load(open(sys.argv[2], 'rb'))
index = {'<eos>': '0', 'a': '1', 'dog': '2', 'the': '4', 'UNK': '5'}
as_indices = {tuple(index[w] for w in key): value for key, value in words['document_frequency'].items()}
assert as_indices == idxs['document_frequency'] and words['ref_len'] == idxs['ref_len']
print(idxs['ref_len'], sorted(idxs['document_frequency'].items()))
"#;
    let output = cocoprep_test::run_python(script, &[&summary.idxs_path, &summary.words_path]);
    assert_eq!(
        output.trim_end(),
        "2 [(('0',), 2.0), (('1',), 1.0), (('1', '0'), 1.0), (('1', '2'), 1.0), (('1', '2', '0'), 1.0), (('2',), 2.0), (('2', '0'), 1.0), (('2', '5'), 1.0), (('2', '5', '0'), 1.0), (('4',), 1.0), (('4', '2'), 1.0), (('4', '2', '5'), 1.0), (('4', '2', '5', '0'), 1.0), (('5',), 2.0), (('5', '0'), 1.0), (('5', '1'), 1.0), (('5', '1', '0'), 1.0)]"
    );
}
