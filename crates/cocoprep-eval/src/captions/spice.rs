//! SPICE 1.0 through its Java jar, run as pycocoevalcap's `spice/spice.py` runs it: the
//! tokenized captions of each image (sorted by image id, as `sorted(gts.keys())`) go to
//! `java -jar -Xmx8G spice-1.0.jar IN.json -out OUT.json -subset -silent`, and the corpus
//! SPICE is NumPy's mean of each image's `All` F-score (`null` read as NaN), so the
//! numbers are the jar's own.
//!
//! What users of pycocoevalcap meet instead of a score, turned into errors that say what to
//! do:
//! * no `java` on `PATH`, or a Java older than 8 (`UnsupportedClassVersionError`);
//! * Stanford CoreNLP 3.6.0 missing from the jar's `lib/` (pycocoevalcap downloads it on
//!   first use from nlp.stanford.edu, which clusters often cannot reach; the jar then fails
//!   with `NoClassDefFoundError: edu/stanford/nlp/...`);
//! * Java 16 and later refusing the FST serializer of SPICE's parse cache
//!   (`InaccessibleObjectException`): `SpiceParser`'s constructor opens the LMDB/FST cache
//!   only when `-cache` is given (its bytecode, lines 177-178), so cocoprep gives none and
//!   runs on current Java; the price is that every run parses the references again;
//! * the JVM not getting its 8 GB heap.

use std::cmp::Ordering;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use cocoprep_formats::python_json::PythonJsonWriter;

use super::{Error, ImageId, TokenizedImage, java, numpy};

/// SPICE for the corpus (the mean of the images' F-scores) and for each image.
#[derive(Clone, Debug, PartialEq)]
pub struct SpiceScores {
    /// `SPICE`: NaN when any image's F-score is undefined, as `np.mean` gives.
    pub corpus: f64,
    /// Each image's `All` F-score, in evaluation order.
    pub per_image: Vec<f64>,
}

/// The CoreNLP jars SPICE's manifest puts on its class path (`lib/...`).
const CORENLP_JARS: [&str; 2] = [
    "stanford-corenlp-3.6.0.jar",
    "stanford-corenlp-3.6.0-models.jar",
];

fn unavailable(reason: String) -> Error {
    Error::JavaMetric {
        metric: "SPICE",
        reason,
    }
}

pub(crate) fn spice(
    image_ids: &[&ImageId],
    images: &[TokenizedImage],
    jar: &Path,
) -> Result<SpiceScores, Error> {
    let folder = check_installation(jar)?;
    check_java()?;
    // pycocoevalcap scores `sorted(gts.keys())`; the order matters for the mean's sum.
    let mut order: Vec<usize> = (0..images.len()).collect();
    order.sort_by(|&a, &b| python_order(image_ids[a], image_ids[b]));

    let work = tempfile::Builder::new()
        .prefix("cocoprep-spice-")
        .tempdir()
        .map_err(|error| unavailable(format!("cannot make a temporary folder: {error}")))?;
    let input = work.path().join("input.json");
    let output = work.path().join("output.json");
    fs_err::write(&input, input_json(&order, image_ids, images))
        .map_err(|error| unavailable(format!("cannot write its input: {error}")))?;

    let mut child = Command::new("java")
        .args(["-jar", "-Xmx8G"])
        .arg(jar.file_name().unwrap_or(jar.as_os_str()))
        .arg(&input)
        .arg("-out")
        .arg(&output)
        .args(["-subset", "-silent"])
        .current_dir(&folder)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| unavailable(java::not_started(&error)))?;
    // Java's messages are collected on the side so a full pipe never blocks it.
    let (Some(mut stdout), Some(mut stderr)) = (child.stdout.take(), child.stderr.take()) else {
        unreachable!("both streams are piped");
    };
    let stdout_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let mut printed = String::new();
    let _ = stderr.read_to_string(&mut printed);
    let status = child
        .wait()
        .map_err(|error| unavailable(format!("cannot wait for `java`: {error}")))?;
    printed.push_str(&stdout_reader.join().unwrap_or_default());
    if !status.success() {
        return Err(Error::JavaMetricFailed {
            metric: "SPICE",
            jar: jar.to_owned(),
            message: failure_message(&status.to_string(), &printed, &folder),
        });
    }
    let text = fs_err::read(&output).map_err(|source| Error::Read {
        path: output.clone(),
        source,
    })?;
    let sorted_scores =
        read_scores(&text, &order, image_ids).map_err(|message| Error::JavaMetricFailed {
            metric: "SPICE",
            jar: jar.to_owned(),
            message,
        })?;
    let corpus = numpy::mean(&sorted_scores);
    let mut per_image = vec![f64::NAN; images.len()];
    for (&index, &score) in order.iter().zip(&sorted_scores) {
        per_image[index] = score;
    }
    Ok(SpiceScores { corpus, per_image })
}

