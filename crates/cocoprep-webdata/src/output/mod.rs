//! Writing a shard: the images (`files`, `webdataset` or `parquet`), the Parquet index of
//! every row, and the stats file last. Every file appears under its final name only when
//! complete: the tar, the index and the stats are written under temporary names and
//! renamed; a `files` shard in img2dataset's layout is built in a hidden folder and renamed.

pub mod index;
pub mod stats;

use std::path::{Path, PathBuf};

use cocoprep_base::output::{AtomicFile, StagedFolder};

use crate::Error;
use crate::image::EncodeFormat;
use crate::layout::ShardLayout;
use crate::sample::{Sample, Status};
pub use index::{IndexWriter, read_index};
pub use stats::ShardStats;

/// `--output-format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// One file per image (plus `.txt` and `.json` in the `key` layout).
    Files,
    /// One tar per shard with `key.jpg`, `key.txt`, `key.json` members.
    WebDataset,
    /// One Parquet file per shard with the images in a binary column.
    Parquet,
}

impl OutputFormat {
    /// The name as in `--output-format`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Files => "files",
            Self::WebDataset => "webdataset",
            Self::Parquet => "parquet",
        }
    }
}

/// How `files` output names images.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileNames {
    /// img2dataset: `OUT/00000/000000005.jpg` with `.txt` and `.json` beside it.
    Key,
    /// Uni-Perceiver's CC3M/CC12M: `OUT/00000005.jpg`, the 0-based input row on 8 digits.
    Row,
    /// Uni-Perceiver's SBU: `OUT/<the URL's last path segment>`.
    UrlBasename,
}

/// Where and how shards are written.
#[derive(Clone, Debug)]
pub struct OutputOptions {
    /// The output folder.
    pub folder: PathBuf,
    /// The format.
    pub format: OutputFormat,
    /// Names of `files` output.
    pub file_names: FileNames,
    /// Shards and keys.
    pub layout: ShardLayout,
    /// The image format (for extensions).
    pub encode_format: EncodeFormat,
}

impl OutputOptions {
    /// `OUT/00001_stats.json`.
    pub fn stats_path(&self, shard: u64) -> PathBuf {
        self.folder
            .join(format!("{}_stats.json", self.layout.shard_name(shard)))
    }

    /// `OUT/00001.parquet`.
    pub fn index_path(&self, shard: u64) -> PathBuf {
        self.folder
            .join(format!("{}.parquet", self.layout.shard_name(shard)))
    }

    /// `OUT/00001.tar`.
    pub fn tar_path(&self, shard: u64) -> PathBuf {
        self.folder
            .join(format!("{}.tar", self.layout.shard_name(shard)))
    }

    /// Whether the shard is complete (its stats file exists).
    pub fn is_done(&self, shard: u64) -> bool {
        self.stats_path(shard).is_file()
    }
}

enum Images {
    Tar(tar::Builder<AtomicFile>),
    Staged(StagedFolder),
    Flat,
    InIndex,
}

/// One shard being written; samples must come in row order.
pub struct ShardWriter {
    shard: u64,
    options: OutputOptions,
    images: Images,
    index: IndexWriter,
    stats: ShardStats,
}

impl ShardWriter {
    /// Starts writing `shard`.
    pub fn create(options: &OutputOptions, shard: u64) -> Result<Self, Error> {
        let image_column = match options.format {
            OutputFormat::Parquet => Some(options.encode_format.extension()),
            _ => None,
        };
        let images = match (options.format, options.file_names) {
            (OutputFormat::WebDataset, _) => {
                let path = options.tar_path(shard);
                let file = AtomicFile::create(&path).map_err(Error::write(&path))?;
                let mut builder = tar::Builder::new(file);
                builder.mode(tar::HeaderMode::Deterministic);
                Images::Tar(builder)
            }
            (OutputFormat::Files, FileNames::Key) => {
                let path = options.folder.join(options.layout.shard_name(shard));
                Images::Staged(StagedFolder::create(&path).map_err(Error::write(&path))?)
            }
            (OutputFormat::Files, _) => Images::Flat,
            (OutputFormat::Parquet, _) => Images::InIndex,
        };
        Ok(Self {
            shard,
            options: options.clone(),
            images,
            index: IndexWriter::create(&options.index_path(shard), image_column)?,
            stats: ShardStats::default(),
        })
    }

