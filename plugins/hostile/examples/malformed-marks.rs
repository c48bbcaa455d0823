//! Hostile fixture `malformed-marks`: a field map whose answers break the
//! contract in the way its kind asks for.
//!
//! | kind | answer |
//! |------|--------|
//! | `unknown-path` | each item gets a mark on `hostile.no-such-path`, a path it does not have |
//! | `duplicate` | each non-empty item gets its first path marked twice |
//! | `count` | one empty list per item, plus one list too many |
//! | anything else | one empty list per item (valid) |
//!
//! Attack: marks that would make the host change an attribute that does
//! not exist, change one twice, or misalign items and answers. The host
//! must check every mark against the item it sent and the count against
//! the batch, and fail the batch without applying any of it.

use lethe_plugin_sdk::field_map::exports::lethe::plugin::field_map::Guest;
use lethe_plugin_sdk::types::{Category, Field, Mark};

/// A path no item given to this fixture is expected to have.
const NO_SUCH_PATH: &str = "hostile.no-such-path";

struct MalformedMarks;

fn mark(path: &str) -> Mark {
    Mark {
        path: path.to_owned(),
        category: Category::Name,
    }
}

impl Guest for MalformedMarks {
    fn kinds() -> Vec<String> {
        Vec::new()
    }

    fn classify(kind: String, items: Vec<Vec<Field>>) -> Result<Vec<Vec<Mark>>, String> {
        let mut lists = hostile::no_marks(&items);
        match kind.as_str() {
            "unknown-path" => lists.iter_mut().for_each(|l| l.push(mark(NO_SUCH_PATH))),
            "duplicate" => {
                for (list, item) in lists.iter_mut().zip(&items) {
                    if let Some(first) = item.first() {
                        list.extend([mark(&first.path), mark(&first.path)]);
                    }
                }
            }
            "count" => lists.push(Vec::new()),
            _ => {}
        }
        Ok(lists)
    }
}

lethe_plugin_sdk::field_map::export_field_map!(MalformedMarks);
