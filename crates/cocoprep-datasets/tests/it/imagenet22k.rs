//! ImageNet-22k's `imagenet_22k_filelist_short.txt` from a generated fall11-style tree
//! (`<wnid>/<wnid>_<num>.JPEG`): the loader's line format, the class-id orders and what is
//! left out.

use std::path::Path;

use cocoprep_base::progress::NoReporter;
use cocoprep_datasets::imagenet22k::{self, ClassOrder};

fn touch(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, b"jpg").unwrap();
}

/// Three classes; `n00000002` is the only ImageNet-1k one in the tests' "1k" list.
fn tree(source: &Path) {
    for (wnid, numbers) in [
        ("n00000001", &[10, 2, 1][..]),
        ("n00000002", &[7][..]),
        ("n00000003", &[100, 20][..]),
    ] {
        for number in numbers {
            touch(&source.join(format!("{wnid}/{wnid}_{number}.JPEG")));
        }
    }
    // Left out: another wnid's name, another extension, a stray folder.
    touch(&source.join("n00000001/n00000002_5.JPEG"));
    touch(&source.join("n00000003/n00000003_4.jpg"));
    std::fs::create_dir_all(source.join("n00000003/n00000003_9.JPEG")).unwrap();
}

fn list(dataset_folder: &Path) -> String {
    std::fs::read_to_string(dataset_folder.join(imagenet22k::LIST_FILE)).unwrap()
}

#[test]
fn imagenet22k_list_puts_imagenet1k_classes_first_and_sorts_images_numerically() {
    let source = cocoprep_test::temp_dir();
    tree(source.path());
    let osd = cocoprep_test::temp_dir();
    let order = ClassOrder::Imagenet1kFirst(vec!["n00000002".to_owned()]);
    let prepared = imagenet22k::prepare(osd.path(), source.path(), &order, &NoReporter).unwrap();
    assert_eq!(
        list(osd.path()),
        "n00000002 7 0\n\
         n00000001 1 1\nn00000001 2 1\nn00000001 10 1\n\
         n00000003 20 2\nn00000003 100 2\n"
    );
    assert_eq!(
        (prepared.classes, prepared.images, prepared.skipped),
        (3, 6, 3)
    );
    // The tree's imagenet22k/ now leads to the source, so every line's image opens.
    let link = prepared.linked.expect("imagenet22k linked to the source");
    assert!(link.join("n00000003/n00000003_100.JPEG").is_file());
}

#[test]
fn imagenet22k_list_without_imagenet1k_classes_is_in_sorted_wnid_order() {
    let source = cocoprep_test::temp_dir();
    tree(source.path());
    let osd = cocoprep_test::temp_dir();
    let order = ClassOrder::Imagenet1kFirst(Vec::new());
    imagenet22k::prepare(osd.path(), source.path(), &order, &NoReporter).unwrap();
    let classes: Vec<(String, String)> = list(osd.path())
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split(' ').collect();
            (fields[0].to_owned(), fields[2].to_owned())
        })
        .collect();
    let expected = [("n00000001", "0"), ("n00000002", "1"), ("n00000003", "2")];
    for (index, (wnid, id)) in [0, 3, 5].into_iter().zip(expected) {
        assert_eq!(classes[index], (wnid.to_owned(), id.to_owned()));
    }
}

#[test]
fn imagenet22k_listed_order_gives_ids_by_line_and_rejects_an_unlisted_class() {
    let source = cocoprep_test::temp_dir();
    tree(source.path());
    let names = source.path().join("classes.txt");
    std::fs::write(
        &names,
        "n00000009 not here\nn00000003 third\nn00000001\tfirst\n\nn00000002 second\n",
    )
    .unwrap();
    let wnids = imagenet22k::read_wnid_list(&names).unwrap();
    assert_eq!(wnids, ["n00000009", "n00000003", "n00000001", "n00000002"]);
    let osd = cocoprep_test::temp_dir();
    let order = ClassOrder::Listed(wnids);
    imagenet22k::prepare(osd.path(), source.path(), &order, &NoReporter).unwrap();
    let text = list(osd.path());
    assert!(
        text.starts_with("n00000003 20 1\nn00000003 100 1\nn00000001 1 2\n"),
        "{text}"
    );
    assert!(text.ends_with("n00000002 7 3\n"), "{text}");

    let order = ClassOrder::Listed(vec!["n00000001".to_owned()]);
    let error = imagenet22k::prepare(osd.path(), source.path(), &order, &NoReporter)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("n00000002") && error.contains("not in the class list"),
        "{error}"
    );
}

#[test]
fn imagenet22k_refuses_a_source_without_class_folders_and_a_malformed_class_list() {
    let empty = cocoprep_test::temp_dir();
    let osd = cocoprep_test::temp_dir();
    let order = ClassOrder::Imagenet1kFirst(Vec::new());
    let error = imagenet22k::prepare(osd.path(), empty.path(), &order, &NoReporter)
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("missing ImageNet-22k class folders"),
        "{error}"
    );
    let names = empty.path().join("names.txt");
    std::fs::write(&names, "n00000001\ntench\n").unwrap();
    let error = imagenet22k::read_wnid_list(&names).unwrap_err().to_string();
    assert!(
        error.contains("line 2") && error.contains("`tench`"),
        "{error}"
    );
}
