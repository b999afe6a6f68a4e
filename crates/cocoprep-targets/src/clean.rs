//! Text cleaning before tokenization: `basic_clean` + `whitespace_clean` of
//! `tokenization_clip.py`, that is `ftfy.fix_text` (ftfy 6.3.1 defaults, ported in
//! [`fix_text`]), `html.unescape` twice, `strip`, and runs of whitespace collapsed to one space.
//!
//! Ported ftfy steps, each as ftfy 6.3.1 runs them, repeated until the text stops changing:
//! * `unescape_html` — entities that end in `;` (and ftfy's upper-case variants), skipped
//!   from the first line that contains `<`;
//! * `fix_encoding` — mojibake: UTF-8 decoded as one of ftfy's ten single-byte encodings
//!   (Latin-1, Windows-1250..1257, ISO-8859-2, MacRoman, CP437), gated by ftfy's own
//!   `BADNESS_RE` (generated into `ftfy_tables.rs`), with `restore_byte_a0`,
//!   `replace_lossy_sequences`, the `utf-8-variants` decoder (CESU-8, `C0 80`),
//!   `decode_inconsistent_utf8` and the Latin-1 → Windows-1252 and C1-control fix-ups;
//! * `fix_c1_controls`, `fix_latin_ligatures`, `fix_character_width`, `uncurl_quotes`,
//!   `fix_line_breaks`, `remove_terminal_escapes`, `remove_control_chars`;
//! * NFC normalization.
//!
//! `fix_surrogates` has nothing to do: a Rust `str` cannot hold a lone surrogate.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;
use regex::bytes::Regex as BytesRegex;
use unicode_normalization::UnicodeNormalization;

use crate::ftfy_tables::{
    BADNESS, CHARMAP_ENCODINGS, LIGATURES, UPPERCASE_ENTITIES, UTF8_CONTINUATION_STRICT,
    UTF8_DETECTOR, WIDTH_MAP,
};
use crate::html;

/// `basic_clean` then `whitespace_clean`: the text `encode` lowercases and splits.
pub fn clean(text: &str) -> String {
    let fixed = fix_text(text);
    let once = html::unescape(&fixed);
    let twice = html::unescape(&once);
    collapse_whitespace(&twice)
}

/// Python's `str.isspace`: Unicode White_Space plus the four information separators.
fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// `re.sub(r'\s+', ' ', text.strip()).strip()`.
fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(is_python_space).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// `ftfy.fix_text(text)` with ftfy 6.3.1's default settings: each line (with its `\n`) is
/// fixed on its own.
pub fn fix_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut unescape = true;
    for segment in text.split_inclusive('\n') {
        if segment.contains('<') {
            unescape = false;
        }
        out.push_str(&fix_segment(segment, unescape));
    }
    out
}

fn fix_segment(text: &str, unescape: bool) -> String {
    // Plain ASCII without `&`, `\r`, escapes or other controls: every step is a no-op.
    let untouched = text
        .bytes()
        .all(|b| matches!(b, b'\t' | b'\n' | 0x0c | 0x20..=0x7e) && b != b'&');
    if untouched {
        return text.to_owned();
    }
    let mut text = text.to_owned();
    loop {
        let original = text.clone();
        if unescape {
            text = unescape_html(&text).into_owned();
        }
        text = fix_encoding(&text);
        text = fix_c1_controls(&text).into_owned();
        text = translate(&text, LIGATURES);
        text = translate(&text, WIDTH_MAP);
        text = uncurl_quotes(&text);
        text = fix_line_breaks(&text);
        text = remove_terminal_escapes(&text).into_owned();
        text.retain(|c| !is_control_char(c));
        text = text.nfc().collect();
        if text == original {
            return text;
        }
    }
}

