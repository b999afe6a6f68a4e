//! The CLIP byte-pair encoder of Uni-Perceiver's `uniperceiver/tokenization/tokenization_clip.py`.

use std::io::Read;
use std::sync::{LazyLock, Mutex};

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
    byte_encoder: [char; 256],
    encoder: FxHashMap<String, u32>,
    decoder: Vec<String>,
    /// (left id, right id) → (rank, id of the merged symbol).
    merges: FxHashMap<(u32, u32), (u32, u32)>,
    pattern: Regex,
    /// The ids of the pieces [`encode`](Self::encode) has seen, shared by its callers.
    cache: Mutex<PieceCache>,
}

/// Piece → ids, so that each distinct piece is byte-pair encoded once.
type PieceCache = FxHashMap<Box<str>, Box<[u32]>>;

/// Texts a parallel [`ClipTokenizer::encode_batch`] task takes at a time.
const BATCH_CHUNK_TEXTS: usize = 256;

impl ClipTokenizer {
    /// Loads the embedded merges.
    pub fn new() -> Result<Self, Error> {
        let mut text = String::new();
        GzDecoder::new(MERGES_GZ)
            .read_to_string(&mut text)
            .map_err(|source| Error::Merges { source })?;
        let merges: Vec<(String, String)> = text
            .split('\n')
            .skip(1)
            .take(MERGE_COUNT)
            .map(|line| {
                let (left, right) = line.split_once(' ').ok_or_else(|| Error::MergeLine {
                    line: line.to_owned(),
                })?;
                Ok((left.to_owned(), right.to_owned()))
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
        let encoder: FxHashMap<String, u32> = decoder
            .iter()
            .enumerate()
            .map(|(id, token)| (token.clone(), id as u32))
            .collect();
        let merges = merges
            .iter()
            .enumerate()
            .map(|(rank, (left, right))| {
                let id = |symbol: &str| {
                    encoder
                        .get(symbol)
                        .copied()
                        .ok_or_else(|| Error::MergeLine {
                            line: format!("{left} {right}"),
                        })
                };
                Ok((
                    (id(left)?, id(right)?),
                    (rank as u32, id(&format!("{left}{right}"))?),
                ))
            })
            .collect::<Result<_, Error>>()?;
        Ok(Self {
            byte_encoder,
            encoder,
            decoder,
            merges,
            pattern: Regex::new(PATTERN).expect("the CLIP pattern is a valid regex"),
            cache: Mutex::new(new_cache()),
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
        let lowered = lowered(text);
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
            .map_init(new_cache, |cache, text| {
                let mut ids = Vec::new();
                self.encode_pieces(&lowered(text.as_ref()), cache, &mut ids);
                ids
            })
            .collect()
    }

    /// Splits cleaned, lowercased text into pieces and appends their ids to `ids`, with
    /// `cache` as the piece cache.
    fn encode_pieces(&self, lowered: &str, cache: &mut PieceCache, ids: &mut Vec<u32>) {
        for piece in self.pattern.find_iter(lowered) {
            let piece = piece.as_str();
            match cache.get(piece) {
                Some(cached) => ids.extend_from_slice(cached),
                None => {
                    let encoded = self.bpe(piece);
                    ids.extend_from_slice(&encoded);
                    cache.insert(Box::from(piece), encoded.into_boxed_slice());
                }
            }
        }
    }

    /// `basic_tokenize(text)`: the pieces `encode` byte-pair encodes one by one.
    pub fn basic_tokenize(&self, text: &str) -> Vec<String> {
        let cleaned = lowered(text);
        self.pattern
            .find_iter(&cleaned)
            .map(|piece| piece.as_str().to_owned())
            .collect()
    }

    /// `encode_basic_tokenized_token(piece)`: the ids of one piece (cached).
    pub fn encode_piece(&self, piece: &str) -> Vec<u32> {
        if let Some(ids) = self.cache().get(piece) {
            return ids.to_vec();
        }
        let ids = self.bpe(piece);
        self.cache()
            .insert(Box::from(piece), ids.clone().into_boxed_slice());
        ids
    }

    /// The id of a vocabulary entry (`encoder[token]`), such as `left</w>`.
    pub fn token_id(&self, token: &str) -> Option<u32> {
        self.encoder.get(token).copied()
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
    fn bpe(&self, piece: &str) -> Vec<u32> {
        let bytes = piece.as_bytes();
        let mut word: Vec<u32> = Vec::with_capacity(bytes.len());
        for (index, &byte) in bytes.iter().enumerate() {
            let mut symbol = self.byte_encoder[usize::from(byte)].to_string();
            if index + 1 == bytes.len() {
                symbol.push_str("</w>");
            }
            word.push(self.encoder[symbol.as_str()]);
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

/// `whitespace_clean(basic_clean(text)).lower()`.
fn lowered(text: &str) -> String {
    let mut cleaned = clean(text);
    if cleaned.is_ascii() {
        // ASCII lowercasing keeps the length: done in place, no second string.
        cleaned.make_ascii_lowercase();
        cleaned
    } else {
        cleaned.to_lowercase()
    }
}

/// A piece cache holding the special tokens the pattern matches whole (`<|mask|>` is not
/// one of them: it is split into pieces, as in the original).
fn new_cache() -> PieceCache {
    [
        ("<|startoftext|>", START_OF_TEXT),
        ("<|endoftext|>", END_OF_TEXT),
        ("<|gen|>", 49409),
        ("<|spe|>", 49410),
    ]
    .into_iter()
    .map(|(token, id)| (Box::from(token), Box::from([id])))
    .collect()
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
