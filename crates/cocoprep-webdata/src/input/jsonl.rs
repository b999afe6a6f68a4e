//! JSON lines: one object per line, the URL and caption taken from named keys.

use std::io::BufRead;
use std::path::Path;

use super::{Columns, Lines, Row};
use crate::Error;

/// Rows of a JSON-lines file; a line that is not an object with a string URL is an error
/// naming the line.
pub(super) fn rows(
    path: &Path,
    reader: Box<dyn BufRead + Send>,
    columns: &Columns,
) -> impl Iterator<Item = Result<Row, Error>> + Send + use<> {
    let mut lines = Lines::new(path, reader);
    let columns = columns.clone();
    std::iter::from_fn(move || {
        loop {
            let line = match lines.next_line()? {
                Ok(line) => line,
                Err(error) => return Some(Err(error)),
            };
            if line.trim().is_empty() {
                continue;
            }
            let value: serde_json::Value = match serde_json::from_str(&line) {
                Ok(value) => value,
                Err(error) => return Some(Err(lines.error(format!("not JSON: {error}")))),
            };
            let Some(url) = value.get(&columns.url).and_then(|url| url.as_str()) else {
                return Some(Err(
                    lines.error(format!("no string `{}` in the object", columns.url))
                ));
            };
            let caption = columns
                .caption
                .as_ref()
                .and_then(|key| value.get(key))
                .and_then(|caption| caption.as_str())
                .map(str::to_owned);
            return Some(Ok(Row {
                url: url.trim().to_owned(),
                caption,
            }));
        }
    })
}
