//! Unit tests of the redaction engine (the property tests are in
//! `tests/properties.rs`).

use serde_json::json;

use super::*;

const KEY: PseudonymKey = PseudonymKey::from_bytes([9; 32]);

fn p(text: &str) -> Path {
    text.parse().unwrap()
}

fn mark(path: &str, category: Category) -> Mark {
    Mark {
        path: p(path),
        category,
    }
}

fn policy(settings: &[(Category, Action)]) -> Policy {
    let mut policy = Policy::default();
    for (category, action) in settings {
        policy.set(*category, action.clone()).unwrap();
    }
    policy
}

fn redact(item: &Value, marks: &[Mark], policy: &Policy) -> Redaction {
    redact_item(item, marks, &HashMap::new(), policy, &KEY).unwrap()
}

fn change(path: &str, category: Category, action: ActionKind, spans: usize) -> Change {
    Change {
        path: p(path),
        category,
        action,
        spans,
    }
}

#[test]
fn applies_each_fields_action_and_nothing_else() {
    let item = json!({
        "name": "Ada Lovelace", "email": "Ada@Example.com", "phone": 46701234567_u64,
        "card": "4111111111111111", "ip": "10.0.0.1", "dob": "1815-12-10",
        "plan": "pro", "tier": "gold",
    });
    let policy = policy(&[
        (Category::Name, Action::Replace("Someone".into())),
        (Category::Email, Action::Pseudonymize),
        (Category::Phone, Action::Mask { keep: 2 }),
        (Category::Payment, Action::Mask { keep: 4 }),
        (Category::Ip, Action::Drop),
        (Category::DateOfBirth, Action::Retain),
    ]);
    let marks = [
        mark("name", Category::Name),
        mark("email", Category::Email),
        mark("phone", Category::Phone),
        mark("card", Category::Payment),
        mark("ip", Category::Ip),
        mark("dob", Category::DateOfBirth),
        mark("tier", Category::None),
    ];
    let r = redact(&item, &marks, &policy);
    assert_eq!(
        r.value,
        json!({
            "name": "Someone",
            "email": pseudonymize(&KEY, Category::Email, "ada@example.com"),
            "phone": "*********67", "card": "************1111",
            "dob": "1815-12-10", "plan": "pro", "tier": "gold",
        })
    );
    assert_eq!(
        r.changes,
        [
            change("card", Category::Payment, ActionKind::Mask, 0),
            change("email", Category::Email, ActionKind::Pseudonymize, 0),
            change("ip", Category::Ip, ActionKind::Drop, 0),
            change("name", Category::Name, ActionKind::Replace, 0),
            change("phone", Category::Phone, ActionKind::Mask, 0),
        ]
    );
    let changes = format!("{:?}", r.changes);
    assert!(
        !changes.contains("Ada") && !changes.contains("1111"),
        "{changes}"
    );
}

#[test]
fn erase_nulls_and_null_stays_null() {
    let item = json!({"a": "x", "b": true, "c": null, "d": null});
    let marks = [
        mark("a", Category::Name),
        mark("b", Category::OtherPii),
        mark("c", Category::Email),
        mark("d", Category::Phone),
    ];
    let policy = policy(&[
        (Category::Email, Action::Pseudonymize),
        (Category::Phone, Action::Mask { keep: 1 }),
        (Category::OtherPii, Action::Pseudonymize),
    ]);
    let r = redact(&item, &marks, &policy);
    let b = pseudonymize(&KEY, Category::OtherPii, "true");
    assert_eq!(r.value, json!({"a": null, "b": b, "c": null, "d": null}));
    assert_eq!(r.changes.len(), 4);
}

#[test]
fn drop_keeps_containers_and_array_positions() {
    let item = json!({"o": {"x": "1"}, "tags": ["a", "b", "c"], "keep": 1});
    let marks = [mark("o.x", Category::Name), mark("tags[1]", Category::Name)];
    let r = redact(&item, &marks, &policy(&[(Category::Name, Action::Drop)]));
    assert_eq!(
        r.value,
        json!({"o": {}, "tags": ["a", null, "c"], "keep": 1})
    );
    let root = redact(
        &json!("x"),
        &[mark("", Category::Name)],
        &policy(&[(Category::Name, Action::Drop)]),
    );
    assert_eq!(root.value, Value::Null);
}

#[test]
fn free_text_is_scrubbed_span_by_span() {
    let item =
        json!({"notes": "Mail ada@x.se or call 0701234567.", "bio": "Ada here", "other": "x"});
    let marks = [
        mark("notes", Category::FreeText),
        mark("bio", Category::FreeText),
    ];
    let spans = HashMap::from([(
        p("notes"),
        vec![
            Span::new(5, 13, Category::Email),
            Span::new(22, 32, Category::Phone),
            Span::new(7, 10, Category::Name),
        ],
    )]);
    let policy = policy(&[(Category::Phone, Action::Mask { keep: 2 })]);
    let r = redact_item(&item, &marks, &spans, &policy, &KEY).unwrap();
    assert_eq!(
        r.value,
        json!({"notes": "Mail [EMAIL] or call ********67.", "bio": "Ada here", "other": "x"})
    );
    assert_eq!(
        r.changes,
        [change("notes", Category::FreeText, ActionKind::Scrub, 2)]
    );

    let scanned = HashMap::from([(p("bio"), vec![])]);
    let r = redact_item(&item, &marks, &scanned, &policy, &KEY).unwrap();
    assert_eq!(r.value, item);
    assert_eq!(
        r.changes,
        [change("bio", Category::FreeText, ActionKind::Scrub, 0)]
    );
}

