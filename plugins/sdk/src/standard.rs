//! Glue between the contract's types and Lethe's shared classification
//! rules (`lethe-fieldmaps`), so a field map built on those rules is one
//! short `impl` block.

use lethe_fieldmaps::{FieldMap, Value};

use crate::types::{Field, Mark, Scalar};

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

/// Classifies a batch with `map`: one list of marks per item, naming the
/// path of every field that holds personal data.
pub fn classify_batch(map: FieldMap, items: Vec<Vec<Field>>) -> Vec<Vec<Mark>> {
    items.into_iter().map(|item| marks(map, item)).collect()
}

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

/// A borrowed view of a contract scalar, as the shared rules take it.
pub fn view(scalar: &Scalar) -> Value<'_> {
    match scalar {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(*b),
        Scalar::Number(n) => Value::Number(n),
        Scalar::Text(t) => Value::Text(t),
        Scalar::Bytes(b) => Value::Bytes(b),
    }
}
