//! GLUE: `bert_pretrain_data/glue_data/<TASK>/processed/<split>.tsv` as the first stage of
//! fairseq's `examples/roberta/preprocess_GLUE_tasks.sh` writes them (Uni-Perceiver's
//! `GLUE.py` reads these files, with fairseq's column numbers).
//!
//! Per split: the raw TSV without its header line (`tail -n +2`; CoLA's train and dev have
//! no header and are copied), and for QQP's train and dev only the lines with exactly six
//! tab-separated fields (`awk -F '\t' 'NF==6'`, which also ends the last line with `\n`).

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::files;

/// The GLUE folder under `open_source_dataset/` (the configs' `ANNO_FOLDER`).
pub const GLUE_DIR: &str = "bert_pretrain_data/glue_data";

/// The tasks fairseq's script knows, in its order.
pub const TASKS: [&str; 8] = [
    "QQP", "MNLI", "QNLI", "MRPC", "RTE", "STS-B", "SST-2", "CoLA",
];

/// The splits of `task`.
pub fn splits(task: &str) -> &'static [&'static str] {
    if task == "MNLI" {
        &[
            "train",
            "dev_matched",
            "dev_mismatched",
            "test_matched",
            "test_mismatched",
        ]
    } else {
        &["train", "dev", "test"]
    }
}

/// The processed bytes of one split's raw TSV.
pub fn process(task: &str, split: &str, raw: &[u8]) -> Vec<u8> {
    let without_header: &[u8] = if task == "CoLA" && split != "test" {
        raw
    } else {
        // `tail -n +2`: everything after the first newline (nothing if there is none).
        memchr_newline(raw).map_or(&[], |end| &raw[end + 1..])
    };
    if task == "QQP" && split != "test" {
        let mut kept = Vec::with_capacity(without_header.len());
        let body = without_header.strip_suffix(b"\n").unwrap_or(without_header);
        if !without_header.is_empty() {
            for record in body.split(|&byte| byte == b'\n') {
                // awk's NF with FS = "\t": 0 for an empty record, else tabs + 1.
                let fields = if record.is_empty() {
                    0
                } else {
                    record.iter().filter(|&&byte| byte == b'\t').count() + 1
                };
                if fields == 6 {
                    kept.extend_from_slice(record);
                    kept.push(b'\n');
                }
            }
        }
        kept
    } else {
        without_header.to_vec()
    }
}

fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&byte| byte == b'\n')
}

/// One task processed by [`prepare`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreparedTask {
    /// The task's name.
    pub task: &'static str,
    /// The files written, with their number of lines.
    pub files: Vec<(PathBuf, usize)>,
}

/// Processes every task found in `raw_glue` (the GLUE download: `<TASK>/<split>.tsv`) into
/// `glue_dir/<TASK>/processed/`. A task folder that is absent is skipped; a task without one
/// of its splits is an error naming the file.
pub fn prepare(raw_glue: &Path, glue_dir: &Path) -> Result<Vec<PreparedTask>, Error> {
    let mut prepared = Vec::new();
    for task in TASKS {
        let task_dir = raw_glue.join(task);
        if !task_dir.is_dir() {
            continue;
        }
        let mut written = Vec::new();
        for split in splits(task) {
            let input = task_dir.join(format!("{split}.tsv"));
            if !input.is_file() {
                return Err(Error::MissingInput {
                    what: "GLUE split file (from the GLUE download script)",
                    path: input,
                });
            }
            let output = glue_dir
                .join(task)
                .join("processed")
                .join(format!("{split}.tsv"));
            let processed = process(task, split, &files::read(&input)?);
            let lines = processed.iter().filter(|&&byte| byte == b'\n').count();
            files::write(&output, &processed)?;
            written.push((output, lines));
        }
        prepared.push(PreparedTask {
            task,
            files: written,
        });
    }
    if prepared.is_empty() {
        return Err(Error::invalid(
            raw_glue,
            format!(
                "no GLUE task folder ({}): expected the GLUE download folder",
                TASKS.join(", ")
            ),
        ));
    }
    Ok(prepared)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_dropped_except_for_cola_train_and_dev() {
        assert_eq!(process("RTE", "train", b"h\na\tb\n"), b"a\tb\n");
        assert_eq!(process("CoLA", "train", b"a\tb\n"), b"a\tb\n");
        assert_eq!(process("CoLA", "test", b"h\na\n"), b"a\n");
        assert_eq!(process("RTE", "dev", b"only header"), b"");
    }

    #[test]
    fn qqp_keeps_six_field_lines_and_ends_the_last() {
        let raw = b"h\n1\t2\t3\t4\t5\t6\n1\t2\t3\t4\t5\n\n1\t2\t3\t4\t5\t6";
        assert_eq!(
            process("QQP", "train", raw),
            b"1\t2\t3\t4\t5\t6\n1\t2\t3\t4\t5\t6\n"
        );
        assert_eq!(process("QQP", "test", b"h\n1\t2\n"), b"1\t2\n");
    }
}
