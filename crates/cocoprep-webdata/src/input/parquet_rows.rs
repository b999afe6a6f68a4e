//! Parquet URL lists (LAION, img2dataset's outputs): only the URL and caption columns are
//! read, one batch of 8,192 rows at a time.

use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::{Columns, Row, RowIter};
use crate::Error;

const BATCH_ROWS: usize = 8192;

/// The rows of a Parquet file.
pub(super) fn rows(path: &Path, columns: &Columns) -> Result<RowIter, Error> {
    let parquet_error = |source| Error::Parquet {
        path: path.to_owned(),
        source,
    };
    let file = fs_err::File::open(path)
        .map_err(Error::read(path))?
        .into_parts()
        .0;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(parquet_error)?;
    let schema = std::sync::Arc::clone(builder.schema());
    let find = |name: &str| -> Result<usize, Error> {
        schema.index_of(name).map_err(|_| Error::MissingColumn {
            path: path.to_owned(),
            column: name.to_owned(),
            available: schema
                .fields()
                .iter()
                .map(|field| field.name().as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
    };
    let url_index = find(&columns.url)?;
    let caption_index = columns.caption.as_deref().map(find).transpose()?;
    let mut roots = vec![url_index];
    roots.extend(caption_index);
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    let reader = builder
        .with_projection(mask)
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(parquet_error)?;
    let url_name = columns.url.clone();
    let caption_name = columns.caption.clone();
    let owned_path = path.to_owned();
    Ok(Box::new(reader.flat_map(move |batch| {
        let rows: Vec<Result<Row, Error>> = match batch {
            Ok(batch) => batch_rows(&batch, &url_name, caption_name.as_deref()),
            Err(error) => vec![Err(Error::Parquet {
                path: owned_path.clone(),
                source: error.into(),
            })],
        };
        rows
    })))
}

fn batch_rows(batch: &RecordBatch, url: &str, caption: Option<&str>) -> Vec<Result<Row, Error>> {
    let urls = batch
        .column_by_name(url)
        .map(|column| strings(column.as_ref()));
    let captions = caption
        .and_then(|name| batch.column_by_name(name))
        .map(|column| strings(column.as_ref()));
    (0..batch.num_rows())
        .map(|index| {
            Ok(Row {
                url: urls
                    .as_ref()
                    .and_then(|urls| urls[index].clone())
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
                caption: captions
                    .as_ref()
                    .and_then(|captions| captions[index].clone()),
            })
        })
        .collect()
}

/// A string column's values (`None` for nulls and for columns that are not strings).
fn strings(column: &dyn Array) -> Vec<Option<String>> {
    let length = column.len();
    match column.data_type() {
        DataType::Utf8 => column
            .as_string::<i32>()
            .iter()
            .map(|v| v.map(str::to_owned))
            .collect(),
        DataType::LargeUtf8 => column
            .as_string::<i64>()
            .iter()
            .map(|v| v.map(str::to_owned))
            .collect(),
        DataType::Utf8View => column
            .as_string_view()
            .iter()
            .map(|v| v.map(str::to_owned))
            .collect(),
        _ => vec![None; length],
    }
}
