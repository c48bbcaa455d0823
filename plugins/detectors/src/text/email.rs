//! E-mail addresses, found from their `@`.
//!
//! The main loop skips letters, so it reaches an address at its `@`. From
//! there the scanner reads the local part backwards (at most 64 bytes of
//! `[A-Za-z0-9._%+-]`, leading dots dropped, no `..`) and the domain
//! forwards: labels of `[A-Za-z0-9-]` joined by single dots, not starting or
//! ending with `-`. Labels are taken while a dot is followed by a label
//! character, so a sentence's final `.` is never part of the address; then
//! trailing labels are dropped until the last one is a TLD (two or more
//! letters, or punycode `xn--…`). At least two labels remain.
//!
//! Quoted local parts, IP-literal domains and IDN in Unicode form are not
//! matched (IDN in punycode is).

use crate::text::boundary::{char_at, char_before, is_word_char};
use crate::{Detector, Finding};

/// Score of a generic e-mail address: the format alone is distinctive.
const SCORE: f32 = 0.9;

#[inline]
fn is_local(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

#[inline]
fn is_label(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

/// The start of the local part ending at the `@` at byte `at`, if valid.
fn local_start(b: &[u8], at: usize) -> Option<usize> {
    let floor = at.saturating_sub(64);
    let mut s = at;
    while s > floor && is_local(b[s - 1]) {
        s -= 1;
    }
    if s == floor && s > 0 && is_local(b[s - 1]) {
        return None; // longer than 64 bytes
    }
    while s < at && b[s] == b'.' {
        s += 1;
    }
    let local = &b[s..at];
    let ok = !local.is_empty() && local[local.len() - 1] != b'.' && !has_double_dot(local);
    ok.then_some(s)
}

fn has_double_dot(s: &[u8]) -> bool {
    s.windows(2).any(|w| w == b"..")
}

/// The end of the domain starting at byte `d` (just after the `@`).
fn domain_end(b: &[u8], d: usize) -> Option<usize> {
    let mut i = d;
    let mut labels = 0;
    let mut best = None;
    loop {
        let start = i;
        while i < b.len() && is_label(b[i]) {
            i += 1;
        }
        let label = &b[start..i];
        if label.is_empty() || label.len() > 63 || label[0] == b'-' || b[i - 1] == b'-' {
            break;
        }
        labels += 1;
        if labels >= 2 && is_tld(label) {
            best = Some(i);
        }
        if i + 1 < b.len() && b[i] == b'.' && is_label(b[i + 1]) {
            i += 1;
        } else {
            break;
        }
    }
    best
}

fn is_tld(label: &[u8]) -> bool {
    (label.len() >= 2 && label.iter().all(u8::is_ascii_alphabetic))
        || (label.len() > 4 && label[..4].eq_ignore_ascii_case(b"xn--"))
}

/// The e-mail address around the `@` at byte `at` of `text`.
pub(crate) fn at(text: &str, at: usize) -> Option<Finding> {
    let b = text.as_bytes();
    let start = local_start(b, at)?;
    let end = domain_end(b, at + 1)?;
    let glued_left = char_before(text, start).is_some_and(|c| is_word_char(c) || c == '@');
    let glued_right = char_at(text, end).is_some_and(|c| is_word_char(c) || c == '@');
    if glued_left || glued_right {
        return None;
    }
    Some(Finding {
        start,
        end,
        detector: Detector::Email,
        score: SCORE,
    })
}

/// Whether `s` is exactly one e-mail address (see [`crate::validate::email`]).
pub(crate) fn is_email(s: &[u8]) -> bool {
    let Some(at) = s.iter().position(|&c| c == b'@') else {
        return false;
    };
    local_start(s, at) == Some(0) && domain_end(s, at + 1) == Some(s.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(text: &str) -> Option<&str> {
        let i = text.find('@')?;
        at(text, i).map(|f| &text[f.start..f.end])
    }

    #[test]
    fn addresses_and_their_edges() {
        assert_eq!(find("mail me at a.b@example.com."), Some("a.b@example.com"));
        assert_eq!(
            find("(John.Smith+tag@Mail.Example.ORG)"),
            Some("John.Smith+tag@Mail.Example.ORG")
        );
        assert_eq!(
            find("Åsa: asa_90@sub.example.co.uk, tack"),
            Some("asa_90@sub.example.co.uk")
        );
        assert_eq!(find("x <u-1%x@example.com>"), Some("u-1%x@example.com"));
        assert_eq!(find("to:...a@example.com"), Some("a@example.com"));
        assert_eq!(
            find("a@xn--bcher-kva.example"),
            Some("a@xn--bcher-kva.example")
        );
        assert_eq!(find("a@example.com.123"), Some("a@example.com"));
    }

    #[test]
    fn not_addresses() {
        for s in [
            "@example.com",
            "a@",
            "a@localhost",
            "a@example.c",
            "a..b@example.com",
            "a.@example.com",
            "a@-example.com",
            "a@example.com@b",
            "ä@example.com",
            "user@@example.com",
            "@@",
            "a@b.12",
        ] {
            assert_eq!(find(s), None, "{s}");
        }
    }
}
