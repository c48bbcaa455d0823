//! Subject-aware matching: the known values of the person an erasure or
//! access request is about, found in the spellings people actually write.
//!
//! A [`Subject`] holds the stored values as they are (`John Smith`,
//! `0701234567`, `john.smith@example.com`). [`SubjectMatcher::new`] folds
//! and normalises them once per batch; the scanner then runs
//! [`SubjectMatcher::find`] as a second pass over each text.
//!
//! The pass visits each word once. Its own 256-entry start table, built
//! from the values, says which kinds of value can start with a word's first
//! byte: the first letters of name parts, e-mail addresses and ids in both
//! cases, every UTF-8 lead byte when there are names (`Åberg`), and digits,
//! `+`, `(` when there are phones. Other words are skipped whole; at the
//! others only the kinds the table names are tried:
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

use crate::text::boundary::char_at;
use crate::text::word_run_end;
use crate::{Detector, Finding};

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
    /// First chars (folded) of all name parts.
    initials: Vec<char>,
    /// First two chars (folded) of all name parts.
    prefixes: Vec<(char, char)>,
    /// Per byte, the kinds of value (`NAME | EMAIL | ID | PHONE`) that can
    /// start with it.
    starts: [u8; 256],
}

const NAME: u8 = 1;
const EMAIL: u8 = 2;
const ID: u8 = 4;
const PHONE: u8 = 8;

impl SubjectMatcher {
    /// Prepares `subject` for matching: folds names and e-mail addresses,
    /// lowercases ids, reduces phones to their national significant
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
        let emails: Vec<Email> = subject
            .emails
            .iter()
            .filter_map(|e| Email::new(e))
            .collect();
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

        let mut initials: Vec<char> = names.iter().flat_map(Name::initials).collect();
        initials.sort_unstable();
        initials.dedup();
        let mut prefixes: Vec<(char, char)> = names.iter().flat_map(Name::prefixes).collect();
        prefixes.sort_unstable();
        prefixes.dedup();

