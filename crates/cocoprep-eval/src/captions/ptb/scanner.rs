//! The scanner: at each position every token shape is tried, the longest match wins and
//! among equally long matches the shape listed first. That is how the JFlex-generated
//! Stanford tokenizer chooses, and some shapes look ahead past their own text (a word
//! before `n't`, an abbreviation before the start of a sentence), so a token can depend on
//! the characters after it, including the next caption's.

use super::chars::{
    is_alnum, is_apostrophe, is_apostrophe_like, is_currency_sign, is_digit, is_hyphen,
    is_ignorable, is_letter, is_long_dash, is_newline, is_quote_mark, is_sentence_final, is_space,
    is_space_or_newline, is_symbol, is_word_letter,
};
use super::patterns::{self, Shape};
use super::words::{
    ABBREVIATIONS_BEFORE_LOWERCASE, ABBREVIATIONS_BEFORE_NUMBER, ABBREVIATIONS_BEFORE_UPPERCASE,
    SENTENCE_STARTERS, SPLIT_ASSIMILATIONS,
};

/// How a matched token is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Render {
    /// The text as it is, soft hyphens removed.
    Raw,
    /// Spaces become no-break spaces (fractions like `2 1/2`, SGML tags).
    NoBreakSpaces,
    /// `--`.
    Dash,
    /// `&amp;` becomes `&`.
    Ampersand,
    /// Quotes in LaTeX style; `true` when the quote probably opens.
    Quote(bool),
    /// `...`.
    Ellipsis,
    /// A fixed replacement.
    Fixed(&'static str),
    /// Currency signs normalised (`¢` → `cents`, `£` → `#`, euro → `$`).
    Currency,
    /// `½` → `1/2` and the like.
    Fraction,
    /// `(` and `)` written `-LRB-` and `-RRB-` (inside emoticons).
    Parentheses,
    /// Spaces as no-break spaces and brackets as `-LRB-` / `-RRB-`.
    Phone,
    /// Nothing (spaces, line ends, untokenizable characters).
    Skip,
}

/// One match: `length` characters (lookahead included) decide which shape wins; the token
/// is the first `token` characters, and the scanner then moves `advance` characters on
/// (less than `token` when the tokenizer returns a period twice).
#[derive(Clone, Copy, Debug)]
struct Match {
    length: usize,
    token: usize,
    advance: usize,
    render: Render,
}

impl Match {
    fn plain(token: usize, render: Render) -> Self {
        Self {
            length: token,
            token,
            advance: token,
            render,
        }
    }

    fn with_lookahead(length: usize, token: usize, render: Render) -> Self {
        Self {
            length,
            token,
            advance: token,
            render,
        }
    }
}

/// Tokenizes `text[..end]`, looking at `text[end..]` only as context, and calls `emit` with
/// each token as the Stanford tokenizer writes it (before lowercasing).
pub(super) fn scan(text: &[char], end: usize, mut emit: impl FnMut(&str)) {
    let scanner = Scanner::new(text);
    let mut position = 0;
    let mut buffer = String::new();
    while position < end {
        let found = scanner.longest_at(position);
        if found.render != Render::Skip {
            buffer.clear();
            render(
                &text[position..position + found.token],
                found.render,
                &mut buffer,
            );
            emit(&buffer);
        }
        position += found.advance.max(1);
    }
}

