//! The standard plugins pass admission and answer correctly through the
//! sandbox, exactly as the host will call them.

use std::thread;

use lethe_core::{Category, flatten};
use lethe_detectors::Subject;
use lethe_sandbox::{Plugin, Sandbox, SandboxConfig};
use serde_json::json;

fn sandbox() -> Sandbox {
    Sandbox::new().expect("sandbox")
}

/// The standard scrubber, compiled by `sandbox`.
fn std_scrubber(sandbox: &Sandbox) -> Plugin {
    sandbox
        .compile(lethe_std_plugins::STD_SCRUBBER)
        .expect("std-scrubber compiles")
        .plugin
}

#[test]
fn every_standard_plugin_validates() {
    let sandbox = sandbox();
    for (name, wasm) in lethe_std_plugins::BUILTIN {
        let validated = sandbox
            .validate(wasm)
            .unwrap_or_else(|e| panic!("{name} refused: {e}"));
        let report = validated.report;
        assert_eq!(report.worlds.scrubber, *name == "std-scrubber", "{name}");
        assert_eq!(report.worlds.field_map, *name != "std-scrubber", "{name}");
        assert!(
            report
                .shape
                .imports
                .iter()
                .all(|i| !i.starts_with("wasi:filesystem")),
            "{name}: {:?}",
            report.shape.imports
        );
        let summary = report.to_string();
        let valid = format!("valid lethe:plugin@{}", lethe_sandbox::CONTRACT_VERSION);
        assert!(summary.starts_with(&valid), "{summary}");
    }
}

#[test]
fn the_scrubber_finds_pii_at_exact_byte_offsets() {
    let plugin = std_scrubber(&sandbox());
    let text =
        "Hej Åsa ☎ ring 070-123 45 67 eller maila asa.berg@example.com, kort 4111 1111 1111 1111.";
    let spans = plugin.scan(&[text], None).unwrap().remove(0);
    let found: Vec<(Category, &str)> = spans
        .iter()
        .map(|s| (s.category, &text[s.start..s.end]))
        .collect();
    assert!(
        found.contains(&(Category::Phone, "070-123 45 67")),
        "{found:?}"
    );
    assert!(
        found.contains(&(Category::Email, "asa.berg@example.com")),
        "{found:?}"
    );
    assert!(
        found.contains(&(Category::Payment, "4111 1111 1111 1111")),
        "{found:?}"
    );
}

/// The plugin is the detectors crate built for `wasm32` (where the search
/// for trigger bytes uses `simd128`), and must find exactly what the same
/// crate finds natively (SSE2), wherever a value falls against the 16-byte
/// blocks of that search, in texts shorter and longer than a block.
#[test]
fn the_scrubber_finds_what_the_native_detectors_find_at_every_alignment() {
    let plugin = std_scrubber(&sandbox());
    let values = [
        "070-123 45 67",
        "+46 70 123 45 67",
        "(+46) 70-123 45 67",
        "a@example.com",
        "a [at] example [dot] com",
        "a{at}example.com",
        "4111 1111 1111 1111",
        "fe80::1",
        "10.0.0.1",
        "SE45 5000 0000 0583 9825 7466",
        "born 1985-03-12",
        "abc",
    ];
    let mut texts = Vec::new();
    for value in values {
        for pad in 0..34 {
            let lead = "x".repeat(pad);
            texts.push(format!("{lead}{value}"));
            texts.push(format!("{lead} {value} tail"));
            texts.push(format!("{value}{lead}"));
        }
    }
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let answers = plugin.scan(&texts, None).unwrap();
    let scanner = lethe_detectors::Scanner::new();
    for (text, spans) in texts.iter().zip(answers) {
        let in_plugin: Vec<_> = spans.iter().map(|s| (s.start, s.end, s.category)).collect();
        let native: Vec<_> = scanner
            .scan(text, None)
            .iter()
            .map(|f| (f.start, f.end, f.category()))
            .collect();
        assert_eq!(in_plugin, native, "text of {} bytes", text.len());
    }
}

#[test]
fn the_scrubber_finds_a_subject_in_other_spellings() {
    let plugin = std_scrubber(&sandbox());
    let subject = Subject {
        names: vec!["John Smith".into()],
        emails: vec!["john.smith@example.com".into()],
        phones: vec!["0701234567".into()],
        ids: vec![],
    };
    let text = "Spoke to J. Smith, reach him at JOHN.SMITH@EXAMPLE.COM or +46 70-123 45 67.";
    let spans = plugin.scan(&[text], Some(&subject)).unwrap().remove(0);
    let found: Vec<&str> = spans.iter().map(|s| &text[s.start..s.end]).collect();
    for expected in ["J. Smith", "JOHN.SMITH@EXAMPLE.COM", "+46 70-123 45 67"] {
        assert!(found.contains(&expected), "{expected} not in {found:?}");
    }
}

