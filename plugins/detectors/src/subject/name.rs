//! Finding the subject's name in its usual spellings.
//!
//! A stored name is folded (see [`super::fold`]) and cut into parts at
//! anything that is not a letter or digit: `Anna-Karin Öberg` becomes
//! `anna karin oberg`. At a word start of the text, in any case and with or
//! without diacritics, these forms are tried:
//!
//! | form                         | example (`John Smith`)   | score |
//! |------------------------------|--------------------------|-------|
//! | all parts in order           | `john smith`, `JOHN SMITH`| 0.99 |
//! | last, comma, the others      | `Smith, John`            | 0.97  |
//! | first and last (3+ parts)    | `John Smith` for `John F Smith` | 0.95 |
//! | last then the others         | `Smith John`             | 0.95  |
//! | initial, optional dot, last  | `J. Smith`, `J Smith`, `J.Smith` | 0.9 |
//! | last, comma, initial         | `Smith, J.`              | 0.85  |
//! | one part alone, capitalised  | `Smith`, `John`          | 0.75  |
//! | one part alone, other case   | `smith`                  | 0.65  |
//!
//! Parts are separated in the text by spaces, `-` or an apostrophe. Parts
//! shorter than two chars are never matched alone. Initials alone (`J.S.`)
//! are not matched: two capitals and dots are too common to attribute.
//!
//! Particles (`de`, `la`, `van`, `der`, `von`, `af`, ...; see
//! [`PARTICLES`]) belong to the full forms but are never matched alone:
//! for `María de la Cruz`, every `de` and `la` of a French or Spanish text
//! would otherwise be erased.
//!
//! Names that are also everyday words (`Will`, `May`, `Rose`, Swedish
//! `Per` and `Berg`, French `Pierre`; see [`COMMON_WORDS`]) are matched
//! alone only when capitalised: `Will called` is the subject, `I will
//! call` is not.
//!
//! A word of the stored name with an apostrophe in it (`O'Neill`,
//! `D'Angelo`) is also kept whole, without the apostrophe (`oneill`), as a
//! part matched alone: the text may write it `O'Neill`, `O’Neill` or
//! `ONeill`, and its `O` alone is too short to match. A part matched alone
//! may carry a genitive or plural `s` (`Åbergs bil`, `the Smiths`) when it
//! has three or more chars.

use crate::subject::fold::{self, folds_to, word_end};
use crate::text::boundary::char_at;
use crate::{Detector, Finding};

/// One stored name, folded and cut into parts.
#[derive(Clone, Debug)]
pub(crate) struct Name {
    parts: Vec<String>,
    /// Words of the name with an apostrophe, joined without it (`oneill`).
    joined: Vec<String>,
}

/// Name particles (folded): words that join the parts of a name in
/// Romance, Germanic, Scandinavian and Arabic names and are everyday words
/// on their own, so never matched alone.
const PARTICLES: &[&str] = &[
    "af", "al", "av", "bin", "da", "das", "de", "dei", "del", "della", "der", "des", "di", "do",
    "dos", "du", "el", "ibn", "la", "las", "le", "les", "lo", "los", "ten", "ter", "van", "vom",
    "von", "zu", "zum", "zur",
];

/// Names (folded) that are also everyday words in the languages the
/// scanner serves, so matched alone only when capitalised.
const COMMON_WORDS: &[&str] = &[
    // English
    "april", "art", "august", "bell", "bill", "black", "brown", "chase", "dawn", "dean", "don",
    "drew", "faith", "ford", "frank", "grace", "green", "guy", "hall", "hill", "holly", "hope",
    "hunter", "ivy", "jack", "jay", "joy", "june", "king", "lane", "little", "long", "mark", "max",
    "may", "miles", "nick", "page", "pat", "penny", "price", "ray", "rich", "rob", "rose", "sandy",
    "sky", "stone", "sue", "summer", "white", "will", "wood", "young",
    // Swedish, German, French, Spanish
    "berg", "bjorn", "bo", "holm", "lund", "per", "sten", "stig", "strand", "bauer", "ernst",
    "koch", "wolf", "blanc", "petit", "pierre", "cruz", "luz", "paz", "rosa",
];