    /// Adds the next row.
    pub fn push(&mut self, mut sample: Sample) -> Result<(), Error> {
        self.stats.add(&sample);
        let extension = self.options.encode_format.extension();
        match &mut self.images {
            Images::Tar(builder) => {
                let path = self.options.tar_path(self.shard);
                if sample.status == Status::Success
                    && let Some(image) = &sample.image
                {
                    append(builder, &format!("{}.{extension}", sample.key), image)
                        .map_err(Error::write(&path))?;
                    if let Some(caption) = &sample.caption {
                        append(builder, &format!("{}.txt", sample.key), caption.as_bytes())
                            .map_err(Error::write(&path))?;
                    }
                    append(
                        builder,
                        &format!("{}.json", sample.key),
                        &sample.metadata_json(),
                    )
                    .map_err(Error::write(&path))?;
                }
                sample.image = None;
            }
            Images::Staged(folder) => {
                if sample.status == Status::Success
                    && let Some(image) = &sample.image
                {
                    let write = |name: String, bytes: &[u8]| {
                        folder
                            .write_file(Path::new(&name), bytes)
                            .map_err(Error::write(&folder.path().join(&name)))
                    };
                    write(format!("{}.{extension}", sample.key), image)?;
                    if let Some(caption) = &sample.caption {
                        write(format!("{}.txt", sample.key), caption.as_bytes())?;
                    }
                    write(format!("{}.json", sample.key), &sample.metadata_json())?;
                }
                sample.image = None;
            }
            Images::Flat => {
                if sample.status == Status::Success
                    && let Some(image) = &sample.image
                {
                    let name = match self.options.file_names {
                        FileNames::Row => format!("{:08}.{extension}", sample.row),
                        _ => url_basename(&sample.url, sample.row, extension),
                    };
                    let path = self.options.folder.join(name);
                    cocoprep_base::output::write_atomic_unsynced(&path, image)
                        .map_err(Error::write(&path))?;
                }
                sample.image = None;
            }
            Images::InIndex => {}
        }
        self.index.push(sample)
    }

    /// Completes the shard: images, then index, then stats (the done mark).
    pub fn finish(self, start_time: f64, end_time: f64) -> Result<ShardStats, Error> {
        let Self {
            shard,
            options,
            images,
            index,
            mut stats,
        } = self;
        match images {
            Images::Tar(builder) => {
                let path = options.tar_path(shard);
                let file = builder.into_inner().map_err(Error::write(&path))?;
                file.commit_without_sync().map_err(Error::write(&path))?;
            }
            Images::Staged(folder) => {
                let path = folder.path().to_owned();
                folder.commit().map_err(Error::write(&path))?;
            }
            Images::Flat | Images::InIndex => {}
        }
        index.finish()?;
        stats.start_time = start_time;
        stats.end_time = end_time;
        stats.duration = end_time - start_time;
        stats.write(&options.stats_path(shard))?;
        Ok(stats)
    }
}

fn append(builder: &mut tar::Builder<AtomicFile>, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(0);
    header.set_entry_type(tar::EntryType::Regular);
    builder.append_data(&mut header, name, bytes)
}

/// The URL's last path segment (query dropped), or `<row>.<ext>` when it has none usable.
fn url_basename(url: &str, row: u64, extension: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let name = path.rsplit('/').next().unwrap_or("");
    if name.is_empty() || name == "." || name == ".." || name.contains('\\') {
        format!("{row:08}.{extension}")
    } else {
        name.to_owned()
    }
}
