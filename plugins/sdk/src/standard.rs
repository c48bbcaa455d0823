//! Lethe's standard classification rules (`lethe-fieldmaps`), for a field
//! map to start from: [`generic`] is what the server runs for a tenant that
//! has activated no field map of its own, [`commerce`] the commerce schema.
//!
//! ```
//! use lethe_plugin_sdk::{Category, Item, Value, standard, testing};
//!
//! let batch = testing::items(&[
//!     ("first_name", Value::Text("Ada")),
//!     ("plan", Value::Text("pro")),
//!     ("contact", Value::Text("ada@example.com")),
//! ]);
//! let item: Item<'_> = batch.item(0);
//! let found: Vec<_> = standard::generic(&item).iter().map(|m| (m.index, m.category)).collect();
//! assert_eq!(found, [(0, Category::Name), (2, Category::Email)]);
//! ```
//!
//! The lower-level helpers ([`classify_batch`], [`check_kind`]) work on
//! the contract's raw types, for plugins written against the bindings
//! directly (with [`crate::packed`] to read a raw batch).

use lethe_fieldmaps::{FieldMap, UnknownKind};

use crate::Item;
use crate::types::{Items, Mark};

/// Lethe's generic rules on `item`: a mark for every field whose keys (or,
/// failing that, an e-mail-shaped value) say it holds personal data.
pub fn generic(item: &Item<'_>) -> Vec<crate::Mark> {
    rules(FieldMap::Generic, item)
}

/// The commerce schema of `kind` (`profile`, `order` or `conversation`;
/// see [`lethe_fieldmaps::CommerceKind`]) on `item`, falling back to the
/// generic rules for attributes the schema does not list.
///
/// # Errors
/// [`UnknownKind`] when `kind` is not a commerce kind.
pub fn commerce(kind: &str, item: &Item<'_>) -> Result<Vec<crate::Mark>, UnknownKind> {
    Ok(rules(FieldMap::commerce(kind)?, item))
}

/// The marks `map` gives `item`'s fields, in field order.
pub fn rules(map: FieldMap, item: &Item<'_>) -> Vec<crate::Mark> {
    map.marks(item.fields().map(|f| (f.path(), f.value())))
        .into_iter()
        .map(crate::Mark::from)
        .collect()
}

/// The longest kind name a standard field map accepts, in bytes.
pub const MAX_KIND_LEN: usize = 256;

/// Refuses absurd kind names before any work is done.
///
/// # Errors
/// A message for the tenant when `kind` is longer than [`MAX_KIND_LEN`].
pub fn check_kind(kind: &str) -> Result<(), String> {
    if kind.len() > MAX_KIND_LEN {
        return Err(format!(
            "kind is {} bytes long; at most {MAX_KIND_LEN} are accepted",
            kind.len()
        ));
    }
    Ok(())
}

/// Classifies a packed batch with `map`: the contract's answer, a mark for
/// every field that holds personal data, by its position in the batch, in
/// increasing order.
///
/// # Errors
/// A one-line message when the batch's offsets do not fit its buffers (see
/// [`crate::packed::items`]).
pub fn classify_batch(map: FieldMap, batch: &Items) -> Result<Vec<Mark>, String> {
    crate::export::classify_with(batch, |item| rules(map, item))
}
