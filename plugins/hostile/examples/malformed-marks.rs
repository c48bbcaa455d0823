//! Hostile fixture `malformed-marks`: a field map whose answers break the
//! contract in the way its kind asks for.
//!
//! | kind | answer |
//! |------|--------|
//! | `unknown-field` | one mark for the batch, on field `fields.len()` (one past the batch's last field) |
//! | `duplicate` | the batch's first field (if it has one) marked twice in a row |
//! | `unordered` | with at least two fields in the batch: field 1 marked, then field 0 |
//! | anything else | no marks (valid) |
//!
//! Attack: marks that would make the host change an attribute that does
//! not exist, change one twice, or pin marks on the wrong fields if it
//! trusted their order. The host must check every mark against the batch
//! it sent (in range, strictly increasing), and fail the batch without
//! applying any of it.

use lethe_plugin_sdk::field_map::exports::lethe::plugin::field_map::Guest;
use lethe_plugin_sdk::types::{Category, Items, Mark};

struct MalformedMarks;

/// A mark on the field at batch position `field`.
fn mark(field: usize) -> Mark {
    Mark {
        field: u32::try_from(field).unwrap_or(u32::MAX),
        category: Category::Name,
    }
}

impl Guest for MalformedMarks {
    fn kinds() -> Vec<String> {
        Vec::new()
    }

    fn classify(kind: String, items: Items) -> Result<Vec<Mark>, String> {
        let fields = items.fields.len();
        Ok(match kind.as_str() {
            "unknown-field" => vec![mark(fields)],
            "duplicate" if fields > 0 => vec![mark(0), mark(0)],
            "unordered" if fields >= 2 => vec![mark(1), mark(0)],
            _ => Vec::new(),
        })
    }
}

lethe_plugin_sdk::field_map::export_field_map!(MalformedMarks);
