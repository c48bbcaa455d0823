//! Paths: where a leaf sits inside an item, and their one text form.
//!
//! A path's text is what plugins see and return, so the design goal is one
//! spelling per path: [`Display`](fmt::Display) writes the canonical form
//! and [`FromStr`] accepts nothing else (no quoted plain identifiers, no
//! `\/` or `\u0041` escapes, no leading zeros). Text and path are then in
//! one-to-one correspondence, so the host may compare either, and a
//! plugin's answer can be checked by parsing it. The grammar is on
//! [`Path`]. Parse errors give a byte offset, never the text.

use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::PathError;

/// One step from a container to one of its children.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    /// An object key (any string, including the empty one).
    Key(String),
    /// An array position, from 0.
    Index(usize),
}

impl From<&str> for Segment {
    fn from(key: &str) -> Self {
        Segment::Key(key.to_owned())
    }
}

impl From<String> for Segment {
    fn from(key: String) -> Self {
        Segment::Key(key)
    }
}

impl From<usize> for Segment {
    fn from(index: usize) -> Self {
        Segment::Index(index)
    }
}

/// Where a leaf sits in an item: the segments from the root down.
///
/// The empty path is the root itself (an item that is a bare scalar).
///
/// # Text form
///
/// | segment | written as |
/// |---------|------------|
/// | a key matching `[A-Za-z_][A-Za-z0-9_-]*` | `name`, or `.name` after another segment |
/// | any other key (empty, dots, spaces, unicode, quotes) | `["first name"]`: the key as a JSON string |
/// | an array position | `[0]` |
///
/// So `address.street`, `tags[1]`, `lines[0].sku`, `meta["a.b"]`, `[""]`,
/// `a[0][1]`; the root is the empty string. Quoted keys use the minimal JSON
/// escapes (`\"`, `\\`, control characters), exactly what `serde_json`
/// writes, and a plain identifier is never quoted. So
/// `path.to_string().parse() == Ok(path)` for every path, and
/// `text.parse::<Path>()?.to_string() == text` for every text that parses.
///
/// Build paths by parsing that form or with [`key`](Path::key) and
/// [`index`](Path::index):
///
/// ```
/// use lethe_core::item::Path;
///
/// let p = Path::root().key("lines").index(0).key("unit price");
/// assert_eq!(p.to_string(), r#"lines[0]["unit price"]"#);
/// assert_eq!(p, r#"lines[0]["unit price"]"#.parse()?);
/// # Ok::<(), lethe_core::Error>(())
/// ```
///
/// Serde writes a path as its text form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Path(pub Vec<Segment>);

impl Path {
    /// The root: the empty path.
    pub const fn root() -> Path {
        Path(Vec::new())
    }

    /// Whether this is the root (no segments).
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The segments, from the root down.
    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    /// This path extended by one segment.
    pub fn child(mut self, segment: impl Into<Segment>) -> Path {
        self.0.push(segment.into());
        self
    }

    /// This path extended by an object key.
    pub fn key(self, key: impl Into<String>) -> Path {
        self.child(Segment::Key(key.into()))
    }

    /// This path extended by an array position.
    pub fn index(self, index: usize) -> Path {
        self.child(Segment::Index(index))
    }

    /// Whether `self` is `other` or lies inside it (`other` is a prefix).
    pub fn starts_with(&self, other: &Path) -> bool {
        self.0.starts_with(&other.0)
    }
}

impl From<Vec<Segment>> for Path {
    fn from(segments: Vec<Segment>) -> Self {
        Path(segments)
    }
}

/// Whether `key` can be written bare: `[A-Za-z_][A-Za-z0-9_-]*`.
fn is_plain(key: &str) -> bool {
    let mut bytes = key.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(is_plain_continue)
}

fn is_plain_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// A key as a JSON string, the way `serde_json` writes it.
fn quoted(key: &str) -> String {
    serde_json::Value::from(key).to_string()
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) if is_plain(key) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(key)?;
                }
                Segment::Key(key) => write!(f, "[{}]", quoted(key))?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

