//! The CLIP byte-pair encoder of Uni-Perceiver's `uniperceiver/tokenization/tokenization_clip.py`.

use std::io::Read;
use std::sync::{LazyLock, Mutex, OnceLock};

use flate2::read::GzDecoder;
use regex::Regex;
use rustc_hash::FxHashMap;

use crate::clean::clean;
use crate::error::Error;

/// The merges file, embedded (sha256 `924691ac…6804a`, spec §1.2).
pub(crate) static MERGES_GZ: &[u8] = include_bytes!("../data/bpe_simple_vocab_16e6.txt.gz");

/// `merges[1 : 49152 - 256 - 2 + 1]`: the merges the tokenizer uses.
const MERGE_COUNT: usize = 49152 - 256 - 2;

/// The special tokens, appended after the merges in this order.
pub const SPECIAL_TOKENS: [&str; 5] = [
    "<|startoftext|>",
    "<|endoftext|>",
    "<|mask|>",
    "<|gen|>",
    "<|spe|>",
];
/// `<|startoftext|>`.
pub const START_OF_TEXT: u32 = 49406;
/// `<|endoftext|>`.
pub const END_OF_TEXT: u32 = 49407;
/// The vocabulary size: CLIP's 49,408 plus `<|mask|>`, `<|gen|>` and `<|spe|>`.
pub const VOCAB_SIZE: usize = 49411;

/// The pre-tokenizer pattern (Python `regex` with `IGNORECASE`). `<|mask|>` is not in it,
/// as in the original, so it is split into pieces.
const PATTERN: &str = r"(?i)<\|startoftext\|>|<\|endoftext\|>|<\|gen\|>|<\|spe\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+";

/// Uni-Perceiver's CLIP tokenizer: text → ids in `0..49411`.
///
/// Build it once ([`ClipTokenizer::new`] decompresses and indexes the embedded merges) and share
/// it: [`encode`](Self::encode) takes `&self` and caches each piece's ids.
pub struct ClipTokenizer {
    /// The id of each byte as a symbol (`byte_encoder[b]`), and as a word's last symbol
    /// (`byte_encoder[b] + "</w>"`).
    byte_ids: [(u32, u32); 256],
    /// `encoder`: token → id, made on the first [`token_id`](Self::token_id) (encoding
    /// does not need it).
    encoder: OnceLock<FxHashMap<String, u32>>,
    decoder: Vec<String>,
    /// (left id, right id) → (rank, id of the merged symbol).
    merges: FxHashMap<(u32, u32), (u32, u32)>,
    /// Compiled on first use: plain ASCII text is split without it.
    pattern: LazyLock<Regex>,
    /// The ids of the pieces [`encode`](Self::encode) has seen, shared by its callers.
    cache: Mutex<PieceCache>,
}

/// Piece → ids, so that each distinct piece is byte-pair encoded once. Pieces of up to
/// [`SHORT_PIECE`] bytes (nearly all words) are keyed by their bytes and length packed in
/// a `u128`, compared in one instruction rather than through `memcmp`; the ids of every
/// piece are in one buffer, so a hit copies them without following a pointer per piece.
/// Keys are lowercased (ASCII): a piece of unlowered plain text finds the entry of its
/// lowercased form, and lowercased text is unchanged by it.
pub(crate) struct PieceCache {
    short: FxHashMap<u128, (u32, u32)>,
    long: FxHashMap<Box<[u8]>, (u32, u32)>,
    ids: Vec<u32>,
    /// The lowercased long piece being looked up (reused).
    lowered: Vec<u8>,
}

/// The longest piece [`PieceCache`] keys by a packed `u128` (the 16th byte is the length).
const SHORT_PIECE: usize = 15;

/// Texts a parallel [`ClipTokenizer::encode_batch`] task takes at a time.
const BATCH_CHUNK_TEXTS: usize = 256;

