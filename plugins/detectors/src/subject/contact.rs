//! The subject's e-mail addresses, phone numbers and identifiers.
//!
//! - **E-mail**: the whole address (0.99), and the local part alone as a
//!   token when it has at least four chars (0.9), e.g. a login `john.smith`
//!   quoted in a chat. Both compared folded like names: case-insensitive
//!   and without diacritics, so `jörg.müller@example.com` is also found as
//!   `JÖRG.MÜLLER@EXAMPLE.COM` or `jorg.muller@example.com`.
//! - **Phone**: compared as digits. The stored number is reduced once to
//!   its national significant number (NSN): country code (after `+` or
//!   `00`) and trunk `0` removed, or the NANP `1`. In the text, every
//!   phone-like [`Run`] (and each shorter prefix of its groups) is reduced
//!   the same ways, trying each reading (`0…`, `+CC…`, `00CC…`, `CC…`
//!   without `+`, `1…`), and matches if one reading equals a stored NSN.
//!   NSNs shorter than seven digits are ignored. Score 0.98.
//! - **Identifier**: the whole value, ASCII case-insensitive, as a token of
//!   its own (0.97). Identifiers shorter than three chars are ignored: they
//!   would match everywhere. People retype separators, so inside the value
//!   a separator (`-`, `_`, `.`, `/`, space) may be left out or written as
//!   another one, and one may be added where letters meet digits:
//!   `CUST-00123` is also found as `CUST00123`, `cust 00123` or
//!   `cust_00123`, and `CUST00123` as `CUST-00123`. Digits are never split
//!   by an added separator, so a numeric id does not match a date.

use crate::subject::fold::{fold, folded_prefix_end};
use crate::text::boundary::{self, char_at, char_before, is_word_char};
use crate::text::dialing::country_code_len;
use crate::text::email::is_local;
use crate::text::phone::Run;
use crate::{Detector, Finding};

/// Shortest NSN matched.
pub(crate) const MIN_PHONE_DIGITS: usize = 7;
/// Shortest identifier matched.
pub(crate) const MIN_ID_CHARS: usize = 3;
/// Shortest local part matched alone.
pub(crate) const MIN_LOCAL_CHARS: usize = 4;

/// Whether an address or local part ending at `end` stands alone: not
/// followed by a word char, `@`, or a `.`/`-`/`+`/`%` that continues it.
fn email_ends(text: &str, end: usize) -> bool {
    match char_at(text, end) {
        None => true,
        Some(c) if is_word_char(c) || c == '@' => false,
        Some('.' | '-' | '+' | '%') => !text
            .as_bytes()
            .get(end + 1)
            .is_some_and(u8::is_ascii_alphanumeric),
        Some(_) => true,
    }
}

/// A stored e-mail address, folded, with its local part.
#[derive(Clone, Debug)]
pub(crate) struct Email {
    /// The whole address, folded.
    pub full: String,
    /// The folded local part, if it is long enough to match alone.
    pub local: Option<String>,
}

impl Email {
    /// Prepares a stored address; `None` if it has no `@`.
    pub(crate) fn new(raw: &str) -> Option<Email> {
        let full = fold(raw.trim());
        let at = full.find('@').filter(|&at| at > 0)?;
        let local = &full[..at];
        let local = (local.chars().count() >= MIN_LOCAL_CHARS).then(|| local.to_owned());
        Some(Email { full, local })
    }

    /// The address or its local part at `i`, pushed onto `out`; returns the
    /// end of the match (or `i`).
    pub(crate) fn find(&self, text: &str, i: usize, out: &mut Vec<Finding>) -> usize {
        if char_before(text, i).is_some_and(is_local) {
            return i;
        }
        let whole = folded_prefix_end(text, i, &self.full)
            .filter(|&end| email_ends(text, end))
            .map(|end| (end, 0.99));
        let local = || {
            let local = self.local.as_deref()?;
            folded_prefix_end(text, i, local)
                .filter(|&end| email_ends(text, end))
                .map(|end| (end, 0.9))
        };
        let Some((end, score)) = whole.or_else(local) else {
            return i;
        };
        out.push(Finding {
            start: i,
            end,
            detector: Detector::SubjectEmail,
            score,
        });
        end
    }
}

/// The readings of a phone-like digit string as an NSN, in a fixed array
/// (unused slots are empty).
fn readings(plus: bool, d: &[u8]) -> [&[u8]; 4] {
    if plus {
        return [after_cc(d), &[], &[], &[]];
    }
    match d {
        [b'0', b'0', rest @ ..] => [after_cc(rest), &[], &[], &[]],
        [b'0', rest @ ..] => [rest, &[], &[], &[]],
        [b'1', rest @ ..] if d.len() == 11 => [d, rest, after_cc(d), &[]],
        _ => [d, after_cc(d), &[], &[]],
    }
}

/// The digits after the country code (and one trunk `0`), or nothing.
fn after_cc(d: &[u8]) -> &[u8] {
    match country_code_len(d) {
        Some(n) if n < d.len() => {
            let nsn = &d[n..];
            nsn.strip_prefix(b"0").unwrap_or(nsn)
        }
        _ => &[],
    }
}

/// The NSN of a stored phone number, if it has enough digits.
pub(crate) fn phone_nsn(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let digits: Vec<u8> = raw.bytes().filter(u8::is_ascii_digit).collect();
    let plus = raw.starts_with('+');
    let nsn = if plus || digits.starts_with(b"00") {
        let d = if plus { &digits[..] } else { &digits[2..] };
        readings(true, d)[0]
    } else {
        readings(false, &digits)[usize::from(digits.len() == 11 && digits[0] == b'1')]
    };
    (nsn.len() >= MIN_PHONE_DIGITS).then(|| String::from_utf8_lossy(nsn).into_owned())
}

