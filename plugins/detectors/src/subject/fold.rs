//! Case and diacritic folding for name comparison, without allocating.
//!
//! Both sides are folded the same way: the subject's names once, when the
//! [`SubjectMatcher`](crate::SubjectMatcher) is built, and each candidate
//! word of the text lazily, char by char, while it is compared ([`Fold`]).
//!
//! - ASCII letters are lowercased.
//! - Latin-1 Supplement and Latin Extended-A (U+00C0-U+017F: Swedish,
//!   German, French, Polish, Czech, Hungarian, Turkish ...) map to their
//!   base letter through the 192-byte [`LATIN`] table; `æ`, `œ`, `ß`, `þ`,
//!   `ĳ` expand to two letters.
//! - Combining marks (U+0300-U+036F, decomposed text) are dropped.
//! - Anything else is lowercased by `char::to_lowercase` and kept, so
//!   Cyrillic or Greek names still match case-insensitively (without
//!   transliteration).
//!
//! The `deunicode` crate would fold more scripts, but its ~470 KB of tables
//! would be copied into linear memory every time the plugin is
//! instantiated, i.e. for every batch.

use crate::text::boundary::is_word_char;

/// Base letters of U+00C0..=U+017F; `*` marks the expansions and the two
/// symbols (`×`, `÷`) handled in [`Fold::next`].
const LATIN: &[u8; 192] = b"aaaaaa*ceeeeiiiidnooooo*ouuuuy**aaaaaa*ceeeeiiiidnooooo*ouuuuy*y\
aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii**jjkkkllllllllllnnnnnnnnnoooooo**\
rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

/// The folded chars of a string, as an iterator.
pub(crate) struct Fold<I> {
    inner: I,
    pending: [char; 3],
    at: usize,
    len: usize,
}

impl<I: Iterator<Item = char>> Fold<I> {
    /// Folds the chars of `inner`.
    pub(crate) fn new(inner: I) -> Self {
        Fold {
            inner,
            pending: ['\0'; 3],
            at: 0,
            len: 0,
        }
    }
}

/// Folds one char into `out`, returning how many chars it gave (0-3).
fn fold_char(c: char, out: &mut [char; 3]) -> usize {
    let one = |out: &mut [char; 3], x: char| {
        out[0] = x;
        1
    };
    let two = |out: &mut [char; 3], s: &[u8; 2]| {
        out[0] = char::from(s[0]);
        out[1] = char::from(s[1]);
        2
    };
    match c {
        _ if c.is_ascii() => one(out, c.to_ascii_lowercase()),
        '\u{300}'..='\u{36f}' => 0,
        '\u{c0}'..='\u{17f}' => match LATIN[c as usize - 0xc0] {
            b'*' => match c {
                'Æ' | 'æ' => two(out, b"ae"),
                'Œ' | 'œ' => two(out, b"oe"),
                'Þ' | 'þ' => two(out, b"th"),
                'Ĳ' | 'ĳ' => two(out, b"ij"),
                'ß' => two(out, b"ss"),
                _ => one(out, c),
            },
            base => one(out, char::from(base)),
        },
        _ => {
            let mut n = 0;
            for l in c.to_lowercase().take(3) {
                out[n] = l;
                n += 1;
            }
            n
        }
    }
}

impl<I: Iterator<Item = char>> Iterator for Fold<I> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        while self.at == self.len {
            let c = self.inner.next()?;
            self.len = fold_char(c, &mut self.pending);
            self.at = 0;
        }
        self.at += 1;
        Some(self.pending[self.at - 1])
    }
}

/// Folds a whole string (used once per subject value).
pub(crate) fn fold(s: &str) -> String {
    Fold::new(s.chars()).collect()
}

/// Whether `c` continues a word for name matching: letters, digits and
/// combining marks.
#[inline]
pub(crate) fn is_name_char(c: char) -> bool {
    is_word_char(c) || ('\u{300}'..='\u{36f}').contains(&c)
}