impl ClipTokenizer {
    /// Loads the embedded merges.
    pub fn new() -> Result<Self, Error> {
        let mut text = String::new();
        GzDecoder::new(MERGES_GZ)
            .read_to_string(&mut text)
            .map_err(|source| Error::Merges { source })?;
        let merges: Vec<(&str, &str)> = text
            .split('\n')
            .skip(1)
            .take(MERGE_COUNT)
            .map(|line| {
                line.split_once(' ').ok_or_else(|| Error::MergeLine {
                    line: line.to_owned(),
                })
            })
            .collect::<Result<_, Error>>()?;
        if merges.len() != MERGE_COUNT {
            return Err(Error::MergeCount {
                found: merges.len(),
                expected: MERGE_COUNT,
            });
        }
        let byte_encoder = bytes_to_unicode();
        let mut decoder: Vec<String> = Vec::with_capacity(VOCAB_SIZE);
        let order = byte_order();
        decoder.extend(
            order
                .iter()
                .map(|&b| byte_encoder[usize::from(b)].to_string()),
        );
        decoder.extend(
            order
                .iter()
                .map(|&b| format!("{}</w>", byte_encoder[usize::from(b)])),
        );
        decoder.extend(merges.iter().map(|(left, right)| format!("{left}{right}")));
        decoder.extend(SPECIAL_TOKENS.iter().map(|&s| s.to_owned()));
        // `encoder` borrowing the decoder's strings, for indexing the merges; as in
        // Python's `dict(zip(vocab, range(len(vocab))))`, a repeated token keeps its last id.
        let mut ids: FxHashMap<&str, u32> =
            FxHashMap::with_capacity_and_hasher(VOCAB_SIZE, Default::default());
        for (id, token) in decoder.iter().enumerate() {
            ids.insert(token, id as u32);
        }
        let byte_ids = std::array::from_fn(|b| {
            let symbol = byte_encoder[b].to_string();
            (ids[symbol.as_str()], ids[format!("{symbol}</w>").as_str()])
        });
        let mut merge_ids: FxHashMap<(u32, u32), (u32, u32)> =
            FxHashMap::with_capacity_and_hasher(MERGE_COUNT, Default::default());
        for (rank, (left, right)) in merges.iter().enumerate() {
            let id = |symbol: &str| {
                ids.get(symbol).copied().ok_or_else(|| Error::MergeLine {
                    line: format!("{left} {right}"),
                })
            };
            // The merged symbol is the decoder's entry for this merge.
            let merged = id(&decoder[512 + rank])?;
            merge_ids.insert((id(left)?, id(right)?), (rank as u32, merged));
        }
        drop(ids);
        Ok(Self {
            byte_ids,
            encoder: OnceLock::new(),
            decoder,
            merges: merge_ids,
            pattern: LazyLock::new(|| {
                Regex::new(PATTERN).expect("the CLIP pattern is a valid regex")
            }),
            cache: Mutex::new(PieceCache::new()),
        })
    }

    /// A tokenizer shared by the whole process, built on first use.
    pub fn shared() -> Result<&'static Self, &'static Error> {
        static SHARED: LazyLock<Result<ClipTokenizer, Error>> = LazyLock::new(ClipTokenizer::new);
        SHARED.as_ref()
    }

