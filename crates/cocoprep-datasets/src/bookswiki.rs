//! Books & Wiki for masked language modelling: `bert_pretrain_data/bookswiki/bookswiki.doc`
//! (`cat wiki.doc bc1g.doc > bookswiki.doc`, `data/prepare_data.md`) and
//! `bookswiki-1000.doc`, which the loader (`general_corpus.py`, v1) reads instead when it runs
//! on one GPU (and for validation): the first 1000 non-empty lines (it strips each line and
//! skips empty ones, and without SLURM uses only lines [0, 1000)).
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
    let corpus_path = out_dir.join(CORPUS_FILE);
    let sample_path = out_dir.join(SAMPLE_FILE);
    std::fs::create_dir_all(out_dir).map_err(Error::io("create", out_dir))?;
    let mut corpus = AtomicFile::create(&corpus_path).map_err(Error::io("write", &corpus_path))?;
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
                .map_err(Error::io("write", &corpus_path))?;
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
    corpus.commit().map_err(Error::io("write", &corpus_path))?;
    crate::files::write(&sample_path, &sample)?;
    Ok(PreparedCorpus {
        corpus: corpus_path,
        sample: sample_path,
        lines,
        non_empty_lines,
        bytes,
    })
}