#[test]
fn free_text_under_another_action_is_treated_whole() {
    let item = json!({"notes": "call me"});
    let marks = [mark("notes", Category::FreeText)];
    let spans = HashMap::from([(p("notes"), vec![Span::new(0, 4, Category::Name)])]);
    let policy = policy(&[(Category::FreeText, Action::Erase)]);
    let r = redact_item(&item, &marks, &spans, &policy, &KEY).unwrap();
    assert_eq!(r.value, json!({"notes": null}));
    assert_eq!(
        r.changes,
        [change("notes", Category::FreeText, ActionKind::Erase, 0)]
    );
}

#[test]
fn plugin_mistakes_are_refused() {
    let item = json!({"a": "secret words", "n": 5, "o": {"x": 1}, "e": []});
    let err = |marks: &[Mark], spans: &[(&str, Vec<Span>)]| {
        let spans = spans.iter().map(|(k, v)| (p(k), v.clone())).collect();
        redact_item(&item, marks, &spans, &Policy::default(), &KEY).unwrap_err()
    };
    let free = [mark("a", Category::FreeText), mark("n", Category::FreeText)];
    assert_eq!(
        err(&[mark("b", Category::Name)], &[]),
        Error::UnknownPath { path: p("b") }
    );
    assert_eq!(
        err(&[mark("a.b", Category::Name)], &[]),
        Error::UnknownPath { path: p("a.b") }
    );
    assert_eq!(
        err(&[mark("o", Category::Name)], &[]),
        Error::NotAField { path: p("o") }
    );
    assert_eq!(
        err(&[mark("e", Category::Name)], &[]),
        Error::NotAField { path: p("e") }
    );
    assert_eq!(
        err(
            &[mark("a", Category::Name), mark("a", Category::Email)],
            &[]
        ),
        Error::DuplicateMark { path: p("a") }
    );
    assert_eq!(
        err(&free, &[("zz", vec![])]),
        Error::UnknownPath { path: p("zz") }
    );
    assert_eq!(
        err(&[mark("a", Category::Name)], &[("a", vec![])]),
        Error::SpansNotFreeText { path: p("a") }
    );
    assert_eq!(
        err(&free, &[("n", vec![])]),
        Error::SpansNotText { path: p("n") }
    );
    let bad = err(&free, &[("a", vec![Span::new(0, 99, Category::Name)])]);
    assert!(
        matches!(bad, Error::Spans { ref path, .. } if *path == p("a")),
        "{bad}"
    );
    assert!(!bad.to_string().contains("secret"), "{bad}");
}

#[test]
fn scrub_text_maps_each_action() {
    let text = "Hi Ada, mail ada@x.se";
    let spans = [
        Span::new(3, 6, Category::Name),
        Span::new(13, 21, Category::Email),
    ];
    let scrub = |settings: &[(Category, Action)]| scrub_text(text, &spans, &policy(settings), &KEY);
    assert_eq!(scrub(&[]), "Hi [NAME], mail [EMAIL]");
    assert_eq!(
        scrub(&[(Category::Name, Action::Replace("Someone".into()))]),
        "Hi Someone, mail [EMAIL]"
    );
    let psn = pseudonymize(&KEY, Category::Email, "ada@x.se");
    assert_eq!(
        scrub(&[
            (Category::Email, Action::Pseudonymize),
            (Category::Name, Action::Drop)
        ]),
        format!("Hi , mail [EMAIL:{psn}]")
    );
    assert_eq!(
        scrub(&[
            (Category::Email, Action::Mask { keep: 3 }),
            (Category::Name, Action::Retain)
        ]),
        "Hi Ada, mail *****.se"
    );
    let psn = pseudonymize(&KEY, Category::NationalId, "x");
    let got = scrub_text(
        "x",
        &[Span::new(0, 1, Category::NationalId)],
        &policy(&[(Category::NationalId, Action::Pseudonymize)]),
        &KEY,
    );
    assert_eq!(got, format!("[NATIONAL-ID:{psn}]"));
}

#[test]
fn scrub_text_never_panics_and_never_redacts_less() {
    let text = "añb日c"; // ñ = 1..3, 日 = 4..7
    let policy = Policy::default();
    let scrub = |spans: &[Span]| scrub_text(text, spans, &policy, &KEY);
    assert_eq!(scrub(&[Span::new(2, 5, Category::Name)]), "a[NAME]c");
    assert_eq!(scrub(&[Span::new(6, 99, Category::Name)]), "añb[NAME]");
    assert_eq!(
        scrub(&[
            Span::new(3, 3, Category::Name),
            Span::new(9, 2, Category::Name)
        ]),
        text
    );
    assert_eq!(
        scrub(&[Span::new(3, 8, Category::Ip), Span::new(0, 4, Category::Ip)]),
        "[IP]"
    );
    assert_eq!(scrub(&[Span::new(0, 1, Category::None)]), text);
}
