//! The digests Lethe stores and compares, in one place.
//!
//! Every stored checksum is a lowercase hex SHA-256: blob metadata on both
//! backends, export files, verification-token and API-key hashes. Secrets
//! are checked by comparing digests with [`constant_time_eq`], so a guess
//! cannot learn from timing how much of it was right.

use sha2::{Digest, Sha256};

/// Lowercase hex SHA-256 of `bytes` (64 characters).
///
/// ```
/// assert_eq!(
///     lethe_core::digest::sha256_hex("abc"),
///     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// );
/// ```
pub fn sha256_hex(bytes: impl AsRef<[u8]>) -> String {
    hex::encode(Sha256::digest(bytes.as_ref()))
}

/// Whether `a` and `b` are equal, without an early exit: the time taken
/// does not tell how many leading bytes matched (only whether the lengths
/// differ, which for digests they never do).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a
        .iter()
        .zip(b)
        .fold(0u8, |acc, (x, y)| acc | std::hint::black_box(x ^ y));
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_only_when_every_byte_is() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(constant_time_eq(b"", b""));
    }

    #[test]
    fn text_and_bytes_hash_alike() {
        assert_eq!(sha256_hex("token"), sha256_hex(b"token".as_slice()));
        assert_eq!(sha256_hex(b"").len(), 64);
    }
}
