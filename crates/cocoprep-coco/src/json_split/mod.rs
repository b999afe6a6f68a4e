//! Splitting a big JSON document into values without parsing them, and parsing the
//! elements of its arrays on worker threads.
//!
//! Annotation files (COCO instances, Karpathy's caption files) are one top-level object
//! whose few members are long arrays of small records. One parser on one thread would be
//! slow and would need the whole text in memory. Instead a [`Scanner`] reads the document
//! in blocks and cuts out the bytes of each value, tracking only nesting and strings, and
//! [`parse_array`] hands batches of array elements to worker threads and gives back their
//! results in file order. Every byte handed out is parsed, and so validated, by the
//! caller's parser afterwards: the scanner only has to find where values end.
//!
//! Positions are byte offsets in the document; callers turn them into line and column
//! only when they report an error, so the fast path never counts lines.
//!
//! ```
//! use cocoprep_coco::json_split::Scanner;
//!
//! let json = br#"{"images": [{"id": 1}, {"id": 2, "name": "a]\"}"}], "type": "x"}"#;
//! let mut scanner = Scanner::new(&json[..]);
//! scanner.expect(b'{', "`{`")?;
//! assert_eq!(scanner.key()?, "images");
//! scanner.expect(b'[', "`[`")?;
//! let mut elements = Vec::new();
//! loop {
//!     let (offset, bytes) = scanner.next_value()?;
//!     elements.push((offset, String::from_utf8_lossy(bytes).into_owned()));
//!     if scanner.separator(b']', "`,` or `]`")? {
//!         break;
//!     }
//! }
//! assert_eq!(elements[0], (12, r#"{"id": 1}"#.to_owned()));
//! assert_eq!(elements[1].1, r#"{"id": 2, "name": "a]\"}"}"#);
//! # Ok::<(), cocoprep_coco::json_split::ScanError>(())
//! ```

mod parallel;
mod scanner;
mod value_end;

pub use parallel::{ArrayElement, ArrayError, Batch, BatchParser, parse_array};
pub use scanner::{ScanError, Scanner};
