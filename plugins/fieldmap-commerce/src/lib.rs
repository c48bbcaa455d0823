//! `fieldmap-commerce`: Lethe's standard field map for a commerce tenant's
//! `profile`, `order` and `conversation` items.
//!
//! A thin adapter from the `lethe:plugin` field-map contract to
//! [`lethe_fieldmaps::CommerceKind`], whose docs define the three shapes.
//! Attributes the schema does not list fall back to the generic rules; an
//! unknown kind fails the batch with a message naming the known kinds.

#![forbid(unsafe_code)]

use lethe_fieldmaps::{COMMERCE_KINDS, FieldMap};
use lethe_plugin_sdk::field_map::exports::lethe::plugin::field_map::Guest;
use lethe_plugin_sdk::standard::{check_kind, classify_batch};
use lethe_plugin_sdk::types::{Field, Mark};

struct CommerceFieldMap;

impl Guest for CommerceFieldMap {
    fn kinds() -> Vec<String> {
        COMMERCE_KINDS.iter().map(|&kind| kind.to_owned()).collect()
    }

    fn classify(kind: String, items: Vec<Vec<Field>>) -> Result<Vec<Vec<Mark>>, String> {
        check_kind(&kind)?;
        let map = FieldMap::commerce(&kind).map_err(|e| e.to_string())?;
        Ok(classify_batch(map, items))
    }
}

lethe_plugin_sdk::field_map::export_field_map!(CommerceFieldMap);
