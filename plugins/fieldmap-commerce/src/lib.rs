//! `fieldmap-commerce`: Lethe's standard field map for a commerce tenant's
//! `profile`, `order` and `conversation` items.
//!
//! A thin adapter from the `lethe:plugin` field-map contract to
//! [`lethe_fieldmaps::CommerceKind`], whose docs define the three shapes.
//! Attributes the schema does not list fall back to the generic rules; an
//! unknown kind fails the batch with a message naming the known kinds.

#![forbid(unsafe_code)]

use lethe_fieldmaps::{COMMERCE_KINDS, FieldMap, Value};
use lethe_plugin_sdk::field_map::exports::lethe::plugin::field_map::Guest;
use lethe_plugin_sdk::types::{Field, Mark, Scalar};

/// The longest kind name accepted, in bytes.
const MAX_KIND_LEN: usize = 256;

struct CommerceFieldMap;

impl Guest for CommerceFieldMap {
    fn kinds() -> Vec<String> {
        COMMERCE_KINDS.iter().map(|&kind| kind.to_owned()).collect()
    }

    fn classify(kind: String, items: Vec<Vec<Field>>) -> Result<Vec<Vec<Mark>>, String> {
        if kind.len() > MAX_KIND_LEN {
            return Err(format!(
                "kind is {} bytes long; at most {MAX_KIND_LEN} are accepted",
                kind.len()
            ));
        }
        let map = FieldMap::commerce(&kind).map_err(|e| e.to_string())?;
        Ok(items.into_iter().map(|item| marks(map, item)).collect())
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

lethe_plugin_sdk::field_map::export_field_map!(CommerceFieldMap);