/// The end of the word starting at byte `i`, or `i` if none starts there.
pub(crate) fn word_end(text: &str, i: usize) -> usize {
    let rest = &text[i..];
    let len = rest
        .char_indices()
        .find(|&(_, c)| !is_name_char(c) || c == '_')
        .map_or(rest.len(), |(at, _)| at);
    i + len
}

/// The end of the text starting at byte `i` whose folded form is exactly
/// `pattern` (already folded), if it has one. Combining marks right after
/// the last matched char belong to the match (`o` + U+0308 is `ö`).
pub(crate) fn folded_prefix_end(text: &str, i: usize, pattern: &str) -> Option<usize> {
    let mut want = pattern.chars();
    let mut buf = ['\0'; 3];
    for (at, c) in text.get(i..)?.char_indices() {
        let n = fold_char(c, &mut buf);
        if want.as_str().is_empty() && n > 0 {
            return Some(i + at);
        }
        if !buf[..n].iter().all(|&f| want.next() == Some(f)) {
            return None;
        }
    }
    want.as_str().is_empty().then_some(text.len())
}

/// Whether `word` folds to exactly `folded`.
#[inline]
pub(crate) fn folds_to(word: &str, folded: &str) -> bool {
    Fold::new(word.chars()).eq(folded.chars())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folded_prefix_ends_on_a_char_boundary() {
        assert_eq!(folded_prefix_end("JÖRG.M@x", 0, "jorg.m"), Some(7));
        assert_eq!(folded_prefix_end("xjorg", 1, "jorg"), Some(5));
        assert_eq!(folded_prefix_end("jo\u{308}rg!", 0, "jorg"), Some(6));
        assert_eq!(folded_prefix_end("jo\u{308}", 0, "jo"), Some(4));
        assert_eq!(
            folded_prefix_end("Straße", 0, "stras"),
            None,
            "ß is ss as a whole"
        );
        assert_eq!(folded_prefix_end("Straße", 0, "strass"), Some(6));
        assert_eq!(folded_prefix_end("Straße", 0, "strasse"), Some(7));
        assert_eq!(folded_prefix_end("jor", 0, "jorg"), None);
        assert_eq!(folded_prefix_end("jxrg", 0, "jorg"), None);
    }

    #[test]
    fn table_lines_up() {
        for (c, want) in [
            ('À', "a"),
            ('Å', "a"),
            ('Ç', "c"),
            ('Ö', "o"),
            ('Ø', "o"),
            ('Ý', "y"),
            ('ß', "ss"),
            ('å', "a"),
            ('ÿ', "y"),
            ('Ą', "a"),
            ('č', "c"),
            ('Đ', "d"),
            ('ě', "e"),
            ('ğ', "g"),
            ('ħ', "h"),
            ('ı', "i"),
            ('ĳ', "ij"),
            ('ĵ', "j"),
            ('ĸ', "k"),
            ('ł', "l"),
            ('ŋ', "n"),
            ('ő', "o"),
            ('œ', "oe"),
            ('ř', "r"),
            ('š', "s"),
            ('ŧ', "t"),
            ('ų', "u"),
            ('ŵ', "w"),
            ('Ÿ', "y"),
            ('ž', "z"),
            ('ſ', "s"),
            ('Æ', "ae"),
            ('þ', "th"),
        ] {
            assert_eq!(fold(&c.to_string()), want, "{c}");
        }
        assert_eq!(fold("×÷"), "×÷");
    }

    #[test]
    fn folds_names() {
        assert_eq!(fold("Jöns Åberg"), "jons aberg");
        assert_eq!(fold("JÖNS ÅBERG"), "jons aberg");
        assert_eq!(fold("Ma\u{308}rta"), "marta");
        assert_eq!(fold("Иван"), "иван");
        assert!(folds_to("STRAßE", "strasse"));
        assert!(!folds_to("Jons", "jon"));
    }

    #[test]
    fn words() {
        let t = "Åsa-Britt O'Neil";
        assert_eq!(&t[..word_end(t, 0)], "Åsa");
        assert_eq!(word_end(t, 0), "Åsa".len());
        assert_eq!(word_end("x_y", 0), 1);
        assert_eq!(word_end(" a", 0), 0);
    }
}