/// Whether the folded part `p` is an everyday word too, so matched alone
/// only when the text capitalises it.
pub(crate) fn is_common_word(p: &str) -> bool {
    COMMON_WORDS.contains(&p)
}

/// Whether `c` is an apostrophe as names are written with it: ASCII `'`
/// or the typographic `’` (U+2019).
pub(crate) fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}')
}

impl Name {
    /// Folds and cuts `raw`; `None` if it has no letters.
    pub(crate) fn new(raw: &str) -> Option<Name> {
        let folded = fold::fold(raw);
        let parts: Vec<String> = folded
            .split(|c: char| !c.is_alphanumeric())
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect();
        let joined = folded
            .split(|c: char| !c.is_alphanumeric() && !is_apostrophe(c))
            .filter(|w| w.contains(is_apostrophe))
            .map(|w| {
                w.chars()
                    .filter(|c| c.is_alphanumeric())
                    .collect::<String>()
            })
            .filter(|w| w.chars().count() >= 2)
            .collect();
        (!parts.is_empty()).then_some(Name { parts, joined })
    }

    /// The parts long enough to be matched alone (particles are not), and
    /// the joined words.
    pub(crate) fn single_parts(&self) -> impl Iterator<Item = &str> {
        self.parts
            .iter()
            .filter(|p| p.chars().count() >= 2 && !PARTICLES.contains(&p.as_str()))
            .chain(&self.joined)
            .map(String::as_str)
    }

    /// The first two chars of every part of two or more chars (and of the
    /// joined words).
    pub(crate) fn prefixes(&self) -> impl Iterator<Item = (char, char)> + '_ {
        self.parts.iter().chain(&self.joined).filter_map(|p| {
            let mut c = p.chars();
            Some((c.next()?, c.next()?))
        })
    }

    /// The first char of every part (for the start-byte table).
    pub(crate) fn initials(&self) -> impl Iterator<Item = char> + '_ {
        self.parts.iter().filter_map(|p| p.chars().next())
    }
}

/// Skips a separator between name parts: 1-3 bytes of spaces, NBSP, `-` or
/// apostrophes. Returns the next word start, if any.
fn skip_sep(text: &str, mut i: usize) -> Option<usize> {
    let start = i;
    while let Some(c) = char_at(text, i) {
        let sep = matches!(c, ' ' | '\u{a0}' | '-') || is_apostrophe(c);
        if !sep || i - start >= 3 {
            break;
        }
        i += c.len_utf8();
    }
    (i > start).then_some(i)
}

/// Skips `,` and spaces after a last name (`Smith, John`).
fn skip_comma(text: &str, i: usize) -> Option<usize> {
    let rest = text.get(i..)?;
    let rest = rest.strip_prefix(',')?;
    let spaces = rest.len() - rest.trim_start_matches(' ').len();
    (spaces <= 2).then_some(i + 1 + spaces)
}

/// Matches `parts` in order starting with a separator at `i`; returns the
/// end of the last part.
fn sequence(text: &str, mut i: usize, parts: &[String]) -> Option<usize> {
    for part in parts {
        let w = skip_sep(text, i)?;
        let e = word_end(text, w);
        if e == w || !folds_to(&text[w..e], part) {
            return None;
        }
        i = e;
    }
    Some(i)
}

/// An initial at `i` (one char folding to `letter`, optional `.`); returns
/// the offset after it and whether a dot followed.
fn initial(text: &str, i: usize, letter: char) -> Option<(usize, bool)> {
    let e = word_end(text, i);
    let word = text.get(i..e)?;
    let mut chars = word.chars();
    let (c, rest) = (chars.next()?, chars.as_str());
    if !rest.is_empty() || !fold::Fold::new([c].into_iter()).eq([letter]) {
        return None;
    }
    Some(if text[e..].starts_with('.') {
        (e + 1, true)
    } else {
        (e, false)
    })
}

