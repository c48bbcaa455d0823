//! Subject-aware matching: the known values of the person an erasure or
//! access request is about, found in the spellings people actually write.
//!
//! A [`Subject`] holds the stored values as they are (`John Smith`,
//! `0701234567`, `john.smith@example.com`). [`SubjectMatcher::new`] folds
//! and normalises them once per batch; the scanner then runs
//! [`SubjectMatcher::find`] as a second pass over each text.
//!
//! The pass has its own 256-entry start table, built from the values: the
//! first letters of name parts, e-mail addresses and ids in both cases,
//! every UTF-8 lead byte when there are names (`Åberg`), and digits, `+`,
//! `(` when there are phones. Bytes outside it are skipped; at a byte in it
//! that starts a word, each kind of value is tried:
//!
//! - names: [`name`] (full name, reversed, initials, single parts);
//! - e-mail, phone, identifier: [`contact`].
//!
//! Subject findings score 0.97-0.99 (single name parts 0.65-0.75), above
//! every generic detector, so they win overlaps with the generic finding of
//! the same span.

mod contact;
pub(crate) mod fold;
mod name;

use crate::{Detector, Finding};
use crate::text::boundary::{char_at, char_before, is_word_char};
use crate::text::word_run_end;

use contact::Email;
use name::Name;

/// The known values of a data subject, as stored.
///
/// Any field may be empty. Values are matched in other spellings; see
/// [`SubjectMatcher`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Subject {
    /// Full names (`Jöns Åberg`), or single names.
    pub names: Vec<String>,
    /// E-mail addresses.
    pub emails: Vec<String>,
    /// Phone numbers, in any format (`0701234567`, `+1 202 555 0143`).
    pub phones: Vec<String>,
    /// Other identifiers: customer ids, logins, account numbers.
    pub ids: Vec<String>,
}

/// The prepared (folded, normalised) form of a [`Subject`], built once per
/// batch and passed to [`Scanner::scan_into`](crate::Scanner::scan_into).
///
/// | value  | matched as                                                 |
/// |--------|------------------------------------------------------------|
/// | name   | any case, with or without diacritics; `Last, First`; `J. Smith`; single parts of two or more chars |
/// | e-mail | ASCII case-insensitive; the local part alone if ≥ 4 chars  |
/// | phone  | same digits in any grouping, with or without `+46`/`0046`/trunk `0` (≥ 7 significant digits) |
/// | id     | ASCII case-insensitive whole token (≥ 3 chars)              |
///
/// ```
/// use lethe_detectors::{Detector, Scanner, Subject, SubjectMatcher};
///
/// let subject = Subject {
///     names: vec!["Jöns Åberg".into()],
///     phones: vec!["0701234567".into()],
///     ..Subject::default()
/// };
/// let matcher = SubjectMatcher::new(&subject);
/// let text = "JONS ABERG ringde från +46 70-123 45 67";
/// let found = Scanner::new().scan(text, Some(&matcher));
/// let got: Vec<_> = found.iter().map(|f| (&text[f.start..f.end], f.detector)).collect();
/// assert_eq!(got, [
///     ("JONS ABERG", Detector::SubjectName),
///     ("+46 70-123 45 67", Detector::SubjectPhone),
/// ]);
/// ```
#[derive(Clone, Debug)]
pub struct SubjectMatcher {
    names: Vec<Name>,
    /// Folded name parts matched alone, deduplicated.
    parts: Vec<String>,
    emails: Vec<Email>,
    phones: Vec<String>,
    ids: Vec<String>,
    /// Bytes at which some value can start.
    starts: [bool; 256],
}

impl SubjectMatcher {
    /// Prepares `subject` for matching: folds names, lowercases e-mail
    /// addresses and ids, reduces phones to their national significant
    /// number. Values too short to match safely are left out.
    pub fn new(subject: &Subject) -> Self {
        let names: Vec<Name> = subject.names.iter().filter_map(|n| Name::new(n)).collect();
        let mut parts: Vec<String> = names
            .iter()
            .flat_map(Name::single_parts)
            .map(str::to_owned)
            .collect();
        parts.sort();
        parts.dedup();
        let emails: Vec<Email> = subject.emails.iter().filter_map(|e| Email::new(e)).collect();
        let mut phones: Vec<String> = subject
            .phones
            .iter()
            .filter_map(|p| contact::phone_nsn(p))
            .collect();
        phones.sort();
        phones.dedup();
        let ids: Vec<String> = subject
            .ids
            .iter()
            .map(|id| id.trim().to_ascii_lowercase())
            .filter(|id| id.chars().count() >= contact::MIN_ID_CHARS)
            .collect();

        let mut starts = [false; 256];
        let mut mark = |c: char| {
            if c.is_ascii() {
                starts[c.to_ascii_lowercase() as usize] = true;
                starts[c.to_ascii_uppercase() as usize] = true;
            }
        };
        names.iter().flat_map(Name::initials).for_each(&mut mark);
        let firsts = emails.iter().map(|e| &e.full).chain(&ids);
        firsts.filter_map(|s| s.chars().next()).for_each(&mut mark);
        if !names.is_empty() || ids.iter().chain(&parts).any(|s| !s.is_ascii()) {
            starts[0xc0..].fill(true);
        }
        if !phones.is_empty() {
            starts[usize::from(b'0')..=usize::from(b'9')].fill(true);
            starts[usize::from(b'+')] = true;
            starts[usize::from(b'(')] = true;
        }
        SubjectMatcher {
            names,
            parts,
            emails,
            phones,
            ids,
            starts,
        }
    }

    /// Whether nothing of the subject is left to match (no value survived
    /// preparation), so scanning with it finds only generic data.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty() && self.emails.is_empty() && self.phones.is_empty() && self.ids.is_empty()
    }

    /// Pushes the subject's values found in `text` onto `out` (unresolved;
    /// the scanner resolves overlaps).
    pub(crate) fn find(&self, text: &str, out: &mut Vec<Finding>) {
        if self.is_empty() {
            return;
        }
        let b = text.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if !self.starts[b[i] as usize] {
                i += 1;
                continue;
            }
            if char_before(text, i).is_some_and(is_word_char) {
                i = word_run_end(b, i).max(i + 1);
                continue;
            }
            i = self.at(text, i, out).max(i + 1);
        }
    }

    /// Tries every value at the token start `i`; returns where to resume.
    fn at(&self, text: &str, i: usize, out: &mut Vec<Finding>) -> usize {
        let mut end = i;
        if !self.ids.is_empty() {
            end = end.max(contact::find_id(&self.ids, text, i, out));
        }
        for email in &self.emails {
            end = end.max(email.find(text, i, out));
        }
        let c = char_at(text, i).unwrap_or(' ');
        if !self.phones.is_empty() && (c.is_ascii_digit() || c == '+' || c == '(') {
            end = end.max(contact::find_phone(&self.phones, text, i, out));
        }
        if c.is_alphabetic() && !self.names.is_empty() {
            let e = fold::word_end(text, i);
            for name in &self.names {
                end = end.max(name::find(name, text, i, e, out));
            }
            let word = &text[i..e];
            if self.parts.iter().any(|p| fold::folds_to(word, p)) {
                out.push(Finding {
                    start: i,
                    end: e,
                    detector: Detector::SubjectName,
                    score: if c.is_uppercase() { 0.75 } else { 0.65 },
                });
            }
            end = end.max(e);
        }
        // Resume at a char boundary.
        while !text.is_char_boundary(end) {
            end += 1;
        }
        end
    }
}
