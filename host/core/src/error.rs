//! What can go wrong in `lethe-core`, and how to fix it.
//!
//! Three error types, one per kind of caller:
//!
//! - [`Error`] is what the crate's operations return: unflattening a flat
//!   item, checking a plugin's marks and spans against an item, configuring a
//!   policy, loading a pseudonym key.
//! - [`PathError`] is the error of parsing a [`Path`] from its text form; an
//!   [`Error::Path`] wraps it.
//! - [`SpanError`] is the verdict of [`check_spans`](crate::span::check_spans)
//!   on a scrubber's spans; an [`Error::Spans`] wraps it with the field it
//!   came from.
//!
//! # No record values, ever
//!
//! Error messages end up in logs, job records and API responses, so they
//! never carry a value read from a record or a secret: they name *where*
//! (a path, a byte offset, the index of a span) and *what* (a category, an
//! action, a length), never the text that was there. Paths are attribute
//! names, which are schema rather than data; a tenant that uses personal data
//! as map keys must not rely on paths being private.
//!
//! All three enums are `#[non_exhaustive]`: new checks may add variants.

use crate::Category;
use crate::item::Path;
use crate::policy::ActionKind;

/// The error of an operation of `lethe-core`.
///
/// Each message says what was wrong and how to fix it, and never contains a
/// record value or a secret (see the [module docs](self)).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A path's text form did not parse.
    #[error(transparent)]
    Path(#[from] PathError),

    /// A scrubber returned spans that do not fit the text at `path`.
    #[error("the spans for {} are invalid: {source}", shown(.path))]
    Spans {
        /// The field whose text the spans were meant for.
        path: Path,
        /// What is wrong with which span.
        source: SpanError,
    },

    /// Two leaves of a flat item claim the same place: the same path twice, a
    /// value where another leaf needs an object or array, or an object key
    /// where another leaf has an array position.
    #[error(
        "the flat item is inconsistent at {}: two leaves need different values there; \
         give every path once, and do not put a leaf under a path that holds a value",
        shown(.path)
    )]
    ConflictingPaths {
        /// The path where the leaves collide.
        path: Path,
    },

    /// A flat item has array positions with a gap (say `[0]` and `[2]`
    /// without `[1]`).
    #[error(
        "array {} has no element [{index}] although later ones exist; \
         array positions must run 0, 1, 2, ... without gaps",
        shown(.path)
    )]
    ArrayGap {
        /// The array.
        path: Path,
        /// The first missing position.
        index: usize,
    },

    /// A flat item has no leaves, so there is no value to build.
    #[error("the flat item has no leaves; even `null` or `{{}}` is one leaf at the root")]
    EmptyItem,

    /// A [`Scalar::Bytes`](crate::item::Scalar::Bytes) leaf was asked for its
    /// JSON form, which does not exist.
    #[error(
        "{} holds bytes, which JSON cannot represent; \
         encode them as text first (binary attributes are handled by the store adapter)",
        shown(.path)
    )]
    BytesInJson {
        /// The leaf holding bytes.
        path: Path,
    },

    /// A [`Scalar::Number`](crate::item::Scalar::Number) leaf's text is not a
    /// JSON number, or is out of range.
    #[error(
        "{} holds a number whose text is not a finite JSON number \
         (like `12`, `-0.5` or `1e3`)",
        shown(.path)
    )]
    InvalidNumber {
        /// The leaf with the bad number.
        path: Path,
    },

    /// A mark or a span list names a path the item does not have.
    #[error(
        "{} does not exist in the item; marks and spans must name paths of the item as given",
        shown(.path)
    )]
    UnknownPath {
        /// The path that is not there.
        path: Path,
    },

    /// A mark names an object or an array instead of a scalar field.
    #[error(
        "{} is an object or array, not a scalar field; mark the fields inside it instead",
        shown(.path)
    )]
    NotAField {
        /// The container's path.
        path: Path,
    },

    /// The same path is marked more than once.
    #[error("{} is marked more than once; mark each field at most once", shown(.path))]
    DuplicateMark {
        /// The path marked twice.
        path: Path,
    },

    /// Spans were given for a field that is not marked `free-text`.
    #[error(
        "spans were given for {}, which is not marked free-text; \
         only free-text fields are scrubbed",
        shown(.path)
    )]
    SpansNotFreeText {
        /// The field the spans were given for.
        path: Path,
    },

    /// Spans were given for a field that does not hold text.
    #[error("spans were given for {}, which does not hold text", shown(.path))]
    SpansNotText {
        /// The field the spans were given for.
        path: Path,
    },

    /// A policy maps a category to an action it may not have.
    #[error("the policy maps `{category}` to `{action}`, which is not allowed: {fix}")]
    InvalidPolicy {
        /// The category.
        category: Category,
        /// The action it was given.
        action: ActionKind,
        /// What to do instead.
        fix: &'static str,
    },

    /// A pseudonym key does not have exactly 32 bytes.
    #[error(
        "a pseudonym key is exactly 32 bytes (64 hex characters), this one has {bytes} bytes; \
         generate it from a secure random source"
    )]
    KeyLength {
        /// How many bytes were given.
        bytes: usize,
    },

    /// A pseudonym key's hex form has characters other than `0-9a-fA-F`, or an
    /// odd number of them.
    #[error("a pseudonym key in hex must be 64 characters 0-9 and a-f; this one is not")]
    KeyNotHex,
}

