use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::Timestamp;
use serde_json::{Value, json};

use super::test_store::MemoryStore;
use super::*;
use crate::keys;
use crate::ports::{ItemStore, Record};

const T: &str = "acme";
const KEY: [u8; 32] = [7; 32];

fn at(second: i64) -> Timestamp {
    Timestamp::from_second(1_750_000_000 + second).unwrap()
}

async fn fill(store: &MemoryStore, n: u64) -> Vec<AuditEvent> {
    let mut out = Vec::new();
    for i in 0..n {
        let details = json!({"n": i, "categories": {"email": 2, "name": 1}});
        out.push(
            append(
                store,
                T,
                at(i as i64),
                "system",
                "request.completed",
                &format!("req-{i}"),
                details,
            )
            .await
            .unwrap(),
        );
    }
    out
}

fn broken_at(err: AuditError) -> u64 {
    match err {
        AuditError::Broken { seq, .. } => seq,
        other => panic!("expected a broken chain, got {other}"),
    }
}

#[tokio::test]
async fn an_empty_chain_has_the_genesis_head() {
    let store = MemoryStore::new();
    assert_eq!(head(&store, T).await.unwrap(), ChainHead::genesis());
    assert_eq!(verify(&store, T).await.unwrap(), ChainHead::genesis());
    assert_eq!(GENESIS.len(), 64);
    assert!(GENESIS.bytes().all(|b| b == b'0'));
    assert!(list(&store, T, 0, 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn appended_events_chain_and_verify() {
    let store = MemoryStore::new();
    let events = fill(&store, 30).await;
    for (i, event) in events.iter().enumerate() {
        assert_eq!(event.seq, i as u64 + 1);
        let prev = if i == 0 {
            GENESIS
        } else {
            events[i - 1].hash.as_str()
        };
        assert_eq!(event.prev_hash, prev);
        assert_eq!(event.computed_hash(), event.hash);
        assert_eq!(event.hash.len(), 64);
    }
    let last = events.last().unwrap().chain_head();
    assert_eq!(head(&store, T).await.unwrap(), last);
    assert_eq!(verify(&store, T).await.unwrap(), last);

    assert_eq!(list(&store, T, 0, 100).await.unwrap(), events);
    let page = list(&store, T, 10, 5).await.unwrap();
    assert_eq!(page, events[10..15]);
    assert!(list(&store, T, 30, 5).await.unwrap().is_empty());
    assert!(list(&store, T, 0, 0).await.unwrap().is_empty());

    // Tenants have separate chains.
    assert_eq!(head(&store, "other").await.unwrap(), ChainHead::genesis());
}

#[test]
fn the_hash_covers_every_field_unambiguously() {
    let d = json!({"a": 1});
    let base = event_hash(GENESIS, 1, at(0), "ab", "c", "t", &d);
    assert_ne!(base, event_hash(GENESIS, 1, at(0), "a", "bc", "t", &d));
    assert_ne!(base, event_hash(GENESIS, 2, at(0), "ab", "c", "t", &d));
    assert_ne!(base, event_hash(GENESIS, 1, at(1), "ab", "c", "t", &d));
    let nanos = Timestamp::new(at(0).as_second(), 1).unwrap();
    assert_ne!(base, event_hash(GENESIS, 1, nanos, "ab", "c", "t", &d));
    assert_ne!(
        base,
        event_hash(&"1".repeat(64), 1, at(0), "ab", "c", "t", &d)
    );
    assert_ne!(base, event_hash(GENESIS, 1, at(0), "ab", "c", "u", &d));
    assert_ne!(
        base,
        event_hash(GENESIS, 1, at(0), "ab", "c", "t", &json!({"a": 2}))
    );
    // Key order of the details does not matter.
    let a: Value = serde_json::from_str(r#"{"x":1,"y":2}"#).unwrap();
    let b: Value = serde_json::from_str(r#"{"y":2,"x":1}"#).unwrap();
    assert_eq!(
        event_hash(GENESIS, 1, at(0), "a", "b", "c", &a),
        event_hash(GENESIS, 1, at(0), "a", "b", "c", &b)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appenders_get_distinct_sequence_numbers() {
    let store = Arc::new(MemoryStore::new());
    let mut tasks = Vec::new();
    for task in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut seqs = Vec::new();
            for i in 0..25 {
                let e = append(
                    store.as_ref(),
                    T,
                    at(i),
                    &format!("worker-{task}"),
                    "job.chunk",
                    "job-1",
                    json!({"i": i}),
                )
                .await
                .unwrap();
                seqs.push(e.seq);
            }
            seqs
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    all.sort_unstable();
    assert_eq!(all, (1..=200).collect::<Vec<u64>>());
    let verified = verify(store.as_ref(), T).await.unwrap();
    assert_eq!(verified.seq, 200);
    assert_eq!(head(store.as_ref(), T).await.unwrap(), verified);
}

#[tokio::test]
async fn changing_any_field_of_any_event_is_found_at_that_event() {
    type Change = fn(&mut Value);
    let changes: [(&str, Change); 8] = [
        ("seq", |v| {
            v["seq"] = json!(v["seq"].as_u64().unwrap() + 100)
        }),
        ("at", |v| v["at"] = json!("2001-01-01T00:00:00Z")),
        ("actor", |v| v["actor"] = json!("mallory")),
        ("action", |v| v["action"] = json!("nothing.happened")),
        ("target", |v| v["target"] = json!("req-x")),
        ("details", |v| {
            v["details"]["categories"]["email"] = json!(0)
        }),
        ("prev_hash", |v| v["prev_hash"] = json!("f".repeat(64))),
        ("hash", |v| v["hash"] = json!("e".repeat(64))),
    ];
    for (field, change) in changes {
        for seq in [1, 4, 7] {
            let store = MemoryStore::new();
            fill(&store, 7).await;
            store.tamper(&keys::audit_event(T, seq), change);
            let err = verify(&store, T).await.unwrap_err();
            let msg = err.to_string();
            assert_eq!(broken_at(err), seq, "{field} of event {seq}: {msg}");
        }
    }
}

#[tokio::test]
async fn a_consistently_rewritten_event_breaks_the_next_link() {
    // Recomputing the changed event's own hash does not help: the next event
    // still links to the old hash.
    let store = MemoryStore::new();
    fill(&store, 5).await;
    store.tamper(&keys::audit_event(T, 3), |v| {
        let mut e: AuditEvent = serde_json::from_value(v.clone()).unwrap();
        e.target = "req-forged".into();
        e.hash = e.computed_hash();
        *v = serde_json::to_value(e).unwrap();
    });
    assert_eq!(broken_at(verify(&store, T).await.unwrap_err()), 4);
}

#[tokio::test]
async fn a_deleted_event_is_named() {
    let store = MemoryStore::new();
    fill(&store, 6).await;
    store.remove(&keys::audit_event(T, 3)).unwrap();
    let err = verify(&store, T).await.unwrap_err();
    assert!(err.to_string().contains("missing"), "{err}");
    assert_eq!(broken_at(err), 3);

    // Deleting the last event leaves the head naming a missing one.
    let store = MemoryStore::new();
    fill(&store, 6).await;
    store.remove(&keys::audit_event(T, 6)).unwrap();
    assert_eq!(broken_at(verify(&store, T).await.unwrap_err()), 6);

    // So does deleting the first.
    let store = MemoryStore::new();
    fill(&store, 6).await;
    store.remove(&keys::audit_event(T, 1)).unwrap();
    assert_eq!(broken_at(verify(&store, T).await.unwrap_err()), 1);
}

#[tokio::test]
async fn reordered_events_are_found() {
    let store = MemoryStore::new();
    fill(&store, 6).await;
    let two = store.remove(&keys::audit_event(T, 2)).unwrap();
    let five = store.remove(&keys::audit_event(T, 5)).unwrap();
    store.insert_raw(Record {
        key: keys::audit_event(T, 2),
        ..five
    });
    store.insert_raw(Record {
        key: keys::audit_event(T, 5),
        ..two
    });
    assert_eq!(broken_at(verify(&store, T).await.unwrap_err()), 2);
}

#[tokio::test]
async fn a_head_that_disagrees_is_found() {
    let store = MemoryStore::new();
    fill(&store, 4).await;
    store.tamper(&keys::audit_head(T), |v| v["hash"] = json!("a".repeat(64)));
    assert_eq!(broken_at(verify(&store, T).await.unwrap_err()), 4);

    let store = MemoryStore::new();
    fill(&store, 4).await;
    store.tamper(&keys::audit_head(T), |v| v["seq"] = json!(9));
    assert_eq!(broken_at(verify(&store, T).await.unwrap_err()), 9);

    let store = MemoryStore::new();
    fill(&store, 4).await;
    store.tamper(&keys::audit_head(T), |v| *v = json!("nonsense"));
    assert!(matches!(
        verify(&store, T).await.unwrap_err(),
        AuditError::Broken { .. }
    ));
}

/// Plays a crash between an event's write and its head's: writes the next
/// event only.
async fn crash_after_event(store: &MemoryStore, seq: u64, prev_hash: &str) -> AuditEvent {
    let details = json!({"crashed": true});
    let hash = event_hash(
        prev_hash,
        seq,
        at(99),
        "system",
        "job.chunk",
        "job-9",
        &details,
    );
    let event = AuditEvent {
        seq,
        at: at(99),
        actor: "system".into(),
        action: "job.chunk".into(),
        target: "job-9".into(),
        details,
        prev_hash: prev_hash.into(),
        hash,
    };
    store
        .put(
            Record::new(
                keys::audit_event(T, seq),
                serde_json::to_value(&event).unwrap(),
            ),
            crate::ports::Condition::Absent,
        )
        .await
        .unwrap();
    event
}

#[tokio::test]
async fn a_crash_between_event_and_head_is_repaired_by_the_next_append() {
    let store = MemoryStore::new();
    let events = fill(&store, 3).await;
    let orphan = crash_after_event(&store, 4, &events[2].hash).await;

    // The head record lags, but nothing is broken and `head` sees the event.
    assert_eq!(verify(&store, T).await.unwrap(), orphan.chain_head());
    assert_eq!(head(&store, T).await.unwrap(), orphan.chain_head());

    let next = append(&store, T, at(100), "system", "x", "y", json!({}))
        .await
        .unwrap();
    assert_eq!(next.seq, 5);
    assert_eq!(next.prev_hash, orphan.hash);
    assert_eq!(verify(&store, T).await.unwrap(), next.chain_head());
    let recorded: ChainHead =
        serde_json::from_value(store.get(&keys::audit_head(T)).await.unwrap().unwrap().body)
            .unwrap();
    assert_eq!(recorded, next.chain_head());
}

#[tokio::test]
async fn a_crash_before_the_first_head_is_repaired() {
    let store = MemoryStore::new();
    let orphan = crash_after_event(&store, 1, GENESIS).await;
    assert_eq!(verify(&store, T).await.unwrap(), orphan.chain_head());
    let next = append(&store, T, at(100), "system", "x", "y", json!({}))
        .await
        .unwrap();
    assert_eq!(
        (next.seq, next.prev_hash.as_str()),
        (2, orphan.hash.as_str())
    );
    assert_eq!(verify(&store, T).await.unwrap().seq, 2);
}

fn certificate(chain_head: ChainHead) -> Certificate {
    CertificateBody {
        id: "cert-1".into(),
        tenant: T.into(),
        scope: CertificateScope::Request { id: "req-7".into() },
        issued_at: at(1000),
        counts: BTreeMap::from([("items_redacted".into(), 12), ("items_deleted".into(), 1)]),
        categories: BTreeMap::from([("email".into(), 3), ("free-text".into(), 2)]),
        plugin_versions: vec!["std-scrubber@1a2b3c4d".into()],
        chain_head,
    }
    .sign(&KEY)
}

#[tokio::test]
async fn a_certificate_verifies_against_its_chain() {
    let store = MemoryStore::new();
    let events = fill(&store, 5).await;
    let cert = certificate(events[3].chain_head());
    assert!(cert.signature_valid(&KEY));
    assert_eq!(Certificate::sign(cert.body(), &KEY), cert);
    verify_certificate(&store, &cert, &KEY).await.unwrap();

    // Survives a round trip through JSON, in the documented shape.
    let text = serde_json::to_value(&cert).unwrap();
    assert_eq!(text["scope"], json!({"kind": "request", "id": "req-7"}));
    let back: Certificate = serde_json::from_value(text).unwrap();
    assert!(back.signature_valid(&KEY));

    // Events after the pinned one do not matter, even broken ones.
    store.tamper(&keys::audit_event(T, 5), |v| v["actor"] = json!("x"));
    verify_certificate(&store, &cert, &KEY).await.unwrap();

    // A certificate of an empty chain.
    let empty = MemoryStore::new();
    verify_certificate(&empty, &certificate(ChainHead::genesis()), &KEY)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_tampered_certificate_is_invalid() {
    let store = MemoryStore::new();
    let events = fill(&store, 3).await;
    let cert = certificate(events[2].chain_head());

    let mut forged = cert.clone();
    *forged.counts.get_mut("items_redacted").unwrap() = 13;
    assert!(!forged.signature_valid(&KEY));
    assert!(matches!(
        verify_certificate(&store, &forged, &KEY).await,
        Err(AuditError::InvalidSignature)
    ));

    let mut forged = cert.clone();
    forged.scope = CertificateScope::Job { id: "req-7".into() };
    assert!(!forged.signature_valid(&KEY));

    let mut forged = cert.clone();
    forged.signature = "zz".into();
    assert!(!forged.signature_valid(&KEY));
    forged.signature.clear();
    assert!(!forged.signature_valid(&KEY));

    assert!(!cert.signature_valid(&[8; 32]));
}

#[tokio::test]
async fn a_certificate_over_a_changed_event_fails() {
    let store = MemoryStore::new();
    let events = fill(&store, 4).await;
    let cert = certificate(events[2].chain_head());
    store.tamper(&keys::audit_event(T, 3), |v| {
        v["target"] = json!("req-other")
    });
    assert_eq!(
        broken_at(verify_certificate(&store, &cert, &KEY).await.unwrap_err()),
        3
    );

    // An earlier change breaks it too.
    let store = MemoryStore::new();
    let events = fill(&store, 4).await;
    let cert = certificate(events[2].chain_head());
    store.tamper(&keys::audit_event(T, 1), |v| v["action"] = json!("x"));
    assert_eq!(
        broken_at(verify_certificate(&store, &cert, &KEY).await.unwrap_err()),
        1
    );

    // A whole chain rewritten consistently no longer matches the certificate.
    let store = MemoryStore::new();
    let events = fill(&store, 4).await;
    let cert = certificate(events[2].chain_head());
    let rewritten = MemoryStore::new();
    for i in 0..4 {
        append(&rewritten, T, at(i), "mallory", "x", "y", json!({}))
            .await
            .unwrap();
    }
    assert!(matches!(
        verify_certificate(&rewritten, &cert, &KEY).await,
        Err(AuditError::HeadMismatch { seq: 3 })
    ));

    // A certificate naming an event the chain does not have.
    let cert = certificate(ChainHead {
        seq: 9,
        hash: events[2].hash.clone(),
    });
    assert_eq!(
        broken_at(verify_certificate(&store, &cert, &KEY).await.unwrap_err()),
        5
    );
}

#[tokio::test]
async fn errors_name_sequence_numbers_not_content() {
    let store = MemoryStore::new();
    append(
        &store,
        T,
        at(0),
        "system",
        "request.received",
        "req-1",
        json!({"s": "SECRET-VALUE"}),
    )
    .await
    .unwrap();
    store.tamper(&keys::audit_event(T, 1), |v| {
        v["details"]["s"] = json!("OTHER-VALUE")
    });
    let msg = verify(&store, T).await.unwrap_err().to_string();
    assert!(!msg.contains("VALUE") && !msg.contains("req-1"), "{msg}");
    assert!(msg.contains("event 1"), "{msg}");
}

#[tokio::test]
async fn an_unparseable_event_is_named_and_stops_appends_cleanly() {
    let store = MemoryStore::new();
    fill(&store, 2).await;
    store.tamper(&keys::audit_event(T, 2), |v| *v = json!({"seq": "two"}));
    assert_eq!(broken_at(verify(&store, T).await.unwrap_err()), 2);
    assert!(list(&store, T, 0, 10).await.is_err());
}