struct Scanner<'a> {
    text: &'a [char],
    /// The text as UTF-8, for the DFA-matched shapes, and each character's byte offset
    /// (one more entry for the end).
    string: String,
    byte_offsets: Vec<usize>,
    /// Whether a `.` or `@` comes before the next space: URLs and e-mail addresses need one.
    dot_or_at_ahead: Vec<bool>,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a [char]) -> Self {
        let string: String = text.iter().collect();
        let mut byte_offsets = Vec::with_capacity(text.len() + 1);
        let mut offset = 0;
        for c in text {
            byte_offsets.push(offset);
            offset += c.len_utf8();
        }
        byte_offsets.push(offset);
        let mut dot_or_at_ahead = vec![false; text.len()];
        let mut ahead = false;
        for (i, &c) in text.iter().enumerate().rev() {
            if matches!(c, ' ' | '\t' | '\n' | '\u{C}' | '\r' | '\u{A0}') {
                ahead = false;
            } else if c == '.' || c == '@' {
                ahead = true;
            }
            dot_or_at_ahead[i] = ahead;
        }
        Self {
            text,
            string,
            byte_offsets,
            dot_or_at_ahead,
        }
    }

    /// The longest URL, e-mail address and phone number at `p`, as matches.
    fn patterns(&self, p: usize) -> [Option<Match>; 4] {
        let mut found = [None; 4];
        let c = self.text[p];
        let phone_start = c.is_ascii_digit() || c == '(' || c == '+';
        if !phone_start && !self.dot_or_at_ahead[p] {
            return found;
        }
        for (shape, end_byte) in patterns::longest_matches(&self.string, self.byte_offsets[p]) {
            let end = self
                .byte_offsets
                .partition_point(|&offset| offset < end_byte);
            let length = end - p;
            let (slot, render) = match shape {
                Shape::FullUrl => (0, Render::Raw),
                Shape::LikelyUrl => (1, Render::Raw),
                Shape::Email => (2, Render::Raw),
                Shape::Phone => (3, Render::Phone),
            };
            found[slot] = Some(Match::plain(length, render));
        }
        found
    }

    fn at(&self, index: usize) -> Option<char> {
        self.text.get(index).copied()
    }

    fn is(&self, index: usize, predicate: impl Fn(char) -> bool) -> bool {
        self.at(index).is_some_and(predicate)
    }

    /// Whether `word` (ASCII, compared without case) is at `index`.
    fn starts_with_caseless(&self, index: usize, word: &str) -> bool {
        let mut i = index;
        for expected in word.chars() {
            match self.at(i) {
                Some(c) if c.eq_ignore_ascii_case(&expected) => i += 1,
                _ => return false,
            }
        }
        true
    }

    /// Whether `word` is at `index`, its first character matching exactly and the rest
    /// without case.
    fn starts_with_capitalised(&self, index: usize, word: &str) -> bool {
        let mut letters = word.chars();
        let Some(first) = letters.next() else {
            return true;
        };
        self.at(index) == Some(first) && self.starts_with_caseless(index + 1, letters.as_str())
    }

    fn run(&self, start: usize, predicate: impl Fn(char) -> bool) -> usize {
        let mut i = start;
        while self.is(i, &predicate) {
            i += 1;
        }
        i
    }

    /// Length of an apostrophe at `index` (`'`, `’`, or the entity `&apos;`).
    fn apostrophe(&self, index: usize) -> Option<usize> {
        if self.is(index, is_apostrophe) {
            Some(1)
        } else if self.starts_with_caseless(index, "&apos;") {
            Some(6)
        } else {
            None
        }
    }

    fn apostrophe_like(&self, index: usize) -> Option<usize> {
        if self.is(index, is_apostrophe_like) {
            Some(1)
        } else {
            self.apostrophe(index)
        }
    }

    fn longest_at(&self, position: usize) -> Match {
        // No shape starts with a space: skip the run at once.
        if is_space(self.text[position]) {
            return Match::plain(self.run(position, is_space) - position, Render::Skip);
        }
        let mut best: Option<Match> = None;
        let mut consider = |candidate: Option<Match>| {
            if let Some(candidate) = candidate
                && best.is_none_or(|b| candidate.length > b.length)
            {
                best = Some(candidate);
            }
        };
        // In the tokenizer's order of precedence: an earlier shape wins a tie.
        consider(self.programming_language(position));
        consider(self.split_assimilation(position));
        consider(self.sgml(position));
        consider(self.long_dash(position));
        consider(self.entity(position));
        consider(self.word_before_auxiliary(position));
        consider(self.word_before_negation(position));
        consider(
            self.word(position)
                .map(|end| Match::plain(end - position, Render::Raw)),
        );
        consider(self.apostrophe_word(position));
        let [full_url, likely_url, email, phone] = self.patterns(position);
        consider(full_url);
        consider(likely_url);
        consider(email);
        consider(self.twitter(position));
        consider(self.auxiliary_before_non_letter(position));
        consider(self.date(position));
        consider(self.number(position));
        consider(self.superscript_number(position));
        consider(self.fraction(position));
        consider(self.special_word(position));
        consider(self.slash_compound(position));
        consider(self.currency(position));
        consider(self.acronym_before_sentence(position));
        consider(self.abbreviation_before_number(position));
        consider(self.abbreviation_before_lowercase(position));
        consider(self.abbreviation_before_uppercase(position));
        consider(self.acronym_before_space(position));
        consider(self.year_abbreviation(position));
        consider(self.word_period_before_punctuation(position));
        consider(phone);
        consider(self.double_quote(position));
        consider(self.angle_bracket(position));
        consider(self.smiley(position));
        consider(self.asian_smiley(position));
        consider(self.bracket(position));
        consider(self.punctuation(position));
        consider(self.hyphenated(position));
        consider(self.thing(position));
        consider(self.capital_compound(position));
        consider(self.opening_single_quote(position));
        consider(self.auxiliary(position));
        consider(self.quotes(position));
        consider(self.symbol(position));
        consider(self.space(position));
        best.unwrap_or_else(|| Match::plain(1, Render::Skip))
    }

    /// `c++`, `c#`, `f#`.
    fn programming_language(&self, p: usize) -> Option<Match> {
        if self.starts_with_caseless(p, "c++") {
            return Some(Match::plain(3, Render::Raw));
        }
        if (self.starts_with_caseless(p, "c#")) || self.starts_with_caseless(p, "f#") {
            return Some(Match::plain(2, Render::Raw));
        }
        None
    }

    /// `cannot` → `can` `not`, `gonna` → `gon` `na`, `'twas`, `'tis`.
    fn split_assimilation(&self, p: usize) -> Option<Match> {
        if !self.is(p, |c| {
            matches!(c.to_ascii_lowercase(), 'c' | 'g' | 'w' | 'l' | '\'')
        }) {
            return None;
        }
        SPLIT_ASSIMILATIONS.iter().find_map(|&(word, keep)| {
            self.starts_with_caseless(p, word).then(|| {
                let length = word.chars().count();
                Match::with_lookahead(length, keep, Render::Raw)
            })
        })
    }

    /// `<unk>`, `</b>`, `<a href="x">`, `<!-- ... >`: SGML tags, kept whole.
    fn sgml(&self, p: usize) -> Option<Match> {
        if self.at(p) != Some('<') {
            return None;
        }
        let name_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '.' | '-');
        let mut i = p + 1;
        match self.at(i)? {
            '!' | '?' => {
                if !self.is(i + 1, |c| c.is_ascii_alphabetic() || c == '-') {
                    return None;
                }
                i = self.run(i + 2, |c| c != '>' && c != '\r' && c != '\n');
            }
            '/' => {
                if !self.is(i + 1, |c| c.is_ascii_alphabetic()) {
                    return None;
                }
                i = self.run(i + 2, name_char);
                i = self.run(i, |c| c == ' ');
            }
            c if c.is_ascii_alphabetic() => {
                i = self.run(i + 1, name_char);
                loop {
                    let spaces_end = self.run(i, |c| c == ' ');
                    if spaces_end == i || !self.is(spaces_end, |c| c.is_ascii_alphabetic()) {
                        break;
                    }
                    let mut j = self.run(spaces_end + 1, name_char);
                    let eq = self.run(j, |c| c == ' ');
                    if self.at(eq) == Some('=') {
                        let value = self.run(eq + 1, |c| c == ' ');
                        match self.at(value) {
                            Some(quote @ ('\'' | '"')) => {
                                let close = self.run(value + 1, |c| c != quote);
                                if self.at(close) != Some(quote) {
                                    break;
                                }
                                j = close + 1;
                            }
                            _ => break,
                        }
                    }
                    i = j;
                }
                i = self.run(i, |c| c == ' ');
                if self.at(i) == Some('/') {
                    i += 1;
                }
                i = self.run(i, |c| c == ' ');
            }
            _ => return None,
        }
        (self.at(i) == Some('>')).then(|| Match::plain(i + 1 - p, Render::NoBreakSpaces))
    }

    /// En and em dashes and `&mdash;` → `--`.
    fn long_dash(&self, p: usize) -> Option<Match> {
        if self.is(p, is_long_dash) {
            return Some(Match::plain(1, Render::Dash));
        }
        ["&md;", "&mdash;", "&ndash;"]
            .iter()
            .find(|entity| self.starts_with_caseless(p, entity))
            .map(|entity| Match::plain(entity.len(), Render::Dash))
    }

    /// `&amp;` → `&`, a few SGML punctuation entities kept, `&nbsp;` skipped.
    fn entity(&self, p: usize) -> Option<Match> {
        if self.starts_with_caseless(p, "&amp;") {
            return Some(Match::plain(5, Render::Ampersand));
        }
        if self.starts_with_caseless(p, "&nbsp;") {
            return Some(Match::plain(6, Render::Skip));
        }
        if self.at(p) != Some('&') {
            return None;
        }
        for name in ["ht", "tl", "ur", "lr", "qc", "ql", "qr", "odq", "cdq"] {
            if self.starts_with_caseless(p + 1, name) && self.at(p + 1 + name.len()) == Some(';') {
                return Some(Match::plain(name.len() + 2, Render::Raw));
            }
        }
        if self.at(p + 1) == Some('#') {
            let digits = self.run(p + 2, |c| c.is_ascii_digit());
            if digits > p + 2 && self.at(digits) == Some(';') {
                return Some(Match::plain(digits + 1 - p, Render::Raw));
            }
        }
        None
    }

    /// A word: a letter, then letters and digits, with `.`, `!` or `?` allowed between
    /// letters (`e.g`, `u.s`). Returns its end.
    fn word(&self, p: usize) -> Option<usize> {
        if !self.is(p, is_word_letter) {
            return None;
        }
        let mut end = self.run(p + 1, |c| is_word_letter(c) || is_digit(c));
        while self.is(end, |c| matches!(c, '.' | '!' | '?')) && self.is(end + 1, is_word_letter) {
            end = self.run(end + 2, |c| is_word_letter(c) || is_digit(c));
        }
        Some(end)
    }

    /// `'s`, `'m`, `'d`, `'re`, `'ve`, `'ll` at `index`: their length.
    fn reduced_auxiliary(&self, index: usize) -> Option<usize> {
        let apostrophe = self.apostrophe(index)?;
        let i = index + apostrophe;
        if self.is(i, |c| matches!(c, 'm' | 's' | 'd' | 'M' | 'S' | 'D')) {
            return Some(apostrophe + 1);
        }
        ["re", "ve", "ll"]
            .iter()
            .any(|suffix| self.starts_with_caseless(i, suffix))
            .then_some(apostrophe + 2)
    }

    /// `n't` at `index`: its length.
    fn negation(&self, index: usize) -> Option<usize> {
        if !self.is(index, |c| c == 'n' || c == 'N') {
            return None;
        }
        let apostrophe = self.apostrophe_like(index + 1)?;
        self.is(index + 1 + apostrophe, |c| c == 't' || c == 'T')
            .then_some(apostrophe + 2)
    }

    /// `it` in `it's`: a word followed by a reduced auxiliary.
    fn word_before_auxiliary(&self, p: usize) -> Option<Match> {
        let end = self.word(p)?;
        let auxiliary = self.reduced_auxiliary(end)?;
        Some(Match::with_lookahead(
            end + auxiliary - p,
            end - p,
            Render::Raw,
        ))
    }

    /// `do` in `don't`: ASCII letters not ending in `n`, followed by `n't`.
    fn word_before_negation(&self, p: usize) -> Option<Match> {
        let end = self.run(p, |c| c.is_ascii_alphabetic() || c == '\u{AD}');
        // The `n` of `n't` is the last letter of the run; the word is what precedes it.
        if end < p + 2 || !self.is(end - 1, |c| c == 'n' || c == 'N') {
            return None;
        }
        let negation = self.negation(end - 1)?;
        let word_end = end - 1;
        let last_letter = (p..word_end)
            .rev()
            .find(|&i| self.at(i) != Some('\u{AD}'))?;
        if self.is(last_letter, |c| c == 'n' || c == 'N' || c == '\u{AD}') {
            return None;
        }
        Some(Match::with_lookahead(
            word_end + negation - p,
            word_end - p,
            Render::Raw,
        ))
    }

    /// Words with an apostrophe kept inside (`o'clock` is a [`Self::thing`]): `ma'am`,
    /// `O'Neil`, `'em`, `'90s`, `'til`, `'cause`, `y'` before a letter, `rock 'n' roll`.
    fn apostrophe_word(&self, p: usize) -> Option<Match> {
        let mut longest = 0;
        let mut take = |length: usize| longest = longest.max(length);
        if let Some(apostrophe) = self.apostrophe(p) {
            let i = p + apostrophe;
            if self.is(i, |c| c == 'n' || c == 'N') {
                take(apostrophe + 1 + self.apostrophe(i + 1).unwrap_or(0));
            }
            if self.starts_with_caseless(i, "em") {
                take(apostrophe + 2);
            }
            if self.is(i, |c| ('2'..='9').contains(&c))
                && self.at(i + 1) == Some('0')
                && self.is(i + 2, |c| c == 's' || c == 'S')
            {
                take(apostrophe + 3);
            }
            if self.starts_with_caseless(i, "til") {
                take(apostrophe + 3 + usize::from(self.is(i + 3, |c| c == 'l' || c == 'L')));
            }
            if self.starts_with_caseless(i, "cause") {
                take(apostrophe + 5);
            }
        }
        if self.is(p, |c| matches!(c, 'l' | 'L' | 'd' | 'D' | 'j' | 'J'))
            && let Some(apostrophe) = self.apostrophe(p + 1)
        {
            take(1 + apostrophe);
        }
        for word in ["dunkin", "somethin", "ol"] {
            if self.starts_with_caseless(p, word)
                && let Some(apostrophe) = self.apostrophe(p + word.len())
            {
                take(word.len() + apostrophe);
            }
        }
        if self.is(p, |c| matches!(c, 'A'..='H' | 'J'..='X' | 'Z' | 'n'))
            && let Some(apostrophe) = self.apostrophe_like(p + 1)
        {
            let start = p + 1 + apostrophe;
            let end = self.run(start, is_letter);
            if end >= start + 2 {
                take(end - p);
            }
        }
        // Letters ending in a vowel, an apostrophe, then a vowel or a capital: `ma'am`.
        let letters_end = self.run(p, is_letter);
        if letters_end >= p + 2
            && self.is(letters_end - 1, |c| "aeiouyAEIOUY".contains(c))
            && let Some(apostrophe) = self.apostrophe_like(letters_end)
            && self.is(letters_end + apostrophe, |c| {
                "aeiou".contains(c) || c.is_ascii_uppercase()
            })
        {
            take(self.run(letters_end + apostrophe + 1, is_letter) - p);
        }
        for word in [
            "cont'd",
            "'twas",
            "nor'easter",
            "c'mon",
            "e'er",
            "s'mores",
            "ev'ry",
            "li'l",
            "nat'l",
        ] {
            if self.starts_with_caseless(p, word) {
                let mut length = word.len();
                if word == "cont'd" && self.at(p + length) == Some('.') {
                    length += 1;
                }
                take(length);
            }
        }
        if self.is(p, |c| c == 'o' || c == 'O')
            && let Some(apostrophe) = self.apostrophe_like(p + 1)
            && self.is(p + 1 + apostrophe, |c| c == 'o' || c == 'O')
        {
            take(apostrophe + 2);
        }
        let mut best = (longest > 0).then(|| Match::plain(longest, Render::Raw));
        // `y'` before a letter (`y'all`, `y'know`).
        if self.is(p, |c| c == 'y' || c == 'Y')
            && let Some(apostrophe) = self.apostrophe(p + 1)
            && self.is(p + 1 + apostrophe, is_letter)
            && 2 + apostrophe > longest
        {
            best = Some(Match::with_lookahead(
                2 + apostrophe,
                1 + apostrophe,
                Render::Raw,
            ));
        }
        best
    }

    /// `@name` and `#topic`.
    fn twitter(&self, p: usize) -> Option<Match> {
        match self.at(p)? {
            '@' if self.is(p + 1, |c| c.is_ascii_alphabetic() || c == '_') => {
                let end = self.run(p + 2, |c| c.is_ascii_alphanumeric() || c == '_');
                Some(Match::plain(end - p, Render::Raw))
            }
            '#' if self.is(p + 1, is_word_letter) => {
                let end = self.run(p + 2, is_word_letter);
                Some(Match::plain(end - p, Render::Raw))
            }
            _ => None,
        }
    }

    /// `'s` or `n't` followed by something other than an ASCII letter.
    fn auxiliary_before_non_letter(&self, p: usize) -> Option<Match> {
        let length = self.reduced_auxiliary(p).or_else(|| self.negation(p))?;
        let next = self.at(p + length)?;
        (!next.is_ascii_alphabetic())
            .then(|| Match::with_lookahead(length + 1, length, Render::Quote(false)))
    }

    /// `12/25/2010`, `1-2-99`.
    fn date(&self, p: usize) -> Option<Match> {
        let digits = |start: usize, min: usize, max: usize| -> Option<usize> {
            let end = self.run(start, is_digit).min(start + max);
            (end >= start + min).then_some(end)
        };
        let separator = |i: usize| self.is(i, |c| c == '-' || c == '/');
        let first = digits(p, 1, 2)?;
        if !separator(first) {
            return None;
        }
        let second = digits(first + 1, 1, 2)?;
        if !separator(second) {
            return None;
        }
        let third = digits(second + 1, 2, 4)?;
        Some(Match::plain(third - p, Render::Raw))
    }

    /// `3`, `-1.5`, `1,000`, `10:30`, `.5`.
    fn number(&self, p: usize) -> Option<Match> {
        let start = p + usize::from(self.is(p, |c| c == '-' || c == '+'));
        let mut end = self.run(start, is_digit);
        let mut any = end > start;
        while self.is(end, |c| {
            matches!(c, '.' | ':' | ',' | '\u{AD}' | '\u{66B}' | '\u{66C}')
        }) && self.is(end + 1, is_digit)
        {
            end = self.run(end + 1, is_digit);
            any = true;
        }
        any.then(|| Match::plain(end - p, Render::Raw))
    }

    /// Superscript or subscript digits (`²`, `₂`), with an optional sign.
    fn superscript_number(&self, p: usize) -> Option<Match> {
        let start = p + usize::from(self.is(p, |c| {
            matches!(c, '\u{207A}' | '\u{207B}' | '\u{208A}' | '\u{208B}')
        }));
        let superscripts = self.run(start, |c| {
            matches!(
                c,
                '\u{2070}' | '\u{B9}' | '\u{B2}' | '\u{B3}' | '\u{2074}'..='\u{2079}'
            )
        });
        let subscripts = self.run(start, |c| ('\u{2080}'..='\u{2089}').contains(&c));
        let end = superscripts.max(subscripts);
        (end > start).then(|| Match::plain(end - p, Render::Raw))
    }

    /// `1/2`, `2 1/2` (written `2\u{A0}1/2`), `1-1/2`, and `½`.
    fn fraction(&self, p: usize) -> Option<Match> {
        if self.is(
            p,
            |c| matches!(c, '\u{BC}'..='\u{BE}' | '\u{2153}'..='\u{215E}'),
        ) {
            return Some(Match::plain(1, Render::Fraction));
        }
        let simple = |start: usize| -> Option<usize> {
            let run = self.run(start, is_digit);
            if run == start {
                return None;
            }
            // Up to four digits, then a slash (optionally escaped) or U+2044.
            let numerator_end = run.min(start + 4);
            if run > numerator_end {
                return None;
            }
            let slash = if self.at(numerator_end) == Some('\\')
                && self.at(numerator_end + 1) == Some('/')
            {
                2
            } else if self.is(numerator_end, |c| c == '/' || c == '\u{2044}') {
                1
            } else {
                return None;
            };
            let denominator = numerator_end + slash;
            let end = self.run(denominator, is_digit).min(denominator + 4);
            (end > denominator).then_some(end)
        };
        let mut longest = simple(p);
        let whole_end = self.run(p, is_digit);
        if whole_end > p
            && whole_end <= p + 4
            && self.is(whole_end, |c| matches!(c, '-' | ' ' | '\u{A0}'))
            && let Some(end) = simple(whole_end + 1)
        {
            longest = Some(longest.map_or(end, |other| other.max(end)));
        }
        longest.map(|end| Match::plain(end - p, Render::NoBreakSpaces))
    }

    /// Fixed forms kept whole: `-LRB-` and friends, `pro-`, `anti-`, `S&P-500`, `cap'n`,
    /// `c'est`, `C.D.s`.
    fn special_word(&self, p: usize) -> Option<Match> {
        if !self.is(p, |c| {
            matches!(c.to_ascii_lowercase(), '-' | 'c' | 'p' | 'a' | 's')
        }) {
            return None;
        }
        let mut longest = 0;
        for word in [
            "-rrb-",
            "-lrb-",
            "-rcb-",
            "-lcb-",
            "-rsb-",
            "-lsb-",
            "c.d.s",
            "pro-",
            "anti-",
            "s&p-500",
            "s&amp;p-500",
            "s&ls",
            "s&amp;ls",
        ] {
            if self.starts_with_caseless(p, word) {
                longest = longest.max(word.len());
            }
        }
        for word in ["cap", "c"] {
            if self.starts_with_caseless(p, word)
                && let Some(apostrophe) = self.apostrophe(p + word.len())
            {
                let rest = if word == "cap" { "n" } else { "est" };
                if self.starts_with_caseless(p + word.len() + apostrophe, rest) {
                    longest = longest.max(word.len() + apostrophe + rest.len());
                }
            }
        }
        (longest > 0).then(|| Match::plain(longest, Render::Ampersand))
    }

    /// `black/white`, `and/or`, `w/o`: ASCII alphanumerics joined by one or two slashes.
    fn slash_compound(&self, p: usize) -> Option<Match> {
        let unit = |start: usize| -> Option<usize> {
            let mut end = self.run(start, |c| c.is_ascii_alphanumeric());
            if end == start {
                return None;
            }
            for _ in 0..2 {
                if self.at(end) == Some('-') && self.is(end + 1, |c| c.is_ascii_alphabetic()) {
                    end = self.run(end + 1, |c| c.is_ascii_alphabetic());
                } else {
                    break;
                }
            }
            Some(end)
        };
        let mut end = unit(p)?;
        let mut slashes = 0;
        while slashes < 2 {
            let slash = if self.at(end) == Some('\\') && self.at(end + 1) == Some('/') {
                2
            } else if self.at(end) == Some('/') {
                1
            } else {
                break;
            };
            match unit(end + slash) {
                Some(next) => end = next,
                None => break,
            }
            slashes += 1;
        }
        (slashes > 0).then(|| Match::plain(end - p, Render::Raw))
    }

    /// `$`, `US$`, `#`, and other currency signs.
    fn currency(&self, p: usize) -> Option<Match> {
        if self.at(p) == Some('#') {
            return Some(Match::plain(1, Render::Raw));
        }
        let end = self.run(p, |c| c.is_ascii_uppercase());
        if self.at(end) == Some('$') {
            return Some(Match::plain(end + 1 - p, Render::Raw));
        }
        self.is(p, is_currency_sign)
            .then(|| Match::plain(1, Render::Currency))
    }

    /// An acronym (`a.` or `u.s.`): single letters joined by periods. Returns its end
    /// without the final period.
    fn acronym(&self, p: usize) -> Option<usize> {
        if !self.is(p, |c| c.is_ascii_alphabetic()) {
            return None;
        }
        let special = [
            "canada-u.s",
            "sino-u.s",
            "korean-u.s",
            "eu-u.s",
            "japan-u.s",
            "non-u.s",
            "u.s.-u.k",
            "u.s.-u.s.s.r",
        ]
        .iter()
        .filter(|form| self.starts_with_caseless(p, form))
        .map(|form| p + form.len())
        .max();
        let mut end = p + 1;
        while self.at(end) == Some('.') && self.is(end + 1, |c| c.is_ascii_alphabetic()) {
            end += 2;
        }
        Some(end.max(special.unwrap_or(0)))
    }

    /// An acronym with its period before a word that usually starts a sentence (`U.S. The`):
    /// the period is returned twice, or, after one letter (`A. The`), only as its own token.
    fn acronym_before_sentence(&self, p: usize) -> Option<Match> {
        let end = self.acronym(p)?;
        if self.at(end) != Some('.') {
            return None;
        }
        let token = end + 1 - p;
        let word_start = self.run(end + 1, is_space_or_newline);
        if word_start == end + 1 {
            return None;
        }
        let word_end = SENTENCE_STARTERS
            .iter()
            .filter(|word| self.starts_with_capitalised(word_start, word))
            .map(|word| word_start + word.len())
            .max()?;
        if !self.is(word_end, is_space_or_newline) {
            return None;
        }
        let length = word_end + 1 - p;
        Some(if token == 2 {
            Match::with_lookahead(length, 1, Render::Raw)
        } else {
            Match {
                length,
                token,
                advance: token - 1,
                render: Render::Raw,
            }
        })
    }

    /// `no. 5`, `ca. 1900`: abbreviations recognised before a number.
    /// Whether a `.` is among the `count` characters after `p`.
    fn period_within(&self, p: usize, count: usize) -> bool {
        let end = (p + 1 + count).min(self.text.len());
        self.text
            .get(p + 1..end)
            .is_some_and(|chars| chars.contains(&'.'))
    }

    fn abbreviation_before_number(&self, p: usize) -> Option<Match> {
        if !self.is(p, |c| c.is_ascii_alphabetic()) || !self.period_within(p, 5) {
            return None;
        }
        let word = ABBREVIATIONS_BEFORE_NUMBER
            .iter()
            .filter(|word| {
                self.starts_with_caseless(p, word) && self.at(p + word.len()) == Some('.')
            })
            .map(|word| word.len())
            .max()?;
        let period_end = p + word + 1;
        let digit = if self.is(period_end, is_space_or_newline) {
            period_end + 1
        } else {
            period_end
        };
        self.is(digit, is_digit)
            .then(|| Match::with_lookahead(digit + 1 - p, period_end - p, Render::Raw))
    }

    /// `etc.`, `Calif.`, `Inc.`: returned with their period; the period is returned again
    /// as its own token before a sentence start or at the end of the text.
    fn abbreviation_before_lowercase(&self, p: usize) -> Option<Match> {
        let word = self.longest_listed(p, ABBREVIATIONS_BEFORE_LOWERCASE)?;
        if self.at(p + word) != Some('.') {
            return None;
        }
        let token = word + 1;
        let after = p + token;
        let sentence_end = self.is(after, is_space_or_newline)
            && self.is(after + 1, |c| is_space_or_newline(c) || c.is_uppercase());
        if sentence_end || after + 2 > self.text.len() {
            let length = if sentence_end { token + 2 } else { token };
            return Some(Match {
                length,
                token,
                advance: token - 1,
                render: Render::Raw,
            });
        }
        Some(Match::with_lookahead(token + 2, token, Render::Raw))
    }

    /// `Mr.`, `Dr.`, `St.`, `vs.`, and any acronym (`a.`, `U.S.`) with its period.
    fn abbreviation_before_uppercase(&self, p: usize) -> Option<Match> {
        let listed = self
            .longest_listed(p, ABBREVIATIONS_BEFORE_UPPERCASE)
            .filter(|&word| self.at(p + word) == Some('.'));
        let acronym = self
            .acronym(p)
            .map(|end| end - p)
            .filter(|&word| self.at(p + word) == Some('.'));
        let word = listed.max(acronym)?;
        Some(Match::plain(word + 1, Render::Raw))
    }

    /// The longest entry of `list` at `p`; an entry starting with `^` must match its next
    /// letter exactly (`^Miss`: only a capital `M`).
    fn longest_listed(&self, p: usize, list: &[&str]) -> Option<usize> {
        // Every entry is ASCII letters (and inner periods) followed, where it is used, by a
        // period: no period soon means no match.
        if !self.is(p, |c| c.is_ascii_alphabetic()) || !self.period_within(p, 9) {
            return None;
        }
        list.iter()
            .filter_map(|entry| match entry.strip_prefix('^') {
                Some(capitalised) => self
                    .starts_with_capitalised(p, capitalised)
                    .then_some(capitalised.len()),
                None => self.starts_with_caseless(p, entry).then_some(entry.len()),
            })
            .max()
    }

    /// An acronym without a final period before a space or line end (`non-U.S `).
    fn acronym_before_space(&self, p: usize) -> Option<Match> {
        let end = self.acronym(p)?;
        self.is(end, is_space_or_newline)
            .then(|| Match::with_lookahead(end + 1 - p, end - p, Render::Raw))
    }

    /// `'90` before a space.
    fn year_abbreviation(&self, p: usize) -> Option<Match> {
        let apostrophe = self.apostrophe(p)?;
        let i = p + apostrophe;
        (self.is(i, is_digit) && self.is(i + 1, is_digit) && self.is(i + 2, is_space_or_newline))
            .then(|| Match::with_lookahead(apostrophe + 3, apostrophe + 2, Render::Raw))
    }

    /// A word with its period before `,`, `;` or `:` (`dog.,`).
    fn word_period_before_punctuation(&self, p: usize) -> Option<Match> {
        let end = self.word(p)?;
        (self.at(end) == Some('.') && self.is(end + 1, is_clause_punctuation))
            .then(|| Match::with_lookahead(end + 2 - p, end + 1 - p, Render::Raw))
    }

    /// `"` (or `&quot;`): opening before a letter, digit or `$`, closing otherwise.
    fn double_quote(&self, p: usize) -> Option<Match> {
        let length = if self.at(p) == Some('"') {
            1
        } else if self.starts_with_caseless(p, "&quot;") {
            6
        } else {
            return None;
        };
        if self.is(p + length, |c| c.is_ascii_alphanumeric() || c == '$') {
            Some(Match::with_lookahead(
                length + 1,
                length,
                Render::Quote(true),
            ))
        } else {
            Some(Match::plain(length, Render::Quote(false)))
        }
    }

    /// `<`, `>`, `&lt;`, `&gt;`, `<<`, `>>`.
    fn angle_bracket(&self, p: usize) -> Option<Match> {
        match self.at(p)? {
            '<' if self.at(p + 1) == Some('<') => Some(Match::plain(2, Render::Raw)),
            '>' if self.at(p + 1) == Some('>') => Some(Match::plain(2, Render::Raw)),
            '<' => Some(Match::plain(1, Render::Fixed("<"))),
            '>' => Some(Match::plain(1, Render::Fixed(">"))),
            '&' if self.starts_with_caseless(p, "&lt;") => {
                Some(Match::plain(4, Render::Fixed("<")))
            }
            '&' if self.starts_with_caseless(p, "&gt;") => {
                Some(Match::plain(4, Render::Fixed(">")))
            }
            _ => None,
        }
    }

    /// `:)`, `;-)`, `=D`, `:'(` before a character that is not an ASCII letter or digit;
    /// brackets inside become `-LRB-` / `-RRB-`.
    fn smiley(&self, p: usize) -> Option<Match> {
        let mut i = p + usize::from(self.is(p, |c| c == '<' || c == '>'));
        if !self.is(i, |c| matches!(c, ':' | ';' | '=')) {
            return None;
        }
        i += 1;
        if self.is(i, |c| matches!(c, '-' | 'o' | '*' | '\'')) {
            i += 1;
        }
        if !self.is(i, |c| "()DPdpO\\{@|[]".contains(c)) {
            return None;
        }
        i += 1;
        self.is(i, |c| !c.is_ascii_alphanumeric())
            .then(|| Match::with_lookahead(i + 1 - p, i - p, Render::Parentheses))
    }

    /// `^_^`, `-_-`, `(^_^)`, `(^-^)`.
    fn asian_smiley(&self, p: usize) -> Option<Match> {
        let eye = |c: char| matches!(c, '-' | '^' | 'x' | '=' | '~' | '<' | '>' | '\'');
        let mut longest = 0;
        if self.is(p, eye) && self.at(p + 1) == Some('_') && self.is(p + 2, eye) {
            longest = 3;
        }
        if self.at(p) == Some('(') && self.is(p + 1, eye) {
            let mouth = usize::from(self.is(p + 2, |c| c == '_' || c == '.'));
            if self.is(p + 2 + mouth, eye) && self.at(p + 3 + mouth) == Some(')') {
                longest = longest.max(4 + mouth);
            }
            let narrow_eye = |c: char| eye(c) && c != '-';
            if self.is(p + 1, narrow_eye)
                && self.at(p + 2) == Some('-')
                && self.is(p + 3, |c| narrow_eye(c) || c == '`')
                && self.at(p + 4) == Some(')')
            {
                longest = longest.max(5);
            }
        }
        (longest > 0).then(|| Match::plain(longest, Render::Parentheses))
    }

    /// Brackets written as PTB escapes: `(` → `-LRB-`, `[` → `-LSB-`, `{` → `-LCB-`.
    fn bracket(&self, p: usize) -> Option<Match> {
        let fixed = match self.at(p)? {
            '(' => "-LRB-",
            ')' => "-RRB-",
            '[' => "-LSB-",
            ']' => "-RSB-",
            '{' => "-LCB-",
            '}' => "-RCB-",
            _ => return None,
        };
        Some(Match::plain(1, Render::Fixed(fixed)))
    }

    /// Hyphens, ellipses, `@`/`#`/`_` runs, asterisks, `,;:`, `?!` runs, periods, `=`, `/`.
    fn punctuation(&self, p: usize) -> Option<Match> {
        let c = self.at(p)?;
        let run_of = |target: char| self.run(p, |d| d == target) - p;
        let found = match c {
            '-' => {
                let length = run_of('-');
                let render = if (3..=4).contains(&length) {
                    Render::Dash
                } else {
                    Render::Raw
                };
                Match::plain(length, render)
            }
            '.' => {
                let dots = run_of('.');
                if dots >= 3 {
                    Match::plain(dots.min(5), Render::Ellipsis)
                } else if let Some(spaced) = self.spaced_dots(p) {
                    Match::plain(spaced, Render::Ellipsis)
                } else {
                    Match::plain(1, Render::Raw)
                }
            }
            '\u{85}' | '\u{2026}' => Match::plain(1, Render::Ellipsis),
            '@' | '#' | '_' | '*' => Match::plain(run_of(c), Render::Raw),
            '\\' if self.at(p + 1) == Some('*') => {
                let mut end = p;
                while end < p + 6 && self.at(end) == Some('\\') && self.at(end + 1) == Some('*') {
                    end += 2;
                }
                Match::plain(end - p, Render::Raw)
            }
            '?' | '!' => Match::plain(self.run(p, |d| d == '?' || d == '!') - p, Render::Raw),
            '=' | '/' => Match::plain(1, Render::Raw),
            c if is_clause_punctuation(c) || is_sentence_final(c) => Match::plain(1, Render::Raw),
            _ => return None,
        };
        Some(found)
    }

    /// `. . .` (two to four period-space pairs and a final period).
    fn spaced_dots(&self, p: usize) -> Option<usize> {
        let mut pairs = 0;
        let mut i = p;
        while pairs < 4 && self.at(i) == Some('.') && self.is(i + 1, |c| c == ' ' || c == '\u{A0}')
        {
            i += 2;
            pairs += 1;
        }
        // The longest number of pairs that is followed by a final period.
        (2..=pairs)
            .rev()
            .find(|&n| self.at(p + 2 * n) == Some('.'))
            .map(|n| 2 * n + 1)
    }

    /// Hyphenated words whose first part may hold `.` and `,` (`1,000-pound`, `u.s.-based`),
    /// with an optional period before `,;:`.
    fn hyphenated(&self, p: usize) -> Option<Match> {
        if !self.is(p, |c| c.is_ascii_alphanumeric()) {
            return None;
        }
        let mut end = self.run(p + 1, |c| {
            c.is_ascii_alphanumeric() || matches!(c, '.' | ',' | '\u{AD}')
        });
        let mut parts = 0;
        while self.at(end) == Some('-') {
            let start = end + 1;
            let alphanumeric = self.run(start, |c| c.is_ascii_alphanumeric() || c == '\u{AD}');
            let acronym = self
                .acronym(start)
                .filter(|&e| e >= start + 3 && self.at(e) == Some('.'))
                .map(|e| e + 1);
            let part_end = alphanumeric.max(acronym.unwrap_or(start));
            if part_end == start {
                break;
            }
            end = part_end;
            parts += 1;
        }
        if parts == 0 {
            return None;
        }
        if self.at(end) == Some('.') && self.is(end + 1, is_clause_punctuation) {
            return Some(Match::with_lookahead(end + 2 - p, end + 1 - p, Render::Raw));
        }
        Some(Match::plain(end - p, Render::Raw))
    }

    /// Letters and digits, hyphenated parts, `o'`/`d'`/`l'` prefixes (`o'clock`,
    /// `well-known`, `3-year-old`), with an optional period before `,;:`.
    fn thing(&self, p: usize) -> Option<Match> {
        let part = |start: usize| -> Option<usize> {
            let plain = self.run(start, is_alnum);
            let prefixed = if self.is(start, |c| matches!(c, 'd' | 'D' | 'o' | 'O' | 'l' | 'L')) {
                self.apostrophe_like(start + 1).and_then(|apostrophe| {
                    let first = start + 1 + apostrophe;
                    let end = self.run(first, is_alnum);
                    (end >= first + 2).then_some(end)
                })
            } else {
                None
            };
            let end = plain.max(prefixed.unwrap_or(start));
            (end > start).then_some(end)
        };
        let mut end = part(p)?;
        while self.is(end, is_hyphen) {
            match part(end + 1) {
                Some(next) => end = next,
                None => break,
            }
        }
        if self.at(end) == Some('.') && self.is(end + 1, is_clause_punctuation) {
            return Some(Match::with_lookahead(end + 2 - p, end + 1 - p, Render::Raw));
        }
        Some(Match::plain(end - p, Render::Raw))
    }

    /// `AT&T`, `R&B`: capitals joined by `&` or `+`.
    fn capital_compound(&self, p: usize) -> Option<Match> {
        let mut end = self.run(p, |c| c.is_ascii_uppercase());
        if end == p {
            return None;
        }
        let mut parts = 0;
        loop {
            let joiner = if self.is(end, |c| c == '&' || c == '+') {
                1
            } else if self.starts_with_caseless(end, "&amp;") {
                5
            } else {
                break;
            };
            let next = self.run(end + joiner, |c| c.is_ascii_uppercase());
            if next == end + joiner {
                break;
            }
            end = next;
            parts += 1;
        }
        if parts == 0 {
            return None;
        }
        if self.at(end) == Some('.') && self.is(end + 1, is_clause_punctuation) {
            return Some(Match::with_lookahead(
                end + 2 - p,
                end + 1 - p,
                Render::Ampersand,
            ));
        }
        Some(Match::plain(end - p, Render::Ampersand))
    }

    /// `'` before a letter and another non-space character: an opening quote.
    fn opening_single_quote(&self, p: usize) -> Option<Match> {
        (self.at(p) == Some('\'')
            && self.is(p + 1, |c| c.is_ascii_alphabetic())
            && self.is(p + 2, |c| !matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{A0}')))
        .then(|| Match::with_lookahead(3, 1, Render::Quote(true)))
    }

    /// `'s` or `n't` anywhere else (the end of the text).
    fn auxiliary(&self, p: usize) -> Option<Match> {
        let length = self.reduced_auxiliary(p).or_else(|| self.negation(p))?;
        Some(Match::plain(length, Render::Quote(false)))
    }

    /// Quote marks: an apostrophe, `''`, or one or two curly or angle quotes.
    fn quotes(&self, p: usize) -> Option<Match> {
        let mut longest = self.apostrophe(p).unwrap_or(0);
        if self.at(p) == Some('\'') && self.at(p + 1) == Some('\'') {
            longest = longest.max(2);
        }
        if self.is(p, is_quote_mark) {
            longest = longest.max(1 + usize::from(self.is(p + 1, is_quote_mark)));
        }
        (longest > 0).then(|| Match::plain(longest, Render::Quote(false)))
    }

    fn symbol(&self, p: usize) -> Option<Match> {
        self.is(p, is_symbol).then(|| Match::plain(1, Render::Raw))
    }

    fn space(&self, p: usize) -> Option<Match> {
        let c = self.at(p)?;
        if is_space(c) {
            return Some(Match::plain(self.run(p, is_space) - p, Render::Skip));
        }
        if c == '\r' && self.at(p + 1) == Some('\n') {
            return Some(Match::plain(2, Render::Skip));
        }
        (is_newline(c) || is_ignorable(c)).then(|| Match::plain(1, Render::Skip))
    }
}

fn is_clause_punctuation(c: char) -> bool {
    matches!(c, ',' | ';' | ':' | '\u{3001}')
}

fn render(token: &[char], how: Render, out: &mut String) {
    match how {
        Render::Raw => out.extend(token.iter().filter(|&&c| c != '\u{AD}')),
        Render::NoBreakSpaces => {
            out.extend(token.iter().map(|&c| if c == ' ' { '\u{A0}' } else { c }))
        }
        Render::Dash => out.push_str("--"),
        Render::Parentheses | Render::Phone => {
            for &c in token {
                match c {
                    ' ' if how == Render::Phone => out.push('\u{A0}'),
                    '(' => out.push_str("-LRB-"),
                    ')' => out.push_str("-RRB-"),
                    other => out.push(other),
                }
            }
        }
        Render::Ellipsis => out.push_str("..."),
        Render::Fixed(text) => out.push_str(text),
        Render::Skip => {}
        Render::Ampersand => {
            let text: String = token.iter().collect();
            out.push_str(&replace_caseless(&text, "&amp;", "&"));
        }
        Render::Currency => {
            for &c in token {
                match c {
                    '\u{A2}' => out.push_str("cents"),
                    '\u{A3}' => out.push('#'),
                    '\u{80}' | '\u{A4}' | '\u{20A0}' | '\u{20AC}' => out.push('$'),
                    other => out.push(other),
                }
            }
        }
        Render::Fraction => {
            for &c in token {
                match c {
                    '\u{BC}' => out.push_str("1/4"),
                    '\u{BD}' => out.push_str("1/2"),
                    '\u{BE}' => out.push_str("3/4"),
                    '\u{2153}' => out.push_str("1/3"),
                    '\u{2154}' => out.push_str("2/3"),
                    other => out.push(other),
                }
            }
        }
        Render::Quote(opening) => {
            let text: String = token.iter().collect();
            let text = text.replace("&apos;", "'").replace("&quot;", "\"");
            for c in text.chars() {
                match c {
                    '\'' => out.push(if opening { '`' } else { '\'' }),
                    '"' => out.push_str(if opening { "``" } else { "''" }),
                    '\u{91}' | '\u{2018}' | '\u{201B}' | '\u{2039}' => out.push('`'),
                    '\u{92}' | '\u{2019}' | '\u{203A}' => out.push('\''),
                    '\u{93}' | '\u{201C}' | '\u{AB}' => out.push_str("``"),
                    '\u{94}' | '\u{201D}' | '\u{BB}' => out.push_str("''"),
                    other => out.push(other),
                }
            }
        }
    }
}

fn replace_caseless(text: &str, from: &str, to: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    while let Some(found) = lower[rest..].find(from) {
        out.push_str(&text[rest..rest + found]);
        out.push_str(to);
        rest += found + from.len();
    }
    out.push_str(&text[rest..]);
    out
}
