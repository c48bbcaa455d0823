//! E-mail addresses, found from their `@`.
//!
//! The main loop skips letters, so it reaches an address at its `@`. From
//! there the scanner reads the local part backwards (at most 64 bytes of
//! `[A-Za-z0-9._%+-]` and [accented letters](is_spaced_letter), leading
//! dots dropped, no `..`; an apostrophe between two letters or digits,
//! as in `o'brien@…`) and the domain forwards: labels of
//! `[A-Za-z0-9-]` and accented letters joined by single dots, not starting
//! or ending with `-`. An `@` written as `%40` in a URL
//! (`?email=anna%40example.com`) is read the same way ([`at_escaped`],
//! tried where the scan meets the digits of `%40`). Labels are taken while a dot is followed by a label
//! character, so a sentence's final `.` is never part of the address; then
//! trailing labels are dropped until the last one is a TLD (two or more
//! letters, or punycode `xn--…`). At least two labels remain.
//!
//! Internationalised addresses (RFC 6531: `jörg.müller@example.com`,
//! `info@bücher.example`, `анна@пример.испытание`) are found for the
//! alphabets written with spaces between words: Latin with diacritics,
//! Greek, Cyrillic and Armenian. Ideographic and syllabic scripts are not address characters,
//! since text in them runs on without spaces: in `请发到anna@example.com谢谢`
//! the address is `anna@example.com`, and the characters around it do not
//! glue to it. Quoted local parts and IP-literal domains are not matched.
//!
//! An address spelled out to dodge harvesters, with its `@` as a bracketed
//! word (`anna[at]example[dot]com`, `anna (at) example dot com`), is read
//! the same way from the bracket ([`at_spelled`]). A bare ` at ` is not
//! taken: it is an everyday word.

use crate::text::boundary::{char_at, char_before};
use crate::{Detector, Finding};

/// Score of a generic e-mail address: the format alone is distinctive.
const SCORE: f32 = 0.9;

/// Most bytes in a local part (RFC 5321, also for UTF-8 ones).
const MAX_LOCAL: usize = 64;

/// Most bytes in one domain label.
const MAX_LABEL: usize = 63;

/// A letter or digit beyond ASCII from an alphabet written with spaces
/// between words: Latin-1 and Latin Extended (`é`, `ö`, `ł`, `ș`), IPA,
/// Greek, Cyrillic and Armenian (U+00C0-U+058F), and Latin Extended
/// Additional and Greek Extended (U+1E00-U+1FFF, Vietnamese `ệ`).
#[inline]
pub(crate) fn is_spaced_letter(c: char) -> bool {
    matches!(c, '\u{c0}'..='\u{58f}' | '\u{1e00}'..='\u{1fff}') && c.is_alphanumeric()
}

/// Whether `c` may appear in a local part.
#[inline]
pub(crate) fn is_local(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-') || is_spaced_letter(c)
}

#[inline]
fn is_label(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || is_spaced_letter(c)
}

/// Whether `c` right beside an address makes it part of a longer word.
#[inline]
fn glues(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '@' || is_spaced_letter(c)
}

/// Whether the byte before `s` is an apostrophe inside a local part: a
/// letter or digit on both sides (`o'brien`, `d'angelo`). A quote that
/// opens or closes (`'anna@…'`) is not part of the address.
fn apostrophe_inside(text: &str, s: usize) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || is_spaced_letter(c);
    s >= 1
        && text.as_bytes()[s - 1] == b'\''
        && char_at(text, s).is_some_and(word)
        && char_before(text, s - 1).is_some_and(word)
}

/// The start of the local part ending at the `@` at byte `at`, if valid.
fn local_start(text: &str, at: usize) -> Option<usize> {
    let mut s = at;
    while let Some(c) = char_before(text, s).filter(|&c| is_local(c) || apostrophe_inside(text, s))
    {
        if at - s + c.len_utf8() > MAX_LOCAL {
            return None; // longer than 64 bytes
        }
        s -= c.len_utf8();
    }
    let b = text.as_bytes();
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

/// The end of the domain starting at byte `d` (just after the `@`). With
/// `spelled`, a dot may also be written as a word ([`spelled_dot`]).
fn domain_end(text: &str, d: usize, spelled: bool) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = d;
    let mut labels = 0;
    let mut best = None;
    loop {
        let start = i;
        while let Some(c) = char_at(text, i).filter(|&c| is_label(c)) {
            i += c.len_utf8();
        }
        let label = &text[start..i];
        if label.is_empty()
            || label.len() > MAX_LABEL
            || label.starts_with('-')
            || label.ends_with('-')
        {
            break;
        }
        labels += 1;
        if labels >= 2 && is_tld(label) {
            best = Some(i);
        }
        if b.get(i) == Some(&b'.') && char_at(text, i + 1).is_some_and(is_label) {
            i += 1;
        } else if let Some(next) = spelled.then(|| spelled_dot(text, i)).flatten() {
            i = next;
        } else {
            break;
        }
    }
    best
}