/// `ftfy.fixes.unescape_html`: `&#?[0-9A-Za-z]{1,24};` references that are known names
/// (with their `;`), ftfy's upper-case names, or numeric references decoded whole.
fn unescape_html(text: &str) -> Cow<'_, str> {
    static ENTITY: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"&#?[0-9A-Za-z]{1,24};").expect("valid pattern"));
    ENTITY.replace_all(text, |captures: &regex::Captures<'_>| {
        let entity = &captures[0];
        let name = &entity[1..];
        if let Some(text) = html::named(name).or_else(|| lookup(UPPERCASE_ENTITIES, name)) {
            return text.to_owned();
        }
        if entity.starts_with("&#") {
            let unescaped = html::unescape(entity);
            if !unescaped.contains(';') {
                return unescaped.into_owned();
            }
        }
        entity.to_owned()
    })
}

fn lookup(table: &'static [(&'static str, &'static str)], name: &str) -> Option<&'static str> {
    table
        .binary_search_by(|&(n, _)| n.cmp(name))
        .ok()
        .map(|index| table[index].1)
}

fn translate(text: &str, table: &'static [(char, &'static str)]) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match table.binary_search_by_key(&c, |&(k, _)| k) {
            Ok(index) => out.push_str(table[index].1),
            Err(_) => out.push(c),
        }
    }
    out
}

fn uncurl_quotes(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{2bc}' | '\u{2018}'..='\u{201b}' => '\'',
            '\u{201c}'..='\u{201f}' => '"',
            other => other,
        })
        .collect()
}

fn fix_line_breaks(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace(['\r', '\u{2028}', '\u{2029}', '\u{85}'], "\n")
}

fn remove_terminal_escapes(text: &str) -> Cow<'_, str> {
    static ANSI: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\x1b\[[0-9;]*[a-zA-Z]").expect("valid pattern"));
    ANSI.replace_all(text, "")
}

/// `ftfy.chardata.CONTROL_CHARS`.
fn is_control_char(c: char) -> bool {
    matches!(c,
        '\x00'..='\x08' | '\x0b' | '\x0e'..='\x1f' | '\x7f'
        | '\u{206a}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffc}')
}

fn is_c1(c: char) -> bool {
    ('\u{80}'..='\u{9f}').contains(&c)
}

/// `fix_c1_controls`: C1 controls read as their Windows-1252 characters.
fn fix_c1_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_c1) {
        return Cow::Borrowed(text);
    }
    let sloppy_1252 = &charmaps()[1];
    Cow::Owned(
        text.chars()
            .map(|c| {
                if is_c1(c) {
                    sloppy_1252.decode(c as u8)
                } else {
                    c
                }
            })
            .collect(),
    )
}

/// One of ftfy's single-byte encodings, both ways.
struct Charmap {
    name: &'static str,
    decode: [char; 256],
    encode: rustc_hash::FxHashMap<char, u8>,
}

impl Charmap {
    fn decode(&self, byte: u8) -> char {
        self.decode[usize::from(byte)]
    }

    fn is_sloppy(&self) -> bool {
        self.name.starts_with("sloppy")
    }

    /// `text.encode(encoding)`, or `None` when a character has no byte.
    fn encode(&self, text: &str) -> Option<Vec<u8>> {
        text.chars().map(|c| self.encode.get(&c).copied()).collect()
    }
}

fn charmaps() -> &'static [Charmap] {
    static CHARMAPS: LazyLock<Vec<Charmap>> = LazyLock::new(|| {
        CHARMAP_ENCODINGS
            .iter()
            .map(|(name, high)| {
                let mut decode = ['\0'; 256];
                for (byte, slot) in decode.iter_mut().enumerate().take(0x80) {
                    *slot = char::from(byte as u8);
                }
                decode[0x1a] = high[128];
                decode[0x80..].copy_from_slice(&high[..128]);
                let encode = decode
                    .iter()
                    .enumerate()
                    .map(|(byte, &c)| (c, byte as u8))
                    .collect();
                Charmap {
                    name,
                    decode,
                    encode,
                }
            })
            .collect()
    });
    &CHARMAPS
}

