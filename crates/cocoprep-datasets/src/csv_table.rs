//! A CSV reader with the dialect `pandas.read_csv` uses by default (comma separated, first
//! row is the header, `"` quotes fields, `""` is a quote inside a quoted field, newlines
//! allowed inside quotes), enough for the small metadata CSVs of the video datasets.

use std::path::Path;

use crate::error::Error;

/// A parsed CSV: its header and rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvTable {
    /// The column names.
    pub header: Vec<String>,
    /// The records, each with as many fields as found on its line.
    pub rows: Vec<Vec<String>>,
}

impl CsvTable {
    /// Parses `text`, naming `path` in errors.
    pub fn parse(path: &Path, text: &str) -> Result<Self, Error> {
        let mut records = parse_records(path, text)?.into_iter();
        let header = records
            .next()
            .ok_or_else(|| Error::invalid(path, "empty CSV (no header line)"))?;
        Ok(Self {
            header,
            rows: records.collect(),
        })
    }

    /// The values of column `name`, naming `path` and the row in errors.
    pub fn column(&self, path: &Path, name: &str) -> Result<Vec<&str>, Error> {
        let index = self
            .header
            .iter()
            .position(|column| column == name)
            .ok_or_else(|| {
                Error::invalid(
                    path,
                    format!("no column `{name}` (columns: {})", self.header.join(", ")),
                )
            })?;
        self.rows
            .iter()
            .enumerate()
            .map(|(row, fields)| {
                fields.get(index).map(String::as_str).ok_or_else(|| {
                    Error::invalid(path, format!("row {} has no `{name}` field", row + 1))
                })
            })
            .collect()
    }
}

fn parse_records(path: &Path, text: &str) -> Result<Vec<Vec<String>>, Error> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut in_quotes = false;
    let mut line = 1;
    let mut any = false;
    while let Some(character) = chars.next() {
        any = true;
        if in_quotes {
            match character {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                other => field.push(other),
            }
            continue;
        }
        match character {
            '"' if field.is_empty() => in_quotes = true,
            ',' => record.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                line += 1;
                record.push(std::mem::take(&mut field));
                // pandas skips blank lines.
                if !(record.len() == 1 && record[0].is_empty()) {
                    records.push(std::mem::take(&mut record));
                }
                record.clear();
                any = false;
            }
            other => field.push(other),
        }
    }
    if in_quotes {
        return Err(Error::at_line(path, line, "a quoted field is not closed"));
    }
    if any {
        record.push(field);
        if !(record.len() == 1 && record[0].is_empty()) {
            records.push(record);
        }
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_keep_commas_quotes_and_newlines() {
        let table = CsvTable::parse(
            Path::new("x.csv"),
            "key,video_id,sentence\r\nret0,video7,\"a man, \"\"quoted\"\"\nnext\"\n\nret1,video8,plain",
        )
        .unwrap();
        assert_eq!(table.header, ["key", "video_id", "sentence"]);
        assert_eq!(
            table.column(Path::new("x.csv"), "sentence").unwrap(),
            ["a man, \"quoted\"\nnext", "plain"]
        );
        assert!(table.column(Path::new("x.csv"), "nope").is_err());
    }
}