fn is_tld(label: &str) -> bool {
    (label.chars().count() >= 2 && label.chars().all(char::is_alphabetic))
        || (label.len() > 4 && label.as_bytes()[..4].eq_ignore_ascii_case(b"xn--"))
}

/// The e-mail address around the `@` at byte `at` of `text`.
#[inline(never)]
pub(crate) fn at(text: &str, at: usize) -> Option<Finding> {
    around(text, at, at + 1, false)
}

/// The closing bracket of `open`, for the brackets a spelled `@` or dot
/// is written in.
fn closing(open: u8) -> Option<u8> {
    match open {
        b'(' => Some(b')'),
        b'[' => Some(b']'),
        b'{' => Some(b'}'),
        _ => None,
    }
}

/// Where a bracketed `word` (`[at]`, `(dot)`, any case) at byte `i` ends.
fn bracketed(b: &[u8], i: usize, word: &[u8]) -> Option<usize> {
    let close = closing(*b.get(i)?)?;
    let end = i + 1 + word.len();
    let inside = b.get(i + 1..end)?;
    (inside.eq_ignore_ascii_case(word) && b.get(end) == Some(&close)).then_some(end + 1)
}

/// A dot written as a word between two domain labels, from byte `i` (the
/// end of a label): `[dot]`, `(dot)` or `{dot}` with an optional space on
/// each side, or ` dot ` between spaces. Returns where the next label
/// starts.
fn spelled_dot(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    let space = |j: usize| usize::from(b.get(j) == Some(&b' '));
    let after_bracket = bracketed(b, i + space(i), b"dot").map(|j| j + space(j));
    let spaced = || {
        let word = b.get(i + 1..i + 4)?;
        (space(i) == 1 && word.eq_ignore_ascii_case(b"dot") && space(i + 4) == 1).then_some(i + 5)
    };
    after_bracket
        .or_else(spaced)
        .filter(|&j| char_at(text, j).is_some_and(is_label))
}

/// The e-mail address around an `@` written as a bracketed word to dodge
/// address harvesters, whose bracket is at byte `open`: `anna[at]example
/// [dot]com`, `anna (at) example (dot) com`, `anna {at} example.com`,
/// `anna [at] example dot com`. The `at` may have a space on each side;
/// dots in the domain may be written as `.` or as words
/// ([`spelled_dot`]). The finding covers the whole written form.
#[inline(never)]
pub(crate) fn at_spelled(text: &str, open: usize) -> Option<Finding> {
    let b = text.as_bytes();
    let after = bracketed(b, open, b"at")?;
    let local_end = open - usize::from(open > 0 && b[open - 1] == b' ');
    let domain = after + usize::from(b.get(after) == Some(&b' '));
    around(text, local_end, domain, true)
}

/// The e-mail address around a URL-encoded `@` (`%40`, as in
/// `?email=anna%40example.com`) whose `%` is at byte `pct`. The finding
/// covers the escape with the address.
#[inline(never)]
pub(crate) fn at_escaped(text: &str, pct: usize) -> Option<Finding> {
    let escape = text.as_bytes().get(pct..pct + 3)?;
    if escape != b"%40" {
        return None;
    }
    around(text, pct, pct + 3, false)
}