        let mut starts = [0u8; 256];
        let mut mark = |c: char, kind: u8| {
            let mut buf = [0u8; 4];
            let lead = c.encode_utf8(&mut buf).as_bytes()[0];
            starts[usize::from(lead.to_ascii_lowercase())] |= kind;
            starts[usize::from(lead.to_ascii_uppercase())] |= kind;
        };
        initials.iter().for_each(|&c| mark(c, NAME));
        let first = |s: &String| s.chars().next();
        emails
            .iter()
            .filter_map(|e| first(&e.full))
            .for_each(|c| mark(c, EMAIL));
        ids.iter().filter_map(first).for_each(|c| mark(c, ID));
        if !names.is_empty() {
            // `Åberg` folds to `aberg`: any non-ASCII letter may start a name.
            starts[0xc0..].iter_mut().for_each(|k| *k |= NAME);
        }
        if !emails.is_empty() {
            // Likewise `Öberg@…` for a stored `oberg@…` (and the reverse).
            starts[0xc0..].iter_mut().for_each(|k| *k |= EMAIL);
        }
        if !phones.is_empty() {
            for c in b"0123456789+(" {
                starts[usize::from(*c)] |= PHONE;
            }
        }
        SubjectMatcher {
            names,
            parts,
            emails,
            phones,
            ids,
            initials,
            prefixes,
            starts,
        }
    }

    /// Whether nothing of the subject is left to match (no value survived
    /// preparation), so scanning with it finds only generic data.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
            && self.emails.is_empty()
            && self.phones.is_empty()
            && self.ids.is_empty()
    }

    /// Pushes the subject's values found in `text` onto `out` (unresolved;
    /// the scanner resolves overlaps).
    ///
    /// Visits each word once: a byte-table test at its first byte, then a
    /// skip to its end (ASCII fast path, Unicode-aware after that).
    pub(crate) fn find(&self, text: &str, out: &mut Vec<Finding>) {
        if self.is_empty() {
            return;
        }
        let b = text.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if c < 0x80 && !(c.is_ascii_alphanumeric() || c == b'_') {
                i = if self.starts[usize::from(c)] != 0 {
                    self.at(text, i, out).max(i + 1)
                } else {
                    i + 1
                };
                continue;
            }
            if c >= 0x80 && !char_at(text, i).is_some_and(fold::is_name_char) {
                i += char_at(text, i).map_or(1, char::len_utf8);
                continue;
            }
            // A word starts at `i` (the loop never stops inside one).
            let next = if self.starts[usize::from(c)] != 0 {
                self.at(text, i, out)
            } else {
                i
            };
            i = next.max(skip_word(text, i));
        }
    }

    /// Tries the values whose kinds can start with the byte at `i`; returns
    /// where to resume (`i` if nothing matched).
    fn at(&self, text: &str, i: usize, out: &mut Vec<Finding>) -> usize {
        let kinds = self.starts[usize::from(text.as_bytes()[i])];
        let mut end = i;
        if kinds & ID != 0 {
            end = end.max(contact::find_id(&self.ids, text, i, out));
        }
        if kinds & EMAIL != 0 {
            for email in &self.emails {
                end = end.max(email.find(text, i, out));
            }
        }
        if kinds & PHONE != 0 {
            end = end.max(contact::find_phone(&self.phones, text, i, out));
        }
        if kinds & NAME != 0 {
            end = end.max(self.names_at(text, i, out));
        }
        end
    }

    /// Tries the names at the word starting at `i`.
    fn names_at(&self, text: &str, i: usize, out: &mut Vec<Finding>) -> usize {
        let Some(c) = char_at(text, i).filter(|c| c.is_alphabetic()) else {
            return i;
        };
        // Cheap filter: the first two folded chars must begin some part (or
        // the word is a single char, a possible initial).
        let word_chars = text[i..]
            .chars()
            .take_while(|&c| fold::is_name_char(c) && c != '_');
        let mut head = fold::Fold::new(word_chars);
        let Some(f1) = head.next().filter(|f| self.initials.contains(f)) else {
            return i;
        };
        if let Some(f2) = head.next()
            && !self.prefixes.contains(&(f1, f2))
        {
            return i;
        }
        let e = fold::word_end(text, i);
        let mut end = e;
        for name in &self.names {
            end = end.max(name::find(name, text, i, e, out));
        }
        if let Some(part_end) = self.single_part_end(text, i, e, c.is_uppercase()) {
            out.push(Finding {
                start: i,
                end: part_end,
                detector: Detector::SubjectName,
                score: if c.is_uppercase() { 0.75 } else { 0.65 },
            });
            end = end.max(part_end);
        }
        end
    }

    /// The end of one name part matched alone at the word `text[i..e]`:
    /// the word itself, the word with a genitive or plural `s` (`Åbergs`;
    /// parts of three or more chars), or the word joined over an
    /// apostrophe to the next (`O'Neill`, `O’Neill`) for a stored name
    /// written that way. A part that is also an everyday word counts only
    /// when `capitalised`.
    fn single_part_end(&self, text: &str, i: usize, e: usize, capitalised: bool) -> Option<usize> {
        let word = &text[i..e];
        let with_s = |p: &String| {
            p.chars().nth(2).is_some()
                && fold::Fold::new(word.chars()).eq(p.chars().chain(core::iter::once('s')))
        };
        let parts = || {
            self.parts
                .iter()
                .filter(|p| capitalised || !name::is_common_word(p))
        };
        if parts().any(|p| fold::folds_to(word, p) || with_s(p)) {
            return Some(e);
        }
        let after = char_at(text, e).filter(|&c| name::is_apostrophe(c))?;
        let next = e + after.len_utf8();
        let end = fold::word_end(text, next);
        let joined = || word.chars().chain(text[next..end].chars());
        (end > next && parts().any(|p| fold::Fold::new(joined()).eq(p.chars()))).then_some(end)
    }
}

/// The end of the word starting at `i`: ASCII letters and digits quickly,
/// then any letters, digits or combining marks.
fn skip_word(text: &str, mut i: usize) -> usize {
    let b = text.as_bytes();
    loop {
        i = word_run_end(b, i);
        match char_at(text, i) {
            Some(c) if !c.is_ascii() && fold::is_name_char(c) => i += c.len_utf8(),
            _ => return i,
        }
    }
}