/// The forms of `name` starting at the word `text[i..e]`, pushed onto `out`.
/// Returns the end of the longest match (or `i`).
pub(crate) fn find(name: &Name, text: &str, i: usize, e: usize, out: &mut Vec<Finding>) -> usize {
    let parts = &name.parts;
    let (first, last) = (&parts[0], &parts[parts.len() - 1]);
    let word = &text[i..e];
    let mut best = i;
    let mut hit = |end: usize, score: f32, out: &mut Vec<Finding>| {
        out.push(Finding {
            start: i,
            end,
            detector: Detector::SubjectName,
            score,
        });
        best = best.max(end);
    };
    let n = parts.len();
    if n >= 2 && folds_to(word, first) {
        if let Some(end) = sequence(text, e, &parts[1..]) {
            hit(end, 0.99, out);
        } else if n >= 3
            && let Some(end) = sequence(text, e, &parts[n - 1..])
        {
            hit(end, 0.95, out);
        }
    }
    if n >= 2 && folds_to(word, last) {
        let others = &parts[..n - 1];
        if let Some(after) = skip_comma(text, e) {
            if let Some(end) = sequence_at(text, after, others) {
                hit(end, 0.97, out);
            } else if let Some((end, _)) = initial(text, after, first_letter(first))
                && !char_at(text, end).is_some_and(fold::is_name_char)
            {
                hit(end, 0.85, out);
            }
        } else if let Some(end) = sequence(text, e, others) {
            hit(end, 0.95, out);
        }
    }
    if n >= 2
        && let Some((after, dot)) = initial(text, i, first_letter(first))
        && let Some(next) = skip_sep(text, after).or(dot.then_some(after))
    {
        let end = word_end(text, next);
        if end > next && folds_to(&text[next..end], last) {
            hit(end, 0.9, out);
        }
    }
    best
}

/// The first char of a (non-empty) folded part.
fn first_letter(part: &str) -> char {
    part.chars().next().unwrap_or(' ')
}

/// Matches `parts` in order with the first one starting exactly at `i`.
fn sequence_at(text: &str, i: usize, parts: &[String]) -> Option<usize> {
    let (head, tail) = parts.split_first()?;
    let e = word_end(text, i);
    if e == i || !folds_to(&text[i..e], head) {
        return None;
    }
    sequence(text, e, tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(stored: &str, text: &str) -> Vec<(String, f32)> {
        let name = Name::new(stored).unwrap();
        let mut out = Vec::new();
        let mut i = 0;
        while i < text.len() {
            let e = word_end(text, i);
            if e > i {
                find(&name, text, i, e, &mut out);
                i = e;
            } else {
                i += char_at(text, i).unwrap().len_utf8();
            }
        }
        out.iter()
            .map(|f| (text[f.start..f.end].to_owned(), f.score))
            .collect()
    }

    #[test]
    fn full_and_reversed() {
        assert_eq!(
            spans("Jöns Åberg", "hej jons aberg!"),
            [("jons aberg".into(), 0.99)]
        );
        assert_eq!(
            spans("Jöns Åberg", "JÖNS ÅBERG"),
            [("JÖNS ÅBERG".into(), 0.99)]
        );
        assert_eq!(
            spans("John Smith", "Smith, John"),
            [("Smith, John".into(), 0.97)]
        );
        assert_eq!(
            spans("John Smith", "Smith John"),
            [("Smith John".into(), 0.95)]
        );
        assert_eq!(
            spans("John F Smith", "John Smith"),
            [("John Smith".into(), 0.95)]
        );
        assert_eq!(
            spans("Anna-Karin Öberg", "Anna-Karin Oberg"),
            [("Anna-Karin Oberg".into(), 0.99)]
        );
    }

    #[test]
    fn initials() {
        assert_eq!(spans("John Smith", "J. Smith"), [("J. Smith".into(), 0.9)]);
        assert_eq!(spans("John Smith", "J Smith"), [("J Smith".into(), 0.9)]);
        assert_eq!(spans("John Smith", "J.Smith"), [("J.Smith".into(), 0.9)]);
        assert_eq!(
            spans("John Smith", "Smith, J."),
            [("Smith, J.".into(), 0.85)]
        );
        assert!(spans("John Smith", "J.S.").is_empty());
        assert!(spans("John Smith", "K. Smith").is_empty());
        assert!(spans("John Smith", "Johnny Smithers").is_empty());
    }
}