impl FromStr for Path {
    type Err = PathError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Parser { text, at: 0 }.path()
    }
}

/// A cursor over a path's text. Every offset it stops at is a char boundary:
/// it only ever steps over ASCII bytes, or over a whole quoted key.
struct Parser<'a> {
    text: &'a str,
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn path(mut self) -> Result<Path, PathError> {
        let mut segments = Vec::new();
        while let Some(b) = self.peek() {
            let segment = match b {
                b'[' => {
                    self.at += 1;
                    let segment = self.bracketed()?;
                    if self.peek() != Some(b']') {
                        return Err(PathError::ExpectedBracket { at: self.at });
                    }
                    self.at += 1;
                    segment
                }
                b'.' if !segments.is_empty() => {
                    self.at += 1;
                    if !self
                        .peek()
                        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
                    {
                        return Err(PathError::ExpectedKey { at: self.at });
                    }
                    self.plain()
                }
                b if segments.is_empty() && (b.is_ascii_alphabetic() || b == b'_') => self.plain(),
                _ => return Err(PathError::Unexpected { at: self.at }),
            };
            segments.push(segment);
        }
        Ok(Path(segments))
    }

    /// A plain key; the caller has checked its first byte.
    fn plain(&mut self) -> Segment {
        let start = self.at;
        self.at += 1;
        while self.peek().is_some_and(is_plain_continue) {
            self.at += 1;
        }
        Segment::Key(self.text[start..self.at].to_owned())
    }

    /// What follows a `[`: a position or a quoted key (not the `]`).
    fn bracketed(&mut self) -> Result<Segment, PathError> {
        match self.peek() {
            Some(b'"') => self.quoted(),
            Some(b'0'..=b'9') => self.index(),
            _ => Err(PathError::ExpectedIndexOrKey { at: self.at }),
        }
    }

    fn index(&mut self) -> Result<Segment, PathError> {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        let digits = &self.text[start..self.at];
        if digits.len() > 1 && digits.starts_with('0') {
            return Err(PathError::BadIndex { at: start });
        }
        digits
            .parse()
            .map(Segment::Index)
            .map_err(|_| PathError::BadIndex { at: start })
    }

    fn quoted(&mut self) -> Result<Segment, PathError> {
        let start = self.at;
        let bytes = self.text.as_bytes();
        let mut i = start + 1;
        // Find the closing quote. Bytes of multi-byte characters are all
        // >= 0x80, so they are never mistaken for `"` or `\`.
        loop {
            match bytes.get(i) {
                None => return Err(PathError::Unterminated { at: start }),
                Some(b'\\') => i += 2,
                Some(b'"') => break,
                Some(_) => i += 1,
            }
        }
        let literal = &self.text[start..=i];
        let key: String =
            serde_json::from_str(literal).map_err(|_| PathError::BadString { at: start })?;
        if is_plain(&key) || quoted(&key) != literal {
            return Err(PathError::NotCanonical { at: start });
        }
        self.at = i + 1;
        Ok(Segment::Key(key))
    }
}

impl Serialize for Path {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Path {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Path {
        text.parse()
            .unwrap_or_else(|e| panic!("{text:?} should parse: {e}"))
    }

    fn round_trips(path: Path, text: &str) {
        assert_eq!(path.to_string(), text);
        assert_eq!(p(text), path);
    }

    #[test]
    fn plain_keys_and_positions() {
        round_trips(Path::root(), "");
        round_trips(Path::root().key("address").key("street"), "address.street");
        round_trips(Path::root().key("tags").index(1), "tags[1]");
        round_trips(
            Path::root().key("lines").index(0).key("sku"),
            "lines[0].sku",
        );
        round_trips(Path::root().key("a").index(0).index(1), "a[0][1]");
        round_trips(Path::root().index(3), "[3]");
        round_trips(Path::root().index(0).key("x"), "[0].x");
        round_trips(Path::root().key("_a-b_9"), "_a-b_9");
    }

