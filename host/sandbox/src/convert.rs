//! Conversions between `lethe-core`'s types and the generated WIT types.
//!
//! Exhaustive matches, so a category added to one side and not the other is
//! a compile error, not a silent `none`.

use lethe_core::Subject;
use lethe_core::{Category, FlatItem, Leaf, Scalar};

use crate::bindings::types as wit;

pub(crate) fn category_from_wit(c: wit::Category) -> Category {
    match c {
        wit::Category::Name => Category::Name,
        wit::Category::Email => Category::Email,
        wit::Category::Phone => Category::Phone,
        wit::Category::Address => Category::Address,
        wit::Category::NationalId => Category::NationalId,
        wit::Category::Payment => Category::Payment,
        wit::Category::Ip => Category::Ip,
        wit::Category::DateOfBirth => Category::DateOfBirth,
        wit::Category::FreeText => Category::FreeText,
        wit::Category::Identifier => Category::Identifier,
        wit::Category::OtherPii => Category::OtherPii,
        wit::Category::None => Category::None,
    }
}

pub(crate) fn subject_to_wit(s: &Subject) -> wit::Subject {
    wit::Subject {
        names: s.names.clone(),
        emails: s.emails.clone(),
        phones: s.phones.clone(),
        ids: s.ids.clone(),
    }
}

fn scalar_to_wit(s: &Scalar) -> wit::Scalar {
    match s {
        Scalar::Null => wit::Scalar::Null,
        Scalar::Bool(b) => wit::Scalar::Boolean(*b),
        Scalar::Number(n) => wit::Scalar::Number(n.clone()),
        Scalar::Text(t) => wit::Scalar::Text(t.clone()),
        Scalar::Bytes(b) => wit::Scalar::Bytes(b.clone()),
    }
}

/// The fields a plugin sees of `item`: its scalar leaves, paths rendered.
/// Empty objects and arrays hold nothing to classify and stay host-side.
pub(crate) fn item_to_wit(item: &FlatItem) -> Vec<wit::Field> {
    item.leaves
        .iter()
        .filter_map(|(path, leaf)| match leaf {
            Leaf::Scalar(s) => Some(wit::Field {
                path: path.to_string(),
                value: scalar_to_wit(s),
            }),
            Leaf::EmptyObject | Leaf::EmptyArray => None,
        })
        .collect()
}

/// Byte size of an item's values, to size batches.
pub(crate) fn item_weight(fields: &[wit::Field]) -> usize {
    fields
        .iter()
        .map(|f| {
            f.path.len()
                + match &f.value {
                    wit::Scalar::Null | wit::Scalar::Boolean(_) => 1,
                    wit::Scalar::Number(s) | wit::Scalar::Text(s) => s.len(),
                    wit::Scalar::Bytes(b) => b.len(),
                }
        })
        .sum()
}
