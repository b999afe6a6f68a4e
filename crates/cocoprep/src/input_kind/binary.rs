//! Binary formats, told by their magic bytes: NumPy, zip (and what it holds), gzip, tar,
//! images, HDF5, pickles.

use std::io::Read;

use super::{Kind, Sample, Sniffed, sniff_bytes};

/// The binary kind of a sample, or `None` when it looks like text.
pub(super) fn sniff_binary(sample: &Sample<'_>) -> Option<Sniffed> {
    let head = sample.head;
    let kind = if head.starts_with(b"\x93NUMPY") {
        Kind::Npy
    } else if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Some(sniff_zip(sample));
    } else if head.starts_with(b"\x1f\x8b") {
        return Some(sniff_gzip(head));
    } else if is_tar(head) {
        Kind::Tar
    } else if head.starts_with(b"\xFF\xD8\xFF") {
        Kind::Jpeg
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Kind::Png
    } else if head.starts_with(b"\x89HDF\r\n\x1a\n") {
        Kind::Hdf5
    } else if is_pickle(head, sample.file_name) {
        Kind::Pickle
    } else {
        return None;
    };
    Some(Sniffed::new(kind))
}

fn is_tar(head: &[u8]) -> bool {
    head.get(257..262) == Some(b"ustar")
}

/// Pickles: protocol 2+ starts with PROTO (0x80, version); protocols 0 and 1 start with
/// MARK or an empty dict/list followed by a memo opcode (`(dp0`, `}q\x00`, `]q\x00`).
fn is_pickle(head: &[u8], file_name: &str) -> bool {
    match head {
        [0x80, 2..=5, ..] => true,
        [b'}' | b']', b'q' | b'(' | b'r', ..] => true,
        [b'(', b'd' | b'l', b'p', ..] => true,
        // Other protocol-0 pickles are text; the name is the best evidence.
        _ => {
            let lower = file_name.to_ascii_lowercase();
            (lower.ends_with(".pkl") || lower.ends_with(".pickle") || lower.ends_with(".p"))
                && head.first() == Some(&b'(')
        }
    }
}

/// NUL bytes, or invalid UTF-8 other than a character cut at the end of the sample.
pub(super) fn looks_binary(head: &[u8]) -> bool {
    if head.contains(&0) {
        return true;
    }
    match std::str::from_utf8(head) {
        Ok(_) => false,
        Err(error) => error.error_len().is_some(),
    }
}

/// A zip: member names from the local headers at the start and the central directory at
/// the end.
fn sniff_zip(sample: &Sample<'_>) -> Sniffed {
    let mut names = local_header_names(sample.head);
    if let Some(tail) = sample.tail {
        names.extend(central_directory_names(tail));
    } else {
        names.extend(central_directory_names(sample.head));
    }
    names.dedup();
    let files: Vec<&String> = names.iter().filter(|name| !name.ends_with('/')).collect();
    if files.is_empty() {
        return Sniffed::new(Kind::ZipUnlisted);
    }
    if files.iter().all(|name| name.ends_with(".npy")) {
        return Sniffed::new(Kind::Npz);
    }
    if files
        .iter()
        .any(|name| cocoprep_features::butd::input::is_tsv_name(name))
    {
        return Sniffed::new(Kind::ButdZip);
    }
    let mut shown: Vec<&str> = files.iter().take(2).map(|name| name.as_str()).collect();
    if files.len() > 2 {
        shown.push("...");
    }
    Sniffed::with_detail(Kind::Zip, shown.join(", "))
}

fn u16_at(bytes: &[u8], at: usize) -> Option<usize> {
    let pair = bytes.get(at..at + 2)?;
    Some(u16::from_le_bytes([pair[0], pair[1]]) as usize)
}

fn u32_at(bytes: &[u8], at: usize) -> Option<usize> {
    let quad = bytes.get(at..at + 4)?;
    Some(u32::from_le_bytes([quad[0], quad[1], quad[2], quad[3]]) as usize)
}

/// Names of the local file headers that lie wholly in `head`, walking member by member.
fn local_header_names(head: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    let mut at = 0;
    while head.get(at..at + 4) == Some(b"PK\x03\x04") && names.len() < 16 {
        let (Some(flags), Some(compressed), Some(name_length), Some(extra_length)) = (
            u16_at(head, at + 6),
            u32_at(head, at + 18),
            u16_at(head, at + 26),
            u16_at(head, at + 28),
        ) else {
            break;
        };
        let Some(name) = head.get(at + 30..at + 30 + name_length) else {
            break;
        };
        names.push(String::from_utf8_lossy(name).into_owned());
        // A member streamed with a data descriptor has no size here.
        if flags & 0x08 != 0 && compressed == 0 {
            break;
        }
        at += 30 + name_length + extra_length + compressed;
    }
    names
}

/// Names of the central directory entries found in `tail` (up to a few hundred).
fn central_directory_names(tail: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    let mut from = 0;
    while let Some(offset) = find(&tail[from..], b"PK\x01\x02") {
        let at = from + offset;
        from = at + 4;
        let Some(name_length) = u16_at(tail, at + 28) else {
            break;
        };
        if let Some(name) = tail.get(at + 46..at + 46 + name_length) {
            names.push(String::from_utf8_lossy(name).into_owned());
        }
        if names.len() >= 256 {
            break;
        }
    }
    names
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// A gzip file: the first KB are inflated (no more than the sample) to see what is inside.
fn sniff_gzip(head: &[u8]) -> Sniffed {
    let mut inner = Vec::new();
    // A truncated stream ends in an error once the sample runs out: what was inflated
    // before it is all that is needed.
    let mut decoder = flate2::read::GzDecoder::new(head).take(super::SNIFF_BYTES as u64);
    let mut buffer = [0u8; 8192];
    loop {
        match decoder.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(read) => inner.extend_from_slice(&buffer[..read]),
        }
    }
    if inner.is_empty() {
        return Sniffed::new(Kind::Gzip);
    }
    if is_tar(&inner) {
        return Sniffed::new(Kind::TarGz);
    }
    let inner = sniff_bytes(&Sample {
        head: &inner,
        tail: None,
        complete: false,
        file_name: "",
    });
    Sniffed::with_detail(Kind::Gzip, format!("of {}", inner.describe()))
}
