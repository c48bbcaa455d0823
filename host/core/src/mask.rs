//! Masking: hide all of a value but its last few characters.
//!
//! `mask("4111 1111 1111 1111", 4)` is `"***************1111"`. Choices, and
//! why:
//!
//! - **Characters, not bytes**: counts are in Unicode scalar values, so a
//!   multi-byte character is one `*` and is never cut in half. (Grapheme
//!   clusters are not considered: a kept combining mark may lose its base.)
//! - **Separators are masked too**: every hidden character becomes `*`,
//!   spaces and dashes included. Keeping them would reveal the value's
//!   format for little gain, and "the last `keep` characters" stays a
//!   simple, predictable rule.
//! - **Short values are hidden whole**: a value with no more than `keep`
//!   characters becomes all `*`, so masking never shows a value in full.
//! - **The length shows**: one `*` per hidden character, as users expect of
//!   a masked card number. Use `erase` or `replace` where length matters.
//!
//! Masking is idempotent: masking a masked value again changes nothing.

/// `value` with all but its last `keep` characters replaced by `*`; all of
/// it if it has no more than `keep` characters. See the
/// [module docs](self).
///
/// ```
/// use lethe_core::mask;
///
/// assert_eq!(mask("0701234567", 4), "******4567");
/// assert_eq!(mask("Åsa Öberg", 3), "******erg");
/// assert_eq!(mask("123", 4), "***");
/// ```
pub fn mask(value: &str, keep: usize) -> String {
    let len = value.chars().count();
    if len <= keep {
        return "*".repeat(len);
    }
    let hidden = len - keep;
    let mut out = "*".repeat(hidden);
    out.extend(value.chars().skip(hidden));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_characters() {
        assert_eq!(mask("4111 1111 1111 1111", 4), "***************1111");
        assert_eq!(mask("secret", 0), "******");
        assert_eq!(mask("", 3), "");
    }

    #[test]
    fn counts_characters_not_bytes() {
        assert_eq!(mask("日本語テキスト", 2), "*****スト");
        assert_eq!(mask("a🙂b🙂", 2), "**b🙂");
        assert_eq!(mask("ÖÄÅ", 1), "**Å");
    }

    #[test]
    fn never_shows_a_short_value_whole() {
        assert_eq!(mask("1234", 4), "****");
        assert_eq!(mask("é", 5), "*");
    }

    #[test]
    fn is_idempotent() {
        let once = mask("john.smith@example.com", 5);
        assert_eq!(mask(&once, 5), once);
    }
}
