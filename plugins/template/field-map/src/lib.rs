//! `{{name}}`: a Lethe field map.
//!
//! It says which attributes of your items hold personal data. It starts
//! from Lethe's standard rules (the ones the server runs when you have no
//! field map of your own: `first_name`, `email`, `billing.zip`,
//! `customer_id`, `notes`, ...) and adds the attributes of your own schema
//! that no naming convention gives away.
//!
//! Lethe decides what happens to each category under your policy (by
//! default: erase personal data, scrub free text); a plugin only
//! classifies. Try it on your own samples with
//! `lethe plugin test . --items items.jsonl`.

use lethe_plugin_sdk::prelude::*;

/// Keys of your own schema, with what they hold. A key matches wherever it
/// sits in an item: `gamer_tag`, `profile.gamer_tag`, `players[2].gamer_tag`.
/// `Category::None` says a key is *not* personal data even if the standard
/// rules think so.
const OWN_KEYS: &[(&str, Category)] = &[
    ("licence_plate", Category::OtherPii),
    ("gamer_tag", Category::Identifier),
];

/// The field map.
struct Map;

impl FieldMap for Map {
    /// The entity kinds it classifies; empty means every kind.
    const KINDS: &'static [&'static str] = &[];

    fn classify(_kind: &str, item: &Item<'_>) -> Vec<Mark> {
        // Lethe's standard rules first; a later mark of a field wins.
        let mut marks = standard::generic(item);
        for field in item.fields() {
            if let Some(&(_, category)) = OWN_KEYS.iter().find(|(key, _)| *key == field.key()) {
                marks.push(field.mark(category));
            }
        }
        marks
    }
}

lethe_plugin_sdk::export_field_map!(Map);

/// `cargo test` runs the map natively, through the same glue as the
/// component.
#[cfg(test)]
mod tests {
    use lethe_plugin_sdk::testing;

    use super::*;

    #[test]
    fn own_keys_are_personal_data_and_the_rest_follows_the_standard_rules() {
        let marks = testing::classify::<Map>(
            "profile",
            &[
                ("email", Value::Text("ada@example.com")),
                ("car.licence_plate", Value::Text("ABC 123")),
                ("gamer_tag", Value::Text("ada_1815")),
                ("plan", Value::Text("pro")),
            ],
        )
        .unwrap();
        assert_eq!(
            marks,
            [
                ("email".to_owned(), Category::Email),
                ("car.licence_plate".to_owned(), Category::OtherPii),
                ("gamer_tag".to_owned(), Category::Identifier),
            ]
        );
    }
}
