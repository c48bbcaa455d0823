//! The [`Scanner`]: one pass over the bytes of a text.
//!
//! Most of a chat transcript is letters and spaces, and none of those can
//! start a value. The main loop therefore looks every byte up in a 256-entry
//! `const` table and only stops at the few bytes that can:
//!
//! | byte          | detectors tried                                      |
//! |---------------|------------------------------------------------------|
//! | digit         | phone, card, SSN, personnummer, IPv4 (by run shape)  |
//! | `+`, `(`      | phone                                                |
//! | `@`           | e-mail (reads the local part backwards)              |
//! | `:`           | IPv6 (reads hex digits backwards)                    |
//! | `A`-`Z`       | IBAN, when two capitals and two digits start a word  |
//!
//! A digit or capital glued to a word is skipped with the rest of its ASCII
//! word. After a trigger the loop resumes past the furthest finding, so a
//! value is read once. Subject matching (if a [`SubjectMatcher`] is given)
//! is a second pass with its own start-byte table, then all candidates go
//! through [`resolve`](crate::resolve) together.

use crate::resolve::resolve;
use crate::text::{
    boundary, card, digit_run_end, email, iban, ip, personnummer, phone, ssn, word_run_end,
};
use crate::{Finding, SubjectMatcher};

const SKIP: u8 = 0;
const DIGIT: u8 = 1;
const PLUS: u8 = 2;
const PAREN: u8 = 3;
const AT: u8 = 4;
const COLON: u8 = 5;
const UPPER: u8 = 6;

/// What each byte can start.
const CLASS: [u8; 256] = {
    let mut t = [SKIP; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = match i as u8 {
            b'0'..=b'9' => DIGIT,
            b'+' => PLUS,
            b'(' => PAREN,
            b'@' => AT,
            b':' => COLON,
            b'A'..=b'Z' => UPPER,
            _ => SKIP,
        };
        i += 1;
    }
    t
};

/// Finds personal data in free text.
///
/// Cheap to construct and immutable: build one per batch (or keep a
/// `const`) and call [`scan_into`](Scanner::scan_into) for every text.
///
/// ```
/// use lethe_detectors::{Detector, Scanner};
///
/// let text = "Ring 070-123 45 67 eller maila asa@example.com.";
/// let found = Scanner::new().scan(text, None);
/// let spans: Vec<_> = found.iter().map(|f| (&text[f.start..f.end], f.detector)).collect();
/// assert_eq!(spans, [("070-123 45 67", Detector::Phone), ("asa@example.com", Detector::Email)]);
/// ```
#[derive(Clone, Debug)]
pub struct Scanner {
    min_score: f32,
}

impl Default for Scanner {
    fn default() -> Self {
        Scanner::new()
    }
}

impl Scanner {
    /// The score below which findings are dropped unless
    /// [`with_min_score`](Scanner::with_min_score) says otherwise: 0.5.
    pub const DEFAULT_MIN_SCORE: f32 = 0.5;

    /// A scanner with every detector and the default minimum score.
    pub const fn new() -> Self {
        Scanner {
            min_score: Self::DEFAULT_MIN_SCORE,
        }
    }

    /// Drops findings scored below `min` (default
    /// [`DEFAULT_MIN_SCORE`](Scanner::DEFAULT_MIN_SCORE)). Dropped
    /// candidates do not take part in overlap resolution.
    pub const fn with_min_score(self, min: f32) -> Self {
        Scanner { min_score: min }
    }

    /// Appends this text's findings to `out`: sorted by start,
    /// non-overlapping (overlaps resolved: higher score wins, then longer).
    ///
    /// Findings already in `out` are left alone, so one `Vec` can collect a
    /// batch, or be cleared and reused to avoid allocating per text. With a
    /// `subject`, its values are also found in other spellings and win
    /// over generic findings of the same span.
    pub fn scan_into(&self, text: &str, subject: Option<&SubjectMatcher>, out: &mut Vec<Finding>) {
        let base = out.len();
        generic(text, out);
        if let Some(subject) = subject {
            subject.find(text, out);
        }
        let min = self.min_score;
        let mut keep = base;
        for r in base..out.len() {
            if out[r].score >= min {
                out[keep] = out[r];
                keep += 1;
            }
        }
        out.truncate(keep);
        resolve(out, base);
    }

    /// This text's findings, as [`scan_into`](Scanner::scan_into) would
    /// append them to an empty `Vec`.
    pub fn scan(&self, text: &str, subject: Option<&SubjectMatcher>) -> Vec<Finding> {
        let mut out = Vec::new();
        self.scan_into(text, subject, &mut out);
        out
    }
}

