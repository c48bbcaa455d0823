//! The [`Scanner`]: one pass over the bytes of a text.
//!
//! Most of a chat transcript is letters, spaces and punctuation, and none
//! of those can start a value. The main loop therefore jumps from one
//! *trigger* byte to the next, sixteen bytes at a time (see [`trigger`]),
//! and only stops at the few bytes that can start one:
//!
//! | byte          | detectors tried                                          |
//! |---------------|----------------------------------------------------------|
//! | digit         | phone, card, SSN, personnummer, IPv4 (by run shape);     |
//! |               | IBAN when two letters start the word (`SE45…`)           |
//! | `+`, `(`      | phone                                                    |
//! | `@`           | e-mail (reads the local part backwards)                  |
//! | `(`, `[`, `{` | e-mail with its `@` spelled `(at)`, `[at]`, `{at}`       |
//! | `%40` (digit) | e-mail with its `@` URL-encoded                          |
//! | `:`           | IPv6 (reads hex digits backwards)                        |
//! | digit (date)  | date of birth, after a birth word (when nothing else is) |
//!
//! Capitals and sentence punctuation are not triggers, so an ordinary
//! sentence is crossed in block-sized steps. A digit glued to a word is
//! skipped with the rest of its ASCII word. After a trigger the loop
//! resumes past the furthest finding, so a value is read once. Subject
//! matching (if a [`SubjectMatcher`] is given) is a second pass with its
//! own start-byte table, then all candidates go through
//! [`resolve`](crate::resolve) together.
//!
//! Work stays proportional to the text even where triggers are dense: a
//! run of short digit groups (`1 2 3 4 …`) is read once rather than once
//! per group, and the colons of one long hex-and-colon run share the
//! verdict of the first (see `generic_with`). Without these, such text
//! was read up to eight (digits) or ninety (colons) times over.

use crate::resolve::resolve;
use crate::text::phone::Run;
use crate::text::{
    birth, boundary, card, digit_run_end, email, iban, ip, personnummer, phone, ssn, word_run_end,
};
use crate::trigger::{self, AT, BRACKET, CLASS, COLON, DIGIT, PAREN, PLUS};
use crate::{Finding, SubjectMatcher};

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
    generic_with(text, out, true);
}

