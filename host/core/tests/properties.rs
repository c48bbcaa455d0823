//! Property tests of the guarantees the rest of Lethe builds on:
//!
//! - (a) every JSON value survives `flatten` then `unflatten`;
//! - (b) every path survives its text form;
//! - (c) `redact_item` never changes a field it was not told to, and never
//!   leaves the original of an erased, pseudonymized, masked or dropped field;
//! - (d) `scrub_text` keeps every byte outside the spans and none of a span;
//! - `merge` keeps the bytes covered, and merging twice changes nothing.

use std::collections::HashMap;

use lethe_core::{
    Action, Category, Leaf, Mark, Path, Policy, PseudonymKey, Scalar, Segment, Span, flatten, mask,
    merge, pseudonymize, redact_item, scrub_text, unflatten,
};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Number, Value};

const KEY: PseudonymKey = PseudonymKey::from_bytes([3; 32]);

/// Object keys, weighted towards the ones a path must quote.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_][a-z0-9_-]{0,6}",
        select(vec![
            "",
            ".",
            "[",
            "]",
            "\"",
            "\\",
            "a.b",
            "first name",
            "0",
            "名前",
            "🙂"
        ])
        .prop_map(str::to_owned),
        "[\\x00-\\x1f\"\\\\.\\[\\] ]{1,4}",
        any::<String>(),
    ]
}

fn number() -> impl Strategy<Value = Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::from),
        any::<u64>().prop_map(Number::from),
        any::<f64>().prop_filter_map("finite", Number::from_f64),
        select(vec![0.0, -0.0, 1e300, -1e-300, 5e-324, 0.1, 1.5])
            .prop_filter_map("finite", Number::from_f64),
    ]
}

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number().prop_map(Value::Number),
        "[a-zA-Z0-9 @.+-]{0,20}".prop_map(Value::String),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn path() -> impl Strategy<Value = Path> {
    let segment = prop_oneof![
        key().prop_map(Segment::Key),
        (0..30usize).prop_map(Segment::Index),
        any::<usize>().prop_map(Segment::Index),
    ];
    prop::collection::vec(segment, 0..6).prop_map(Path)
}

fn pii_category() -> impl Strategy<Value = Category> {
    select(
        Category::ALL
            .into_iter()
            .filter(|c| !matches!(c, Category::None | Category::FreeText))
            .collect::<Vec<_>>(),
    )
}

fn action(with_drop: bool) -> impl Strategy<Value = Action> {
    let mut actions = vec![
        Action::Erase,
        Action::Replace("#".into()),
        Action::Pseudonymize,
        Action::Retain,
    ];
    if with_drop {
        actions.push(Action::Drop);
    }
    prop_oneof![
        select(actions),
        (0..6usize).prop_map(|keep| Action::Mask { keep })
    ]
}

/// Any valid policy; `free-text` may be scrubbed.
fn policy(with_drop: bool) -> impl Strategy<Value = Policy> {
    (prop::collection::vec(action(with_drop), 12), any::<bool>()).prop_map(|(actions, scrub)| {
        let mut policy = Policy::default();
        for (category, action) in Category::ALL.into_iter().zip(actions) {
            let action = match category {
                Category::None => Action::Retain,
                Category::FreeText if scrub => Action::Scrub,
                _ => action,
            };
            policy.set(category, action).unwrap();
        }
        policy
    })
}

/// The JSON-escaped form of a text, as it appears inside serialized JSON.
fn escaped(text: &str) -> String {
    let quoted = Value::from(text).to_string();
    quoted[1..quoted.len() - 1].to_owned()
}

