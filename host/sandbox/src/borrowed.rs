//! Items lowered into a field map without an owned copy of every field.
//!
//! The generated binding for `classify` takes `list<list<field>>` as owned
//! `wit::Field`s: a `String` per path and a copy of every value, made only to
//! be copied once more into the guest's memory. [`FieldRef`] and
//! [`ScalarRef`] are the same contract types, borrowed: values point into
//! the caller's items and paths into one buffer rendered per call
//! ([`RenderedPaths`]). wasmtime checks them against the component's own
//! types when the export is looked up (`get_typed_func`), so a drift from
//! `wit/plugin.wit` fails every call, in the tests first.

use std::fmt::Write as _;
use std::ops::Range;

use lethe_core::{FlatItem, Scalar};
use wasmtime::component::{ComponentType, Lower};

/// The contract's `field` record, borrowed.
#[derive(ComponentType, Lower)]
#[component(record)]
pub(crate) struct FieldRef<'a> {
    /// The attribute's path, rendered (`address.city`, `lines[0].sku`).
    pub path: &'a str,
    /// The attribute's value.
    pub value: ScalarRef<'a>,
}

/// The contract's `scalar` variant, borrowed.
#[derive(ComponentType, Lower)]
#[component(variant)]
pub(crate) enum ScalarRef<'a> {
    /// `null`.
    #[component(name = "null")]
    Null,
    /// `boolean(bool)`.
    #[component(name = "boolean")]
    Boolean(bool),
    /// `number(string)`: the number as written.
    #[component(name = "number")]
    Number(&'a str),
    /// `text(string)`.
    #[component(name = "text")]
    Text(&'a str),
    /// `bytes(list<u8>)`.
    #[component(name = "bytes")]
    Bytes(&'a [u8]),
}

impl<'a> ScalarRef<'a> {
    fn of(s: &'a Scalar) -> Self {
        match s {
            Scalar::Null => ScalarRef::Null,
            Scalar::Bool(b) => ScalarRef::Boolean(*b),
            Scalar::Number(n) => ScalarRef::Number(n),
            Scalar::Text(t) => ScalarRef::Text(t),
            Scalar::Bytes(b) => ScalarRef::Bytes(b),
        }
    }

    /// Bytes of the value, to size batches.
    fn weight(&self) -> usize {
        match self {
            ScalarRef::Null | ScalarRef::Boolean(_) => 1,
            ScalarRef::Number(s) | ScalarRef::Text(s) => s.len(),
            ScalarRef::Bytes(b) => b.len(),
        }
    }
}

/// The paths of the scalar leaves of some items, rendered into one buffer.
pub(crate) struct RenderedPaths {
    text: String,
    /// Per item, the byte range of each scalar leaf's path in `text`.
    ranges: Vec<Vec<Range<usize>>>,
}

impl RenderedPaths {
    /// Renders the path of every scalar leaf of `items`.
    pub(crate) fn of(items: &[FlatItem]) -> Self {
        let mut text = String::new();
        let ranges = items
            .iter()
            .map(|item| {
                item.scalars()
                    .map(|(path, _)| {
                        let start = text.len();
                        // Writing into a String cannot fail.
                        let _ = write!(text, "{path}");
                        start..text.len()
                    })
                    .collect()
            })
            .collect();
        RenderedPaths { text, ranges }
    }

    /// The fields a plugin sees of `items` (the items these paths were
    /// rendered from): their scalar leaves, in order. Empty objects and
    /// arrays hold nothing to classify and stay host-side.
    pub(crate) fn fields<'a>(&'a self, items: &'a [FlatItem]) -> Vec<Vec<FieldRef<'a>>> {
        items
            .iter()
            .zip(&self.ranges)
            .map(|(item, ranges)| {
                item.scalars()
                    .zip(ranges)
                    .map(|((_, value), range)| FieldRef {
                        path: &self.text[range.clone()],
                        value: ScalarRef::of(value),
                    })
                    .collect()
            })
            .collect()
    }
}

/// Byte size of an item's fields, to size batches.
pub(crate) fn item_weight(fields: &[FieldRef<'_>]) -> usize {
    fields.iter().map(|f| f.path.len() + f.value.weight()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_borrow_the_items_values_and_one_path_buffer() {
        let items = [
            lethe_core::flatten(&json!({"a": {"b": "x", "c": []}, "n": 1.5, "t": true})),
            lethe_core::flatten(&json!({"list": [null, "y"]})),
        ];
        let rendered = RenderedPaths::of(&items);
        let fields = rendered.fields(&items);
        let seen: Vec<Vec<(&str, usize)>> = fields
            .iter()
            .map(|f| f.iter().map(|f| (f.path, f.value.weight())).collect())
            .collect();
        assert_eq!(
            seen,
            [
                vec![("a.b", 1), ("n", 3), ("t", 1)],
                vec![("list[0]", 1), ("list[1]", 1)]
            ]
        );
        assert_eq!(item_weight(&fields[0]), 3 + 1 + 1 + 3 + 1 + 1);
    }
}
