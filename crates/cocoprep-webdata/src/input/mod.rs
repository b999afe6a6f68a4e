//! Streaming readers for URL lists: txt, csv, tsv, jsonl and parquet files (optionally
//! gzip-compressed), and presets for the real files of CC3M, CC12M, SBU, COCO and LAION.
//!
//! Every reader yields one [`Row`] at a time and holds at most one record (or one Parquet
//! batch) in memory, so a 12M-row CC12M TSV is read with flat memory — unlike img2dataset,
//! which loads the whole file with pyarrow before sharding it.

mod coco;
mod delimited;
mod jsonl;
mod parquet_rows;
mod sbu;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::Error;

/// One input row: the URL to fetch and its caption.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The image URL.
    pub url: String,
    /// The caption, when the input has one.
    pub caption: Option<String>,
}

/// The layout of the input file (img2dataset's `input_format`; `.gz` is seen from the name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// One URL per line, no header.
    Txt,
    /// Comma-separated with a header row and `"` quoting.
    Csv,
    /// Tab-separated with a header row and `"` quoting.
    Tsv,
    /// One JSON object per line.
    Jsonl,
    /// Apache Parquet (only the URL and caption columns are read).
    Parquet,
}

impl InputFormat {
    /// The format's name as in `--input-format`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Txt => "txt",
            Self::Csv => "csv",
            Self::Tsv => "tsv",
            Self::Jsonl => "jsonl",
            Self::Parquet => "parquet",
        }
    }
}

/// The real metadata files of the datasets people fetch, with their quirks built in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    /// Conceptual Captions `Train_GCC-training.tsv`: `caption\turl`, no header, no quoting.
    Cc3m,
    /// Conceptual 12M `cc12m.tsv`: `url\tcaption`, no header, no quoting.
    Cc12m,
    /// SBU Captions' two aligned line files: `SBU_captioned_photo_dataset_urls.txt` and
    /// `..._captions.txt` (give the URL file or the folder holding both).
    Sbu,
    /// A COCO annotation file: one row per image with its `coco_url` and, in a captions
    /// file, its first caption.
    Coco,
    /// LAION parquet files: columns `URL` and `TEXT`.
    Laion,
}

impl Preset {
    /// The preset's name as in `--preset`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Cc3m => "cc3m",
            Self::Cc12m => "cc12m",
            Self::Sbu => "sbu",
            Self::Coco => "coco",
            Self::Laion => "laion",
        }
    }
}

/// What to read and how.
#[derive(Clone, Debug)]
pub struct InputSpec {
    /// The file (or a folder: its files of the format's extension, in name order, read one
    /// after the other as one list).
    pub path: PathBuf,
    /// Where the rows come from.
    pub source: InputSource,
}

/// The reader a spec selects.
#[derive(Clone, Debug)]
pub enum InputSource {
    /// A generic file.
    Table {
        /// Its layout.
        format: InputFormat,
        /// The URL column (`url` by default).
        url_column: String,
        /// The caption column, if any.
        caption_column: Option<String>,
    },
    /// A preset.
    Preset(Preset),
}

impl InputSpec {
    /// Opens the input and returns its rows in order.
    pub fn rows(&self) -> Result<RowIter, Error> {
        match &self.source {
            InputSource::Table {
                format,
                url_column,
                caption_column,
            } => {
                let files = files_of(&self.path, *format)?;
                let columns = Columns {
                    url: url_column.clone(),
                    caption: caption_column.clone(),
                };
                let format = *format;
                let mut iterators = Vec::new();
                for file in files {
                    iterators.push(open_table(&file, format, &columns)?);
                }
                Ok(Box::new(iterators.into_iter().flatten()))
            }
            InputSource::Preset(preset) => open_preset(*preset, &self.path),
        }
    }
}

/// A stream of rows.
pub type RowIter = Box<dyn Iterator<Item = Result<Row, Error>> + Send>;

/// Column names to pick from a table.
#[derive(Clone, Debug)]
pub(crate) struct Columns {
    pub(crate) url: String,
    pub(crate) caption: Option<String>,
}

