//! Conversions between `lethe-core`'s types and the generated WIT types.
//!
//! Exhaustive matches, so a category added to one side and not the other is
//! a compile error, not a silent `none`.

use lethe_core::Category;
use lethe_core::Subject;

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