/// The jar's folder, once the jar and the CoreNLP jars its manifest names are there.
fn check_installation(jar: &Path) -> Result<PathBuf, Error> {
    if !jar.is_file() {
        return Err(unavailable(format!(
            "`{}` does not exist (pycocoevalcap ships it as `pycocoevalcap/spice/spice-1.0.jar`, with its `lib/` folder next to it)",
            jar.display()
        )));
    }
    let folder = java::jar_folder(jar);
    let missing: Vec<String> = CORENLP_JARS
        .iter()
        .map(|name| folder.join("lib").join(name))
        .filter(|path| !path.is_file())
        .map(|path| format!("`{}`", path.display()))
        .collect();
    if !missing.is_empty() {
        return Err(unavailable(format!(
            "{} missing: SPICE parses captions with Stanford CoreNLP 3.6.0, which pycocoevalcap downloads on first use (`python -m pycocoevalcap.spice.get_stanford_models`, from http://nlp.stanford.edu/software/stanford-corenlp-full-2015-12-09.zip); where that server cannot be reached, copy the two jars of that zip into `{}`",
            missing.join(" and "),
            folder.join("lib").display()
        )));
    }
    Ok(folder)
}

/// Java's major version from `java -version`'s first line (`"1.8.0_312"` → 8, `"17.0.15"`
/// → 17).
pub(crate) fn java_major_version(version_output: &str) -> Option<u32> {
    let start = version_output.find('"')? + 1;
    let rest = &version_output[start..];
    let quoted = &rest[..rest.find('"')?];
    let mut parts = quoted.split(['.', '_', '-', '+']);
    let first: u32 = parts.next()?.parse().ok()?;
    if first == 1 {
        parts.next()?.parse().ok()
    } else {
        Some(first)
    }
}

fn check_java() -> Result<(), Error> {
    let output = Command::new("java")
        .arg("-version")
        .stdin(Stdio::null())
        .output()
        .map_err(|error| unavailable(java::not_started(&error)))?;
    let text = String::from_utf8_lossy(&output.stderr);
    match java_major_version(&text) {
        Some(major) if major < 8 => Err(unavailable(format!(
            "SPICE 1.0 is built for Java 8 and this `java` is version {major}; install Java 8 or newer"
        ))),
        // An unreadable banner is not a reason to refuse: the run itself will tell.
        _ => Ok(()),
    }
}

/// Python's `sorted` order of image ids: numbers by value, strings by code point (mixed
/// lists raise `TypeError` in Python; numbers first here).
fn python_order(a: &ImageId, b: &ImageId) -> Ordering {
    match (a, b) {
        (ImageId::Number(x), ImageId::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => match (x.as_u64(), y.as_u64()) {
                (Some(x), Some(y)) => x.cmp(&y),
                _ => {
                    let value = |n: &serde_json::Number| n.as_f64().unwrap_or(f64::NAN);
                    value(x).total_cmp(&value(y))
                }
            },
        },
        (ImageId::Text(x), ImageId::Text(y)) => x.cmp(y),
        (ImageId::Number(_), ImageId::Text(_)) => Ordering::Less,
        (ImageId::Text(_), ImageId::Number(_)) => Ordering::Greater,
    }
}

