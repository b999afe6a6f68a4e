//! cocoprep against the reference outputs in `shared/golden/captions` (made by
//! self-critical's prepro_labels.py, prepro_ngrams.py and prepro_reference_json.py on the
//! real val2017 captions in Karpathy format) and against the Uni-Perceiver and coco-scripts
//! algorithms on the same file. Skipped with a message when `shared/` is absent.

use crate::support;

use std::path::{Path, PathBuf};

use cocoprep_base::progress::NoReporter;
use cocoprep_captions::convert::{
    ImageOrder, from_coco, from_flickr8k, read_image_list, write_karpathy_file,
};
use cocoprep_captions::karpathy::Split;
use cocoprep_captions::labels::{LabelsOptions, LabelsOutputs, prepare_labels};
use cocoprep_captions::ngrams::{SplitSelection, prepare_ngrams};
use cocoprep_captions::reference::prepare_reference;
use cocoprep_captions::splits::prepare_splits;
use cocoprep_captions::subsample::{DEFAULT_SEED, subsample};

fn golden() -> Option<PathBuf> {
    let folder = cocoprep_test::shared_golden().map(|golden| golden.join("captions"));
    if folder.is_none() {
        eprintln!("skipped: shared/golden/captions is not available (set COCOPREP_SHARED)");
    }
    folder
}

fn dataset(golden: &Path) -> PathBuf {
    golden.join("dataset_coco_val2017.json")
}

#[test]
fn labels_equal_prepro_labels_outputs() {
    let Some(golden) = golden() else { return };
    let folder = cocoprep_test::temp_dir();
    let outputs = LabelsOutputs::new(
        &folder.path().join("cocotalk.json"),
        &folder.path().join("cocotalk"),
    );
    for jobs in [1, 2] {
        let options = LabelsOptions {
            jobs,
            ..LabelsOptions::default()
        };
        let summary = prepare_labels(&dataset(&golden), &outputs, &options, &NoReporter).unwrap();
        assert_eq!(
            (summary.images, summary.captions, summary.vocabulary),
            (5000, 25014, 2086)
        );
        support::assert_same_bytes(&golden.join("cocotalk.json"), &outputs.json);
        support::assert_same_hdf5(&golden.join("cocotalk_label.h5"), &outputs.hdf5);
    }
}

#[test]
fn ngrams_equal_prepro_ngrams_outputs() {
    let Some(golden) = golden() else { return };
    let folder = cocoprep_test::temp_dir();
    let summary = prepare_ngrams(
        &dataset(&golden),
        &golden.join("cocotalk.json"),
        &folder.path().join("coco-train"),
        &SplitSelection::from_name("train"),
        2,
        &NoReporter,
    )
    .unwrap();
    assert_eq!(summary.images, 3799);
    support::assert_same_pickle(&golden.join("coco-train-words.p"), &summary.words_path);
    support::assert_same_pickle(&golden.join("coco-train-idxs.p"), &summary.idxs_path);
    // Same input, same bytes (Python's own output order changes from run to run).
    let again = folder.path().join("again");
    let second = prepare_ngrams(
        &dataset(&golden),
        &golden.join("cocotalk.json"),
        &again,
        &SplitSelection::from_name("train"),
        1,
        &NoReporter,
    )
    .unwrap();
    support::assert_same_bytes(&summary.idxs_path, &second.idxs_path);
}

#[test]
fn reference_equals_prepro_reference_json_output_and_loads_in_pycocotools() {
    let Some(golden) = golden() else { return };
    let folder = cocoprep_test::temp_dir();
    let output = folder.path().join("coco_reference.json");
    let summary = prepare_reference(&dataset(&golden), &output, 2, &NoReporter).unwrap();
    assert_eq!((summary.images, summary.captions), (2431, 12161));
    support::assert_same_bytes(&golden.join("coco_reference.json"), &output);
    assert_loads_in_pycocotools(&output);
}