static BADNESS_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(BADNESS).expect("generated from ftfy's pattern"));

fn is_bad(text: &str) -> bool {
    BADNESS_RE.is_match(text)
}

/// `ftfy.fix_encoding`: one-step fixes until the text stops changing.
pub fn fix_encoding(text: &str) -> String {
    let mut text = text.to_owned();
    loop {
        let fixed = fix_encoding_step(&text);
        if fixed == text {
            return text;
        }
        text = fixed;
    }
}

fn fix_encoding_step(text: &str) -> String {
    if text.is_ascii() || !is_bad(text) {
        return text.to_owned();
    }
    let mut latin_1_possible = false;
    for (index, charmap) in charmaps().iter().enumerate() {
        let Some(mut bytes) = charmap.encode(text) else {
            continue;
        };
        if index == 0 {
            latin_1_possible = true;
        }
        if charmap.name != "macroman" && altered_utf8().is_match(&bytes) {
            bytes = restore_byte_a0(&bytes);
        }
        if charmap.is_sloppy() {
            bytes = lossy_utf8()
                .replace_all(&bytes, "\u{fffd}".as_bytes())
                .into_owned();
        }
        if let Some(fixed) = decode_utf8_variants(&bytes) {
            return fixed;
        }
    }
    if let Some(fixed) = decode_inconsistent_utf8(text)
        && fixed != text
    {
        return fixed;
    }
    if latin_1_possible {
        // Latin-1 text read as strict Windows-1252 (ftfy's check for "windows-1252" among the
        // possible encodings never matches, its list says "sloppy-windows-1252").
        let strict_1252: Option<String> = text
            .chars()
            .map(|c| {
                if is_c1(c) {
                    let decoded = charmaps()[1].decode(c as u8);
                    (decoded != c).then_some(decoded)
                } else {
                    Some(c)
                }
            })
            .collect();
        if let Some(fixed) = strict_1252
            && fixed != text
        {
            return fixed;
        }
    }
    fix_c1_controls(text).into_owned()
}

fn altered_utf8() -> &'static BytesRegex {
    static ALTERED: LazyLock<BytesRegex> = LazyLock::new(|| {
        BytesRegex::new(
            r"(?-u)[\xc2\xc3\xc5\xce\xd0\xd9][ ]|[\xe2\xe3][ ][\x80-\x84\x86-\x9f\xa1-\xbf]|[\xe0-\xe3][\x80-\x84\x86-\x9f\xa1-\xbf][ ]|[\xf0][ ][\x80-\xbf][\x80-\xbf]|[\xf0][\x80-\xbf][ ][\x80-\xbf]|[\xf0][\x80-\xbf][\x80-\xbf][ ]",
        )
        .expect("valid pattern")
    });
    &ALTERED
}

fn lossy_utf8() -> &'static BytesRegex {
    static LOSSY: LazyLock<BytesRegex> = LazyLock::new(|| {
        BytesRegex::new(
            r"(?-u)[\xc2-\xdf][\x1a]|[\xc2-\xc3][?]|\xed[\xa0-\xaf][\x1a?]\xed[\xb0-\xbf][\x1a?\x80-\xbf]|\xed[\xa0-\xaf][\x1a?\x80-\xbf]\xed[\xb0-\xbf][\x1a?]|[\xe0-\xef][\x1a?][\x1a\x80-\xbf]|[\xe0-\xef][\x1a\x80-\xbf][\x1a?]|[\xf0-\xf4][\x1a?][\x1a\x80-\xbf][\x1a\x80-\xbf]|[\xf0-\xf4][\x1a\x80-\xbf][\x1a?][\x1a\x80-\xbf]|[\xf0-\xf4][\x1a\x80-\xbf][\x1a\x80-\xbf][\x1a?]|\x1a",
        )
        .expect("valid pattern")
    });
    &LOSSY
}