/// `[{"image_id": ..., "test": ..., "refs": [...]}, ...]` with `ensure_ascii`, as
/// `json.dump` writes it: the jar reads the file in the platform's charset, so non-ASCII
/// text must travel as `\u` escapes.
fn input_json(order: &[usize], image_ids: &[&ImageId], images: &[TokenizedImage]) -> Vec<u8> {
    let mut writer = PythonJsonWriter::new(Vec::new());
    let write = |writer: &mut PythonJsonWriter<Vec<u8>>| -> std::io::Result<()> {
        writer.begin_array()?;
        for &index in order {
            writer.begin_object()?;
            writer.key("image_id")?;
            image_id_value(writer, image_ids[index])?;
            writer.key("test")?;
            writer.string(&images[index].candidate)?;
            writer.key("refs")?;
            writer.begin_array()?;
            for reference in &images[index].references {
                writer.string(reference)?;
            }
            writer.end_array()?;
            writer.end_object()?;
        }
        writer.end_array()
    };
    write(&mut writer).expect("writing to memory cannot fail");
    writer.into_inner().expect("writing to memory cannot fail")
}

fn image_id_value(writer: &mut PythonJsonWriter<Vec<u8>>, id: &ImageId) -> std::io::Result<()> {
    match id {
        ImageId::Number(number) => writer.formatted_value(&number.to_string()),
        ImageId::Text(text) => writer.string(text),
    }
}

/// Each image's `All` F-score from the jar's output, in input order (`null`, which
/// json-simple writes for NaN, read as NaN, as pycocoevalcap's `float_convert` does).
pub(crate) fn read_scores(
    text: &[u8],
    order: &[usize],
    image_ids: &[&ImageId],
) -> Result<Vec<f64>, String> {
    let items: Vec<serde_json::Value> = serde_json::from_slice(text)
        .map_err(|error| format!("its output is not a JSON list: {error}"))?;
    if items.len() != order.len() {
        return Err(format!(
            "its output has {} images where {} were given",
            items.len(),
            order.len()
        ));
    }
    items
        .iter()
        .zip(order)
        .enumerate()
        .map(|(position, (item, &index))| {
            let expected = match image_ids[index] {
                ImageId::Number(number) => serde_json::Value::Number(number.clone()),
                ImageId::Text(text) => serde_json::Value::String(text.clone()),
            };
            let id = &item["image_id"];
            let same = match (id, &expected) {
                (serde_json::Value::Number(a), serde_json::Value::Number(b)) => {
                    a.as_f64() == b.as_f64()
                }
                _ => id == &expected,
            };
            if !same {
                return Err(format!(
                    "its output's image {position} is {id} where {expected} was expected"
                ));
            }
            match &item["scores"]["All"]["f"] {
                serde_json::Value::Null => Ok(f64::NAN),
                value => value.as_f64().ok_or_else(|| {
                    format!("image {expected}: `scores.All.f` is {value}, not a number")
                }),
            }
        })
        .collect()
}

