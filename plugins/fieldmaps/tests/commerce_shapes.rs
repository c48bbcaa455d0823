//! The commerce schema against its documented shapes (the JSON examples on
//! `CommerceKind`, flattened as the host flattens them), plus the fallback
//! to the generic rules and the rejection of unknown kinds.

use lethe_detectors::Category::{self, *};
use lethe_fieldmaps::{COMMERCE_KINDS, CommerceKind, FieldMap, Value, classify_commerce};

fn check(kind: &str, table: &[(&str, Value<'_>, Category)]) {
    let wrong: Vec<String> = table
        .iter()
        .filter_map(|&(path, value, want)| {
            let got = classify_commerce(kind, path, value).expect("known kind");
            (got != want).then(|| format!("{kind} {path}: want {want}, got {got}"))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{} misclassified:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

use Value::{Bool, Number as N, Text as T};

#[test]
fn profile_example() {
    check(
        "profile",
        &[
            ("customer_id", T("C-10042"), Identifier),
            ("first_name", T("Astrid"), Name),
            ("last_name", T("Lindqvist"), Name),
            ("email", T("astrid.lindqvist@example.com"), Email),
            ("phone", T("+46 70 174 06 42"), Phone),
            ("address.street", T("Storgatan 12"), Address),
            ("address.city", T("Uppsala"), Address),
            ("address.postal_code", T("753 20"), Address),
            ("address.country", T("SE"), Address),
            ("birth_date", T("1986-04-09"), DateOfBirth),
            ("created_at", T("2023-02-11T09:30:00Z"), None),
            ("last_active_at", T("2024-11-02T18:04:11Z"), None),
            ("marketing_opt_in", Bool(true), None),
            ("loyalty_tier", T("gold"), None),
            ("tags[0]", T("vip"), None),
            ("tags[1]", T("newsletter"), None),
            ("custom.nickname", T("Asse"), Name),
            ("custom.shoe_size", N("39"), None),
        ],
    );
}

#[test]
fn order_example() {
    check(
        "order",
        &[
            ("order_id", T("SO-2024-000317"), None),
            ("created_at", T("2024-10-30T14:12:09Z"), None),
            ("status", T("delivered"), None),
            ("currency", T("SEK"), None),
            ("total", N("1048.50"), None),
            ("lines[0].sku", T("TEE-BLK-M"), None),
            ("lines[0].title", T("Organic tee, black, M"), None),
            ("lines[0].quantity", N("3"), None),
            ("lines[0].unit_price", N("349.50"), None),
            ("customer_id", T("C-10042"), Identifier),
            ("email", T("astrid.lindqvist@example.com"), Email),
            ("shipping_address.name", T("Astrid Lindqvist"), Name),
            ("shipping_address.street", T("Storgatan 12"), Address),
            ("shipping_address.city", T("Uppsala"), Address),
            ("shipping_address.postal_code", T("753 20"), Address),
            ("shipping_address.country", T("SE"), Address),
            ("billing.card_last4", T("1111"), Payment),
            ("billing.card_brand", T("visa"), None),
            (
                "notes",
                T("Please leave the parcel with the neighbour."),
                FreeText,
            ),
        ],
    );
}

#[test]
fn conversation_example() {
    check(
        "conversation",
        &[
            ("conversation_id", T("CV-88121"), None),
            ("channel", T("chat"), None),
            ("created_at", T("2024-11-02T18:01:55Z"), None),
            ("status", T("closed"), None),
            ("tags[0]", T("delivery"), None),
            ("customer_id", T("C-10042"), Identifier),
            ("visitor_ip", T("203.0.113.24"), Ip),
            ("messages[0].at", T("2024-11-02T18:01:55Z"), None),
            ("messages[0].author", T("customer"), None),
            ("messages[0].author_name", T("Astrid"), Name),
            ("messages[0].text", T("Hi! Can you call me?"), FreeText),
            ("messages[1].author", T("agent"), None),
            ("messages[1].text", T("Sorry about that."), FreeText),
        ],
    );
}

#[test]
fn the_schema_wins_over_the_value_and_the_generic_rules() {
    // A listed `none` attribute stays `none` even with an e-mail value.
    check("profile", &[("tags[0]", T("jo@example.com"), None)]);
    // `status` and `total` would be `none` anyway; `lines[0].title` of an
    // order is retained although a generic `title` could be anything.
    check("order", &[("lines[0].title", T("Jo's gift"), None)]);
    // Paths deeper or shallower than the schema fall back to generic rules.
    check(
        "order",
        &[
            ("shipping_address.phone", T("+44 7700 900123"), Phone),
            ("shipping_address.street.extra", Value::Null, None),
            ("billing.iban", T("SE45 5000 0000 0583 9825 7466"), Payment),
            ("gift_message", T("Happy birthday!"), FreeText),
        ],
    );
    check(
        "conversation",
        &[
            (
                "messages[0].attachments[0].url",
                T("https://example.com/a.png"),
                None,
            ),
            ("visitor_email", T("jo@example.com"), Email),
        ],
    );
}

#[test]
fn kinds_round_trip_and_unknown_kinds_are_errors() {
    for &kind in COMMERCE_KINDS {
        let parsed: CommerceKind = kind.parse().expect("listed kind parses");
        assert_eq!(parsed.as_str(), kind);
        assert_eq!(FieldMap::commerce(kind), Ok(FieldMap::Commerce(parsed)));
    }
    for kind in ["", "Profile", "orders", "invoice", "profile "] {
        let err = classify_commerce(kind, "email", Value::Null).unwrap_err();
        assert_eq!(err.kind(), kind);
        assert!(
            err.to_string()
                .ends_with("knows profile, order, conversation")
        );
    }
}
