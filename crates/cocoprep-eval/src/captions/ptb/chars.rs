//! Character classes of the PTB tokenizer as coco-caption runs it.
//!
//! The Stanford tokenizer (CoreNLP 3.4.1) is a JFlex scanner over UTF-16 code units, so a
//! character outside the Basic Multilingual Plane is two surrogates that no class matches:
//! it is never a letter or a digit, and is deleted as untokenizable.

/// A letter as the tokenizer's word rules see it (Java's `isLetter`, the soft hyphen and
/// the combining marks that may sit inside words).
pub(super) fn is_word_letter(c: char) -> bool {
    is_letter(c) || c == '\u{AD}' || ('\u{300}'..='\u{36F}').contains(&c)
}

/// A letter (Java's `Character.isLetter` on a BMP character).
pub(super) fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    (c as u32) < 0x10000 && c.is_alphabetic() && !is_combining_mark(c) && !is_letter_number(c)
}

/// Letter numbers (Roman numerals and the like): alphabetic to Rust, not letters to Java.
fn is_letter_number(c: char) -> bool {
    matches!(c, '\u{16EE}'..='\u{16F0}' | '\u{2160}'..='\u{2188}' | '\u{3007}' | '\u{3021}'..='\u{3029}' | '\u{3038}'..='\u{303A}')
}

fn is_combining_mark(c: char) -> bool {
    ('\u{300}'..='\u{36F}').contains(&c)
}

/// A decimal digit (Java's `Character.isDigit` on a BMP character).
pub(super) fn is_digit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    (c as u32) < 0x10000
        && c.is_numeric()
        && !c.is_alphabetic()
        // Superscripts, subscripts, vulgar fractions, circled and other non-decimal numbers.
        && !matches!(c, '\u{B2}' | '\u{B3}' | '\u{B9}' | '\u{BC}'..='\u{BE}')
        && !('\u{2070}'..='\u{218F}').contains(&c)
        && !('\u{2460}'..='\u{24FF}').contains(&c)
        && !('\u{2776}'..='\u{2793}').contains(&c)
        && !('\u{3192}'..='\u{3195}').contains(&c)
        && !('\u{3220}'..='\u{3229}').contains(&c)
        && !('\u{3248}'..='\u{324F}').contains(&c)
        && !('\u{3251}'..='\u{325F}').contains(&c)
        && !('\u{3280}'..='\u{3289}').contains(&c)
        && !('\u{32B1}'..='\u{32BF}').contains(&c)
}

pub(super) fn is_alnum(c: char) -> bool {
    is_letter(c) || is_digit(c)
}

/// Horizontal space the tokenizer skips.
pub(super) fn is_space(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\u{A0}' | '\u{2000}'..='\u{200A}' | '\u{3000}'
    )
}

/// A line end (`\r`, `\n`, U+2028, U+2029, VT, FF; U+0085 is an ellipsis to this tokenizer).
pub(super) fn is_newline(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{2028}' | '\u{2029}' | '\u{B}' | '\u{C}')
}

pub(super) fn is_space_or_newline(c: char) -> bool {
    is_space(c) || is_newline(c) || c == '\u{85}'
}

/// Characters dropped without a token (NUL, DEL, zero-width spaces and marks, BOM).
pub(super) fn is_ignorable(c: char) -> bool {
    matches!(
        c,
        '\0' | '\u{7F}' | '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{FEFF}'
    )
}

/// An apostrophe: `'`, U+2019 or the CP1252 U+0092.
pub(super) fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{92}' | '\u{2019}')
}

/// An apostrophe or a character used as one inside words (backquote, U+2018, U+201B, U+0091).
pub(super) fn is_apostrophe_like(c: char) -> bool {
    is_apostrophe(c) || matches!(c, '`' | '\u{91}' | '\u{2018}' | '\u{201B}')
}

/// Characters that join the parts of a hyphenated word.
pub(super) fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '_' | '\u{58A}' | '\u{2010}' | '\u{2011}')
}

/// Quote characters that form quote tokens of one or two characters.
pub(super) fn is_quote_mark(c: char) -> bool {
    matches!(
        c,
        '`' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{201C}' | '\u{201D}' | '\u{91}'
            ..='\u{94}' | '\u{201E}' | '\u{201F}' | '\u{2039}' | '\u{203A}' | '\u{AB}' | '\u{BB}'
    )
}

/// Dashes written as `--`.
pub(super) fn is_long_dash(c: char) -> bool {
    matches!(
        c,
        '\u{96}' | '\u{97}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
    )
}

/// Currency signs that the tokenizer normalises or keeps as their own token.
pub(super) fn is_currency_sign(c: char) -> bool {
    matches!(
        c,
        '\u{A2}'
            | '\u{A3}'
            | '\u{A4}'
            | '\u{A5}'
            | '\u{80}'
            | '\u{20A0}'
            | '\u{20AC}'
            | '\u{60B}'
            | '\u{E3F}'
            | '\u{20A4}'
            | '\u{FFE0}'
            | '\u{FFE1}'
            | '\u{FFE5}'
            | '\u{FFE6}'
    )
}

/// Sentence punctuation that is one token per character.
pub(super) fn is_sentence_final(c: char) -> bool {
    matches!(
        c,
        '.' | '\u{A1}' | '\u{BF}' | '\u{37E}' | '\u{589}' | '\u{61F}' | '\u{6D4}' | '\u{700}'
            ..='\u{702}' | '\u{7FA}' | '\u{3002}'
    )
}

/// Symbols that stand alone as a token of one character (mathematical and other signs).
pub(super) fn is_symbol(c: char) -> bool {
    matches!(
        c,
        '+' | '%'
            | '&'
            | '~'
            | '^'
            | '|'
            | '\\'
            | '\u{A6}'..='\u{A9}'
            | '\u{AC}'
            | '\u{AE}'
            | '\u{AF}'
            | '\u{B0}'..='\u{BA}'
            | '\u{D7}'
            | '\u{F7}'
            | '\u{387}'
            | '\u{5BE}'
            | '\u{5C0}'
            | '\u{5C3}'
            | '\u{5C6}'
            | '\u{5F3}'
            | '\u{5F4}'
            | '\u{600}'..='\u{603}'
            | '\u{606}'..='\u{60A}'
            | '\u{60C}'
            | '\u{614}'
            | '\u{61B}'
            | '\u{61E}'
            | '\u{66A}'
            | '\u{66D}'
            | '\u{703}'..='\u{70D}'
            | '\u{7F6}'..='\u{7F8}'
            | '\u{964}'
            | '\u{965}'
            | '\u{E4F}'
            | '\u{1FBD}'
            | '\u{2016}'
            | '\u{2017}'
            | '\u{2020}'..='\u{2023}'
            | '\u{2030}'..='\u{2038}'
            | '\u{203B}'
            | '\u{203E}'..='\u{2042}'
            | '\u{2044}'
            | '\u{207A}'..='\u{207F}'
            | '\u{208A}'..='\u{208E}'
            | '\u{2100}'..='\u{214F}'
            | '\u{2190}'..='\u{21FF}'
            | '\u{2200}'..='\u{2BFF}'
            | '\u{3012}'
            | '\u{30FB}'
            | '\u{FF01}'..='\u{FF0F}'
            | '\u{FF1A}'..='\u{FF20}'
            | '\u{FF3B}'..='\u{FF40}'
            | '\u{FF5B}'..='\u{FF65}'
    )
}
