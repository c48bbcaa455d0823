//! Paths of flattened items: `address.street`, `tags[1]`, `lines[0].sku`,
//! `["first name"]`, `meta["a.b"]`.
//!
//! The parser is total: a malformed path never panics, it just yields
//! segments that match no rule (and so classifies as `none`).

/// One step of a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Segment<'a> {
    /// An object key. A quoted key comes without its quotes; escapes inside
    /// it are kept as written.
    Key(&'a str),
    /// An array position (`[3]`).
    Index,
}

/// An iterator over the segments of a path, left to right.
#[derive(Clone, Debug)]
pub(crate) struct Segments<'a> {
    rest: &'a str,
}

/// The segments of `path`.
pub(crate) fn segments(path: &str) -> Segments<'_> {
    Segments { rest: path }
}

impl<'a> Iterator for Segments<'a> {
    type Item = Segment<'a>;

    fn next(&mut self) -> Option<Segment<'a>> {
        let s = self.rest.strip_prefix('.').unwrap_or(self.rest);
        if s.is_empty() {
            self.rest = s;
            return None;
        }
        if let Some(quoted) = s.strip_prefix("[\"") {
            let bytes = quoted.as_bytes();
            let mut i = 0;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            if i >= bytes.len() {
                // No closing quote: the rest is one (odd) key.
                self.rest = "";
                return Some(Segment::Key(quoted));
            }
            let after = &quoted[i + 1..];
            self.rest = after.strip_prefix(']').unwrap_or(after);
            return Some(Segment::Key(&quoted[..i]));
        }
        if let Some(index) = s.strip_prefix('[') {
            let end = index.find(']').map_or(index.len(), |e| e + 1);
            self.rest = &index[end..];
            return Some(Segment::Index);
        }
        let end = s.find(['.', '[']).unwrap_or(s.len());
        self.rest = &s[end..];
        Some(Segment::Key(&s[..end]))
    }
}

/// The first four segments of `path`; a fifth or later segment is not
/// returned, so `[.., Some(_)]` in the last place means "four or more".
pub(crate) fn first_four(path: &str) -> [Option<Segment<'_>>; 4] {
    let mut it = segments(path);
    [it.next(), it.next(), it.next(), it.next()]
}

/// The last key of `path` (the leaf, or the array's key when the leaf is an
/// array element) and the key before it, skipping array positions.
///
/// `lines[0].sku` gives `(Some("sku"), Some("lines"))`; `tags[1]` gives
/// `(Some("tags"), None)`.
pub(crate) fn last_two_keys(path: &str) -> (Option<&str>, Option<&str>) {
    let (mut leaf, mut parent) = (None, None);
    for segment in segments(path) {
        if let Segment::Key(key) = segment {
            parent = leaf;
            leaf = Some(key);
        }
    }
    (leaf, parent)
}

#[cfg(test)]
mod tests {
    use super::Segment::{Index, Key};
    use super::*;

    fn all(path: &str) -> Vec<Segment<'_>> {
        segments(path).collect()
    }

    #[test]
    fn plain_nested_and_indexed_paths() {
        assert_eq!(all("email"), [Key("email")]);
        assert_eq!(all("address.street"), [Key("address"), Key("street")]);
        assert_eq!(all("tags[1]"), [Key("tags"), Index]);
        assert_eq!(all("lines[0].sku"), [Key("lines"), Index, Key("sku")]);
        assert_eq!(all("m[0][12]"), [Key("m"), Index, Index]);
        assert_eq!(all(""), []);
    }

    #[test]
    fn quoted_keys() {
        assert_eq!(all("[\"first name\"]"), [Key("first name")]);
        assert_eq!(all("meta[\"a.b\"]"), [Key("meta"), Key("a.b")]);
        assert_eq!(
            all("meta[\"a\\\"b\"].c"),
            [Key("meta"), Key("a\\\"b"), Key("c")]
        );
        assert_eq!(all("[\"a]b\"][0]"), [Key("a]b"), Index]);
    }

    #[test]
    fn malformed_paths_do_not_panic() {
        for path in [
            "[", "[\"", "[\"abc", "a..b", ".", "a.", "[\"\\", "a[", "a[1", "é[\"ü",
        ] {
            let n = segments(path).count();
            assert!(n <= path.len() + 1, "{path}: {n}");
        }
        assert_eq!(all("a..b"), [Key("a"), Key(""), Key("b")]);
        assert_eq!(all("[\"abc"), [Key("abc")]);
    }

    #[test]
    fn leaf_and_parent_keys() {
        assert_eq!(last_two_keys("email"), (Some("email"), None));
        assert_eq!(last_two_keys("tags[1]"), (Some("tags"), None));
        assert_eq!(last_two_keys("lines[0].sku"), (Some("sku"), Some("lines")));
        assert_eq!(last_two_keys("a.emails[2]"), (Some("emails"), Some("a")));
        assert_eq!(last_two_keys("[0]"), (None, None));
    }

    #[test]
    fn first_four_marks_deep_paths() {
        assert_eq!(first_four("a"), [Some(Key("a")), None, None, None]);
        let deep = first_four("a.b.c.d.e");
        assert_eq!(deep[3], Some(Key("d")));
    }
}
