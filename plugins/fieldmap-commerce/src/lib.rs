//! `fieldmap-commerce`: Lethe's standard field map for a commerce tenant's
//! `profile`, `order` and `conversation` items.
//!
//! A thin adapter from the SDK's [`FieldMap`] to
//! [`lethe_fieldmaps::CommerceKind`], whose docs define the three shapes.
//! Attributes the schema does not list fall back to the generic rules; an
//! unknown kind fails the batch with a message naming the known kinds (the
//! SDK's check against [`FieldMap::KINDS`]).

#![forbid(unsafe_code)]

use lethe_fieldmaps::COMMERCE_KINDS;
use lethe_plugin_sdk::prelude::*;

struct CommerceFieldMap;

impl FieldMap for CommerceFieldMap {
    const KINDS: &'static [&'static str] = COMMERCE_KINDS;

    fn classify(kind: &str, item: &Item<'_>) -> Vec<Mark> {
        // The SDK has refused any kind outside KINDS, so this never fails.
        standard::commerce(kind, item).unwrap_or_default()
    }
}

lethe_plugin_sdk::export_field_map!(CommerceFieldMap);
