//! The per-shard Parquet index (`00000.parquet`): one row per input row, successes and
//! failures, with img2dataset's columns (`key, url, caption, status, error_message, width,
//! height, original_width, original_height, sha256`) plus `row` (the 0-based input row)
//! and `transient` (whether the failure may go away, what `--retry-failed` re-fetches).
//! With `--output-format parquet` the same file also holds the images in a binary column
//! named after the format (`jpg`), as img2dataset's parquet output does.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{
    BinaryBuilder, BooleanBuilder, Int32Builder, Int64Builder, StringBuilder,
};
use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use cocoprep_base::output::AtomicFile;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::Error;
use crate::sample::{Sample, Status};

/// Writes a shard's index in row order, a batch at a time.
pub struct IndexWriter {
    path: PathBuf,
    schema: SchemaRef,
    image_column: Option<&'static str>,
    writer: ArrowWriter<AtomicFile>,
    pending: Vec<Sample>,
    batch_rows: usize,
}

fn schema(image_column: Option<&'static str>) -> SchemaRef {
    let mut fields = vec![
        Field::new("key", DataType::Utf8, false),
        Field::new("row", DataType::Int64, false),
        Field::new("url", DataType::Utf8, false),
        Field::new("caption", DataType::Utf8, true),
        Field::new("status", DataType::Utf8, false),
        Field::new("error_message", DataType::Utf8, true),
        Field::new("transient", DataType::Boolean, false),
        Field::new("width", DataType::Int32, true),
        Field::new("height", DataType::Int32, true),
        Field::new("original_width", DataType::Int32, true),
        Field::new("original_height", DataType::Int32, true),
        Field::new("sha256", DataType::Utf8, true),
    ];
    if let Some(name) = image_column {
        fields.push(Field::new(name, DataType::Binary, true));
    }
    Arc::new(Schema::new(fields))
}

impl IndexWriter {
    /// Starts `path` (under a temporary name); `image_column` adds the images.
    pub fn create(path: &Path, image_column: Option<&'static str>) -> Result<Self, Error> {
        let file = AtomicFile::create(path).map_err(Error::write(path))?;
        let schema = schema(image_column);
        let properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build();
        let writer = ArrowWriter::try_new(file, Arc::clone(&schema), Some(properties)).map_err(
            |source| Error::Parquet {
                path: path.to_owned(),
                source,
            },
        )?;
        Ok(Self {
            path: path.to_owned(),
            schema,
            image_column,
            writer,
            pending: Vec::new(),
            batch_rows: if image_column.is_some() { 100 } else { 4096 },
        })
    }

    /// Adds the next row (in row order).
    pub fn push(&mut self, sample: Sample) -> Result<(), Error> {
        self.pending.push(sample);
        if self.pending.len() >= self.batch_rows {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Error> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let samples = std::mem::take(&mut self.pending);
        let batch = to_batch(&samples, &self.schema, self.image_column);
        self.writer.write(&batch).map_err(|source| Error::Parquet {
            path: self.path.clone(),
            source,
        })
    }

    /// Writes the footer and renames the file into place.
    pub fn finish(mut self) -> Result<(), Error> {
        self.flush()?;
        let path = self.path.clone();
        let file = self.writer.into_inner().map_err(|source| Error::Parquet {
            path: path.clone(),
            source,
        })?;
        file.commit_without_sync().map_err(Error::write(&path))
    }
}

fn to_batch(samples: &[Sample], schema: &SchemaRef, image_column: Option<&str>) -> RecordBatch {
    let mut key = StringBuilder::new();
    let mut row = Int64Builder::new();
    let mut url = StringBuilder::new();
    let mut caption = StringBuilder::new();
    let mut status = StringBuilder::new();
    let mut error_message = StringBuilder::new();
    let mut transient = BooleanBuilder::new();
    let mut sizes = [(); 4].map(|()| Int32Builder::new());
    let mut sha256 = StringBuilder::new();
    let mut images = BinaryBuilder::new();
    for sample in samples {
        key.append_value(&sample.key);
        row.append_value(sample.row as i64);
        url.append_value(&sample.url);
        caption.append_option(sample.caption.as_deref());
        status.append_value(sample.status.name());
        error_message.append_option(sample.error_message.as_deref());
        transient.append_value(sample.transient);
        for (builder, value) in sizes.iter_mut().zip([
            sample.width,
            sample.height,
            sample.original_width,
            sample.original_height,
        ]) {
            builder.append_option(value.map(|v| v as i32));
        }
        sha256.append_option(sample.sha256.as_deref());
        images.append_option(sample.image.as_deref());
    }
    let [
        mut width,
        mut height,
        mut original_width,
        mut original_height,
    ] = sizes;
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(key.finish()),
        Arc::new(row.finish()),
        Arc::new(url.finish()),
        Arc::new(caption.finish()),
        Arc::new(status.finish()),
        Arc::new(error_message.finish()),
        Arc::new(transient.finish()),
        Arc::new(width.finish()),
        Arc::new(height.finish()),
        Arc::new(original_width.finish()),
        Arc::new(original_height.finish()),
        Arc::new(sha256.finish()),
    ];
    if image_column.is_some() {
        columns.push(Arc::new(images.finish()));
    }
    RecordBatch::try_new(Arc::clone(schema), columns).expect("columns match the schema")
}

