//! Reading packed batches (`lethe:plugin@0.2.0`) without copying them.
//!
//! The host packs a batch into a few buffers: every path, number and string
//! of a field-map batch is a [`Slice`] of one `text`, byte values are slices
//! of one `bytes`, and item `i` is the run of `fields` that ends at
//! `item-ends[i]`; a scrubber batch is one `text` cut at `ends`. The
//! functions here turn those offsets into borrowed `&str`s, `&[u8]`s and
//! [`Item`]s, checked: an offset outside its buffer, off a character
//! boundary, or out of order is an `Err` with a one-line message naming
//! positions (never content), not a panic.
//!
//! The SDK's exports use them; a plugin written against the raw bindings
//! ([`crate::field_map`], [`crate::scrubber`]) can too:
//!
//! ```
//! use lethe_plugin_sdk::{packed, testing};
//!
//! let batch = testing::texts(&["Hi Ada", "", "Bye"]);
//! let texts: Vec<&str> = packed::texts(&batch).collect::<Result<_, _>>()?;
//! assert_eq!(texts, ["Hi Ada", "", "Bye"]);
//! # Ok::<(), String>(())
//! ```

use std::ops::Range;

use crate::types::{Items, Scalar, Slice, Texts};
use crate::{Item, Value};

/// The string `slice` points at in `text`; `None` when it does not lie
/// inside `text` on character boundaries.
pub fn str_at(text: &str, slice: Slice) -> Option<&str> {
    text.get(range(slice)?)
}

/// The bytes `slice` points at in `bytes`; `None` when it does not lie
/// inside `bytes`.
pub fn bytes_at(bytes: &[u8], slice: Slice) -> Option<&[u8]> {
    bytes.get(range(slice)?)
}

/// A borrowed view of a contract scalar whose numbers and strings are
/// slices of `text` and whose byte values are slices of `bytes`, as the
/// shared rules take it; `None` when its slice does not fit its buffer.
pub fn value<'a>(text: &'a str, bytes: &'a [u8], scalar: &Scalar) -> Option<Value<'a>> {
    Some(match *scalar {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(b),
        Scalar::Number(s) => Value::Number(str_at(text, s)?),
        Scalar::Text(s) => Value::Text(str_at(text, s)?),
        Scalar::Bytes(s) => Value::Bytes(bytes_at(bytes, s)?),
    })
}

/// The texts of a scrubber batch, in order.
///
/// # Errors
/// One `Err` (and nothing after it) when the last end is not the length of
/// the batch's text, when ends decrease or pass the end of the text, or
/// when an end falls inside a character.
pub fn texts(batch: &Texts) -> impl Iterator<Item = Result<&str, String>> + '_ {
    let text = batch.text.as_str();
    until_error(parts(&batch.ends, text.len(), TEXTS).map(move |part| {
        let (i, range) = part?;
        text.get(range.clone()).ok_or_else(|| {
            format!(
                "text {i} (bytes {}..{}) does not end on a character boundary",
                range.start, range.end
            )
        })
    }))
}

/// The items of a field-map batch, in order, each a view of its fields.
/// Item `i`'s first field is at position `item-ends[i-1]` (0 for the first)
/// in the batch.
///
/// # Errors
/// One `Err` (and nothing after it) when the last end is not the number of
/// fields, when ends decrease or pass the last field, or when a field's
/// slice does not fit its buffer (see [`Item::new`]).
pub fn items(batch: &Items) -> impl Iterator<Item = Result<Item<'_>, String>> + '_ {
    until_error(
        parts(&batch.item_ends, batch.fields.len(), ITEMS).map(move |part| {
            let (i, range) = part?;
            let first = range.start;
            let fields = batch.fields.get(range).unwrap_or_default();
            Item::new(&batch.text, &batch.bytes, fields).map_err(|e| {
                format!("item {i} (its fields from position {first} of the batch): {e}")
            })
        }),
    )
}

/// How a kind of part and its unit are named in error messages.
struct Names {
    part: &'static str,
    unit: &'static str,
}

const TEXTS: Names = Names {
    part: "text",
    unit: "byte",
};

