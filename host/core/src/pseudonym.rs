//! Pseudonyms: keyed, deterministic stand-ins for personal data.
//!
//! A pseudonym replaces a value with `psn_` and 32 hex digits of
//! HMAC-SHA256 under the tenant's secret [`PseudonymKey`]:
//!
//! ```text
//! psn_ + hex(HMAC-SHA256(key, category || 0x00 || normalize(category, value)))[..32]
//! ```
//!
//! - **Deterministic**: the same person's e-mail gives the same pseudonym in
//!   every item, so an attribute used as a key stays joinable.
//! - **Untraceable without the key**: the key never leaves the host (never
//!   enters a plugin sandbox), and `Debug` never prints it.
//! - **Separated by category**: the category name is part of the MAC input,
//!   so `"1234"` as a phone and as an identifier get unrelated pseudonyms.
//! - **Separated by tenant**: each tenant has its own key.
//! - **Idempotent**: a value that already is a pseudonym is returned as it
//!   is, so redoing a redaction after a crash changes nothing.
//!
//! Values are [normalized](normalize) first so that spellings of one value
//! meet: `" John.Smith@Example.com"` and `"john.smith@example.com"` give the
//! same pseudonym. 128 bits of MAC output make collisions negligible.

use core::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::Category;
use crate::error::Error;

/// A tenant's secret key for pseudonyms: 32 bytes.
///
/// Its `Debug` output is `PseudonymKey(..)`; there is no way to read the
/// bytes back out.
#[derive(Clone)]
pub struct PseudonymKey([u8; 32]);

impl PseudonymKey {
    /// The key length in bytes.
    pub const LEN: usize = 32;

    /// A key from its 32 bytes.
    pub const fn from_bytes(bytes: [u8; 32]) -> PseudonymKey {
        PseudonymKey(bytes)
    }

    /// A key from a slice, which must hold exactly 32 bytes.
    ///
    /// # Errors
    ///
    /// [`Error::KeyLength`] for any other length.
    pub fn from_slice(bytes: &[u8]) -> Result<PseudonymKey, Error> {
        <[u8; 32]>::try_from(bytes)
            .map(PseudonymKey)
            .map_err(|_| Error::KeyLength { bytes: bytes.len() })
    }

    /// A key from 64 hex digits (either case).
    ///
    /// # Errors
    ///
    /// [`Error::KeyNotHex`] if the text is not hex, [`Error::KeyLength`] if
    /// it is hex of the wrong length. Neither repeats the text.
    pub fn from_hex(hex: &str) -> Result<PseudonymKey, Error> {
        let bytes = hex::decode(hex.trim()).map_err(|_| Error::KeyNotHex)?;
        PseudonymKey::from_slice(&bytes)
    }
}

impl fmt::Debug for PseudonymKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PseudonymKey(..)")
    }
}

/// The prefix of every pseudonym.
pub const PSEUDONYM_PREFIX: &str = "psn_";

/// How many hex digits follow the prefix (128 bits).
const HEX_DIGITS: usize = 32;

