//! Books & Wiki for masked language modelling: `bert_pretrain_data/bookswiki/bookswiki.doc`
//! (`cat wiki.doc bc1g.doc > bookswiki.doc`, `data/prepare_data.md`) and
//! `bookswiki-1000.doc`, which the loader (`general_corpus.py`, v1) reads instead when it runs
//! on one GPU (and for validation): the first 1000 non-empty lines (it strips each line and
//! skips empty ones, and without SLURM uses only lines [0, 1000)).
//!
//! The v2 loader (`DATASETS.VERSION: v2`, under SLURM) reads `bookswiki_v2.txt` (and
//! `bookswiki_v2-1000.doc` on one GPU and for validation) from the same folder and splits
//! it into rank blocks by a hard-coded length, [`V2_LINES`] non-empty lines: lines past it
//! are never read, and a shorter file leaves the last ranks short or empty. [`prepare_v2`]
//! writes those names and records the non-empty line count in a small sidecar
//! ([`LINE_COUNT_SIDECAR`]) so that the tree check can compare it with [`V2_LINES`] without
//! reading a 40 GB file again.
//!
//! One difference from `cat`, on purpose: when an input does not end with a newline, one is
//! added before the next input, so its last line does not run into the next file's first.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use cocoprep_base::AtomicFile;

use crate::error::Error;
use crate::python_text;

/// The folder under `open_source_dataset/` (the v1 loader's `ANNO_FOLDER`).
pub const BOOKSWIKI_DIR: &str = "bert_pretrain_data/bookswiki";
/// The whole corpus.
pub const CORPUS_FILE: &str = "bookswiki.doc";
/// Its first 1000 non-empty lines.
pub const SAMPLE_FILE: &str = "bookswiki-1000.doc";
/// Lines in [`SAMPLE_FILE`].
pub const SAMPLE_LINES: usize = 1000;

/// The v2 loader's corpus.
pub const V2_CORPUS_FILE: &str = "bookswiki_v2.txt";
/// The v2 loader's one-GPU and validation file.
pub const V2_SAMPLE_FILE: &str = "bookswiki_v2-1000.doc";
/// The v2 loader's hard-coded corpus length (non-empty lines; `general_corpus.py`
/// `self.file_len = 244208263`).
pub const V2_LINES: u64 = 244_208_263;
/// `.<corpus name>.cocoprep-lines.json` next to a corpus cocoprep wrote:
/// `{"bytes": N, "non_empty_lines": M}`, valid while the corpus has N bytes.
pub const LINE_COUNT_SIDECAR: &str = ".cocoprep-lines.json";

/// The sidecar's path for `corpus`.
pub fn line_count_sidecar(corpus: &Path) -> PathBuf {
    let name = corpus
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    corpus.with_file_name(format!(".{name}{LINE_COUNT_SIDECAR}"))
}

/// The non-empty line count the sidecar records for `corpus`, if it is there and the
/// corpus still has the size it had then.
pub fn recorded_line_count(corpus: &Path) -> Option<u64> {
    let bytes = std::fs::metadata(corpus).ok()?.len();
    let sidecar: serde_json::Value =
        serde_json::from_slice(&std::fs::read(line_count_sidecar(corpus)).ok()?).ok()?;
    (sidecar["bytes"].as_u64()? == bytes).then_some(())?;
    sidecar["non_empty_lines"].as_u64()
}

/// What [`prepare`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreparedCorpus {
    /// `bookswiki.doc`.
    pub corpus: PathBuf,
    /// `bookswiki-1000.doc`.
    pub sample: PathBuf,
    /// Lines in the corpus.
    pub lines: u64,
    /// Non-empty lines in the corpus (what the loader counts).
    pub non_empty_lines: u64,
    /// Bytes in the corpus.
    pub bytes: u64,
}

/// Concatenates `inputs` (in order; e.g. `wiki.doc bc1g.doc`) into `out_dir/bookswiki.doc`
/// and writes `out_dir/bookswiki-1000.doc`, both atomically; streams, so the corpus may be
/// far larger than memory.
pub fn prepare(inputs: &[PathBuf], out_dir: &Path) -> Result<PreparedCorpus, Error> {
    concatenate(
        inputs,
        &out_dir.join(CORPUS_FILE),
        &out_dir.join(SAMPLE_FILE),
    )
}

/// As [`prepare`], with the v2 loader's names (`bookswiki_v2.txt`,
/// `bookswiki_v2-1000.doc`), and the line-count sidecar the tree check reads. Compare
/// [`PreparedCorpus::non_empty_lines`] with [`V2_LINES`].
pub fn prepare_v2(inputs: &[PathBuf], out_dir: &Path) -> Result<PreparedCorpus, Error> {
    let prepared = concatenate(
        inputs,
        &out_dir.join(V2_CORPUS_FILE),
        &out_dir.join(V2_SAMPLE_FILE),
    )?;
    let sidecar = serde_json::json!({
        "bytes": prepared.bytes,
        "non_empty_lines": prepared.non_empty_lines,
    });
    crate::files::write(
        &line_count_sidecar(&prepared.corpus),
        format!("{sidecar}\n").as_bytes(),
    )?;
    Ok(prepared)
}

fn concatenate(
    inputs: &[PathBuf],
    corpus_path: &Path,
    sample_path: &Path,
) -> Result<PreparedCorpus, Error> {
    let out_dir = corpus_path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(out_dir).map_err(Error::io("create", out_dir))?;
    let mut corpus = AtomicFile::create(corpus_path).map_err(Error::io("write", corpus_path))?;
    let mut sample = Vec::new();
    let mut sample_lines = 0;
    let (mut lines, mut non_empty_lines, mut bytes) = (0_u64, 0_u64, 0_u64);
    let mut line = Vec::new();
    for input in inputs {
        let file = std::fs::File::open(input).map_err(Error::io("read", input))?;
        let mut reader = BufReader::with_capacity(1 << 20, file);
        loop {
            line.clear();
            let read = reader
                .read_until(b'\n', &mut line)
                .map_err(Error::io("read", input))?;
            if read == 0 {
                break;
            }
            if line.last() != Some(&b'\n') {
                line.push(b'\n');
            }
            corpus
                .write_all(&line)
                .map_err(Error::io("write", corpus_path))?;
            lines += 1;
            bytes += line.len() as u64;
            let text = String::from_utf8_lossy(&line);
            if !python_text::python_strip(&text).is_empty() {
                non_empty_lines += 1;
                if sample_lines < SAMPLE_LINES {
                    sample.extend_from_slice(&line);
                    sample_lines += 1;
                }
            }
        }
    }
    corpus.commit().map_err(Error::io("write", corpus_path))?;
    crate::files::write(sample_path, &sample)?;
    Ok(PreparedCorpus {
        corpus: corpus_path.to_owned(),
        sample: sample_path.to_owned(),
        lines,
        non_empty_lines,
        bytes,
    })
}
