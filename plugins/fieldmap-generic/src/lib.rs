//! `fieldmap-generic`: Lethe's standard field map for items of any kind.
//!
//! A thin adapter from the `lethe:plugin` field-map contract to
//! [`lethe_fieldmaps::classify_generic`]: each attribute is classified by
//! the naming conventions of its key (`first_name`, `billing.zip`,
//! `customer_id`, `transcript`), with an e-mail-shaped value as a last
//! resort. `kinds` is empty (any kind), and the kind does not change the
//! answer.

#![forbid(unsafe_code)]

use lethe_fieldmaps::{FieldMap, Value};
use lethe_plugin_sdk::field_map::exports::lethe::plugin::field_map::Guest;
use lethe_plugin_sdk::types::{Field, Mark, Scalar};

/// The longest kind name accepted, in bytes.
const MAX_KIND_LEN: usize = 256;

struct GenericFieldMap;

impl Guest for GenericFieldMap {
    fn kinds() -> Vec<String> {
        Vec::new()
    }

    fn classify(kind: String, items: Vec<Vec<Field>>) -> Result<Vec<Vec<Mark>>, String> {
        if kind.len() > MAX_KIND_LEN {
            return Err(format!(
                "kind is {} bytes long; at most {MAX_KIND_LEN} are accepted",
                kind.len()
            ));
        }
        Ok(items
            .into_iter()
            .map(|item| marks(FieldMap::Generic, item))
            .collect())
    }
}

/// The marks of one item: the path of every field that holds personal data.
fn marks(map: FieldMap, mut fields: Vec<Field>) -> Vec<Mark> {
    let found = map.marks(fields.iter().map(|f| (f.path.as_str(), view(&f.value))));
    found
        .into_iter()
        .map(|m| Mark {
            path: std::mem::take(&mut fields[m.index].path),
            category: m.category.into(),
        })
        .collect()
}

fn view(scalar: &Scalar) -> Value<'_> {
    match scalar {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(*b),
        Scalar::Number(n) => Value::Number(n),
        Scalar::Text(t) => Value::Text(t),
        Scalar::Bytes(b) => Value::Bytes(b),
    }
}

lethe_plugin_sdk::field_map::export_field_map!(GenericFieldMap);