/// The pseudonym of `value`, of `category`, under `key`.
///
/// See the [module docs](self) for the construction. A `value` that already
/// is a pseudonym (`psn_` and 32 lowercase hex digits, after trimming) is
/// returned unchanged.
///
/// ```
/// use lethe_core::{pseudonymize, Category, PseudonymKey};
///
/// let key = PseudonymKey::from_bytes([7; 32]);
/// let a = pseudonymize(&key, Category::Email, "John.Smith@Example.com ");
/// let b = pseudonymize(&key, Category::Email, "john.smith@example.com");
/// assert_eq!(a, b);
/// assert!(a.starts_with("psn_") && a.len() == 36);
/// assert_eq!(pseudonymize(&key, Category::Email, &a), a);
/// ```
pub fn pseudonymize(key: &PseudonymKey, category: Category, value: &str) -> String {
    if is_pseudonym(value.trim()) {
        return value.trim().to_owned();
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(&key.0).expect("HMAC accepts keys of any length");
    mac.update(category.as_str().as_bytes());
    mac.update(&[0]);
    mac.update(normalize(category, value).as_bytes());
    let digest = mac.finalize().into_bytes();
    let mut out = String::with_capacity(PSEUDONYM_PREFIX.len() + HEX_DIGITS);
    out.push_str(PSEUDONYM_PREFIX);
    out.push_str(&hex::encode(&digest[..HEX_DIGITS / 2]));
    out
}

/// Whether `text` has the form of a pseudonym: `psn_` and 32 lowercase hex
/// digits.
pub fn is_pseudonym(text: &str) -> bool {
    text.strip_prefix(PSEUDONYM_PREFIX).is_some_and(|digits| {
        digits.len() == HEX_DIGITS
            && digits
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// The form of `value` that [`pseudonymize`] hashes, so that spellings of
/// one value meet.
///
/// - every category: leading and trailing whitespace removed;
/// - `email`: lowercased (the local part is case-insensitive in practice);
/// - `phone`: the ASCII digits only, so `+46 70-123 45 67` is `46701234567`.
///   The leading `+` is dropped too: `+46…` and `46…` are the same number
///   written carelessly far more often than two different numbers. Turning
///   a national form (`070…`) into an international one needs the country,
///   which this function does not know. A phone with no digits at all falls
///   back to the rule for other categories;
/// - any other category: runs of whitespace inside collapsed to one space,
///   and Unicode-lowercased, so `John  SMITH` is `john smith`.
pub fn normalize(category: Category, value: &str) -> String {
    let value = value.trim();
    match category {
        Category::Email => value.to_lowercase(),
        Category::Phone if value.bytes().any(|b| b.is_ascii_digit()) => {
            value.chars().filter(char::is_ascii_digit).collect()
        }
        _ => value
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: PseudonymKey = PseudonymKey::from_bytes([1; 32]);

    #[test]
    fn deterministic_and_shaped() {
        let a = pseudonymize(&KEY, Category::Name, "Ada Lovelace");
        assert_eq!(a, pseudonymize(&KEY, Category::Name, "Ada Lovelace"));
        assert!(is_pseudonym(&a), "{a}");
        assert_eq!(a.len(), 36);
        assert!(!a.contains("Ada"));
    }

    #[test]
    fn matches_the_documented_construction() {
        let mut mac = Hmac::<Sha256>::new_from_slice(&[1; 32]).unwrap();
        mac.update(b"email\0ada@example.com");
        let want = format!("psn_{}", &hex::encode(mac.finalize().into_bytes())[..32]);
        assert_eq!(
            pseudonymize(&KEY, Category::Email, " ADA@example.com"),
            want
        );
    }

    #[test]
    fn keys_and_categories_separate_pseudonyms() {
        let other = PseudonymKey::from_bytes([2; 32]);
        let v = "0701234567";
        assert_ne!(
            pseudonymize(&KEY, Category::Phone, v),
            pseudonymize(&other, Category::Phone, v)
        );
        assert_ne!(
            pseudonymize(&KEY, Category::Phone, v),
            pseudonymize(&KEY, Category::Identifier, v)
        );
        assert_ne!(
            pseudonymize(&KEY, Category::Name, "ada"),
            pseudonymize(&KEY, Category::Name, "bob")
        );
    }

    #[test]
    fn normalization_joins_spellings() {
        let same = |c, a, b| assert_eq!(pseudonymize(&KEY, c, a), pseudonymize(&KEY, c, b));
        same(
            Category::Email,
            "John.Smith@EXAMPLE.com",
            " john.smith@example.com\n",
        );
        same(Category::Phone, "+46 70-123 45 67", "46701234567");
        same(Category::Phone, "(070) 123 45 67", "0701234567");
        same(Category::Name, " John  SMITH", "john smith");
        same(Category::Name, "ÅSA ÖBERG", "åsa öberg");
        assert_eq!(normalize(Category::Phone, " no digits "), "no digits");
        assert_eq!(normalize(Category::Identifier, "A\tB "), "a b");
    }

    #[test]
    fn pseudonyms_are_not_pseudonymized_again() {
        let p = pseudonymize(&KEY, Category::Email, "a@b.c");
        assert_eq!(pseudonymize(&KEY, Category::Email, &p), p);
        assert_eq!(pseudonymize(&KEY, Category::Name, &format!(" {p} ")), p);
        assert!(!is_pseudonym("psn_ABCDEF00000000000000000000000000"));
        assert!(!is_pseudonym("psn_abc"));
    }

    #[test]
    fn keys_load_from_bytes_and_hex_and_never_print() {
        let hex_key = "01".repeat(32);
        let k = PseudonymKey::from_hex(&hex_key).unwrap();
        assert_eq!(
            pseudonymize(&k, Category::Ip, "10.0.0.1"),
            pseudonymize(&KEY, Category::Ip, "10.0.0.1")
        );
        assert!(PseudonymKey::from_slice(&[1; 32]).is_ok());
        assert_eq!(
            PseudonymKey::from_slice(&[1; 31]).unwrap_err(),
            Error::KeyLength { bytes: 31 }
        );
        assert_eq!(
            PseudonymKey::from_hex("abcd").unwrap_err(),
            Error::KeyLength { bytes: 2 }
        );
        let not_hex = "zz".repeat(32);
        let err = PseudonymKey::from_hex(&not_hex).unwrap_err();
        assert_eq!(err, Error::KeyNotHex);
        assert!(!err.to_string().contains("zz"));
        assert_eq!(format!("{k:?}"), "PseudonymKey(..)");
        assert!(!format!("{k:?}").contains("01"));
    }
}
