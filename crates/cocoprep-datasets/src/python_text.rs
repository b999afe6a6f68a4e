//! Python's text rules where the reference scripts rely on them.

/// Python's `str.strip()` with no argument: removes leading and trailing characters for
/// which `str.isspace()` is true. That is Unicode White_Space (Rust's `char::is_whitespace`)
/// plus the ASCII separators U+001C..U+001F, which Python also counts as space.
pub fn python_strip(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

#[cfg(test)]
mod tests {
    use super::python_strip;

    #[test]
    fn strip_removes_what_python_counts_as_space() {
        assert_eq!(python_strip(" \t a b \r\n"), "a b");
        assert_eq!(python_strip("\u{1f}x\u{a0}"), "x");
        assert_eq!(python_strip("\u{200b}x"), "\u{200b}x");
    }
}
