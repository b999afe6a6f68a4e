//! The strict lexer behind [`PackedNumbers`](super::PackedNumbers): one pass that checks
//! the JSON syntax of an array of numbers (or of arrays of numbers) and emits the packed
//! symbols.
//!
//! Written as plain nested loops rather than a table-driven automaton: a table lookup per
//! byte makes every byte wait for the previous one's state, while the digit loops here
//! run at close to a byte per cycle. Polygons are most of a COCO file, so this loop is
//! most of the reader's time.

use super::{CLOSE, COMMA, DOT, EXPONENT, MINUS, OPEN, PackError};

struct Lexer<'a> {
    bytes: &'a [u8],
    position: usize,
    out: &'a mut [u8],
    written: usize,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.position).copied()
    }

    fn emit(&mut self, symbol: u8) {
        self.out[self.written] = symbol;
        self.written += 1;
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.position += 1;
        }
    }

    fn error(&self, expected: &'static str) -> PackError {
        match self.peek() {
            Some(byte) => PackError::Shape {
                expected,
                found: byte as char,
                position: self.position,
            },
            None => PackError::Unterminated,
        }
    }

    fn expect(&mut self, byte: u8, symbol: u8, expected: &'static str) -> Result<(), PackError> {
        if self.peek() == Some(byte) {
            self.position += 1;
            self.emit(symbol);
            Ok(())
        } else {
            Err(self.error(expected))
        }
    }

    /// Copies digits; returns how many.
    fn digits(&mut self) -> usize {
        let start = self.position;
        while let Some(&byte) = self.bytes.get(self.position) {
            let digit = byte.wrapping_sub(b'0');
            if digit > 9 {
                break;
            }
            self.out[self.written] = digit;
            self.written += 1;
            self.position += 1;
        }
        self.position - start
    }

    /// One JSON number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn number(&mut self) -> Result<(), PackError> {
        if self.peek() == Some(b'-') {
            self.position += 1;
            self.emit(MINUS);
        }
        match self.peek() {
            Some(b'0') => {
                self.position += 1;
                self.emit(0);
                if self.peek().is_some_and(|byte| byte.is_ascii_digit()) {
                    return Err(self.error("`.`, `,` or `]` (no leading zeros)"));
                }
            }
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("a number")),
        }
        if self.peek() == Some(b'.') {
            self.position += 1;
            self.emit(DOT);
            if self.digits() == 0 {
                return Err(self.error("a digit after `.`"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.position += 1;
            self.emit(EXPONENT);
            match self.peek() {
                Some(b'+') => self.position += 1,
                Some(b'-') => {
                    self.position += 1;
                    self.emit(MINUS);
                }
                _ => {}
            }
            if self.digits() == 0 {
                return Err(self.error("a digit in the exponent"));
            }
        }
        Ok(())
    }

    /// After `[`: numbers separated by `,`, then `]`.
    fn numbers(&mut self) -> Result<(), PackError> {
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.position += 1;
            self.emit(CLOSE);
            return Ok(());
        }
        loop {
            self.number()?;
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => {
                    self.position += 1;
                    self.emit(COMMA);
                    self.skip_whitespace();
                }
                Some(b']') => {
                    self.position += 1;
                    self.emit(CLOSE);
                    return Ok(());
                }
                _ => return Err(self.error("`,` or `]` after a number")),
            }
        }
    }

    /// After the outer `[` of a nested array: arrays of numbers separated by `,`, then `]`.
    fn arrays(&mut self) -> Result<(), PackError> {
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.position += 1;
            self.emit(CLOSE);
            return Ok(());
        }
        loop {
            self.expect(b'[', OPEN, "`[`")?;
            self.numbers()?;
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => {
                    self.position += 1;
                    self.emit(COMMA);
                    self.skip_whitespace();
                }
                Some(b']') => {
                    self.position += 1;
                    self.emit(CLOSE);
                    return Ok(());
                }
                _ => return Err(self.error("`,` or `]` after an array")),
            }
        }
    }
}

/// Lexes the array at the start of `bytes`, pushing one symbol per kept character into
/// `symbols`; returns the number of bytes consumed (through the closing `]`).
pub(super) fn lex_array(
    bytes: &[u8],
    depth: u32,
    symbols: &mut Vec<u8>,
) -> Result<usize, PackError> {
    // Every byte emits at most one symbol, so a buffer as long as the input never
    // overflows and the loops need no capacity checks.
    let start = symbols.len();
    symbols.resize(start + bytes.len(), 0);
    let mut lexer = Lexer {
        bytes,
        position: 0,
        out: &mut symbols[start..],
        written: 0,
    };
    lexer.skip_whitespace();
    let result = lexer.expect(b'[', OPEN, "`[`").and_then(|()| {
        if depth == 1 {
            lexer.numbers()
        } else {
            lexer.arrays()
        }
    });
    let (written, position) = (lexer.written, lexer.position);
    match result {
        Ok(()) => {
            symbols.truncate(start + written);
            Ok(position)
        }
        Err(error) => {
            symbols.truncate(start);
            Err(error)
        }
    }
}
