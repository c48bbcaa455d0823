//! `fieldmap-generic`: Lethe's standard field map for items of any kind.
//!
//! A thin adapter from the SDK's [`FieldMap`] to
//! [`lethe_fieldmaps::classify_generic`]: each attribute is classified by
//! the naming conventions of its key (`first_name`, `billing.zip`,
//! `customer_id`, `transcript`), with an e-mail-shaped value as a last
//! resort. `KINDS` is empty (any kind), and the kind does not change the
//! answer.

#![forbid(unsafe_code)]

use lethe_plugin_sdk::prelude::*;

struct GenericFieldMap;

impl FieldMap for GenericFieldMap {
    fn classify(_kind: &str, item: &Item<'_>) -> Vec<Mark> {
        standard::generic(item)
    }
}

lethe_plugin_sdk::export_field_map!(GenericFieldMap);
