//! Small text tools for rules of your own, without regular expressions
//! (a plugin instance lives for one batch, so nothing should be built at
//! run time): words with their byte offsets, case-insensitive phrase
//! search, and "is this whole value one e-mail / phone / card / ...".

use lethe_detectors::Scanner;

use crate::{Category, Span};

/// One word of a text: a run of characters between whitespace, with
/// punctuation at either end trimmed (`"(LOY-1234),"` gives `LOY-1234`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Word<'t> {
    /// Byte offset of its first byte in the text.
    pub start: usize,
    /// Byte offset one past its last byte.
    pub end: usize,
    /// The word itself.
    pub text: &'t str,
}

impl Word<'_> {
    /// A span over this word, holding `category`.
    pub fn span(&self, category: Category) -> Span {
        Span::new(self.start..self.end, category)
    }
}

/// The words of `text`, left to right, with their byte offsets.
///
/// ```
/// use lethe_plugin_sdk::text::words;
///
/// let text = "Card (LOY-00042137), thanks!";
/// let found: Vec<_> = words(text).map(|w| (w.start, w.text)).collect();
/// assert_eq!(found, [(0, "Card"), (6, "LOY-00042137"), (21, "thanks")]);
/// ```
pub fn words(text: &str) -> impl Iterator<Item = Word<'_>> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        loop {
            let rest = &text[at..];
            let skip = rest.len() - rest.trim_start().len();
            let start = at + skip;
            if start >= text.len() {
                at = text.len();
                return None;
            }
            let run = &text[start..];
            let len = run.find(char::is_whitespace).unwrap_or(run.len());
            at = start + len;
            let raw = &run[..len];
            let trimmed_start = raw.trim_start_matches(is_edge_punctuation);
            let word = trimmed_start.trim_end_matches(is_edge_punctuation);
            if word.is_empty() {
                continue;
            }
            let offset = start + (raw.len() - trimmed_start.len());
            return Some(Word {
                start: offset,
                end: offset + word.len(),
                text: word,
            });
        }
    })
}

/// Punctuation trimmed from the ends of a word; `@`, `+`, `#` and `-`
/// stay (they start handles, phone numbers, references).
fn is_edge_punctuation(c: char) -> bool {
    matches!(
        c,
        '.' | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '"'
            | '\''
            | '('
            | ')'
            | '['
            | ']'
            | '{'
            | '}'
            | '<'
            | '>'
            | '«'
            | '»'
            | '“'
            | '”'
            | '‘'
            | '’'
    )
}

/// Every occurrence of `phrase` in `text`, ignoring ASCII case, that starts
/// and ends on a word boundary (so `ann` is not found in `planning`).
///
/// ```
/// use lethe_plugin_sdk::text::find_phrase;
///
/// let text = "Ask Project Falcon, not falconry.";
/// let found: Vec<_> = find_phrase(text, "project falcon").collect();
/// assert_eq!(found, [4..18]);
/// ```
pub fn find_phrase<'t>(
    text: &'t str,
    phrase: &'t str,
) -> impl Iterator<Item = std::ops::Range<usize>> + 't {
    let (hay, needle) = (text.as_bytes(), phrase.as_bytes());
    let mut at = 0;
    std::iter::from_fn(move || {
        if needle.is_empty() {
            return None;
        }
        while at + needle.len() <= hay.len() {
            let start = at;
            at += 1;
            let end = start + needle.len();
            if text.is_char_boundary(start)
                && text.is_char_boundary(end)
                && hay[start..end].eq_ignore_ascii_case(needle)
                && !word_char_before(text, start)
                && !word_char_at(text, end)
            {
                at = end;
                return Some(start..end);
            }
        }
        None
    })
}

fn word_char_before(text: &str, i: usize) -> bool {
    text[..i]
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric)
}

fn word_char_at(text: &str, i: usize) -> bool {
    text[i..].chars().next().is_some_and(char::is_alphanumeric)
}

/// The category of `value` when the whole of it (surrounding whitespace
/// aside) is one value a standard detector recognises: an e-mail address,
/// a phone number, a payment card, an IBAN, a national id or an IP address.
/// `None` for anything else, including text that merely contains one.
///
/// Handy in a field map for attributes whose name says nothing (`tags[2]`,
/// `contact`, `extra.value`).
///
/// ```
/// use lethe_plugin_sdk::{Category, text::value_category};
///
/// assert_eq!(value_category(" +46 70 123 45 67 "), Some(Category::Phone));
/// assert_eq!(value_category("4111 1111 1111 1111"), Some(Category::Payment));
/// assert_eq!(value_category("call +46 70 123 45 67"), None);
/// assert_eq!(value_category("gold"), None);
/// ```
pub fn value_category(value: &str) -> Option<Category> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return None;
    }
    match Scanner::new().scan(trimmed, None).as_slice() {
        [only] if only.start == 0 && only.end == trimmed.len() => Some(only.category()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_skip_punctuation_only_runs() {
        let found: Vec<_> = words("  -- ... a, (b) ").map(|w| w.text).collect();
        assert_eq!(found, ["--", "a", "b"]);
        assert_eq!(words("").count(), 0);
        assert_eq!(words("«ünï»").next().unwrap().text, "ünï");
    }

    #[test]
    fn phrases_respect_word_boundaries() {
        let found: Vec<_> = find_phrase("Ann, annie, ANN.", "ann").collect();
        assert_eq!(found, [0..3, 12..15]);
        assert_eq!(find_phrase("abc", "").count(), 0);
    }
}
