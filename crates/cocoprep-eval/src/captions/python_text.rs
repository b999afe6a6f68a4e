//! Python's string splitting, which the scorers use on tokenized captions.

/// Python's `str.split()`: runs of Unicode whitespace (as `str.isspace` defines it,
/// including the separators U+001C..U+001F) separate words; no empty words.
pub(crate) fn split_whitespace(text: &str) -> impl Iterator<Item = &str> {
    text.split(is_python_whitespace)
        .filter(|word| !word.is_empty())
}

/// Python's `str.split(" ")`: every single space separates, so empty words remain (an empty
/// caption is one empty word).
pub(crate) fn split_spaces(text: &str) -> impl Iterator<Item = &str> {
    text.split(' ')
}

fn is_python_whitespace(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{1C}'..='\u{1F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_split_matches_python() {
        let words: Vec<&str> = split_whitespace(" a\u{A0}b\u{1F}c  d ").collect();
        assert_eq!(words, ["a", "b", "c", "d"]);
        assert_eq!(split_whitespace("").count(), 0);
    }

    #[test]
    fn space_split_keeps_empty_words() {
        assert_eq!(split_spaces("").collect::<Vec<_>>(), [""]);
        assert_eq!(
            split_spaces("a\u{A0}b c").collect::<Vec<_>>(),
            ["a\u{A0}b", "c"]
        );
    }
}
