//! coco-caption's tokenization without Java: the Stanford PTB tokenizer (CoreNLP 3.4.1, as
//! `PTBTokenizer -preserveLines -lowerCase` runs it) on caption text, then the punctuation
//! tokens removed, as pycocoevalcap's `tokenizer/ptbtokenizer.py` does.
//!
//! pycocoevalcap writes all captions of one call into one file, one caption per line (a
//! newline inside a caption becomes a space), and tokenizes the file in one run. A few
//! token shapes look past their own text, across the line end into the next caption (an
//! acronym's period before a capitalised word, an abbreviation before a sentence start), so
//! each caption here is tokenized with the captions after it as context, which gives the
//! same tokens. One difference is deliberate: the Java tokenizer also ends a line at a
//! carriage return, U+2028, U+2029, a vertical tab or a form feed inside a caption, which
//! shifts every later caption onto the wrong image in pycocoevalcap; here those characters
//! separate tokens and each caption stays with its image.
//!
//! The shapes ported are those caption text uses: words, contractions (`do n't`, `it 's`),
//! hyphenated and slashed compounds, numbers, dates and fractions, abbreviations and
//! acronyms with their periods, quotes, brackets (`-lrb-`), ampersands, dashes, ellipses,
//! SGML-like tags (`<unk>`), URLs, e-mail addresses, phone numbers, emoticons and Unicode
//! letters. Not ported: file names (`photo_01.jpg`), which split at their punctuation.

mod chars;
mod patterns;
mod scanner;
mod words;

use rayon::prelude::*;

/// The tokens pycocoevalcap removes after tokenization (compared after lowercasing, so the
/// bracket escapes `-lrb-` and the like stay).
const PUNCTUATION: &[&str] = &[
    "''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-", ".", "?", "!", ",", ":", "-", "--",
    "...", ";",
];

/// How many characters of the following captions are kept as context for one caption.
const CONTEXT_CHARACTERS: usize = 64;

/// Tokenizes captions as pycocoevalcap's `PTBTokenizer.tokenize` does when given them in
/// this order: each result is the caption's lowercased tokens without punctuation, joined
/// by single spaces.
pub fn tokenize_captions(captions: &[&str]) -> Vec<String> {
    captions
        .par_iter()
        .enumerate()
        .map(|(index, caption)| {
            let mut text: Vec<char> = caption
                .chars()
                .map(|c| if c == '\n' { ' ' } else { c })
                .collect();
            let end = text.len();
            for next in &captions[index + 1..] {
                if text.len() >= end + CONTEXT_CHARACTERS {
                    break;
                }
                text.push('\n');
                text.extend(next.chars().map(|c| if c == '\n' { ' ' } else { c }));
            }
            tokenize_window(&text, end)
        })
        .collect()
}

/// Tokenizes one caption alone (the text after it counts as the end of the input).
pub fn tokenize_caption(caption: &str) -> String {
    let text: Vec<char> = caption
        .chars()
        .map(|c| if c == '\n' { ' ' } else { c })
        .collect();
    tokenize_window(&text, text.len())
}

fn tokenize_window(text: &[char], end: usize) -> String {
    let mut out = String::new();
    scanner::scan(text, end, |token| {
        // Java's `toLowerCase(Locale.ENGLISH)`.
        let lower = token.to_lowercase();
        if PUNCTUATION.contains(&lower.as_str()) {
            return;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&lower);
    });
    out
}
