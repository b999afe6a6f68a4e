//! The few Python string operations the reference scripts rely on, with Python's exact
//! semantics (they differ from Rust's at the edges).

/// Python's `str.isspace()` for one character: Unicode whitespace plus the four ASCII
/// separators `\x1c`..`\x1f`, which Rust's `char::is_whitespace` does not include.
pub fn is_python_space(character: char) -> bool {
    character.is_whitespace() || ('\x1c'..='\x1f').contains(&character)
}

/// Python's `str.strip()` without arguments.
pub fn python_strip(text: &str) -> &str {
    text.trim_matches(is_python_space)
}

/// Python's `str.split()` without arguments: runs of whitespace separate, no empty items.
pub fn split_whitespace(text: &str) -> impl Iterator<Item = &str> {
    text.split(is_python_space).filter(|item| !item.is_empty())
}

/// Python's text-mode `readlines()` (universal newlines): `\r\n`, `\r` and `\n` all end a
/// line; the lines are returned without their end.
pub fn lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'\n' => {
                lines.push(&text[start..index]);
                index += 1;
                start = index;
            }
            b'\r' => {
                lines.push(&text[start..index]);
                index += if bytes.get(index + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                start = index;
            }
            _ => index += 1,
        }
    }
    if start < bytes.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// Python's `int(text)` for the decimal integers the scripts parse (surrounding whitespace
/// and one sign allowed; `_` separators are not accepted here).
pub fn parse_int(text: &str) -> Option<i64> {
    let text = python_strip(text);
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_follow_universal_newlines() {
        assert_eq!(lines("a\r\nb\rc\nd"), ["a", "b", "c", "d"]);
        assert_eq!(lines("a\n"), ["a"]);
        assert_eq!(lines("a\n\nb"), ["a", "", "b"]);
        assert!(lines("").is_empty());
    }

    #[test]
    fn strip_and_split_use_python_whitespace() {
        assert_eq!(python_strip("\x1c a b \n"), "a b");
        assert_eq!(
            split_whitespace(" a\t b\x1fc ").collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
    }

    #[test]
    fn int_accepts_what_python_int_accepts() {
        assert_eq!(parse_int(" 12 "), Some(12));
        assert_eq!(parse_int("-3"), Some(-3));
        assert_eq!(parse_int("1.0"), None);
        assert_eq!(parse_int(""), None);
    }

    #[test]
    fn strip_removes_what_python_counts_as_space() {
        assert_eq!(python_strip(" \t a b \r\n"), "a b");
        assert_eq!(python_strip("\u{1f}x\u{a0}"), "x");
        assert_eq!(python_strip("\u{200b}x"), "\u{200b}x");
    }
}