/// pycocotools' COCO loads the file and `loadRes` takes caption results for its images.
fn assert_loads_in_pycocotools(path: &Path) {
    let script = r#"
import sys, json, contextlib, io
from pycocotools.coco import COCO
with contextlib.redirect_stdout(io.StringIO()):
    coco = COCO(sys.argv[1])
    image_ids = coco.getImgIds()
    results = [{'image_id': i, 'caption': 'a picture'} for i in image_ids]
    predictions = coco.loadRes(results)
assert len(predictions.getImgIds()) == len(image_ids)
print(len(image_ids), len(coco.getAnnIds()))
"#;
    let output = cocoprep_test::run_python(script, &[path]);
    assert!(!output.trim().is_empty());
}

#[test]
fn split_files_equal_coco_preprocess_outputs_plus_info() {
    let Some(golden) = golden() else { return };
    let folder = cocoprep_test::temp_dir();
    let reference = folder.path().join("reference");
    std::fs::create_dir(&reference).unwrap();
    support::run_reference(
        "coco_preprocess.py",
        &[
            dataset(&golden).to_str().unwrap(),
            reference.to_str().unwrap(),
        ],
        folder.path(),
    );
    let ours = folder.path().join("ours");
    let files = prepare_splits(&dataset(&golden), &ours, 2, &NoReporter).unwrap();
    let counts: Vec<_> = files
        .iter()
        .map(|file| (file.images, file.captions))
        .collect();
    assert_eq!(counts, vec![(3799, 19006), (608, 3042), (593, 2966)]);
    for file in &files {
        let name = file.path.file_name().unwrap();
        // The script's output with `info`, `licenses` and `type` appended.
        let mut expected = std::fs::read_to_string(reference.join(name)).unwrap();
        let ours = std::fs::read_to_string(&file.path).unwrap();
        expected.pop();
        let appended = &ours[expected.len()..];
        assert!(ours.starts_with(&expected), "{}", file.path.display());
        assert!(
            appended.starts_with(r#", "info": {"description": "COCO captions, Karpathy "#)
                && appended.ends_with(r#"}, "licenses": [], "type": "captions"}"#),
            "{appended}"
        );
        assert_loads_in_pycocotools(&file.path);
    }
}

#[test]
fn subsample_equals_coco_splits_output() {
    let Some(golden) = golden() else { return };
    let folder = cocoprep_test::temp_dir();
    // 0.29 is the script's `int(0.29 * 100) == 28` file name; 0.5 takes the pool branch
    // of random.sample, 0.1 the set branch.
    for (fraction, percent) in [(0.1, 10), (0.29, 28), (0.5, 50), (1.0, 100), (0.0, 0)] {
        support::run_reference(
            "coco_splits.py",
            &[
                "--dataset_json",
                dataset(&golden).to_str().unwrap(),
                "--output_location",
                folder.path().to_str().unwrap(),
                "--percentage",
                &fraction.to_string(),
            ],
            folder.path(),
        );
        let ours = folder.path().join(format!("ours_{percent}.json"));
        let summary = subsample(
            &dataset(&golden),
            &ours,
            fraction,
            DEFAULT_SEED,
            2,
            &NoReporter,
        )
        .unwrap();
        assert_eq!(summary.sampled, (3799.0 * fraction) as usize);
        support::assert_same_bytes(
            &folder.path().join(format!("dataset_coco_{percent}.json")),
            &ours,
        );
    }
}

#[test]
fn karpathy_from_coco_captions_reproduces_the_golden_dataset_file() {
    let Some(golden) = golden() else { return };
    let data = cocoprep_test::shared_data().unwrap();
    let built = from_coco(
        &[data.join("coco-val2017-captions/captions_val2017.json")],
        &read_image_list(&data.join("karpathy-lists/karpathy_test_images.txt")).unwrap(),
        &read_image_list(&data.join("karpathy-lists/karpathy_val_images.txt")).unwrap(),
        ImageOrder::Id,
        2,
        &NoReporter,
    )
    .unwrap();
    assert_eq!(built.images.len(), 5000);
    assert_eq!(
        (built.count(&Split::Val), built.count(&Split::Test)),
        (608, 593)
    );
    assert_eq!(built.count(&Split::Restval), 3799);
    assert_eq!(built.listed_but_missing, 10000 - 608 - 593);
    let folder = cocoprep_test::temp_dir();
    let ours = folder.path().join("dataset.json");
    write_karpathy_file(&ours, &built).unwrap();
    // The golden file splits val2017's non-Karpathy images into `train` and `restval` by a
    // rule of its own; from a val folder they are all `restval`. Everything else (order,
    // tokens, raw text, ids, member order, formatting) is byte-identical.
    let script = r#"
import sys, json
golden = json.load(open(sys.argv[1]))
for image in golden['images']:
    if image['split'] == 'train':
        image['split'] = 'restval'
expected = json.dumps(golden)
actual = open(sys.argv[2]).read()
assert expected == actual, next(i for i in range(len(expected)) if expected[i] != actual[i])
print('ok')
"#;
    let output = cocoprep_test::run_python(script, &[&dataset(&golden), &ours]);
    assert_eq!(output.trim(), "ok");
}

#[test]
fn karpathy_from_flickr8k_tokenizes_as_python_and_runs_through_labels() {
    let Some(data) = cocoprep_test::shared_data() else {
        eprintln!("skipped: shared/data is not available");
        return;
    };
    let folder = cocoprep_test::temp_dir();
    let built = from_flickr8k(&data.join("flickr8k-text"), ImageOrder::File).unwrap();
    assert_eq!(built.images.len(), 8000);
    assert_eq!(
        (
            built.count(&Split::Train),
            built.count(&Split::Val),
            built.count(&Split::Test)
        ),
        (6000, 1000, 1000)
    );
    assert_eq!(built.sentences(), 40000);
    let ours = folder.path().join("dataset_flickr8k.json");
    write_karpathy_file(&ours, &built).unwrap();
    // The same file made in Python from the release with Karpathy's tokenization.
    let script = r#"
import sys, json, os, string
root = sys.argv[1]
captions = {}
for line in open(os.path.join(root, 'Flickr8k.token.txt'), encoding='utf-8'):
    if not line.strip():
        continue
    key, caption = line.rstrip('\n').split('\t', 1)
    captions.setdefault(key.rsplit('#', 1)[0], []).append(caption)
images, sentid = [], 0
for name, split in [('Flickr_8k.trainImages.txt', 'train'), ('Flickr_8k.devImages.txt', 'val'), ('Flickr_8k.testImages.txt', 'test')]:
    for filename in open(os.path.join(root, name)).read().split('\n'):
        filename = filename.strip()
        if not filename:
            continue
        imgid = len(images)
        sentences = []
        for raw in captions[filename]:
            tokens = raw.lower().translate(str.maketrans('', '', string.punctuation)).split()
            sentences.append({'tokens': tokens, 'raw': raw, 'imgid': imgid, 'sentid': sentid})
            sentid += 1
        images.append({'sentids': [s['sentid'] for s in sentences], 'filename': filename, 'imgid': imgid, 'split': split, 'sentences': sentences})
expected = json.dumps({'images': images, 'dataset': 'flickr8k'})
assert open(sys.argv[2]).read() == expected
print('ok')
"#;
    let output = cocoprep_test::run_python(script, &[&data.join("flickr8k-text"), &ours]);
    assert_eq!(output.trim(), "ok");

    // Flickr images have no cocoid: `id` falls back to `imgid`, as in prepro_labels.py.
    let outputs = LabelsOutputs::new(
        &folder.path().join("talk.json"),
        &folder.path().join("talk"),
    );
    prepare_labels(&ours, &outputs, &LabelsOptions::default(), &NoReporter).unwrap();
    let talk = std::fs::read_to_string(&outputs.json).unwrap();
    assert!(
        talk.contains(r#"{"split": "train", "file_path": "2513260012_03d33305cf.jpg", "id": 0}"#)
    );
}