/// Where a value sits, for checking a leaf of the output.
fn at<'a>(value: &'a Value, path: &Path) -> Option<&'a Value> {
    path.0.iter().try_fold(value, |v, s| match s {
        Segment::Key(k) => v.get(k),
        Segment::Index(i) => v.get(i),
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_flatten_then_unflatten_is_identity(value in json()) {
        let flat = flatten(&value);
        let back = unflatten(&flat).unwrap();
        prop_assert_eq!(back.to_string(), value.to_string());
        prop_assert_eq!(&back, &value);
        for (path, _) in flat.iter() {
            prop_assert_eq!(&path.to_string().parse::<Path>().unwrap(), path);
        }
    }

    #[test]
    fn b_path_text_round_trips(path in path()) {
        let text = path.to_string();
        let parsed: Path = text.parse().unwrap();
        prop_assert_eq!(&parsed, &path);
        prop_assert_eq!(parsed.to_string(), text);
    }

    #[test]
    fn c_redaction_touches_only_marked_fields_and_leaves_no_original(
        (value, marks) in json().prop_flat_map(|value| {
            let paths: Vec<Path> = flatten(&value).scalars().map(|(p, _)| p.clone()).collect();
            let n = paths.len();
            let categories = prop::collection::vec(
                prop::option::weighted(0.6, prop_oneof![
                    pii_category(), Just(Category::FreeText), Just(Category::None),
                ]),
                n,
            );
            (Just(value), Just(paths), categories)
        }).prop_map(|(value, paths, categories)| {
            let marks: Vec<Mark> = paths.into_iter().zip(categories)
                .filter_map(|(path, category)| Some(Mark { path, category: category? }))
                .collect();
            (value, marks)
        }),
        policy in policy(true),
    ) {
        let r = redact_item(&value, &marks, &HashMap::new(), &policy, &KEY).unwrap();
        let out = flatten(&r.value);
        let out_json = r.value.to_string();
        let in_json = value.to_string();
        let input = flatten(&value);
        let pii: HashMap<&Path, Category> = marks.iter()
            .filter(|m| m.category.is_pii())
            .map(|m| (&m.path, m.category))
            .collect();

        // Every leaf not marked with personal data is exactly as it was.
        for (path, leaf) in input.iter() {
            if !pii.contains_key(path) {
                prop_assert_eq!(out.get(path), Some(leaf), "unmarked {} changed", path);
            }
        }
        // Changes name marked fields only, and carry no values.
        let changes = format!("{:?}", r.changes);
        for change in &r.changes {
            prop_assert!(pii.contains_key(&change.path));
        }

        for (path, category) in &pii {
            let action = policy.action(*category);
            if matches!(action, Action::Retain | Action::Replace(_) | Action::Scrub) {
                continue;
            }
            let original = input.scalar(path).cloned().unwrap();
            let now = at(&r.value, path);
            match (action, &original) {
                (Action::Drop, _) => {
                    let in_array = matches!(path.0.last(), Some(Segment::Index(_)) | None);
                    prop_assert_eq!(now.is_some(), in_array, "{} not dropped", path);
                    if in_array { prop_assert_eq!(now, Some(&Value::Null)); }
                }
                (Action::Erase, _) | (_, Scalar::Null) => {
                    prop_assert_eq!(now, Some(&Value::Null), "{} not erased", path);
                }
                _ => {
                    let now = out.scalar(path).unwrap();
                    prop_assert!(matches!(now, Scalar::Text(_)));
                    // Only an empty text, or one that looks already masked
                    // or pseudonymized, may come out as it went in.
                    let settled = matches!(&original, Scalar::Text(t)
                        if t.is_empty() || t.starts_with('*') || t.starts_with("psn_"));
                    if !settled {
                        prop_assert_ne!(now, &original, "{} kept its value", path);
                    }
                }
            }
            let text = match &original {
                Scalar::Text(t) | Scalar::Number(t) => escaped(t),
                _ => continue,
            };
            if text.chars().count() >= 8 && in_json.matches(&text).count() == 1 {
                prop_assert!(!out_json.contains(&text), "{} left in the output", path);
                prop_assert!(!changes.contains(&text), "{} left in the changes", path);
            }
        }
    }
}

/// Text from an alphabet that no replacement uses (no `*`, `#`, `[`, `:`,
/// upper case, hex digits, `p`, `s`, `n`, `_`), so that a span's text can
/// only reappear in the output if it was left there.
fn text_and_spans() -> impl Strategy<Value = (String, Vec<Span>)> {
    let alphabet: Vec<char> = "ghijklmoqrtuvwxyz é日🙂".chars().collect();
    prop::collection::vec(select(alphabet), 0..40).prop_flat_map(|chars| {
        let text: String = chars.iter().collect();
        let mut bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        bounds.push(text.len());
        let n = bounds.len();
        let span = (0..n, 0..n, pii_category(), 0.0f32..=1.0).prop_filter_map(
            "non-empty",
            move |(a, b, category, score)| {
                (a != b).then(|| Span {
                    start: bounds[a.min(b)],
                    end: bounds[a.max(b)],
                    category,
                    score,
                })
            },
        );
        // An empty text has no span at all.
        let count = if n > 1 { 0..6 } else { 0..1 };
        (Just(text), prop::collection::vec(span, count))
    })
}

/// What `scrub_text` must write for one span: the module docs' table.
fn replacement(text: &str, category: Category, policy: &Policy) -> String {
    match policy.action(category) {
        Action::Erase | Action::Scrub => category.token().to_owned(),
        Action::Replace(s) => s.clone(),
        Action::Pseudonymize => {
            let label = category.token().trim_matches(['[', ']']);
            format!("[{label}:{}]", pseudonymize(&KEY, category, text))
        }
        Action::Mask { keep } => mask(text, *keep),
        Action::Drop => String::new(),
        Action::Retain => text.to_owned(),
    }
}

fn occurrences(haystack: &str, needle: &str) -> usize {
    haystack
        .char_indices()
        .filter(|(i, _)| haystack[*i..].starts_with(needle))
        .count()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn d_scrub_text_keeps_every_byte_outside_the_spans(
        (text, spans) in text_and_spans(),
        policy in policy(true),
    ) {
        let merged = merge(spans.clone());
        let got = scrub_text(&text, &merged, &policy, &KEY);
        let mut want = String::new();
        let mut at = 0;
        for span in &merged {
            want.push_str(&text[at..span.start]);
            want.push_str(&replacement(&text[span.start..span.end], span.category, &policy));
            at = span.end;
        }
        want.push_str(&text[at..]);
        prop_assert_eq!(&got, &want);
        // Unmerged spans are merged first, so they give the same text.
        prop_assert_eq!(scrub_text(&text, &spans, &policy, &KEY), got);
    }

    // Without `drop`, which joins the text either side of a span and so may
    // write a span's text from its neighbours.
    #[test]
    fn d_scrub_text_leaves_no_span_text(
        (text, spans) in text_and_spans(),
        policy in policy(false),
    ) {
        let got = scrub_text(&text, &spans, &policy, &KEY);
        for span in merge(spans) {
            let original = &text[span.start..span.end];
            if policy.action(span.category) != &Action::Retain && occurrences(&text, original) == 1 {
                prop_assert!(!got.contains(original), "span {:?} left in {:?}", span, got);
            }
        }
    }
}

proptest! {
    #[test]
    fn merge_covers_the_same_bytes_and_is_idempotent((text, spans) in text_and_spans()) {
        let covered = |spans: &[Span]| -> Vec<bool> {
            (0..text.len()).map(|i| spans.iter().any(|s| s.start <= i && i < s.end)).collect()
        };
        let merged = merge(spans.clone());
        prop_assert_eq!(covered(&merged), covered(&spans));
        prop_assert!(merged.windows(2).all(|w| w[0].end < w[1].start));
        prop_assert_eq!(merge(merged.clone()), merged);
    }
}

#[test]
fn empty_containers_survive_redaction() {
    let value = serde_json::json!({"a": {}, "b": [], "c": "x"});
    let marks = [Mark {
        path: "c".parse().unwrap(),
        category: Category::Name,
    }];
    let r = redact_item(&value, &marks, &HashMap::new(), &Policy::default(), &KEY).unwrap();
    let out = flatten(&r.value);
    assert_eq!(out.get(&"a".parse().unwrap()), Some(&Leaf::EmptyObject));
    assert_eq!(out.get(&"b".parse().unwrap()), Some(&Leaf::EmptyArray));
}