    /// `encode(text)`: clean, lowercase, split, byte-pair encode.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let mut ids = Vec::new();
        let mut lowered = String::new();
        lower_into(text, &mut lowered);
        self.encode_pieces(&lowered, &mut self.cache(), &mut ids);
        ids
    }

    /// [`encode`](Self::encode) of every text, in parallel on the caller's rayon pool (see
    /// `cocoprep_base::threads`). Each task keeps a piece cache of its own, so the threads
    /// share no lock; the ids are the same as `encode`'s.
    pub fn encode_batch<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<Vec<u32>> {
        use rayon::prelude::*;
        texts
            .par_iter()
            .with_min_len(BATCH_CHUNK_TEXTS)
            .map_init(
                || (PieceCache::new(), String::new()),
                |(cache, lowered), text| {
                    let mut ids = Vec::new();
                    lower_into(text.as_ref(), lowered);
                    self.encode_pieces(lowered, cache, &mut ids);
                    ids
                },
            )
            .collect()
    }

    /// [`encode`](Self::encode) of `text + suffix` for every text, in parallel as
    /// [`encode_batch`](Self::encode_batch), with the ids as `int64`: what the target sets
    /// hold. Plain text is split without being joined or copied ([`Encoder`]).
    pub fn encode_batch_with_suffix<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        suffix: &str,
    ) -> Vec<Vec<i64>> {
        use rayon::prelude::*;
        texts
            .par_iter()
            .with_min_len(BATCH_CHUNK_TEXTS)
            .map_init(
                || (Encoder::new(self), Vec::new()),
                |(encoder, ids), text| {
                    ids.clear();
                    encoder.encode_with_suffix(text.as_ref(), suffix, ids);
                    ids.iter().map(|&id| i64::from(id)).collect()
                },
            )
            .collect()
    }

    /// Splits cleaned, lowercased text into pieces and appends their ids to `ids`, with
    /// `cache` as the piece cache.
    fn encode_pieces(&self, lowered: &str, cache: &mut PieceCache, ids: &mut Vec<u32>) {
        self.for_each_piece(lowered, |piece| cache.push_ids(self, piece, ids));
    }

    /// Calls `piece` with each match of the pre-tokenizer pattern in `lowered`, in order:
    /// ASCII text with the one-pass scanner ([`ascii_pieces`]), other text with the regex.
    fn for_each_piece<'t>(&self, lowered: &'t str, piece: impl FnMut(&'t str)) {
        if lowered.is_ascii() {
            ascii_pieces(lowered, piece);
        } else {
            self.pattern
                .find_iter(lowered)
                .map(|found| found.as_str())
                .for_each(piece);
        }
    }

    /// `basic_tokenize(text)`: the pieces `encode` byte-pair encodes one by one.
    pub fn basic_tokenize(&self, text: &str) -> Vec<String> {
        let mut cleaned = String::new();
        lower_into(text, &mut cleaned);
        let mut pieces = Vec::new();
        self.for_each_piece(&cleaned, |piece| pieces.push(piece.to_owned()));
        pieces
    }

    /// `encode_basic_tokenized_token(piece)`: the ids of one piece (cached).
    pub fn encode_piece(&self, piece: &str) -> Vec<u32> {
        let mut ids = Vec::new();
        self.cache().push_ids(self, piece, &mut ids);
        ids
    }

    /// The id of a vocabulary entry (`encoder[token]`), such as `left</w>`.
    pub fn token_id(&self, token: &str) -> Option<u32> {
        let encoder = self.encoder.get_or_init(|| {
            let mut encoder =
                FxHashMap::with_capacity_and_hasher(self.decoder.len(), Default::default());
            for (id, token) in self.decoder.iter().enumerate() {
                encoder.insert(token.clone(), id as u32);
            }
            encoder
        });
        encoder.get(token).copied()
    }

    /// The vocabulary entry of an id (`decoder[id]`).
    pub fn token(&self, id: u32) -> Option<&str> {
        self.decoder.get(id as usize).map(String::as_str)
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, PieceCache> {
        // A panic while holding the lock cannot leave a half-written entry: insert is atomic.
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The lowest-rank adjacent pair is merged (every occurrence, left to right) until no
    /// pair has a rank; `</w>` marks the last symbol. Symbols are vocabulary ids: every
    /// byte, every byte with `</w>` and every merge result is in the vocabulary.
    fn bpe(&self, bytes: &[u8]) -> Vec<u32> {
        let mut word: Vec<u32> = Vec::with_capacity(bytes.len());
        for (index, &byte) in bytes.iter().enumerate() {
            let (id, last_id) = self.byte_ids[usize::from(byte)];
            word.push(if index + 1 == bytes.len() {
                last_id
            } else {
                id
            });
        }
        while word.len() > 1 {
            let best = word
                .windows(2)
                .filter_map(|pair| self.merges.get(&(pair[0], pair[1])))
                .min_by_key(|&&(rank, _)| rank);
            let Some(&(best_rank, merged_id)) = best else {
                break;
            };
            let mut merged = Vec::with_capacity(word.len());
            let mut i = 0;
            while i < word.len() {
                let is_best = i + 1 < word.len()
                    && self
                        .merges
                        .get(&(word[i], word[i + 1]))
                        .is_some_and(|&(rank, _)| rank == best_rank);
                if is_best {
                    merged.push(merged_id);
                    i += 2;
                } else {
                    merged.push(word[i]);
                    i += 1;
                }
            }
            word = merged;
        }
        word
    }
}

/// `whitespace_clean(basic_clean(text)).lower()`, into `out` (cleared first).
fn lower_into(text: &str, out: &mut String) {
    out.clear();
    // Cleaning plain text is collapsing its whitespace, done here in one pass.
    if is_plain(text) {
        for word in text
            .split(['\t', '\n', '\x0c', ' '])
            .filter(|word| !word.is_empty())
        {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
        out.make_ascii_lowercase();
        return;
    }
    let cleaned = clean(text);
    if cleaned.is_ascii() {
        out.push_str(&cleaned);
        out.make_ascii_lowercase();
    } else {
        out.push_str(&cleaned.to_lowercase());
    }
}

/// The special tokens [`PATTERN`] matches whole, in its order.
const PATTERN_SPECIALS: [&str; 4] = ["<|startoftext|>", "<|endoftext|>", "<|gen|>", "<|spe|>"];

/// [`PATTERN`]'s matches in ASCII text, in one pass, as the regex's leftmost-first search
/// finds them: at each position the first alternative that matches wins — a special token,
/// a contraction (`'s 't 're 've 'm 'll 'd`, any case), a run of letters, one digit, or a
/// run of anything that is neither whitespace nor a letter nor a digit; whitespace starts
/// no match. In ASCII, `\p{L}` is `[A-Za-z]`, `\p{N}` is `[0-9]` and `\s` is
/// `[\t\n\x0b\x0c\r ]`.
fn ascii_pieces<'t>(text: &'t str, mut piece: impl FnMut(&'t str)) {
    let bytes = text.as_bytes();
    let is_space = |b: u8| matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ');
    let mut start = 0;
    while start < bytes.len() {
        let b = bytes[start];
        let rest = &bytes[start..];
        let length = if is_space(b) {
            start += 1;
            continue;
        } else if let Some(special) = PATTERN_SPECIALS.iter().find(|special| {
            rest.len() >= special.len()
                && rest[..special.len()].eq_ignore_ascii_case(special.as_bytes())
        }) {
            special.len()
        } else if let Some(length) = contraction_length(rest) {
            length
        } else if b.is_ascii_alphabetic() {
            rest.iter().take_while(|b| b.is_ascii_alphabetic()).count()
        } else if b.is_ascii_digit() {
            1
        } else {
            rest.iter()
                .take_while(|&&b| !is_space(b) && !b.is_ascii_alphanumeric())
                .count()
        };
        piece(&text[start..start + length]);
        start += length;
    }
}

/// The length of the contraction `rest` starts with (`'s 't 're 've 'm 'll 'd`, any case).
fn contraction_length(rest: &[u8]) -> Option<usize> {
    if rest.first() != Some(&b'\'') {
        return None;
    }
    let lower = |index: usize| rest.get(index).map(u8::to_ascii_lowercase);
    match (lower(1), lower(2)) {
        (Some(b'r' | b'v'), Some(b'e')) | (Some(b'l'), Some(b'l')) => Some(3),
        (Some(b's' | b't' | b'm' | b'd'), _) => Some(2),
        _ => None,
    }
}

impl PieceCache {
    /// A cache holding the special tokens the pattern matches whole (`<|mask|>` is not one
    /// of them: it is split into pieces, as in the original).
    fn new() -> Self {
        let mut cache = Self {
            short: FxHashMap::default(),
            long: FxHashMap::default(),
            ids: Vec::new(),
            lowered: Vec::new(),
        };
        for (token, id) in [
            ("<|startoftext|>", START_OF_TEXT),
            ("<|endoftext|>", END_OF_TEXT),
            ("<|gen|>", 49409),
            ("<|spe|>", 49410),
        ] {
            let key = short_key(token.as_bytes()).expect("the special tokens are short");
            let span = cache.store(&[id]);
            cache.short.insert(key, span);
        }
        cache
    }

    /// Keeps `ids` in the shared buffer: their (start, length) there.
    fn store(&mut self, ids: &[u32]) -> (u32, u32) {
        let start = u32::try_from(self.ids.len()).expect("fewer than 2^32 cached ids");
        self.ids.extend_from_slice(ids);
        (start, ids.len() as u32)
    }

    fn span(&self, (start, length): (u32, u32)) -> &[u32] {
        &self.ids[start as usize..(start + length) as usize]
    }

    /// Appends the ids of `piece`, ASCII-lowercased, to `ids`: from the cache, or byte-pair
    /// encoded once and cached.
    fn push_ids(&mut self, tokenizer: &ClipTokenizer, piece: &str, ids: &mut Vec<u32>) {
        let span = match short_key(piece.as_bytes()) {
            Some(key) => match self.short.get(&key) {
                Some(&span) => span,
                None => {
                    let lowered = key.to_le_bytes();
                    let lowered = &lowered[..piece.len()];
                    let span = self.store(&tokenizer.bpe(lowered));
                    self.short.insert(key, span);
                    span
                }
            },
            None => {
                self.lowered.clear();
                self.lowered
                    .extend(piece.bytes().map(|b| b.to_ascii_lowercase()));
                match self.long.get(self.lowered.as_slice()) {
                    Some(&span) => span,
                    None => {
                        let encoded = tokenizer.bpe(&self.lowered);
                        let span = self.store(&encoded);
                        self.long.insert(Box::from(self.lowered.as_slice()), span);
                        span
                    }
                }
            }
        };
        ids.extend_from_slice(self.span(span));
    }
}

/// `piece`'s bytes, ASCII-lowercased, and its length packed in a `u128` (little-endian,
/// the length in the last byte), for pieces of up to [`SHORT_PIECE`] bytes.
fn short_key(piece: &[u8]) -> Option<u128> {
    if piece.len() > SHORT_PIECE {
        return None;
    }
    let mut key = [0u8; 16];
    for (slot, &b) in key.iter_mut().zip(piece) {
        *slot = b.to_ascii_lowercase();
    }
    key[15] = piece.len() as u8;
    Some(u128::from_le_bytes(key))
}

/// What one worker needs to encode texts one after another: its own piece cache (shared
/// by no other thread, kept for every text it encodes) and the buffers of the slow path.
pub(crate) struct Encoder<'t> {
    tokenizer: &'t ClipTokenizer,
    cache: PieceCache,
    joined: String,
    lowered: String,
}

impl<'t> Encoder<'t> {
    pub(crate) fn new(tokenizer: &'t ClipTokenizer) -> Self {
        Self {
            tokenizer,
            cache: PieceCache::new(),
            joined: String::new(),
            lowered: String::new(),
        }
    }

    /// Appends the ids of `encode(text + suffix)` to `ids`.
    ///
    /// Plain text (printable ASCII, tabs, line and form feeds, no `&`; see [`lower_into`])
    /// is cleaned by collapsing its whitespace and lowercased; neither moves a piece
    /// boundary, since whitespace ends every piece and every alternative of the pattern
    /// matches case-insensitively. So when `text` and `suffix` are plain and `suffix`
    /// starts with whitespace, the pieces are those of `text` then those of `suffix`,
    /// found in place and lowercased as they are looked up.
    pub(crate) fn encode_with_suffix(&mut self, text: &str, suffix: &str, ids: &mut Vec<u32>) {
        let Self {
            tokenizer,
            cache,
            joined,
            lowered,
        } = self;
        let suffix_separates = suffix
            .bytes()
            .next()
            .is_some_and(|b| matches!(b, b'\t' | b'\n' | 0x0c | b' '));
        if (suffix.is_empty() || suffix_separates) && is_plain(text) && is_plain(suffix) {
            ascii_pieces(text, |piece| cache.push_ids(tokenizer, piece, ids));
            ascii_pieces(suffix, |piece| cache.push_ids(tokenizer, piece, ids));
            return;
        }
        joined.clear();
        joined.push_str(text);
        joined.push_str(suffix);
        lower_into(joined, lowered);
        tokenizer.encode_pieces(lowered, cache, ids);
    }
}

/// Printable ASCII, tabs, line and form feeds, without `&`: text every ftfy step and both
/// `html.unescape` calls leave as it is (the same test as `clean`'s own fast path).
fn is_plain(text: &str) -> bool {
    text.bytes()
        .all(|b| matches!(b, b'\t' | b'\n' | 0x0c | 0x20..=0x7e) && b != b'&')
}

/// The printable bytes, in GPT-2's `bytes_to_unicode` order, followed by the rest.
fn byte_order() -> Vec<u8> {
    let printable = |b: u8| matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
    let mut order: Vec<u8> = (0..=255).filter(|&b| printable(b)).collect();
    order.extend((0..=255).filter(|&b| !printable(b)));
    order
}

/// GPT-2's reversible byte → character map: printable bytes map to themselves, the others
/// to U+0100 onwards in byte order.
fn bytes_to_unicode() -> [char; 256] {
    let mut map = ['\0'; 256];
    let mut next = 256u32;
    for b in 0..=255u8 {
        map[usize::from(b)] = if matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF) {
            char::from(b)
        } else {
            let c = char::from_u32(next).expect("U+0100..U+0143 are characters");
            next += 1;
            c
        };
    }
    map
}