/// The address whose local part ends at `local_end` and whose domain
/// starts at `domain` (with `spelled`, its dots may be words).
fn around(text: &str, local_end: usize, domain: usize, spelled: bool) -> Option<Finding> {
    let start = local_start(text, local_end)?;
    let end = domain_end(text, domain, spelled)?;
    let glued_left = char_before(text, start).is_some_and(glues);
    let glued_right = char_at(text, end).is_some_and(glues);
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
pub(crate) fn is_email(s: &str) -> bool {
    let Some(at) = s.find('@') else {
        return false;
    };
    local_start(s, at) == Some(0) && domain_end(s, at + 1, false) == Some(s.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(text: &str) -> Option<&str> {
        let i = text.find('@')?;
        at(text, i).map(|f| &text[f.start..f.end])
    }

    #[test]
    fn spelled_addresses() {
        fn spelled(text: &str) -> Option<&str> {
            let open = text.find(['(', '[', '{'])?;
            at_spelled(text, open).map(|f| &text[f.start..f.end])
        }
        for (text, address) in [
            ("mail anna[at]example[dot]com!", "anna[at]example[dot]com"),
            (
                "anna.berg (at) example (dot) co (dot) uk",
                "anna.berg (at) example (dot) co (dot) uk",
            ),
            ("write to anna {AT} example.com.", "anna {AT} example.com"),
            (
                "anna [at] mail.example dot org please",
                "anna [at] mail.example dot org",
            ),
            ("anna(at)example.se", "anna(at)example.se"),
        ] {
            assert_eq!(spelled(text), Some(address), "{text:?}");
        }
        for text in [
            "we meet (at) noon",
            "anna [at] example",
            "anna [at]example [dot] 42",
            "[at] example.com",
            "anna (at example.com",
            "anna (at) example dotcom",
        ] {
            assert_eq!(spelled(text), None, "{text:?}");
        }
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
    fn an_at_escaped_in_a_url_joins_the_address() {
        fn found(text: &str) -> Option<&str> {
            let pct = text.find("%40")?;
            at_escaped(text, pct).map(|f| &text[f.start..f.end])
        }
        assert_eq!(
            found("/unsubscribe?email=anna.berg%40example.com&id=7"),
            Some("anna.berg%40example.com")
        );
        assert_eq!(
            found("?to=anna%2Btag%40example.co.uk"),
            Some("anna%2Btag%40example.co.uk")
        );
        assert_eq!(found("?q=50%40example"), None);
        assert_eq!(found("rate=12%40"), None);
        assert_eq!(found("%40example.com"), None);
    }

    #[test]
    fn an_apostrophe_inside_a_name_belongs_to_the_address() {
        assert_eq!(
            find("mail o'brien@example.com now"),
            Some("o'brien@example.com")
        );
        assert_eq!(
            find("(Mary.O'Neill@example.ie)"),
            Some("Mary.O'Neill@example.ie")
        );
        assert_eq!(find("to 'anna@example.com'"), Some("anna@example.com"));
        assert_eq!(find("it's@example.com"), Some("it's@example.com"));
        assert_eq!(find("x '@example.com"), None);
        assert_eq!(find("o''b@example.com"), Some("b@example.com"));
    }

    #[test]
    fn internationalised_addresses_in_spaced_alphabets() {
        assert_eq!(
            find("write to jörg.müller@example.com please"),
            Some("jörg.müller@example.com")
        );
        assert_eq!(
            find("mail åsa.öberg@example.com."),
            Some("åsa.öberg@example.com")
        );
        assert_eq!(
            find("kontakt: info@bücher.example"),
            Some("info@bücher.example")
        );
        assert_eq!(find("ä@example.com"), Some("ä@example.com"));
        assert_eq!(
            find("почта: анна@пример.испытание!"),
            Some("анна@пример.испытание")
        );
        assert_eq!(
            find("(ελένη@παράδειγμα.δοκιμή)"),
            Some("ελένη@παράδειγμα.δοκιμή")
        );
        assert_eq!(
            find("Nguyễn.Văn@ví-dụ.example"),
            Some("Nguyễn.Văn@ví-dụ.example")
        );
    }

    #[test]
    fn text_without_spaces_does_not_glue_to_an_address() {
        assert_eq!(find("请发到anna@example.com谢谢"), Some("anna@example.com"));
        assert_eq!(find("メールはa.b@example.comです"), Some("a.b@example.com"));
    }

    #[test]
    fn the_local_part_is_at_most_64_bytes_of_utf8() {
        let fits = format!("{}@example.com", "ö".repeat(32));
        assert_eq!(find(&fits), Some(fits.as_str()));
        let long = format!("{}@example.com", "ö".repeat(33));
        assert_eq!(find(&long), None);
        let long_ascii = format!("{}ö@example.com", "a".repeat(63));
        assert_eq!(find(&long_ascii), None);
    }

    #[test]
    fn is_email_takes_exactly_one_address() {
        assert!(is_email("jörg.müller@example.com"));
        assert!(is_email("a@b.co"));
        assert!(!is_email("a@b.co "));
        assert!(!is_email("x a@b.co"));
        assert!(!is_email("a@b"));
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
            "日本@example.com",
            "a@日本.example",
            "a@example.日本",
            "a@exämple-.com",
            "ä.@example.com",
            "user@@example.com",
            "@@",
            "a@b.12",
        ] {
            assert_eq!(find(s), None, "{s}");
        }
    }
}