const ITEMS: Names = Names {
    part: "item",
    unit: "field",
};

/// The consecutive ranges `ends[i-1]..ends[i]` (from 0) of a buffer of
/// `len` units, with their positions, each checked to lie in the buffer.
/// The last end is checked first, before any range is given.
fn parts(
    ends: &[u32],
    len: usize,
    names: Names,
) -> impl Iterator<Item = Result<(usize, Range<usize>), String>> + '_ {
    let last = ends.last().map_or(0, |&e| e as usize);
    let wrong_total = (last != len).then(|| {
        Err(format!(
            "the {}s end at {} {last}, but the batch has {len} {}s",
            names.part, names.unit, names.unit
        ))
    });
    let mut start = 0;
    let each = ends.iter().enumerate().map(move |(i, &end)| {
        let end = end as usize;
        if end < start || end > len {
            return Err(format!(
                "{} {i} ends at {} {end}, outside {start}..={len}",
                names.part, names.unit
            ));
        }
        let range = start..end;
        start = end;
        Ok((i, range))
    });
    wrong_total.into_iter().chain(each)
}

/// `results` up to and including the first error.
fn until_error<T>(
    results: impl Iterator<Item = Result<T, String>>,
) -> impl Iterator<Item = Result<T, String>> {
    let mut failed = false;
    results.map_while(move |result| {
        if failed {
            return None;
        }
        failed = result.is_err();
        Some(result)
    })
}

/// The byte range of `slice`; `None` when its end overflows.
fn range(slice: Slice) -> Option<Range<usize>> {
    let start = slice.start as usize;
    start.checked_add(slice.len as usize).map(|end| start..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(text: &str, ends: &[u32]) -> Texts {
        Texts {
            text: text.to_owned(),
            ends: ends.to_vec(),
        }
    }

    fn all(batch: &Texts) -> Result<Vec<&str>, String> {
        texts(batch).collect()
    }

    #[test]
    fn texts_are_cut_at_their_ends() {
        assert_eq!(all(&batch("abcdé", &[1, 1, 6])).unwrap(), ["a", "", "bcdé"]);
        assert_eq!(all(&batch("", &[])).unwrap(), Vec::<&str>::new());
        assert_eq!(all(&batch("", &[0, 0])).unwrap(), ["", ""]);
    }

    #[test]
    fn bad_ends_are_errors_not_panics() {
        for (text, ends, message) in [
            (
                "abc",
                &[1, 2][..],
                "the texts end at byte 2, but the batch has 3 bytes",
            ),
            (
                "abc",
                &[],
                "the texts end at byte 0, but the batch has 3 bytes",
            ),
            ("abc", &[2, 1, 3], "text 1 ends at byte 1, outside 2..=3"),
            ("abc", &[9, 3], "text 0 ends at byte 9, outside 0..=3"),
            (
                "é",
                &[1, 2],
                "text 0 (bytes 0..1) does not end on a character boundary",
            ),
            ("", &[u32::MAX], "the texts end at byte 4294967295"),
        ] {
            let err = all(&batch(text, ends)).unwrap_err();
            assert!(err.starts_with(message), "{text:?} {ends:?}: {err}");
            assert!(!err.contains('\n'));
        }
    }

    #[test]
    fn an_error_ends_the_texts() {
        for (text, ends, count) in [("abc", &[2, 1, 3][..], 2), ("éa", &[1, 2, 3], 1)] {
            let b = batch(text, ends);
            let got: Vec<_> = texts(&b).collect();
            assert_eq!(got.len(), count, "{ends:?}");
            assert!(got[count - 1].is_err());
        }
    }

    #[test]
    fn slices_never_overflow() {
        let huge = Slice {
            start: u32::MAX,
            len: u32::MAX,
        };
        assert_eq!(str_at("abc", huge), None);
        assert_eq!(bytes_at(b"abc", huge), None);
        assert_eq!(str_at("abc", Slice { start: 1, len: 2 }), Some("bc"));
        assert_eq!(str_at("é", Slice { start: 0, len: 1 }), None);
    }
}