/// Reads a shard's index back (with the images when the file has an image column).
pub fn read_index(path: &Path) -> Result<Vec<Sample>, Error> {
    let parquet_error = |source| Error::Parquet {
        path: path.to_owned(),
        source,
    };
    let file = fs_err::File::open(path)
        .map_err(Error::read(path))?
        .into_parts()
        .0;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(parquet_error)?
        .build()
        .map_err(parquet_error)?;
    let mut samples = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|error| parquet_error(error.into()))?;
        let bad = |column: &str| Error::MissingColumn {
            path: path.to_owned(),
            column: column.to_owned(),
            available: "a cocoprep webdata index".to_owned(),
        };
        let text = |name: &str| -> Result<Vec<Option<String>>, Error> {
            let column = batch.column_by_name(name).ok_or_else(|| bad(name))?;
            let strings = column.as_string_opt::<i32>().ok_or_else(|| bad(name))?;
            Ok(strings.iter().map(|v| v.map(str::to_owned)).collect())
        };
        let int = |name: &str| -> Result<Vec<Option<u32>>, Error> {
            let column = batch.column_by_name(name).ok_or_else(|| bad(name))?;
            let values = column
                .as_primitive_opt::<Int32Type>()
                .ok_or_else(|| bad(name))?;
            Ok(values.iter().map(|v| v.map(|v| v as u32)).collect())
        };
        let keys = text("key")?;
        let urls = text("url")?;
        let captions = text("caption")?;
        let statuses = text("status")?;
        let errors = text("error_message")?;
        let hashes = text("sha256")?;
        let widths = int("width")?;
        let heights = int("height")?;
        let original_widths = int("original_width")?;
        let original_heights = int("original_height")?;
        let rows = batch
            .column_by_name("row")
            .and_then(|c| c.as_primitive_opt::<Int64Type>().cloned())
            .ok_or_else(|| bad("row"))?;
        let transient = batch
            .column_by_name("transient")
            .and_then(|c| c.as_boolean_opt().cloned())
            .ok_or_else(|| bad("transient"))?;
        let images = batch
            .columns()
            .iter()
            .find_map(|column| column.as_binary_opt::<i32>().cloned());
        for index in 0..batch.num_rows() {
            let status_name = statuses[index].clone().unwrap_or_default();
            samples.push(Sample {
                row: rows.value(index) as u64,
                key: keys[index].clone().unwrap_or_default(),
                url: urls[index].clone().unwrap_or_default(),
                caption: captions[index].clone(),
                status: Status::from_name(&status_name).ok_or_else(|| bad("status"))?,
                error_message: errors[index].clone(),
                transient: transient.value(index),
                width: widths[index],
                height: heights[index],
                original_width: original_widths[index],
                original_height: original_heights[index],
                sha256: hashes[index].clone(),
                image: images
                    .as_ref()
                    .filter(|images| !images.is_null(index))
                    .map(|images| images.value(index).to_vec()),
            });
        }
    }
    Ok(samples)
}
