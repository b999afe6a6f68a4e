//! CC3M and CC12M: a URL list TSV and the downloaded images → the JSON-lines annotation
//! file the loader reads.
//!
//! Logic of `data/preprocess/cc3m/make_cc3m_{train,val}_json.py`: row `n` (0-based line
//! number of the TSV) was downloaded to `<images>/{n:08d}.jpg`; for each row whose image
//! is usable (see [`crate::image_check`]) one line
//! `{"image": "train_image.zip@/00000000.jpg", "caption": ["a", "very", "typical", ...]}`
//! is written, the caption being the caption column split on single spaces
//! (`str.split(' ')`, so double spaces give empty tokens), `json.dump`-formatted, each
//! record followed by `\n`. The `.zip@` form works for both loader modes (the loader drops
//! `.zip@` when `ZIP_MODE` is off, giving `train_image/00000000.jpg`).
//!
//! The TSV is streamed in batches (CC12M has 12.4M rows) and each batch's images are
//! checked in parallel; records keep the TSV's order. Lines end at `\n` (a `\r` before it
//! is dropped); every line must have exactly two tab-separated columns.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use cocoprep_base::output::AtomicFile;
use cocoprep_base::progress::{ProgressUnit, Reporter};
use cocoprep_formats::python_json::PythonJsonWriter;
use rayon::prelude::*;

use crate::error::Error;
use crate::image_check::{ImageCheck, ImageCheckLevel, ImageCounts, check_image_at};
use crate::placement::Placement;

/// Which column holds what.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnOrder {
    /// `caption \t url` (CC3M's TSVs).
    CaptionUrl,
    /// `url \t caption` (CC12M's `cc12m.tsv`; Uni-Perceiver's CC12M scripts read it the
    /// CC3M way, taking URLs as captions; cocoprep reads the columns the right way round).
    UrlCaption,
}

/// What to convert.
#[derive(Clone, Debug)]
pub struct WebCaptionsJob<'a> {
    /// The URL list.
    pub tsv: &'a Path,
    /// Its column order.
    pub order: ColumnOrder,
    /// Where the downloader put row `n` as `{n:08d}.jpg`.
    pub images: &'a Path,
    /// The image folder's name in the records (`train_image` → `train_image.zip@/...`).
    pub image_folder_name: &'a str,
    /// How thoroughly each image is checked.
    pub check: ImageCheckLevel,
    /// Where usable images are linked to (the tree's image folder), if not already there.
    pub placement: Option<Placement>,
    /// The JSON-lines file to write.
    pub output: &'a Path,
}

/// What a conversion did.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct WebCaptionsSummary {
    /// The file written.
    pub output: PathBuf,
    /// Rows in the TSV.
    pub rows: u64,
    /// Records written (rows with a usable image).
    pub written: u64,
    /// Image check results over all rows.
    pub images: ImageCounts,
    /// Images newly linked or copied into the tree.
    pub placed: u64,
}

const BATCH_ROWS: usize = 16_384;

/// Converts one URL list (see the module docs).
pub fn write_web_captions(
    job: &WebCaptionsJob<'_>,
    reporter: &dyn Reporter,
) -> Result<WebCaptionsSummary, Error> {
    let file = fs_err::File::open(job.tsv).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            Error::MissingInput {
                what: "URL list",
                path: job.tsv.to_owned(),
            }
        } else {
            Error::io("open", job.tsv)(source)
        }
    })?;
    let total_bytes = file.metadata().map(|metadata| metadata.len()).ok();
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut output = AtomicFile::create(job.output).map_err(Error::io("create", job.output))?;
    let task = reporter.on_task_start(
        &format!("{}", job.tsv.display()),
        total_bytes,
        ProgressUnit::Bytes,
    );
    let mut summary = WebCaptionsSummary {
        output: job.output.to_owned(),
        rows: 0,
        written: 0,
        images: ImageCounts::default(),
        placed: 0,
    };
    let mut batch: Vec<(u64, Vec<u8>)> = Vec::with_capacity(BATCH_ROWS);
    loop {
        batch.clear();
        let mut batch_bytes = 0;
        while batch.len() < BATCH_ROWS {
            let mut line = Vec::new();
            let read = reader
                .read_until(b'\n', &mut line)
                .map_err(Error::io("read", job.tsv))?;
            if read == 0 {
                break;
            }
            batch_bytes += read as u64;
            batch.push((summary.rows + batch.len() as u64, line));
        }
        if batch.is_empty() {
            break;
        }
        let results: Vec<Result<Row, Error>> = batch
            .par_iter()
            .map(|(row, line)| convert_row(job, *row, line))
            .collect();
        for result in results {
            let row = result?;
            summary.images.add(row.check);
            summary.placed += u64::from(row.placed);
            if let Some(record) = row.record {
                output
                    .write_all(&record)
                    .map_err(Error::io("write", job.output))?;
                summary.written += 1;
            }
        }
        summary.rows += batch.len() as u64;
        reporter.on_task_progress(task, batch_bytes);
    }
    output.commit().map_err(Error::io("write", job.output))?;
    reporter.on_task_complete(task);
    Ok(summary)
}