    #[test]
    fn other_keys_are_quoted() {
        round_trips(Path::root().key("first name"), r#"["first name"]"#);
        round_trips(Path::root().key("meta").key("a.b"), r#"meta["a.b"]"#);
        round_trips(Path::root().key(r#"x"y"#), r#"["x\"y"]"#);
        round_trips(Path::root().key(""), r#"[""]"#);
        round_trips(Path::root().key("a").key(""), r#"a[""]"#);
        round_trips(Path::root().key("[0]"), r#"["[0]"]"#);
        round_trips(Path::root().key("a]b"), r#"["a]b"]"#);
        round_trips(Path::root().key(r"back\slash"), r#"["back\\slash"]"#);
        round_trips(Path::root().key("line\nbreak"), r#"["line\nbreak"]"#);
        round_trips(Path::root().key("名前"), r#"["名前"]"#);
        round_trips(Path::root().key("émoji🙂"), r#"["émoji🙂"]"#);
        round_trips(Path::root().key("9lives"), r#"["9lives"]"#);
        round_trips(Path::root().key("-x"), r#"["-x"]"#);
        round_trips(Path::root().key("0"), r#"["0"]"#);
    }

    #[test]
    fn rejects_malformed_paths_with_positions() {
        use PathError::*;
        let cases: &[(&str, PathError)] = &[
            (".a", Unexpected { at: 0 }),
            ("a.", ExpectedKey { at: 2 }),
            ("a..b", ExpectedKey { at: 2 }),
            ("a.[0]", ExpectedKey { at: 2 }),
            ("a.9", ExpectedKey { at: 2 }),
            ("a b", Unexpected { at: 1 }),
            ("a]", Unexpected { at: 1 }),
            ("9", Unexpected { at: 0 }),
            ("é", Unexpected { at: 0 }),
            ("a[]", ExpectedIndexOrKey { at: 2 }),
            ("a[x]", ExpectedIndexOrKey { at: 2 }),
            ("a[-1]", ExpectedIndexOrKey { at: 2 }),
            ("a[01]", BadIndex { at: 2 }),
            ("a[99999999999999999999999]", BadIndex { at: 2 }),
            ("a[0", ExpectedBracket { at: 3 }),
            ("a[0x]", ExpectedBracket { at: 3 }),
            (r#"["a b"x]"#, ExpectedBracket { at: 6 }),
            (r#"["abc]"#, Unterminated { at: 1 }),
            (r#"["ab\"]"#, Unterminated { at: 1 }),
            (r#"["\q"]"#, BadString { at: 1 }),
            (r#"["\ud800"]"#, BadString { at: 1 }),
            ("[\"tab\there\"]", BadString { at: 1 }),
            (r#"["name"]"#, NotCanonical { at: 1 }),
            (r#"a["b"]"#, NotCanonical { at: 2 }),
            (r#"["\u0020x"]"#, NotCanonical { at: 1 }),
            (r#"["a\/b"]"#, NotCanonical { at: 1 }),
        ];
        for (text, want) in cases {
            assert_eq!(text.parse::<Path>().as_ref(), Err(want), "{text:?}");
        }
    }

    #[test]
    fn error_messages_do_not_repeat_the_text() {
        let err = r#"["secret@example.com"#.parse::<Path>().unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
    }

    #[test]
    fn serde_uses_the_text_form() {
        let path = Path::root().key("a b").index(2);
        let json = serde_json::to_string(&path).unwrap();
        assert_eq!(json, r#""[\"a b\"][2]""#);
        assert_eq!(serde_json::from_str::<Path>(&json).unwrap(), path);
        assert!(serde_json::from_str::<Path>(r#""a..b""#).is_err());
    }

    #[test]
    fn prefixes() {
        assert!(p("a.b[0]").starts_with(&p("a.b")));
        assert!(p("a.b").starts_with(&Path::root()));
        assert!(!p("a.bc").starts_with(&p("a.b")));
    }
}
