//! Looking words up in the vocabulary (`vocab.rs`).
//!
//! The word lists are grouped by role for reading; [`roles`] looks a word up
//! in one sorted table built from them at compile time, so a lookup is a
//! binary search with no allocation and no lazy initialisation. Words are
//! compared ignoring ASCII case; a word not found is tried again without a
//! plural `s` or `es` (`emails`, `addresses`).

use core::cmp::Ordering;

use crate::vocab::{GROUPS, Roles};

/// How many (word, role) pairs [`GROUPS`] holds.
const PAIRS: usize = {
    let mut n = 0;
    let mut g = 0;
    while g < GROUPS.len() {
        n += GROUPS[g].1.len();
        g += 1;
    }
    n
};

/// The lexicon: words sorted bytewise, each once with all its roles; only
/// the first `.1` entries are used.
static TABLE: ([(&str, Roles); PAIRS], usize) = build();

/// The roles of `word` (empty when the lexicon does not know it).
pub(crate) fn roles(word: &str) -> Roles {
    let w = word.as_bytes();
    if !w.is_empty() && w.iter().all(u8::is_ascii_digit) {
        return crate::vocab::NUMERIC;
    }
    if let Some(r) = find(w) {
        return r;
    }
    let singular = |suffix: &[u8]| {
        let cut = w.len().checked_sub(suffix.len()).filter(|&c| c > 0)?;
        w[cut..]
            .eq_ignore_ascii_case(suffix)
            .then(|| find(&w[..cut]))?
    };
    singular(b"s").or_else(|| singular(b"es")).unwrap_or(0)
}

fn find(word: &[u8]) -> Option<Roles> {
    let table = &TABLE.0[..TABLE.1];
    let cmp = |entry: &(&str, Roles)| {
        let lower = word.iter().map(u8::to_ascii_lowercase);
        entry.0.bytes().cmp(lower)
    };
    table.binary_search_by(cmp).ok().map(|i| table[i].1)
}

const fn build() -> ([(&'static str, Roles); PAIRS], usize) {
    let mut pairs = [("", 0); PAIRS];
    let (mut n, mut g) = (0, 0);
    while g < GROUPS.len() {
        let (role, words) = GROUPS[g];
        let mut i = 0;
        while i < words.len() {
            pairs[n] = (words[i], role);
            n += 1;
            i += 1;
        }
        g += 1;
    }
    heap_sort(&mut pairs);
    // Merge the roles of equal words.
    let mut merged = [("", 0); PAIRS];
    let (mut m, mut i) = (0, 0);
    while i < PAIRS {
        if m > 0 && matches!(compare(merged[m - 1].0, pairs[i].0), Ordering::Equal) {
            merged[m - 1].1 |= pairs[i].1;
        } else {
            merged[m] = pairs[i];
            m += 1;
        }
        i += 1;
    }
    (merged, m)
}

const fn heap_sort(a: &mut [(&'static str, Roles)]) {
    let mut start = a.len() / 2;
    while start > 0 {
        start -= 1;
        sift_down(a, start, a.len());
    }
    let mut end = a.len();
    while end > 1 {
        end -= 1;
        let top = a[0];
        a[0] = a[end];
        a[end] = top;
        sift_down(a, 0, end);
    }
}

const fn sift_down(a: &mut [(&'static str, Roles)], mut root: usize, end: usize) {
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && matches!(compare(a[child].0, a[child + 1].0), Ordering::Less) {
            child += 1;
        }
        if !matches!(compare(a[root].0, a[child].0), Ordering::Less) {
            return;
        }
        let parent = a[root];
        a[root] = a[child];
        a[child] = parent;
        root = child;
    }
}

const fn compare(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut i = 0;
    while i < a.len() && i < b.len() {
        if a[i] != b[i] {
            return if a[i] < b[i] {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        i += 1;
    }
    if a.len() < b.len() {
        Ordering::Less
    } else if a.len() > b.len() {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::*;

    #[test]
    fn table_is_sorted_unique_and_lowercase() {
        let table = &TABLE.0[..TABLE.1];
        assert!(table.len() > 400);
        for pair in table.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{} / {}", pair[0].0, pair[1].0);
        }
        for (word, roles) in table {
            assert!(!word.is_empty() && *roles != 0);
            assert_eq!(word.to_lowercase(), *word);
        }
    }

    #[test]
    fn lookups_ignore_case_and_plurals() {
        assert_eq!(roles("email") & H_EMAIL, H_EMAIL);
        assert_eq!(roles("EMAIL") & H_EMAIL, H_EMAIL);
        assert_eq!(roles("Emails") & H_EMAIL, H_EMAIL);
        assert_eq!(roles("addresses") & H_ADDR, H_ADDR);
        assert_eq!(roles("IDs") & ID_WORD, ID_WORD);
        assert_eq!(roles("address"), H_ADDR | T_ADDRW | ADDR_CTX | T_IPPART);
        assert_eq!(roles("12"), NUMERIC);
        assert_eq!(roles("zebra"), 0);
        assert_eq!(roles("s"), 0);
        assert_eq!(roles(""), 0);
        assert_eq!(roles("Förnamn") & H_NAME, H_NAME);
    }
}