#[cfg(test)]
mod tests {
    use super::{PATTERN, ascii_pieces};

    fn regex_pieces<'t>(pattern: &regex::Regex, text: &'t str) -> Vec<&'t str> {
        pattern
            .find_iter(text)
            .map(|found| found.as_str())
            .collect()
    }

    fn scanned_pieces(text: &str) -> Vec<&str> {
        let mut pieces = Vec::new();
        ascii_pieces(text, |piece| pieces.push(piece));
        pieces
    }

    #[test]
    fn ascii_scanner_finds_the_pieces_the_pattern_finds() {
        // Fragments chosen to meet every alternative and every boundary between them:
        // special tokens (whole, cut short, in other cases, glued to punctuation),
        // contractions and their near misses, letters, digits, punctuation, whitespace.
        const FRAGMENTS: [&str; 40] = [
            "<|startoftext|>",
            "<|endoftext|>",
            "<|gen|>",
            "<|spe|>",
            "<|mask|>",
            "<|EndOfText|>",
            "<|end",
            "<|",
            "|>",
            "'s",
            "'t",
            "'re",
            "'ve",
            "'m",
            "'ll",
            "'d",
            "'S",
            "'LL",
            "'r",
            "'l",
            "'",
            "''",
            "a",
            "Dog",
            "xyz",
            "0",
            "42",
            "3.5",
            "!",
            "...",
            "-",
            "<",
            ">",
            " ",
            "  ",
            "\t",
            "\n",
            "\r",
            "\x0b",
            "\x0c",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % bound as u64) as usize
        };
        let mut cases: Vec<String> = (0u8..128).map(|b| char::from(b).to_string()).collect();
        for _ in 0..20_000 {
            let count = 1 + next(12);
            cases.push(
                (0..count)
                    .map(|_| FRAGMENTS[next(FRAGMENTS.len())])
                    .collect(),
            );
        }
        cases.push("a man's dog isn't 2 <|endoftext|>".to_owned());
        let pattern = regex::Regex::new(PATTERN).unwrap();
        for text in &cases {
            assert_eq!(
                scanned_pieces(text),
                regex_pieces(&pattern, text),
                "{text:?}"
            );
        }
    }
}
