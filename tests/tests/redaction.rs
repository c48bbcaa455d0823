//! Redaction through the real plugins in the real sandbox: nothing of the
//! subject is left, and nothing that is not personal data changes.

use std::collections::HashSet;

use lethe_core::{FieldMap, Path, Policy, PseudonymKey, Redactor, Subject, flatten};
use lethe_e2e::{leftovers, needles, std_plugins};
use proptest::prelude::*;
use serde_json::{Value, json};

fn subject() -> Subject {
    Subject {
        names: vec!["Astrid Lindqvist".into()],
        emails: vec!["astrid.lindqvist@example.com".into()],
        phones: vec!["0701740642".into()],
        ids: vec!["C-10042".into()],
    }
}

fn key() -> PseudonymKey {
    PseudonymKey::from_bytes([9; 32])
}

#[test]
fn an_erased_subject_leaves_no_trace_in_any_spelling() {
    let p = std_plugins();
    let items = [
        (
            "profile",
            json!({"customer_id": "C-10042", "first_name": "Astrid", "last_name": "Lindqvist",
            "email": "astrid.lindqvist@example.com", "phone": "+46 70 174 06 42",
            "address": {"street": "Storgatan 12", "city": "Uppsala", "postal_code": "753 20", "country": "SE"},
            "loyalty_tier": "gold", "tags": ["vip"]}),
        ),
        (
            "order",
            json!({"order_id": "SO-1", "customer_id": "C-10042", "email": "ASTRID.LINDQVIST@EXAMPLE.COM",
            "total": 1299.5, "currency": "SEK",
            "shipping_address": {"name": "A. Lindqvist", "street": "Storgatan 12", "city": "Uppsala"},
            "notes": "Call 070-174 06 42 before delivery, ask for astrid."}),
        ),
        (
            "conversation",
            json!({"conversation_id": "c-1", "customer_id": "C-10042", "visitor_ip": "203.0.113.7",
            "messages": [{"author": "customer", "author_name": "Astrid",
                "text": "Hi, this is Astrid Lindqvist (astrid.lindqvist@example.com), my number is 0046 70 174 06 42."},
                {"author": "agent", "author_name": "Kim", "text": "Thanks A. Lindqvist, noted."}]}),
        ),
    ];
    let (policy, key, subject) = (Policy::default(), key(), subject());
    let redactor = Redactor::new(&p.commerce, &p.scrubber, &policy, &key);
    for (kind, item) in &items {
        let out = redactor
            .redact_batch(kind, std::slice::from_ref(item), Some(&subject))
            .unwrap()
            .remove(0);
        let left = leftovers(&out.value, &needles(&subject));
        assert!(left.is_empty(), "{kind}: {left:?} left in {}", out.value);
    }
}

/// Commerce-shaped items with arbitrary values, including unknown
/// attributes the field map must leave alone.
fn item() -> impl Strategy<Value = Value> {
    let text = "[ -~åäöÅÄÖé☎]{0,40}";
    (
        text,
        text,
        text,
        any::<i64>(),
        any::<bool>(),
        proptest::collection::vec(text, 0..3),
        proptest::option::of(text),
    )
        .prop_map(|(name, note, sku, n, flag, tags, extra)| {
            let mut v = json!({
                "customer_id": format!("C-{n}"),
                "first_name": name,
                "email": format!("{}@example.com", sku.len()),
                "notes": note,
                "total": n,
                "active": flag,
                "tags": tags,
                "lines": [{"sku": sku, "quantity": n}],
                "custom": {},
            });
            if let Some(extra) = extra {
                v["loyalty_tier"] = Value::String(extra);
            }
            v
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_redaction_changes_no_attribute_the_field_map_did_not_mark(
        items in proptest::collection::vec(item(), 1..8)
    ) {
        let p = std_plugins();
        let (policy, key) = (Policy::default(), key());
        let flat: Vec<_> = items.iter().map(flatten).collect();
        let marks = FieldMap::classify(&p.commerce, "order", &flat).unwrap();
        let out = Redactor::new(&p.commerce, &p.scrubber, &policy, &key)
            .redact_batch("order", &items, None)
            .unwrap();
        for ((before, marks), after) in flat.iter().zip(&marks).zip(&out) {
            let marked: HashSet<&Path> = marks.iter().map(|m| &m.path).collect();
            let after = flatten(&after.value);
            for (path, leaf) in before.iter() {
                if !marked.contains(path) {
                    prop_assert_eq!(after.get(path), Some(leaf), "unmarked {} changed", path);
                }
            }
        }
    }
}
