//! `fieldmap-generic`: Lethe's standard field map for items of any kind.
//!
//! A thin adapter from the `lethe:plugin` field-map contract to
//! [`lethe_fieldmaps::classify_generic`]: each attribute is classified by
//! the naming conventions of its key (`first_name`, `billing.zip`,
//! `customer_id`, `transcript`), with an e-mail-shaped value as a last
//! resort. `kinds` is empty (any kind), and the kind does not change the
//! answer.

#![forbid(unsafe_code)]

use lethe_fieldmaps::FieldMap;
use lethe_plugin_sdk::field_map::exports::lethe::plugin::field_map::Guest;
use lethe_plugin_sdk::standard::{check_kind, classify_batch};
use lethe_plugin_sdk::types::{Field, Mark};

struct GenericFieldMap;

impl Guest for GenericFieldMap {
    fn kinds() -> Vec<String> {
        Vec::new()
    }

    fn classify(kind: String, items: Vec<Vec<Field>>) -> Result<Vec<Vec<Mark>>, String> {
        check_kind(&kind)?;
        Ok(classify_batch(FieldMap::Generic, items))
    }
}

lethe_plugin_sdk::field_map::export_field_map!(GenericFieldMap);