/// What went wrong, with the end of what Java printed and, for the failures users know,
/// what to do.
fn failure_message(status: &str, printed: &str, folder: &Path) -> String {
    let mut message = format!("the jar exited with {status}");
    let printed = printed.trim();
    if !printed.is_empty() {
        // A Java stack trace says what failed in its `Exception`/`Caused by` lines; the
        // `at ...` frames and `... N more` only make it long.
        let lines: Vec<&str> = printed
            .lines()
            .filter(|line| {
                let line = line.trim_start();
                !(line.starts_with("at ") || line.starts_with("... "))
            })
            .collect();
        let tail = &lines[lines.len().saturating_sub(8)..];
        message.push_str(": java said:\n");
        message.push_str(&tail.join("\n"));
    }
    let hint = if printed.contains("NoClassDefFoundError: edu/stanford/nlp")
        || printed.contains("ClassNotFoundException: edu.stanford.nlp")
    {
        Some(format!(
            "Stanford CoreNLP 3.6.0 cannot be loaded from `{}`: its jars are damaged or not the 3.6.0 ones; fetch them again (pycocoevalcap's `get_stanford_models`)",
            folder.join("lib").display()
        ))
    } else if printed.contains("UnsupportedClassVersionError") {
        Some("this Java is older than Java 8, which SPICE 1.0 needs".to_owned())
    } else if printed.contains("InaccessibleObjectException") {
        Some(
            "Java 16 and later refuse SPICE's cache serializer; run SPICE with Java 8 or 11"
                .to_owned(),
        )
    } else if printed.contains("Could not reserve enough space")
        || printed.contains("OutOfMemoryError")
    {
        Some("SPICE asks Java for an 8 GB heap (as pycocoevalcap does); free memory".to_owned())
    } else {
        None
    };
    if let Some(hint) = hint {
        message.push_str("\n(");
        message.push_str(&hint);
        message.push(')');
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(n: i64) -> ImageId {
        ImageId::Number(n.into())
    }

    #[test]
    fn java_versions_are_read_from_old_and_new_banners() {
        assert_eq!(
            java_major_version("openjdk version \"1.8.0_312\"\nOpenJDK Runtime"),
            Some(8)
        );
        assert_eq!(
            java_major_version("openjdk version \"17.0.15\" 2025-04-15"),
            Some(17)
        );
        assert_eq!(
            java_major_version("java version \"21\" 2023-09-19"),
            Some(21)
        );
        assert_eq!(java_major_version("no quotes here"), None);
    }

    #[test]
    fn image_ids_are_sorted_as_python_sorts_them() {
        let ids = [number(10), number(9), number(100)];
        let mut order: Vec<usize> = (0..3).collect();
        order.sort_by(|&a, &b| python_order(&ids[a], &ids[b]));
        assert_eq!(order, [1, 0, 2]);
        let texts = [ImageId::Text("b".into()), ImageId::Text("a10".into())];
        assert_eq!(python_order(&texts[0], &texts[1]), Ordering::Greater);
    }

    #[test]
    fn input_is_ascii_json_in_sorted_order() {
        let ids = [number(2), number(1)];
        let refs: Vec<&ImageId> = ids.iter().collect();
        let images = [
            TokenizedImage {
                candidate: "a café".to_owned(),
                references: vec!["x".to_owned()],
            },
            TokenizedImage {
                candidate: "b".to_owned(),
                references: vec!["y".to_owned(), "z".to_owned()],
            },
        ];
        let text = input_json(&[1, 0], &refs, &images);
        assert_eq!(
            String::from_utf8(text).unwrap(),
            r#"[{"image_id": 1, "test": "b", "refs": ["y", "z"]}, {"image_id": 2, "test": "a caf\u00e9", "refs": ["x"]}]"#
        );
    }

    #[test]
    fn undefined_scores_are_nan_and_a_wrong_image_is_an_error() {
        let ids = [number(5), number(7)];
        let refs: Vec<&ImageId> = ids.iter().collect();
        let output = br#"[{"image_id": 5, "scores": {"All": {"f": 0.25, "pr": 0.5}}},
                          {"image_id": 7, "scores": {"All": {"f": null}}}]"#;
        let scores = read_scores(output, &[0, 1], &refs).unwrap();
        assert_eq!(scores[0], 0.25);
        assert!(scores[1].is_nan());
        let error = read_scores(output, &[1, 0], &refs).unwrap_err();
        assert!(
            error.contains("image 0 is 5 where 7 was expected"),
            "{error}"
        );
        assert!(read_scores(b"[]", &[0, 1], &refs).is_err());
    }
}
