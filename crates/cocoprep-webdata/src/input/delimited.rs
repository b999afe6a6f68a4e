//! Line-based inputs: txt (one URL per line), the header-less TSVs of CC3M/CC12M (split on
//! tabs, no quoting, as the datasets' own scripts do), and csv/tsv with a header row and
//! `"` quoting (pyarrow's defaults, which img2dataset uses).

use std::io::BufRead;
use std::path::Path;

use super::{Columns, Lines, Row, RowIter};
use crate::Error;

/// One URL per line; empty lines are skipped (as pyarrow's CSV reader does).
pub(super) fn txt_rows(
    path: &Path,
    reader: Box<dyn BufRead + Send>,
) -> impl Iterator<Item = Result<Row, Error>> + Send + use<> {
    let mut lines = Lines::new(path, reader);
    std::iter::from_fn(move || {
        loop {
            let line = match lines.next_line()? {
                Ok(line) => line,
                Err(error) => return Some(Err(error)),
            };
            let url = line.trim();
            if url.is_empty() {
                continue;
            }
            return Some(Ok(Row {
                url: url.to_owned(),
                caption: None,
            }));
        }
    })
}

/// Header-less TSV with the URL and caption at fixed positions. A line without the URL
/// column becomes a row with an empty URL (which fails as such), so row numbers stay line
/// numbers, as in Uni-Perceiver's `{row:08d}.jpg` names.
pub(super) fn fixed_tsv_rows(
    path: &Path,
    reader: Box<dyn BufRead + Send>,
    url_index: usize,
    caption_index: Option<usize>,
) -> impl Iterator<Item = Result<Row, Error>> + Send + use<> {
    let mut lines = Lines::new(path, reader);
    std::iter::from_fn(move || {
        loop {
            let line = match lines.next_line()? {
                Ok(line) => line,
                Err(error) => return Some(Err(error)),
            };
            if line.is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            let url = fields.get(url_index).map_or("", |url| url.trim());
            let caption =
                caption_index.and_then(|index| fields.get(index).map(|c| (*c).to_owned()));
            return Some(Ok(Row {
                url: url.to_owned(),
                caption,
            }));
        }
    })
}

/// CSV/TSV with a header row naming the columns.
pub(super) fn table_rows(
    path: &Path,
    reader: Box<dyn BufRead + Send>,
    delimiter: u8,
    columns: &Columns,
) -> Result<RowIter, Error> {
    let mut lines = Lines::new(path, reader);
    let header = match next_record(&mut lines, delimiter) {
        Some(record) => record?,
        None => return Ok(Box::new(std::iter::empty())),
    };
    let find = |name: &str| -> Result<usize, Error> {
        header
            .iter()
            .position(|column| column == name)
            .ok_or_else(|| Error::MissingColumn {
                path: path.to_owned(),
                column: name.to_owned(),
                available: header.join(", "),
            })
    };
    let url_index = find(&columns.url)?;
    let caption_index = columns.caption.as_deref().map(find).transpose()?;
    Ok(Box::new(std::iter::from_fn(move || {
        let record = match next_record(&mut lines, delimiter)? {
            Ok(record) => record,
            Err(error) => return Some(Err(error)),
        };
        let url = record
            .get(url_index)
            .map_or("", |url| url.trim())
            .to_owned();
        let caption = caption_index.and_then(|index| record.get(index).cloned());
        Some(Ok(Row { url, caption }))
    })))
}

/// The next non-empty record; a quoted field may span lines.
fn next_record(lines: &mut Lines, delimiter: u8) -> Option<Result<Vec<String>, Error>> {
    let mut text = loop {
        match lines.next_line()? {
            Ok(line) if line.is_empty() => continue,
            Ok(line) => break line,
            Err(error) => return Some(Err(error)),
        }
    };
    loop {
        match split_record(&text, delimiter) {
            Some(fields) => return Some(Ok(fields)),
            None => match lines.next_line() {
                Some(Ok(more)) => {
                    text.push('\n');
                    text.push_str(&more);
                }
                Some(Err(error)) => return Some(Err(error)),
                None => {
                    return Some(Err(Error::Row {
                        path: lines.path().to_owned(),
                        line: lines.line(),
                        message: "a quoted field is not closed before the end of the file"
                            .to_owned(),
                    }));
                }
            },
        }
    }
}

/// Splits one record; `None` when a quoted field is still open at the end.
fn split_record(text: &str, delimiter: u8) -> Option<Vec<String>> {
    let delimiter = char::from(delimiter);
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut at_field_start = true;
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else if c == '"' && at_field_start {
            quoted = true;
            at_field_start = false;
        } else if c == delimiter {
            fields.push(std::mem::take(&mut field));
            at_field_start = true;
        } else {
            field.push(c);
            at_field_start = false;
        }
    }
    if quoted {
        return None;
    }
    fields.push(field);
    Some(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_keep_delimiters_and_doubled_quotes() {
        assert_eq!(
            split_record(r#"a,"b, ""c""",d"#, b',').unwrap(),
            ["a", r#"b, "c""#, "d"]
        );
        assert_eq!(split_record("x\t\ty", b'\t').unwrap(), ["x", "", "y"]);
        assert_eq!(split_record(r#""open"#, b','), None);
    }

    #[test]
    fn cc3m_rows_put_the_url_second() {
        let text = "a dog\thttp://x/1.jpg\n\nno url here\nb cat\thttp://x/2.jpg\r\n";
        let rows: Vec<Row> = fixed_tsv_rows(
            Path::new("t.tsv"),
            Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
            1,
            Some(0),
        )
        .map(Result::unwrap)
        .collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].url, "http://x/1.jpg");
        assert_eq!(rows[0].caption.as_deref(), Some("a dog"));
        assert_eq!(rows[1].url, "");
        assert_eq!(rows[2].url, "http://x/2.jpg");
    }

    #[test]
    fn csv_with_header_and_multiline_caption() {
        let text = "caption,url\n\"two\nlines\",http://x/1.jpg\nplain,http://x/2.jpg\n";
        let columns = Columns {
            url: "url".to_owned(),
            caption: Some("caption".to_owned()),
        };
        let rows: Vec<Row> = table_rows(
            Path::new("t.csv"),
            Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
            b',',
            &columns,
        )
        .unwrap()
        .map(Result::unwrap)
        .collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].caption.as_deref(), Some("two\nlines"));
        assert_eq!(rows[1].url, "http://x/2.jpg");
    }
}