/// Why a path's text form did not parse.
///
/// The grammar (see [`Path`]): keys joined with `.`, array positions as
/// `[n]`, and keys that are not plain identifiers as JSON strings in
/// brackets. Positions are byte offsets into the text; the text itself is
/// never repeated.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    /// Something other than `.`, `[` or the end followed a segment, or the
    /// path began with something other than a key or `[`.
    #[error(
        "invalid path: unexpected character at byte {at}; \
         write keys as `a.b`, positions as `[0]`, and other keys quoted: `[\"first name\"]`"
    )]
    Unexpected {
        /// Byte offset of the character.
        at: usize,
    },
    /// A `.` was not followed by a plain identifier.
    #[error(
        "invalid path: expected a key after `.` at byte {at}; \
         a key that is not `[A-Za-z_][A-Za-z0-9_-]*` must be quoted: `a[\"b c\"]`"
    )]
    ExpectedKey {
        /// Byte offset after the `.`.
        at: usize,
    },
    /// A `[` was followed by neither a digit nor `"`.
    #[error(
        "invalid path: expected an array position or a quoted key after `[` at byte {at}, \
         like `[0]` or `[\"a.b\"]`"
    )]
    ExpectedIndexOrKey {
        /// Byte offset after the `[`.
        at: usize,
    },
    /// An array position has a leading zero or does not fit a `usize`.
    #[error(
        "invalid path: the array position at byte {at} must be written in decimal \
         without leading zeros and fit in 64 bits"
    )]
    BadIndex {
        /// Byte offset of the position's first digit.
        at: usize,
    },
    /// A `]` is missing.
    #[error("invalid path: expected `]` at byte {at}")]
    ExpectedBracket {
        /// Byte offset where `]` should be.
        at: usize,
    },
    /// A quoted key has no closing `"`.
    #[error("invalid path: the quoted key at byte {at} has no closing `\"`")]
    Unterminated {
        /// Byte offset of the opening `"`.
        at: usize,
    },
    /// A quoted key is not a valid JSON string (a bad escape, a raw control
    /// character, a lone surrogate).
    #[error("invalid path: the quoted key at byte {at} is not a valid JSON string")]
    BadString {
        /// Byte offset of the opening `"`.
        at: usize,
    },
    /// A quoted key is valid but not written the one canonical way: a plain
    /// identifier must not be quoted, and escapes must be the minimal JSON
    /// ones (`\"`, `\\`, `\n`, `\u001f`, ...; no `\/`, no `\u0041`).
    #[error(
        "invalid path: the quoted key at byte {at} is not in canonical form; \
         quote only keys that are not plain identifiers, and escape only `\"`, `\\` \
         and control characters"
    )]
    NotCanonical {
        /// Byte offset of the opening `"`.
        at: usize,
    },
}

/// What is wrong with a scrubber's spans, found by
/// [`check_spans`](crate::span::check_spans).
///
/// Names the span by its position in the list; offsets and scores are
/// reported, the text never is.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SpanError {
    /// `start >= end`: the span is empty or reversed.
    #[error("span {index} is empty or reversed (start {start}, end {end}); start must be < end")]
    Empty {
        /// Position of the span in the list.
        index: usize,
        /// Its start offset.
        start: usize,
        /// Its end offset.
        end: usize,
    },
    /// The span ends after the text.
    #[error("span {index} ends at byte {end}, after the end of the {len}-byte text")]
    OutOfBounds {
        /// Position of the span in the list.
        index: usize,
        /// Its end offset.
        end: usize,
        /// The text's length in bytes.
        len: usize,
    },
    /// An offset falls inside a multi-byte UTF-8 character.
    #[error(
        "span {index} has offset {offset} inside a UTF-8 character; \
         offsets are byte offsets on character boundaries"
    )]
    NotCharBoundary {
        /// Position of the span in the list.
        index: usize,
        /// The offending offset.
        offset: usize,
    },
    /// The score is NaN, infinite, or outside `0.0..=1.0`.
    #[error("span {index} has score {score}; scores are finite numbers from 0.0 to 1.0")]
    BadScore {
        /// Position of the span in the list.
        index: usize,
        /// The score given.
        score: f32,
    },
    /// The category is `none` or `free-text`, which do not describe a run of
    /// personal data.
    #[error(
        "span {index} has category `{category}`; a span must name the kind of personal data \
         it holds, never `none` or `free-text`"
    )]
    BadCategory {
        /// Position of the span in the list.
        index: usize,
        /// The category given.
        category: Category,
    },
}

/// A path as written in messages: backticked, and `the item root` for the
/// empty path (which has no text of its own).
fn shown(path: &Path) -> String {
    if path.is_root() {
        "the item root".to_owned()
    } else {
        format!("`{path}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_shown_in_backticks_and_the_root_by_name() {
        let e = Error::UnknownPath {
            path: "a.b".parse().unwrap(),
        };
        assert!(e.to_string().starts_with("`a.b` does not exist"), "{e}");
        let e = Error::NotAField { path: Path::root() };
        assert!(e.to_string().starts_with("the item root is"), "{e}");
    }

    #[test]
    fn span_errors_are_wrapped_with_their_field() {
        let e = Error::Spans {
            path: "notes".parse().unwrap(),
            source: SpanError::Empty {
                index: 2,
                start: 5,
                end: 5,
            },
        };
        let msg = e.to_string();
        assert!(msg.contains("`notes`") && msg.contains("span 2"), "{msg}");
    }

    #[test]
    fn path_errors_convert() {
        let e: Error = "a..b".parse::<Path>().unwrap_err().into();
        assert!(matches!(e, Error::Path(PathError::ExpectedKey { at: 2 })));
    }
}
