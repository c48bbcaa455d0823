//! Whether a candidate span is a token of its own or a piece of a longer one.
//!
//! A value glued to letters, digits or `_` (`abc4111111111111`,
//! `v1.2.3.4`, a digit chunk of a hex GUID) is not reported. Separators
//! that join numbers count as glue too when another number continues on the
//! other side: `-`, `/` and `_` after a letter or digit (`INV-2024-000123`,
//! `...-446655440000`), `.`, `,` and `:` after a digit (`1.2.3.4.5`,
//! `1,299`, `12:30:45`). A `.` or `,` followed by a space or letter is
//! sentence punctuation and does not glue. A `+` before digits belongs to an
//! international number: if that number was rejected, its digits are not
//! read again as something else.
//!
//! The checks decode the one or two chars next to the span, so they work in
//! any UTF-8 text (`Åsa070-123 45 67` is glued, `☎ 070-123 45 67` is not).

/// A letter, digit or `_`: characters that make a span part of a word.
#[inline]
pub(crate) fn is_word_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// The char that ends just before byte `i` of `text` (`None` at the start,
/// past the end, or inside a char).
///
/// An ASCII byte is the whole char (and `i` is then a char boundary), so
/// most calls read one byte; only non-ASCII text is decoded.
#[inline]
pub(crate) fn char_before(text: &str, i: usize) -> Option<char> {
    match text.as_bytes().get(i.checked_sub(1)?) {
        Some(&b) if b.is_ascii() => Some(char::from(b)),
        _ => text.get(..i)?.chars().next_back(),
    }
}

/// The char that starts at byte `i` of `text` (`None` at or past the end,
/// or inside a char). ASCII is read without decoding, as in
/// [`char_before`].
#[inline]
pub(crate) fn char_at(text: &str, i: usize) -> Option<char> {
    match text.as_bytes().get(i) {
        Some(&b) if b.is_ascii() => Some(char::from(b)),
        _ => text.get(i..)?.chars().next(),
    }
}

/// Whether a number-like span may start at byte `start`.
pub(crate) fn starts_free(text: &str, start: usize) -> bool {
    let Some(p) = char_before(text, start) else {
        return true;
    };
    if is_word_char(p) || p == '@' || p == '+' {
        return false;
    }
    let before = char_before(text, start - p.len_utf8());
    match p {
        '-' | '/' => !before.is_some_and(|c| c.is_ascii_alphanumeric()),
        '.' | ',' | ':' => !before.is_some_and(|c| c.is_ascii_digit()),
        _ => true,
    }
}

/// Whether a number-like span may end at byte `end`. With `port` set, a
/// following `:8080` or `/24` is allowed (IP addresses).
pub(crate) fn ends_free(text: &str, end: usize, port: bool) -> bool {
    let Some(n) = char_at(text, end) else {
        return true;
    };
    if is_word_char(n) || n == '@' {
        return false;
    }
    let after = text.as_bytes().get(end + 1).copied();
    let digit_after = after.is_some_and(|b| b.is_ascii_digit());
    match n {
        ':' | '/' if port => true,
        '.' | ',' | ':' | '/' => !digit_after,
        '-' => !after.is_some_and(|b| b.is_ascii_alphanumeric()),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glue_on_the_left() {
        assert!(starts_free("4111", 0));
        assert!(starts_free("x 4111", 2));
        assert!(starts_free("☎4111", "☎".len()));
        assert!(starts_free("(4111", 1));
        assert!(starts_free("tel:0701", 4));
        assert!(!starts_free("abc4111", 3));
        assert!(!starts_free("Å4111", "Å".len()));
        assert!(!starts_free("INV-2024", 4));
        assert!(!starts_free("a716-4466", 5));
        assert!(!starts_free("1.2", 2));
        assert!(!starts_free("1,299", 2));
        assert!(!starts_free("12:30", 3));
        assert!(!starts_free("x@0701", 2));
        assert!(!starts_free("+0701", 1));
        assert!(starts_free("ok. 0701", 4));
    }

    #[test]
    fn glue_on_the_right() {
        assert!(ends_free("4111", 4, false));
        assert!(ends_free("4111.", 4, false));
        assert!(ends_free("4111. Next", 4, false));
        assert!(ends_free("4111, 5", 4, false));
        assert!(!ends_free("4111x", 4, false));
        assert!(!ends_free("4111.5", 4, false));
        assert!(!ends_free("4111-ab", 4, false));
        assert!(!ends_free("4111:30", 4, false));
        assert!(ends_free("10.0.0.1:8080", 8, true));
        assert!(ends_free("10.0.0.0/8", 8, true));
        assert!(!ends_free("10.0.0.1.5", 8, true));
    }

    proptest::proptest! {
        /// The one-byte ASCII path answers exactly what decoding would.
        #[test]
        fn chars_next_to_an_offset_read_as_decoded(
            text in "[a-z0-9 .\u{e5}\u{2011}\u{1f600}]{0,12}",
            i in 0usize..40,
        ) {
            proptest::prop_assert_eq!(
                char_before(&text, i),
                text.get(..i).and_then(|s| s.chars().next_back())
            );
            proptest::prop_assert_eq!(
                char_at(&text, i),
                text.get(i..).and_then(|s| s.chars().next())
            );
        }
    }
}