fn open_table(path: &Path, format: InputFormat, columns: &Columns) -> Result<RowIter, Error> {
    match format {
        InputFormat::Txt => Ok(Box::new(delimited::txt_rows(path, open_text(path)?))),
        InputFormat::Csv => delimited::table_rows(path, open_text(path)?, b',', columns),
        InputFormat::Tsv => delimited::table_rows(path, open_text(path)?, b'\t', columns),
        InputFormat::Jsonl => Ok(Box::new(jsonl::rows(path, open_text(path)?, columns))),
        InputFormat::Parquet => parquet_rows::rows(path, columns),
    }
}

fn open_preset(preset: Preset, path: &Path) -> Result<RowIter, Error> {
    match preset {
        Preset::Cc3m => Ok(Box::new(delimited::fixed_tsv_rows(
            path,
            open_text(path)?,
            1,
            Some(0),
        ))),
        Preset::Cc12m => Ok(Box::new(delimited::fixed_tsv_rows(
            path,
            open_text(path)?,
            0,
            Some(1),
        ))),
        Preset::Sbu => sbu::rows(path),
        Preset::Coco => coco::rows(path),
        Preset::Laion => {
            let columns = Columns {
                url: "URL".to_owned(),
                caption: Some("TEXT".to_owned()),
            };
            let mut iterators = Vec::new();
            for file in files_of(path, InputFormat::Parquet)? {
                iterators.push(parquet_rows::rows(&file, &columns)?);
            }
            Ok(Box::new(iterators.into_iter().flatten()))
        }
    }
}

/// The files of a folder with the format's extension (plain or `.gz`), sorted; or the file.
fn files_of(path: &Path, format: InputFormat) -> Result<Vec<PathBuf>, Error> {
    if !path.is_dir() {
        return Ok(vec![path.to_owned()]);
    }
    let extension = format.name();
    let mut files: Vec<PathBuf> = fs_err::read_dir(path)
        .map_err(Error::read(path))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|file| {
            let name = file.to_string_lossy();
            name.ends_with(&format!(".{extension}")) || name.ends_with(&format!(".{extension}.gz"))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(Error::Options(format!(
            "folder `{}` holds no `*.{extension}` file",
            path.display()
        )));
    }
    Ok(files)
}

/// A buffered reader of the file, gunzipped when its name ends in `.gz`.
pub(crate) fn open_text(path: &Path) -> Result<Box<dyn BufRead + Send>, Error> {
    let file = fs_err::File::open(path).map_err(Error::read(path))?;
    if path.extension().is_some_and(|extension| extension == "gz") {
        Ok(Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::read::MultiGzDecoder::new(file),
        )))
    } else {
        Ok(Box::new(BufReader::with_capacity(1 << 16, file)))
    }
}

/// Reads lines without their `\n` / `\r\n`, numbering them from 1.
pub(crate) struct Lines {
    path: PathBuf,
    reader: Box<dyn BufRead + Send>,
    line: u64,
    buffer: Vec<u8>,
}

impl Lines {
    pub(crate) fn new(path: &Path, reader: Box<dyn BufRead + Send>) -> Self {
        Self {
            path: path.to_owned(),
            reader,
            line: 0,
            buffer: Vec::new(),
        }
    }

    /// The next line as text, `None` at the end.
    pub(crate) fn next_line(&mut self) -> Option<Result<String, Error>> {
        self.buffer.clear();
        match self.reader.read_until(b'\n', &mut self.buffer) {
            Ok(0) => None,
            Ok(_) => {
                self.line += 1;
                while self
                    .buffer
                    .last()
                    .is_some_and(|&b| b == b'\n' || b == b'\r')
                {
                    self.buffer.pop();
                }
                Some(match std::str::from_utf8(&self.buffer) {
                    Ok(text) => Ok(text.to_owned()),
                    Err(_) => Ok(String::from_utf8_lossy(&self.buffer).into_owned()),
                })
            }
            Err(source) => Some(Err(Error::Read {
                path: self.path.clone(),
                source,
            })),
        }
    }

    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn error(&self, message: impl Into<String>) -> Error {
        Error::Row {
            path: self.path.clone(),
            line: self.line,
            message: message.into(),
        }
    }
}
