//! Checksums: the published digest of a file, and hashing while bytes stream in.

use std::io::Read;
use std::path::Path;

use md5::Digest as _;

use crate::error::FetchError;

/// A published digest to check a download against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Checksum {
    /// SHA-256, lowercase hex.
    Sha256(String),
    /// MD5, lowercase hex (what COCO mirrors and LAVIS publish).
    Md5(String),
    /// The first hex digits of the SHA-256, lowercase: all that is published for files
    /// named the way torchvision names its weights (`resnet101-63fe2227.pth`).
    Sha256Prefix(String),
}

impl Checksum {
    /// Parses a hex digest, deciding the algorithm from its length (64 = SHA-256, 32 = MD5).
    pub fn from_hex(hex: &str) -> Option<Self> {
        let hex = hex.trim().to_ascii_lowercase();
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        match hex.len() {
            64 => Some(Self::Sha256(hex)),
            32 => Some(Self::Md5(hex)),
            _ => None,
        }
    }

    /// `sha256`, `md5` or `sha256 prefix`.
    pub fn algorithm(&self) -> &'static str {
        match self {
            Self::Sha256(_) => "sha256",
            Self::Md5(_) => "md5",
            Self::Sha256Prefix(_) => "sha256 prefix",
        }
    }

    /// The hex digest (the prefix for [`Checksum::Sha256Prefix`]).
    pub fn hex(&self) -> &str {
        match self {
            Self::Sha256(hex) | Self::Md5(hex) | Self::Sha256Prefix(hex) => hex,
        }
    }

    /// Whether `digests` (of the same algorithm) match.
    pub fn matches(&self, digests: &Digests) -> bool {
        match self {
            Self::Sha256(hex) => digests.sha256 == *hex,
            Self::Md5(hex) => digests.md5.as_deref() == Some(hex.as_str()),
            Self::Sha256Prefix(prefix) => digests.sha256.starts_with(prefix.as_str()),
        }
    }
}

/// Hashes bytes as they arrive: SHA-256 always (it goes into the manifest), MD5 only when
/// the published digest is an MD5.
pub struct StreamingHasher {
    sha256: sha2::Sha256,
    md5: Option<md5::Md5>,
    bytes: u64,
}

/// What [`StreamingHasher::finish`] computed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digests {
    /// Bytes hashed.
    pub bytes: u64,
    /// SHA-256, lowercase hex.
    pub sha256: String,
    /// MD5, lowercase hex, if requested.
    pub md5: Option<String>,
}

impl Digests {
    /// The digest of the same algorithm as `expected`, if computed.
    pub fn matching(&self, expected: &Checksum) -> Option<&str> {
        match expected {
            Checksum::Sha256(_) | Checksum::Sha256Prefix(_) => Some(&self.sha256),
            Checksum::Md5(_) => self.md5.as_deref(),
        }
    }
}

impl StreamingHasher {
    /// A hasher; `with_md5` adds an MD5 alongside the SHA-256.
    pub fn new(with_md5: bool) -> Self {
        Self {
            sha256: sha2::Sha256::new(),
            md5: with_md5.then(md5::Md5::new),
            bytes: 0,
        }
    }

    /// Adds bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.sha256.update(bytes);
        if let Some(md5) = &mut self.md5 {
            md5.update(bytes);
        }
        self.bytes += bytes.len() as u64;
    }

    /// Bytes hashed so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The digests.
    pub fn finish(self) -> Digests {
        Digests {
            bytes: self.bytes,
            sha256: to_hex(&self.sha256.finalize()),
            md5: self.md5.map(|md5| to_hex(&md5.finalize())),
        }
    }
}

/// Lowercase hex of bytes.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(DIGITS[(byte >> 4) as usize] as char);
        text.push(DIGITS[(byte & 15) as usize] as char);
    }
    text
}

/// SHA-256 of bytes in memory, lowercase hex.
pub fn hash_file_bytes(bytes: &[u8]) -> String {
    let mut hasher = StreamingHasher::new(false);
    hasher.update(bytes);
    hasher.finish().sha256
}

/// SHA-256 (and optionally MD5) of a whole file.
pub fn hash_file(path: &Path, with_md5: bool) -> std::io::Result<Digests> {
    let mut file = fs_err::File::open(path)?;
    let mut hasher = StreamingHasher::new(with_md5);
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hasher.finish())
}

/// The CRC-32 of a file's contents, read in 1 MiB blocks.
pub(crate) fn crc32_of_file(path: &Path) -> Result<u32, FetchError> {
    let mut file = fs_err::File::open(path)?;
    let mut crc = crc32fast::Hasher::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            return Ok(crc.finalize());
        }
        crc.update(&buffer[..read]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests_of_abc() {
        let mut hasher = StreamingHasher::new(true);
        hasher.update(b"ab");
        hasher.update(b"c");
        let digests = hasher.finish();
        assert_eq!(
            digests.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            digests.md5.as_deref(),
            Some("900150983cd24fb0d6963f7d28e17f72")
        );
    }

    #[test]
    fn algorithm_follows_digest_length() {
        assert!(matches!(
            Checksum::from_hex(&"a".repeat(64)),
            Some(Checksum::Sha256(_))
        ));
        assert!(matches!(
            Checksum::from_hex(&"B".repeat(32)),
            Some(Checksum::Md5(_))
        ));
        assert_eq!(Checksum::from_hex("xyz"), None);
    }
}
