//! Python's string semantics, where outputs depend on them.

/// Python's `str.split()` with no argument: runs of whitespace separate, and leading or
/// trailing whitespace gives no empty words. Python counts `\x1c`..`\x1f` as whitespace
/// too, which Rust's `char::is_whitespace` does not.
pub fn python_split(text: &str) -> impl Iterator<Item = &str> {
    text.split(|character: char| {
        character.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&character)
    })
    .filter(|word| !word.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_split_drops_empty_words_and_splits_on_unit_separators() {
        let words: Vec<_> = python_split("  a\tb\u{1f}c \u{a0}d  ").collect();
        assert_eq!(words, vec!["a", "b", "c", "d"]);
        assert_eq!(python_split("").count(), 0);
    }
}
