//! The `lethe` binary, run as a user runs it, on the bundled samples.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn lethe(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lethe"))
        .args(args)
        .current_dir(repo())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("lethe starts");
    // lethe may refuse before reading its input; a closed pipe is fine then.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().expect("lethe finishes")
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(repo().join("samples").join(name)).expect("sample exists")
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("output is JSONL"))
        .collect()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn validate_accepts_the_builtins_and_explains_a_refusal() {
    let ok = lethe(&["plugin", "validate", "builtin:fieldmap-commerce"], b"");
    assert!(ok.status.success(), "{}", stderr(&ok));
    let summary = String::from_utf8(ok.stdout).unwrap();
    assert!(
        summary.contains("kinds       profile, order, conversation"),
        "{summary}"
    );

    let dir = tempfile::tempdir().unwrap();
    let bogus = dir.path().join("notes.wasm");
    std::fs::write(&bogus, b"not a plugin").unwrap();
    let refused = lethe(&["plugin", "validate", bogus.to_str().unwrap()], b"");
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("not WebAssembly"),
        "{}",
        stderr(&refused)
    );

    let missing = lethe(&["plugin", "validate", "builtin:nope"], b"");
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("std-scrubber"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn scan_streams_one_answer_per_line_with_valid_offsets() {
    let input = sample("transcripts.jsonl");
    let out = lethe(
        &["scan", "--subject", "samples/subject.json", "--batch", "7"],
        &input,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let texts: Vec<Value> = String::from_utf8(input)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let answers = lines(&out);
    assert_eq!(answers.len(), texts.len());
    let mut subject_hits = 0;
    for (text, answer) in texts.iter().zip(&answers) {
        assert_eq!(text["id"], answer["id"]);
        let text = text["text"].as_str().unwrap();
        for span in answer["spans"].as_array().unwrap() {
            let (start, end) = (
                span["start"].as_u64().unwrap() as usize,
                span["end"].as_u64().unwrap() as usize,
            );
            let found = text.get(start..end).expect("offsets on char boundaries");
            if found.to_lowercase().contains("lindqvist") {
                subject_hits += 1;
            }
        }
    }
    assert!(
        subject_hits >= 2,
        "the subject is found in other spellings ({subject_hits})"
    );
}

#[test]
fn redact_items_erases_the_commerce_pii_and_keeps_the_rest() {
    // An erasure: the subject's values are also searched for in free text
    // (without a subject, names in free text are not detected: no NER).
    let args = [
        "redact-items",
        "--field-map",
        "builtin:fieldmap-commerce",
        "--subject",
        "samples/subject.json",
    ];
    let out = lethe(&args, &sample("items.jsonl"));
    assert!(out.status.success(), "{}", stderr(&out));
    let items = lines(&out);
    assert_eq!(items.len(), 30);
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    for gone in [
        "astrid.lindqvist@example.com",
        "Lindqvist",
        "+46 70 174 06 42",
        "Storgatan 12",
    ] {
        assert!(!text.contains(gone), "{gone} survived redaction");
    }
    let profile = items.iter().find(|i| i["kind"] == "profile").unwrap();
    assert_eq!(profile["item"]["email"], Value::Null);
    assert!(profile["item"]["loyalty_tier"].is_string());
    let order = items.iter().find(|i| i["kind"] == "order").unwrap();
    assert!(order["item"]["total"].is_number(), "retained amounts stay");
    assert!(
        stderr(&out).contains("redacted 30 items"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_input_names_the_line_and_never_echoes_it() {
    let input = b"{\"id\":1,\"text\":\"fine\"}\n{\"id\":2,\"txt\":\"someone@example.com\"}\n";
    let out = lethe(&["scan"], input);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("line 2"), "{err}");
    assert!(!err.contains("someone@example.com"), "{err}");

    let out = lethe(&["redact-items", "--kind", "profile"], b"[1,2]\n{");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("line 2"), "{}", stderr(&out));
}

#[test]
fn a_pseudonymizing_policy_needs_the_tenant_key() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.json");
    std::fs::write(&policy, br#"{"email": "pseudonymize"}"#).unwrap();
    let item = b"{\"email\":\"someone@example.com\",\"plan\":\"pro\"}\n";
    let args = [
        "redact-items",
        "--kind",
        "profile",
        "--policy",
        policy.to_str().unwrap(),
    ];
    let refused = lethe(&args, item);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("LETHE_PSEUDONYM_KEY"),
        "{}",
        stderr(&refused)
    );

    let mut child = Command::new(env!("CARGO_BIN_EXE_lethe"));
    child.args(args).env("LETHE_PSEUDONYM_KEY", "11".repeat(32));
    let mut child = child
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(item).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let redacted = &lines(&out)[0];
    assert!(
        redacted["email"].as_str().unwrap().starts_with("psn_"),
        "{redacted}"
    );
    assert_eq!(redacted["plan"], "pro");
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lethe"))
        .args(["scan"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader is gone before anything is written
    let line = b"{\"id\":1,\"text\":\"mail a@example.com\"}\n".repeat(20_000);
    let _ = child.stdin.take().unwrap().write_all(&line);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}
