//! Positions in a source file for error messages.
//!
//! Readers work with byte offsets (cheap to keep while parsing); only when something fails
//! are offsets turned into 1-based line and column, by reading the source again. serde_json
//! puts its own position (relative to the fragment it was given) at the end of its messages;
//! [`strip_position`] removes it so that the whole-file position can be given instead.

use std::fmt;
use std::io::Read;
use std::path::Path;

/// A 1-based line and column (in bytes) in a source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourcePosition {
    /// Line number, from 1.
    pub line: u64,
    /// Byte column within the line, from 1.
    pub column: u64,
}

impl fmt::Display for SourcePosition {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}:{}", self.line, self.column)
    }
}

/// The source that byte offsets refer to, read again only on error paths.
#[derive(Clone, Copy, Debug)]
pub enum Locator<'a> {
    /// A file on disk (an unreadable file gives positions on line 1).
    File(&'a Path),
    /// Bytes in memory.
    Bytes(&'a [u8]),
}

impl Locator<'_> {
    /// The position of one byte offset.
    pub fn position(&self, offset: u64) -> SourcePosition {
        self.positions(&[offset])[0]
    }

    /// The position of each offset (in any order), in one pass over the source. Offsets at
    /// or past the end are placed on the last line.
    pub fn positions(&self, offsets: &[u64]) -> Vec<SourcePosition> {
        let mut order: Vec<usize> = (0..offsets.len()).collect();
        order.sort_by_key(|&index| offsets[index]);
        let mut walk = Walk {
            offsets,
            order: &order,
            next: 0,
            line: 1,
            line_start: 0,
            position: 0,
            result: vec![SourcePosition { line: 1, column: 1 }; offsets.len()],
        };
        let finished = match self {
            Locator::Bytes(bytes) => walk.visit(bytes),
            Locator::File(path) => {
                let mut finished = false;
                if let Ok(mut file) = std::fs::File::open(path) {
                    let mut buffer = vec![0u8; 1 << 20];
                    while let Ok(read) = file.read(&mut buffer) {
                        if read == 0 {
                            break;
                        }
                        if walk.visit(&buffer[..read]) {
                            finished = true;
                            break;
                        }
                    }
                }
                finished
            }
        };
        if !finished {
            for &index in &order[walk.next..] {
                walk.result[index] = SourcePosition {
                    line: walk.line,
                    column: offsets[index].saturating_sub(walk.line_start) + 1,
                };
            }
        }
        walk.result
    }
}

/// The state of one pass over the source.
struct Walk<'a> {
    offsets: &'a [u64],
    /// Indexes into `offsets`, by increasing offset.
    order: &'a [usize],
    /// The next entry of `order` to resolve.
    next: usize,
    line: u64,
    line_start: u64,
    position: u64,
    result: Vec<SourcePosition>,
}

impl Walk<'_> {
    /// Consumes a chunk; true once every offset is resolved.
    fn visit(&mut self, chunk: &[u8]) -> bool {
        let end = self.position + chunk.len() as u64;
        let mut from = 0usize;
        loop {
            // Resolve every offset before the next newline in one go.
            let newline = memchr::memchr(b'\n', &chunk[from..]).map(|at| from + at);
            let limit = newline.map_or(end, |at| self.position_of(at) + 1);
            while self.next < self.order.len() && self.offsets[self.order[self.next]] < limit {
                let offset = self.offsets[self.order[self.next]];
                self.result[self.order[self.next]] = SourcePosition {
                    line: self.line,
                    column: offset - self.line_start + 1,
                };
                self.next += 1;
            }
            if self.next == self.order.len() {
                return true;
            }
            match newline {
                Some(at) => {
                    self.line += 1;
                    self.line_start = self.position_of(at) + 1;
                    from = at + 1;
                }
                None => break,
            }
        }
        self.position = end;
        false
    }

    fn position_of(&self, index_in_chunk: usize) -> u64 {
        self.position + index_in_chunk as u64
    }
}

/// serde_json's message without its trailing ` at line L column C` (repeated when a message
/// wraps another): positions are given relative to the whole file instead.
pub fn strip_position(message: &str) -> String {
    let mut out = message.to_owned();
    while let Some(at) = out.rfind(" at line ") {
        let tail = &out[at + " at line ".len()..];
        let is_position = tail.split_once(" column ").is_some_and(|(line, column)| {
            line.bytes().all(|b| b.is_ascii_digit()) && column.bytes().all(|b| b.is_ascii_digit())
        });
        if !is_position {
            break;
        }
        out.truncate(at);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The obvious byte-by-byte answer.
    fn naive(source: &[u8], offset: u64) -> SourcePosition {
        let (mut line, mut start) = (1, 0);
        for (index, &byte) in source.iter().enumerate() {
            if index as u64 >= offset {
                break;
            }
            if byte == b'\n' {
                line += 1;
                start = index as u64 + 1;
            }
        }
        SourcePosition {
            line,
            column: offset - start + 1,
        }
    }

    #[test]
    fn positions_match_a_byte_by_byte_count() {
        let source = b"{\n  \"a\": 1,\n\n  \"b\": [2,\n 3]\n}\n";
        let offsets: Vec<u64> = (0..=source.len() as u64 + 2).rev().collect();
        let positions = Locator::Bytes(source).positions(&offsets);
        for (&offset, position) in offsets.iter().zip(positions) {
            assert_eq!(position, naive(source, offset), "offset {offset}");
        }
    }

    #[test]
    fn file_and_bytes_agree() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("x.json");
        let source = b"[1,\n2,\n3]";
        std::fs::write(&path, source).unwrap();
        assert_eq!(
            Locator::File(&path).positions(&[0, 4, 8]),
            Locator::Bytes(source).positions(&[0, 4, 8])
        );
    }

    #[test]
    fn serde_positions_are_removed_but_other_text_is_kept() {
        assert_eq!(
            strip_position("expected `,` at line 1 column 5"),
            "expected `,`"
        );
        assert_eq!(
            strip_position("bad: expected x at line 2 column 3 at line 1 column 9"),
            "bad: expected x"
        );
        assert_eq!(
            strip_position("seen at line of sight"),
            "seen at line of sight"
        );
    }
}