/// [`generic`], optionally without its two shortcuts (for the tests that
/// show the shortcuts change no result). Both keep the scan linear on
/// text that would otherwise be read many times over:
///
/// - colon-dense text (`::::…`, long hex dumps): every `:` that
///   [`ip::v6_at`] rejects shares its verdict with the later colons of the
///   same unbroken run of hex digits and colons, since from any of them
///   the address would be read from the same start to the same end. Those
///   colons are passed over instead of each reading up to 45 bytes back
///   and forth again.
/// - many short digit groups (`1 2 3 4 …`): the phone detector reads a
///   run of up to eight groups at each of them; the run read at one group
///   gives the run at the next (see [`phone::at_reusing`]).
fn generic_with(text: &str, out: &mut Vec<Finding>, shortcuts: bool) {
    let b = text.as_bytes();
    let n = b.len();
    let mut i = 0;
    let mut v6_rejected_until = 0;
    let mut phone_run = Run::empty(0, false);
    loop {
        i = trigger::next(b, i);
        if i >= n {
            break;
        }
        i = match CLASS[b[i] as usize] {
            DIGIT => at_digit(text, i, out, shortcuts.then_some(&mut phone_run)),
            PAREN | BRACKET if b.get(i + 1).is_some_and(|c| c | 0x20 == b'a') => {
                push(out, email::at_spelled(text, i), i + 1)
            }
            BRACKET => i + 1,
            PLUS | PAREN => {
                let digit = |j: usize| b.get(j).is_some_and(u8::is_ascii_digit);
                // `(+46) 70-…` opens a number at its `(`.
                let opens =
                    digit(i + 1) || (b[i] == b'(' && b.get(i + 1) == Some(&b'+') && digit(i + 2));
                let found = opens && boundary::starts_free(text, i);
                push(out, found.then(|| phone::at(text, i)).flatten(), i + 1)
            }
            AT => push(out, email::at(text, i), i + 1),
            COLON => {
                let hex = |j: usize| {
                    b.get(j)
                        .is_some_and(|c| c.is_ascii_hexdigit() || *c == b':')
                };
                if i < v6_rejected_until {
                    i + 1
                } else if (i > 0 && b[i - 1].is_ascii_hexdigit()) || hex(i + 1) {
                    let (found, next) = ip::v6_at(text, i);
                    if found.is_none() && shortcuts {
                        v6_rejected_until = ip::hex_colon_run_end(b, i + 1);
                    }
                    push(out, found, next)
                } else {
                    i + 1
                }
            }
            _ => i + 1,
        };
    }
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

/// Tries the numeric detectors at the digit at `i`; with `phone_run`, the
/// phone detector may reuse the run it read last time.
fn at_digit(text: &str, i: usize, out: &mut Vec<Finding>, phone_run: Option<&mut Run>) -> usize {
    let b = text.as_bytes();
    if i > 0
        && b[i - 1] == b'%'
        && let found @ Some(_) = email::at_escaped(text, i - 1)
    {
        return push(out, found, i + 2);
    }
    if let Some(start) = iban_start(text, i) {
        let found = iban::at(text, start);
        // A mistyped IBAN is passed over whole, so that its digit groups are
        // not read as other numbers; lower-case letters glued to digits are
        // more often something else (`mp3`, `id42`), read as before.
        if found.is_some() || b[start..i].iter().all(u8::is_ascii_uppercase) {
            return push(out, found, iban::run_end(b, start));
        }
    }
    let run_end = digit_run_end(b, i);
    let after = b.get(run_end).copied();
    let glued = after.is_some_and(|c| c.is_ascii_alphabetic() || c == b'_');
    if glued || !boundary::starts_free(text, i) {
        // Two numbers are read although glued: an ordinal day (`12th of
        // March 1985`), and an IPv4 address after the `@` of a login
        // (`ssh root@192.0.2.7`, `http://user@10.0.0.1/`), which no
        // e-mail took.
        let found = if glued {
            let day = run_end - i <= 2 && boundary::starts_free(text, i);
            day.then(|| birth::at(text, i)).flatten()
        } else if i > 0 && b[i - 1] == b'@' && after == Some(b'.') {
            ip::v4_at(text, i)
        } else {
            None
        };
        return push(out, found, word_run_end(b, i));
    }
    let found_before = out.len();
    let len = run_end - i;
    let sep = |set: &[u8]| after.is_some_and(|c| set.contains(&c));
    let mut next = run_end;
    if len >= 7 || sep(b" -./(\xc2\xe2") {
        let found = match phone_run {
            Some(last) => phone::at_reusing(text, i, last),
            None => phone::at(text, i),
        };
        next = push(out, found, next);
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
    if out.len() == found_before && birth::may_start(b, i, run_end) {
        next = push(out, birth::at(text, i), next);
    }
    next
}

/// Where an IBAN would start if the digit at `i` is its first check
/// digit: two letters at a word start, then two digits (`SE45…`). The
/// letters may be lower-case (`se45 5000 …`, typed in a chat).
fn iban_start(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    let start = i.checked_sub(2)?;
    let shape = b[start].is_ascii_alphabetic()
        && b[start + 1].is_ascii_alphabetic()
        && b.get(i + 1).is_some_and(u8::is_ascii_digit);
    (shape && boundary::starts_free(text, start)).then_some(start)
}

#[cfg(test)]
mod shortcut_tests {
    use super::*;
    use proptest::prelude::*;

    fn generic_findings(text: &str, shortcut: bool) -> Vec<Finding> {
        let mut out = Vec::new();
        generic_with(text, &mut out, shortcut);
        out
    }

    /// The texts `detector` found, with the shortcuts; checks that
    /// without them every finding is the same.
    fn found_by(text: &str, detector: crate::Detector) -> Vec<&str> {
        let found = generic_findings(text, true);
        assert_eq!(found, generic_findings(text, false));
        found
            .iter()
            .filter(|f| f.detector == detector)
            .map(|f| &text[f.start..f.end])
            .collect()
    }

    #[test]
    fn digit_dense_text_is_read_once_and_numbers_after_it_are_found() {
        let text = format!("{} call 070-123 45 67", "1 ".repeat(5000));
        assert_eq!(found_by(&text, crate::Detector::Phone), ["070-123 45 67"]);
    }

    #[test]
    fn colon_dense_text_is_passed_over_and_addresses_after_it_are_found() {
        let text = format!(
            "{} then 2001:db8::1 and {}",
            ":".repeat(5000),
            "ab:".repeat(3000)
        );
        assert_eq!(found_by(&text, crate::Detector::IpV6), ["2001:db8::1"]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn the_shortcut_changes_no_finding(
            text in proptest::string::string_regex("[0-9a-fA-F:. xg/]{0,80}").unwrap()
        ) {
            prop_assert_eq!(generic_findings(&text, true), generic_findings(&text, false));
        }

        #[test]
        fn the_shortcuts_change_no_finding_in_digit_dense_text(
            text in proptest::string::string_regex("([0-9]{1,5}|[ ./()+:-]|\u{a0}| - |[a-zA-Z]{1,3}|[$#]){0,30}").unwrap()
        ) {
            prop_assert_eq!(generic_findings(&text, true), generic_findings(&text, false));
        }

        #[test]
        fn the_shortcuts_change_no_finding_around_phone_numbers(
            before in proptest::collection::vec(0u16..100, 0..10),
            number in proptest::sample::select(vec![
                "070-123 45 67", "+46 70 123 45 67", "(202) 555-0143", "+44 (0)20 7946 0958",
                "06 12 34 56 78", "030 / 1234567", "1 800 555 0199", "0701234567",
            ]),
            after in proptest::collection::vec(0u16..100, 0..6),
        ) {
            let join = |v: &[u16]| v.iter().map(u16::to_string).collect::<Vec<_>>().join(" ");
            let text = format!("{} {number} {}", join(&before), join(&after));
            prop_assert_eq!(generic_findings(&text, true), generic_findings(&text, false));
        }

        #[test]
        fn the_shortcut_changes_no_finding_around_real_addresses(
            before in proptest::string::string_regex("[0-9a-f:. x]{0,12}").unwrap(),
            groups in proptest::collection::vec(0u16..=0xffff, 2..8),
            compress in any::<bool>(),
            after in proptest::string::string_regex("[0-9a-f:. x]{0,12}").unwrap(),
        ) {
            let mut addr: Vec<String> = groups.iter().map(|g| format!("{g:x}")).collect();
            if compress {
                addr.insert(1, String::new());
            }
            let text = format!("{before}{}{after}", addr.join(":"));
            prop_assert_eq!(generic_findings(&text, true), generic_findings(&text, false));
        }
    }
}