/// `restore_byte_a0`: `C3 20` before anything but ` `, `quele`, `quela`, `quilo`, `s ` is
/// `à `; then a space inside a would-be UTF-8 sequence was a no-break space (A0).
fn restore_byte_a0(bytes: &[u8]) -> Vec<u8> {
    let mut grave = Vec::with_capacity(bytes.len() + 4);
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == 0xc3 && bytes.get(i + 1) == Some(&b' ') {
            let rest = &bytes[i + 2..];
            let keep = [&b" "[..], b"quele", b"quela", b"quilo", b"s "]
                .iter()
                .any(|word| rest.starts_with(word));
            if !keep {
                grave.extend_from_slice(b"\xc3\xa0 ");
                i += 2;
                continue;
            }
        }
        grave.push(bytes[i]);
        i += 1;
    }
    altered_utf8()
        .replace_all(&grave, |captures: &regex::bytes::Captures<'_>| {
            captures[0]
                .iter()
                .map(|&b| if b == b' ' { 0xa0 } else { b })
                .collect::<Vec<u8>>()
        })
        .into_owned()
}

/// `bytes.decode("utf-8-variants")` when the bytes hold `ED` or `C0` (CESU-8 surrogate
/// pairs, `C0 80` for NUL), else strict UTF-8.
fn decode_utf8_variants(bytes: &[u8]) -> Option<String> {
    if !bytes.iter().any(|&b| b == 0xed || b == 0xc0) {
        return String::from_utf8(bytes.to_vec()).ok();
    }
    static SPECIAL: LazyLock<BytesRegex> = LazyLock::new(|| {
        BytesRegex::new(r"(?-u)\xc0\x80|\xed[\xa0-\xaf][\x80-\xbf]\xed[\xb0-\xbf][\x80-\xbf]")
            .expect("valid pattern")
    });
    let replaced = SPECIAL.replace_all(bytes, |captures: &regex::bytes::Captures<'_>| {
        let m = &captures[0];
        if m.len() == 2 {
            return vec![0];
        }
        let high = 0xd800 + ((u32::from(m[1] & 0x0f) << 6) | u32::from(m[2] & 0x3f));
        let low = 0xdc00 + ((u32::from(m[4] & 0x0f) << 6) | u32::from(m[5] & 0x3f));
        let code = 0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00);
        let c = char::from_u32(code).expect("a surrogate pair decodes to a character");
        c.to_string().into_bytes()
    });
    String::from_utf8(replaced.into_owned()).ok()
}

/// `decode_inconsistent_utf8`: runs that look like UTF-8 read as single bytes, fixed one
/// by one when they are shorter than the text and look bad on their own.
fn decode_inconsistent_utf8(text: &str) -> Option<String> {
    static DETECTOR: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(UTF8_DETECTOR).expect("generated from ftfy's pattern"));
    static STRICT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(UTF8_CONTINUATION_STRICT).expect("generated from ftfy's pattern")
    });
    let mut out = String::with_capacity(text.len());
    let mut matched = false;
    let mut position = 0;
    let mut copied = 0;
    while position < text.len() {
        let previous_is_strict = text[..position]
            .chars()
            .next_back()
            .is_some_and(|c| STRICT.is_match(c.encode_utf8(&mut [0; 4])));
        if !previous_is_strict && let Some(found) = DETECTOR.find(&text[position..]) {
            let end = position + found.end();
            if end > position {
                matched = true;
                let run = found.as_str();
                out.push_str(&text[copied..position]);
                if run.chars().count() < text.chars().count() && is_bad(run) {
                    out.push_str(&fix_encoding(run));
                } else {
                    out.push_str(run);
                }
                copied = end;
                position = end;
                continue;
            }
        }
        position += text[position..].chars().next().map_or(1, char::len_utf8);
    }
    if !matched {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(out)
}