/// Runs the generic detectors over `text`, pushing candidates onto `out`.
fn generic(text: &str, out: &mut Vec<Finding>) {
    let b = text.as_bytes();
    let n = b.len();
    let mut i = 0;
    while i < n {
        i = skip_quiet_words(b, i);
        if i >= n {
            break;
        }
        let class = CLASS[b[i] as usize];
        if class == SKIP {
            i += 1;
            continue;
        }
        i = match class {
            DIGIT => at_digit(text, i, out),
            PLUS | PAREN => {
                let opens = b.get(i + 1).is_some_and(u8::is_ascii_digit);
                let found = opens && boundary::starts_free(text, i);
                push(out, found.then(|| phone::at(text, i)).flatten(), i + 1)
            }
            AT => push(out, email::at(text, i), i + 1),
            COLON => {
                let hex = |j: usize| {
                    b.get(j)
                        .is_some_and(|c| c.is_ascii_hexdigit() || *c == b':')
                };
                if (i > 0 && b[i - 1].is_ascii_hexdigit()) || hex(i + 1) {
                    let (found, next) = ip::v6_at(text, i);
                    push(out, found, next)
                } else {
                    i + 1
                }
            }
            _ => at_upper(text, i, out),
        };
    }
}

/// Pushes `found` and returns where the scan resumes: past it, or `next`.
/// Skips whole 8-byte words in which no byte can start a candidate.
///
/// Every byte that starts one (digits, `+`, `(`, `@`, `:`, `A`-`Z`) lies in
/// `0x28..=0x5A`; lower-case letters, spaces and UTF-8 continuation bytes
/// do not. The test is branch-free arithmetic on a `u64` (the "has a byte
/// between" trick), as cheap in WebAssembly as natively. A word that may
/// hold one falls through to the byte-by-byte classification.
#[inline]
fn skip_quiet_words(b: &[u8], mut i: usize) -> usize {
    const ONES: u64 = u64::MAX / 255;
    const HIGH: u64 = ONES * 0x80;
    const LOW7: u64 = ONES * 0x7f;
    // Bytes strictly between these two are candidates.
    const LO: u64 = 0x27;
    const HI: u64 = 0x5b;
    while let Some(word) = b.get(i..i + 8) {
        let x = u64::from_le_bytes([
            word[0], word[1], word[2], word[3], word[4], word[5], word[6], word[7],
        ]);
        let low = x & LOW7;
        let between =
            (ONES * (127 + HI)).wrapping_sub(low) & !x & low.wrapping_add(ONES * (127 - LO)) & HIGH;
        if between != 0 {
            break;
        }
        i += 8;
    }
    i
}

#[inline]
fn push(out: &mut Vec<Finding>, found: Option<Finding>, next: usize) -> usize {
    match found {
        Some(f) => {
            out.push(f);
            f.end.max(next)
        }
        None => next,
    }
}

/// Tries the numeric detectors at the digit at `i`.
fn at_digit(text: &str, i: usize, out: &mut Vec<Finding>) -> usize {
    let b = text.as_bytes();
    let run_end = digit_run_end(b, i);
    let after = b.get(run_end).copied();
    if after.is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        || !boundary::starts_free(text, i)
    {
        return word_run_end(b, i);
    }
    let len = run_end - i;
    let sep = |set: &[u8]| after.is_some_and(|c| set.contains(&c));
    let mut next = run_end;
    if len >= 7 || sep(b" -./(\xc2\xe2") {
        next = push(out, phone::at(text, i), next);
    }
    if len >= 13 || (len == 4 && sep(b" -")) {
        let before = out.len();
        next = push(out, card::at(text, i), next);
        if out.len() == before && len == 4 {
            next = next.max(card::grouped_run_end(b, i).unwrap_or(next));
        }
    }
    if len == 9 || (len == 3 && sep(b" -")) {
        next = push(out, ssn::at(text, i), next);
    }
    if matches!(len, 10 | 12) || (matches!(len, 6 | 8) && sep(b"-+")) {
        next = push(out, personnummer::at(text, i), next);
    }
    if len <= 3 && sep(b".") {
        next = push(out, ip::v4_at(text, i), next);
    }
    next
}

/// Tries an IBAN at the capital letter at `i`, or skips its word.
fn at_upper(text: &str, i: usize, out: &mut Vec<Finding>) -> usize {
    let b = text.as_bytes();
    let word_end = word_run_end(b, i);
    let shape = b.len() >= i + 4
        && b[i + 1].is_ascii_uppercase()
        && b[i + 2].is_ascii_digit()
        && b[i + 3].is_ascii_digit();
    if shape && boundary::starts_free(text, i) {
        return push(out, iban::at(text, i), iban::run_end(b, i));
    }
    word_end
}

#[cfg(test)]
mod skip_tests {
    use super::*;

    #[test]
    fn quiet_words_never_hide_a_candidate_byte() {
        for byte in 0..=255u8 {
            for pos in 0..8 {
                let mut word = *b"abc def ";
                word[pos] = byte;
                let skipped = skip_quiet_words(&word, 0) == 8;
                if CLASS[byte as usize] != SKIP {
                    assert!(!skipped, "byte {byte:#x} at {pos} was skipped");
                }
                if !(0x28..=0x5a).contains(&byte) {
                    assert!(skipped, "byte {byte:#x} at {pos} stopped the skip");
                }
            }
        }
        assert_eq!(skip_quiet_words(b"short", 0), 0);
        assert_eq!(skip_quiet_words(b"abcdefgh abcdefg 7", 0), 16);
    }
}