#[test]
fn the_commerce_field_map_marks_pii_and_keeps_retained_amounts() {
    let plugin = sandbox()
        .compile(lethe_std_plugins::FIELDMAP_COMMERCE)
        .unwrap()
        .plugin;
    assert_eq!(
        plugin.kinds().unwrap(),
        ["profile", "order", "conversation"]
    );
    let order = flatten(&json!({
        "order_id": "SO-1", "total": 12.5, "currency": "SEK", "email": "a@example.com",
        "lines": [{"sku": "X", "title": "Tee", "quantity": 1, "unit_price": 12.5}],
        "shipping_address": {"name": "Ann Berg", "street": "Storgatan 1"},
        "notes": "call me",
    }));
    let marks = plugin.classify("order", &[order]).unwrap().remove(0);
    let marked: Vec<(String, Category)> = marks
        .iter()
        .map(|m| (m.path.to_string(), m.category))
        .collect();
    assert!(
        marked.contains(&("email".into(), Category::Email)),
        "{marked:?}"
    );
    assert!(
        marked.contains(&("shipping_address.name".into(), Category::Name)),
        "{marked:?}"
    );
    assert!(
        marked.contains(&("notes".into(), Category::FreeText)),
        "{marked:?}"
    );
    for kept in ["total", "currency", "lines[0].unit_price", "order_id"] {
        assert!(
            marked.iter().all(|(p, _)| p != kept),
            "{kept} marked: {marked:?}"
        );
    }
    let err = plugin
        .classify("invoice", &[flatten(&json!({}))])
        .unwrap_err();
    assert!(err.to_string().contains("profile"), "{err}");
}

#[test]
fn large_inputs_are_split_into_batches_and_keep_their_order() {
    let sandbox =
        Sandbox::with_config(SandboxConfig::default().batch_texts(7).batch_bytes(1024)).unwrap();
    let plugin = std_scrubber(&sandbox);
    let texts: Vec<String> = (0..100)
        .map(|i| format!("{} user{i}@example.com", "x".repeat(i * 3)))
        .collect();
    let spans = plugin.scan(&texts, None).unwrap();
    assert_eq!(spans.len(), 100);
    for (i, (text, spans)) in texts.iter().zip(&spans).enumerate() {
        assert_eq!(
            &text[spans[0].start..spans[0].end],
            format!("user{i}@example.com")
        );
    }
}

#[test]
fn more_callers_than_instances_wait_their_turn() {
    let sandbox =
        Sandbox::with_config(SandboxConfig::default().max_concurrent_instances(2)).unwrap();
    let plugin = std_scrubber(&sandbox);
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let plugin = plugin.clone();
            thread::spawn(move || {
                for i in 0..25 {
                    let text = format!("t{t} i{i} write to someone@example.com");
                    assert_eq!(plugin.scan(&[text], None).unwrap()[0].len(), 1);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("no caller failed");
    }
}

/// A large batch of the slowest text known (short digit groups, where
/// every group starts the phone detector) needs more than a flat budget;
/// the allowance per MiB gives it that time, so such a transcript is
/// scrubbed instead of failing its job. Both sandboxes run the same
/// compiled plugin: only the budget differs.
#[test]
fn a_large_batch_gets_time_for_its_size() {
    let text = "1 2 ".repeat(1 << 18);
    assert_eq!(text.len(), 1 << 20);
    let base = std::time::Duration::from_millis(2);
    let flat = Sandbox::with_config(
        SandboxConfig::default()
            .call_deadline(base)
            .deadline_per_mib(std::time::Duration::ZERO),
    )
    .unwrap();
    let compiled = flat.compile(lethe_std_plugins::STD_SCRUBBER).unwrap();
    let err = compiled.plugin.scan(&[&text], None).unwrap_err();
    assert_eq!(err, lethe_sandbox::CallError::Timeout { budget: base });

    // A generous allowance: this shows the mechanism, not a speed (the
    // default's margin is a benchmark row).
    let per_mib = std::time::Duration::from_secs(2);
    let scaled = Sandbox::with_config(
        SandboxConfig::default()
            .call_deadline(base)
            .deadline_per_mib(per_mib),
    )
    .unwrap();
    let plugin = scaled
        .load_precompiled(&compiled.artifact.record, &compiled.artifact.bytes)
        .unwrap();
    let spans = plugin.scan(&[&text], None).expect("time for its size");
    let native = lethe_detectors::Scanner::new().scan(&text, None);
    assert_eq!(spans[0].len(), native.len());

    // An absurd budget is capped, not overflowed into a deadline that has
    // already passed (or a panic in wasmtime's epoch arithmetic).
    let unbounded = Sandbox::with_config(
        SandboxConfig::default()
            .call_deadline(std::time::Duration::MAX)
            .deadline_per_mib(std::time::Duration::MAX),
    )
    .unwrap();
    let plugin = unbounded
        .load_precompiled(&compiled.artifact.record, &compiled.artifact.bytes)
        .unwrap();
    let spans = plugin
        .scan(&["mail a@example.com"], None)
        .expect("no overflow");
    assert_eq!(spans[0].len(), 1);
}
