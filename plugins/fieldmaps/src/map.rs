//! A field map chosen once per batch, and the batch helper that turns an
//! item's fields into marks.

use lethe_detectors::Category;

use crate::Value;
use crate::commerce::{CommerceKind, UnknownKind};
use crate::generic::classify_generic;

/// Which rules classify a batch: the generic ones, or one commerce kind's
/// schema (which falls back to the generic rules for unlisted paths).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldMap {
    /// The generic rules, for items of any kind.
    Generic,
    /// The commerce schema of one kind.
    Commerce(CommerceKind),
}

/// A field that a map found to hold personal data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    /// The field's position in the item, as given to [`FieldMap::marks`].
    pub index: usize,
    /// What the field holds; never [`Category::None`].
    pub category: Category,
}

impl FieldMap {
    /// The commerce map for `kind`.
    ///
    /// # Errors
    ///
    /// [`UnknownKind`] when `kind` is not one of
    /// [`COMMERCE_KINDS`](crate::COMMERCE_KINDS).
    pub fn commerce(kind: &str) -> Result<Self, UnknownKind> {
        kind.parse().map(FieldMap::Commerce)
    }

    /// Classifies one field.
    pub fn classify(self, path: &str, value: Value<'_>) -> Category {
        match self {
            FieldMap::Generic => classify_generic(path, value),
            FieldMap::Commerce(kind) => kind.classify(path, value),
        }
    }

    /// Classifies the fields of one item, given as `(path, value)` pairs in
    /// item order, and returns a mark for each field that holds personal
    /// data, in the same order.
    ///
    /// A plugin turns each [`Mark`] into the contract's `mark` by taking the
    /// path of field `index`. The result is empty, and allocates nothing,
    /// when no field is personal data.
    pub fn marks<'v, I>(self, fields: I) -> Vec<Mark>
    where
        I: IntoIterator<Item = (&'v str, Value<'v>)>,
    {
        let mut marks = Vec::new();
        self.marks_into(fields, &mut marks);
        marks
    }

    /// Like [`FieldMap::marks`], appending to `marks` so that a caller can
    /// reuse one buffer across items.
    pub fn marks_into<'v, I>(self, fields: I, marks: &mut Vec<Mark>)
    where
        I: IntoIterator<Item = (&'v str, Value<'v>)>,
    {
        for (index, (path, value)) in fields.into_iter().enumerate() {
            let category = self.classify(path, value);
            if category.is_pii() {
                marks.push(Mark { index, category });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_name_the_personal_fields_in_order() {
        let fields = [
            ("order_id", Value::Text("SO-1")),
            ("email", Value::Text("jo@example.com")),
            ("lines[0].title", Value::Text("Tee")),
            ("shipping_address.name", Value::Text("Jo Doe")),
            ("billing.card_last4", Value::Text("1111")),
        ];
        let map = FieldMap::commerce("order").expect("known kind");
        assert_eq!(
            map.marks(fields),
            [
                Mark {
                    index: 1,
                    category: Category::Email
                },
                Mark {
                    index: 3,
                    category: Category::Name
                },
                Mark {
                    index: 4,
                    category: Category::Payment
                },
            ]
        );
        assert!(
            FieldMap::Generic
                .marks([("sku", Value::Text("A1"))])
                .is_empty()
        );
    }

    #[test]
    fn commerce_rejects_unknown_kinds() {
        let err = FieldMap::commerce("invoice").unwrap_err();
        assert_eq!(err.kind(), "invoice");
        assert_eq!(
            err.to_string(),
            "unknown kind \"invoice\": this field map knows profile, order, conversation"
        );
        assert_eq!(
            FieldMap::commerce("Profile").unwrap_err().to_string(),
            "unknown kind \"Profile\": this field map knows profile, order, conversation"
        );
    }
}