/// One of `nsns` written as a phone number at `i`, pushed onto `out`;
/// returns the end of the match (or `i`).
pub(crate) fn find_phone(nsns: &[String], text: &str, i: usize, out: &mut Vec<Finding>) -> usize {
    if !boundary::starts_free(text, i) {
        return i;
    }
    let Some(run) = Run::parse(text.as_bytes(), i) else {
        return i;
    };
    for k in (1..=run.len()).rev() {
        let end = run.end(k);
        let d = run.digits(k);
        if d.len() < MIN_PHONE_DIGITS {
            break;
        }
        if text.as_bytes()[end - 1] == b')' || !boundary::ends_free(text, end, false) {
            continue;
        }
        let hit = readings(run.plus, d)
            .iter()
            .any(|r| r.len() >= MIN_PHONE_DIGITS && nsns.iter().any(|n| n.as_bytes() == *r));
        if hit {
            out.push(Finding {
                start: i,
                end,
                detector: Detector::SubjectPhone,
                score: 0.98,
            });
            return end;
        }
    }
    i
}

/// One of `ids` (lowercased) as a token at `i`, pushed onto `out`; returns
/// the end of the match (or `i`).
pub(crate) fn find_id(ids: &[String], text: &str, i: usize, out: &mut Vec<Finding>) -> usize {
    if char_before(text, i).is_some_and(is_word_char) {
        return i;
    }
    for id in ids {
        let Some(end) = id_end(id.as_bytes(), text.as_bytes(), i) else {
            continue;
        };
        if text.is_char_boundary(end) && id_ends(text, end) {
            out.push(Finding {
                start: i,
                end,
                detector: Detector::SubjectId,
                score: 0.97,
            });
            return end;
        }
    }
    i
}

/// Whether `b` separates the pieces of an identifier.
fn is_id_sep(b: u8) -> bool {
    matches!(b, b'-' | b'_' | b'.' | b'/' | b' ')
}

/// Where the (lowercased) identifier `id` ends if it is written at `i` of
/// `text`, with its separators left out, swapped or added as the module
/// docs say; `None` if it is not.
fn id_end(id: &[u8], text: &[u8], i: usize) -> Option<usize> {
    let (mut k, mut j) = (0, i);
    while k < id.len() {
        let want = id[k];
        let got = text.get(j).copied();
        if got.is_some_and(|g| g.eq_ignore_ascii_case(&want)) {
            (k, j) = (k + 1, j + 1);
            continue;
        }
        let inside = k > 0 && k + 1 < id.len() && !is_id_sep(id[k - 1]);
        if is_id_sep(want) && inside {
            // Swapped for another separator, or left out.
            k += 1;
            j += usize::from(got.is_some_and(is_id_sep));
            continue;
        }
        let letter_meets_digit = k > 0
            && (id[k - 1].is_ascii_alphabetic() && want.is_ascii_digit()
                || id[k - 1].is_ascii_digit() && want.is_ascii_alphabetic());
        let next_matches = text
            .get(j + 1)
            .is_some_and(|n| n.eq_ignore_ascii_case(&want));
        if letter_meets_digit && got.is_some_and(is_id_sep) && next_matches {
            j += 1; // added between letters and digits
            continue;
        }
        return None;
    }
    Some(j)
}

/// Whether an identifier ending at `end` is a token of its own.
fn id_ends(text: &str, end: usize) -> bool {
    match char_at(text, end) {
        None => true,
        Some(c) if is_word_char(c) => false,
        Some('-' | '/' | '.' | '@' | ':') => !text
            .as_bytes()
            .get(end + 1)
            .is_some_and(u8::is_ascii_alphanumeric),
        Some(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_phones_reduce_to_nsn() {
        assert_eq!(phone_nsn("0701234567").as_deref(), Some("701234567"));
        assert_eq!(phone_nsn("+46 70-123 45 67").as_deref(), Some("701234567"));
        assert_eq!(phone_nsn("0046701234567").as_deref(), Some("701234567"));
        assert_eq!(phone_nsn("+1 202 555 0143").as_deref(), Some("2025550143"));
        assert_eq!(phone_nsn("1-202-555-0143").as_deref(), Some("2025550143"));
        assert_eq!(phone_nsn("(202) 555-0143").as_deref(), Some("2025550143"));
        assert_eq!(
            phone_nsn("+44 (0)20 7946 0958").as_deref(),
            Some("2079460958")
        );
        assert_eq!(phone_nsn("12345"), None);
        assert_eq!(phone_nsn(""), None);
    }

    #[test]
    fn emails_and_ids() {
        let e = Email::new(" John.Smith@Example.com ").unwrap();
        assert_eq!(
            (e.full.as_str(), e.local.as_deref()),
            ("john.smith@example.com", Some("john.smith"))
        );
        assert_eq!(Email::new("abc@example.com").unwrap().local, None);
        assert!(Email::new("nope").is_none());
        let mut out = Vec::new();
        let t = "JOHN.SMITH@EXAMPLE.COM.";
        assert_eq!(e.find(t, 0, &mut out), 22);
        assert_eq!(e.find("john.smith.", 0, &mut out), 10);
        assert_eq!(e.find("john.smith@other.example", 0, &mut out), 0);
        assert_eq!(e.find("john.smithy", 0, &mut out), 0);
        let ids = ["cust-00123".to_owned()];
        assert_eq!(find_id(&ids, "CUST-00123, ok", 0, &mut out), 10);
        assert_eq!(find_id(&ids, "cust-00123-7", 0, &mut out), 0);
        assert_eq!(find_id(&ids, "cust-001234", 0, &mut out), 0);
    }
}