struct Row {
    check: ImageCheck,
    placed: bool,
    record: Option<Vec<u8>>,
}

fn convert_row(job: &WebCaptionsJob<'_>, row: u64, line: &[u8]) -> Result<Row, Error> {
    let malformed = |message: String| Error::MalformedLine {
        path: job.tsv.to_owned(),
        line: row + 1,
        message,
    };
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let line = std::str::from_utf8(line)
        .map_err(|error| malformed(format!("not UTF-8 text ({error})")))?;
    let columns: Vec<&str> = line.split('\t').collect();
    let [first, second] = columns[..] else {
        return Err(malformed(format!(
            "expected 2 tab-separated columns ({}), found {}",
            match job.order {
                ColumnOrder::CaptionUrl => "caption, url",
                ColumnOrder::UrlCaption => "url, caption",
            },
            columns.len()
        )));
    };
    let (caption, url) = match job.order {
        ColumnOrder::CaptionUrl => (first, second),
        ColumnOrder::UrlCaption => (second, first),
    };
    if !looks_like_url(url) && looks_like_url(caption) {
        return Err(malformed(match job.order {
            ColumnOrder::CaptionUrl => format!(
                "the columns look swapped: column 1 is a URL (`{caption}`), column 2 is not; \
                 CC3M lists are `caption<TAB>url` (CC12M's cc12m.tsv is `url<TAB>caption`: \
                 use `cocoprep dataset cc12m` for it)"
            ),
            ColumnOrder::UrlCaption => format!(
                "the columns look swapped: column 1 is not a URL (`{url}`), column 2 is; \
                 CC12M's cc12m.tsv is `url<TAB>caption` (CC3M's lists are \
                 `caption<TAB>url`: use `cocoprep dataset cc3m` for those)"
            ),
        }));
    }
    let name = format!("{row:08}.jpg");
    let check = check_image_at(&job.images.join(&name), job.check);
    if check != ImageCheck::Usable {
        return Ok(Row {
            check,
            placed: false,
            record: None,
        });
    }
    let placed = match &job.placement {
        Some(placement) => placement.place(&name)?,
        None => false,
    };
    let mut record = Vec::with_capacity(64 + caption.len() * 2);
    let mut json = PythonJsonWriter::new(&mut record);
    (|| -> std::io::Result<()> {
        json.begin_object()?;
        json.key("image")?;
        json.string(&format!("{}.zip@/{name}", job.image_folder_name))?;
        json.key("caption")?;
        json.begin_array()?;
        for token in caption.split(' ') {
            json.string(token)?;
        }
        json.end_array()?;
        json.end_object()?;
        json.into_inner()?;
        Ok(())
    })()
    .map_err(Error::io("format a record of", job.tsv))?;
    record.push(b'\n');
    Ok(Row {
        check,
        placed,
        record: Some(record),
    })
}

/// Whether a column holds a URL (what the swapped-columns check compares).
fn looks_like_url(text: &str) -> bool {
    let text = text.trim_start();
    ["http://", "https://"].iter().any(|scheme| {
        text.get(..scheme.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(scheme))
    })
}

#[cfg(test)]
mod tests {
    use super::looks_like_url;

    #[test]
    fn urls_are_recognised_by_their_scheme() {
        assert!(looks_like_url("https://i.pinimg.com/736x/a.jpg"));
        assert!(looks_like_url("HTTP://example.com"));
        assert!(!looks_like_url("author : a life in photography"));
        assert!(!looks_like_url("http"));
    }
}
