//! Bulk jobs, suppression, audit and idempotency, on the embedded store
//! with the real plugins. The nightly runs are in `nightly.rs`.

use lethe_core::audit::{self, AuditError};
use lethe_core::bulk_input::{IdList, from_csv};
use lethe_core::engine::model::{JobKind, JobStatus};
use lethe_core::engine::{EngineError, IngestItem};
use lethe_core::ports::{Condition, ItemStore, JobQueue, Record};
use lethe_core::tenant::SuppressionMode;
use lethe_e2e::engine::{Fixture, find_leftovers, operator_settings};
use lethe_synth::Customer;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csv_bulk_job_previews_confirms_and_counts() {
    let f = Fixture::with_chunk_size(operator_settings(), 4).await;
    let customers = f.seed(20, |_| 1).await;
    let e = f.engine();
    let mut csv = String::from("customer_id,note\n");
    for c in &customers[..10] {
        csv.push_str(&format!("{},x\n", c.id));
    }
    csv.push_str("cust-999998,x\ncust-999999,x\n");
    csv.push_str(&format!("{},dup\n", customers[0].id));
    let list = from_csv(csv.as_bytes()).unwrap();
    assert_eq!(list.issues.len(), 1, "the duplicate row is reported");
    let job = e.create_bulk_job(&f.tenant, &list, "alice").await.unwrap();
    assert_eq!(job.status, JobStatus::AwaitingConfirmation);
    let preview = job.preview.clone().unwrap();
    assert_eq!((preview.submitted, preview.matched), (12, 10));
    assert_eq!(preview.unknown_rows, vec![11, 12]);
    // Nothing happens before confirmation.
    assert_eq!(f.node.local.queue.stats().unwrap().pending, 0);

    let queued = e.confirm_job(&f.tenant, &job.id, "alice").await.unwrap();
    assert_eq!((queued.status, queued.chunks), (JobStatus::Queued, 3));
    let err = e
        .confirm_job(&f.tenant, &job.id, "alice")
        .await
        .unwrap_err();
    assert!(
        matches!(err, EngineError::InvalidTransition { .. }),
        "{err}"
    );
    f.drain().await;

    let done = e.job(&f.tenant, &job.id).await.unwrap();
    assert_eq!(done.status, JobStatus::Completed);
    assert_eq!(
        (
            done.counts.succeeded,
            done.counts.failed,
            done.counts.skipped
        ),
        (10, 0, 2)
    );
    assert_eq!(done.kind, JobKind::Manual);
    assert_eq!(done.created_by, "alice");
    assert!(done.started_at.is_some() && done.finished_at.is_some());
    assert_eq!(done.plugin_versions.len(), 2);
    assert!(e.job_failures(&f.tenant, &job.id).await.unwrap().is_empty());
    let mail = f.node.local.mailbox.messages();
    assert!(
        mail.iter()
            .any(|m| m.to == "ops@acme.example" && m.subject.contains(&job.id))
    );

    let everything = f.everything().await;
    let (erased, kept): (Vec<&Customer>, Vec<&Customer>) = customers
        .iter()
        .partition(|c| customers[..10].iter().any(|d| d.id == c.id));
    assert_eq!(find_leftovers(&everything, &erased, &kept), vec![]);
    assert!(!find_leftovers(&everything, &kept, &[]).is_empty());
    assert!(
        everything
            .iter()
            .all(|(place, _)| !place.starts_with("blob:uploads/")),
        "the id list is deleted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivered_chunk_redoes_nothing_and_counts_stay_right() {
    let f = Fixture::with_chunk_size(operator_settings(), 3).await;
    // Two chunks taken off the queue without acknowledging them...
    let (list, job, deliveries) = two_unacknowledged_chunks(&f).await;
    let e = f.engine();
    // ...handle each twice, the second one three times, out of order.
    for d in [
        &deliveries[1],
        &deliveries[0],
        &deliveries[1],
        &deliveries[0],
        &deliveries[1],
    ] {
        e.handle_chunk(&d.body).await.unwrap();
    }
    for d in &deliveries {
        f.node.local.queue.ack(&d.receipt).await.unwrap();
    }
    let done = e.job(&f.tenant, &job.id).await.unwrap();
    assert_eq!(done.status, JobStatus::Completed);
    assert_eq!(
        (
            done.counts.succeeded,
            done.counts.failed,
            done.counts.skipped
        ),
        (6, 0, 0)
    );
    let heads: Vec<serde_json::Value> = f
        .node
        .local
        .data
        .scan_all()
        .unwrap()
        .into_iter()
        .filter(|r| r.key.sk == "#head")
        .map(|r| r.body)
        .collect();
    assert_eq!(heads.len(), 6);
    assert!(
        heads
            .iter()
            .all(|h| h["redactions"] == 1 && h["redacted_by"] == job.id.as_str()),
        "{heads:?}"
    );
    // A later job over the same customers skips them.
    let again = e.create_bulk_job(&f.tenant, &list, "bob").await.unwrap();
    e.confirm_job(&f.tenant, &again.id, "bob").await.unwrap();
    f.drain().await;
    let again = e.job(&f.tenant, &again.id).await.unwrap();
    assert_eq!((again.counts.succeeded, again.counts.skipped), (0, 6));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erased_subject_is_refused_or_stripped_at_ingest() {
    let f = Fixture::new(operator_settings()).await;
    let customers = f.seed(2, |_| 1).await;
    let e = f.engine();
    let list = IdList {
        ids: vec![customers[0].id.clone()],
        issues: vec![],
    };
    let job = e.create_bulk_job(&f.tenant, &list, "alice").await.unwrap();
    e.confirm_job(&f.tenant, &job.id, "alice").await.unwrap();
    f.drain().await;

    let again = |customer: &str, email: &str| IngestItem {
        customer: customer.into(),
        kind: "profile".into(),
        id: "main".into(),
        data: json!({"email": email, "plan": "pro"}),
        active_at: None,
    };
    // The same customer id, or the same e-mail under a new id: refused.
    let outcome = e
        .ingest(
            &f.tenant,
            vec![
                again(&customers[0].id, "new@example.com"),
                again("cust-new", &customers[0].email.to_uppercase()),
                again("cust-fresh", "fresh@example.com"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(outcome.refused, vec![0, 1]);
    assert_eq!(outcome.stored, 1);

    // Strip mode: stored, with the personal data gone.
    let mut s = e.tenant(&f.tenant).await.unwrap().settings;
    s.suppression = SuppressionMode::Strip;
    e.update_settings(&f.tenant, s, "alice").await.unwrap();
    let outcome = e
        .ingest(&f.tenant, vec![again("cust-new", &customers[0].email)])
        .await
        .unwrap();
    assert_eq!((outcome.stored, outcome.stripped), (1, 1));
    let stored = f
        .node
        .local
        .data
        .get(&lethe_core::keys::item(
            "acme", "cust-new", "profile", "main",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.body["data"], json!({"email": null, "plan": "pro"}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_chain_verifies_and_any_tampering_is_detected() {
    let f = Fixture::new(operator_settings()).await;
    let customers = f.seed(3, |_| 1).await;
    let e = f.engine();
    let list = IdList {
        ids: vec![customers[1].id.clone()],
        issues: vec![],
    };
    let job = e.create_bulk_job(&f.tenant, &list, "alice").await.unwrap();
    e.confirm_job(&f.tenant, &job.id, "alice").await.unwrap();
    f.drain().await;
    let control = f.node.local.control.as_ref();
    let head = audit::verify(control, &f.tenant).await.unwrap();
    assert!(
        head.seq >= 4,
        "tenant, job created/confirmed, chunk, completed"
    );
    let events = audit::list(control, &f.tenant, 0, 100).await.unwrap();
    let text = serde_json::to_string(&events).unwrap();
    for c in &customers {
        assert!(
            !text.contains(&c.id) && !text.contains(&c.email),
            "no personal data in audit events"
        );
    }
    let cert = e
        .job(&f.tenant, &job.id)
        .await
        .unwrap()
        .certificate
        .unwrap();
    let key = e.tenant(&f.tenant).await.unwrap().keys().certificate;
    audit::verify_certificate(control, &cert, &key)
        .await
        .unwrap();

    // Change one event's details.
    let key2 = lethe_core::keys::audit_event(&f.tenant, 2);
    let mut record: Record = control.get(&key2).await.unwrap().unwrap();
    record.body["actor"] = json!("mallory");
    control.put(record, Condition::None).await.unwrap();
    let err = audit::verify(control, &f.tenant).await.unwrap_err();
    assert!(matches!(err, AuditError::Broken { seq: 2, .. }), "{err}");
    assert!(
        audit::verify_certificate(control, &cert, &key)
            .await
            .is_err()
    );
    // A forged certificate fails on its own.
    let mut forged = cert.clone();
    forged.counts.insert("subjects_succeeded".into(), 99);
    assert!(!forged.signature_valid(&key));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_attribute_a_conversation_and_an_ips_log_items_can_be_deleted() {
    let f = Fixture::new(operator_settings()).await;
    let customers = f.seed(2, |_| 1).await;
    let e = f.engine();
    let c = &customers[0];
    e.delete_attribute(&f.tenant, &c.id, "profile", "main", "address.street", "op")
        .await
        .unwrap();
    let profile = f
        .node
        .local
        .data
        .get(&lethe_core::keys::item("acme", &c.id, "profile", "main"))
        .await
        .unwrap()
        .unwrap();
    assert!(profile.body["data"]["address"].get("street").is_none());
    assert!(profile.body["data"]["address"].get("city").is_some());
    assert!(matches!(
        e.delete_attribute(&f.tenant, &c.id, "profile", "main", "address.street", "op")
            .await,
        Err(EngineError::NotFound { what: "attribute" })
    ));
    assert!(matches!(
        e.delete_attribute(&f.tenant, &c.id, "profile", "main", "a..b", "op")
            .await,
        Err(EngineError::Invalid(_))
    ));

    let conv = format!("c-{}-0", 0);
    e.delete_item(&f.tenant, &c.id, "conversation", &conv, "op")
        .await
        .unwrap();
    assert!(matches!(
        e.delete_item(&f.tenant, &c.id, "conversation", &conv, "op")
            .await,
        Err(EngineError::NotFound { .. })
    ));

    let ip = c.pii[4].clone();
    assert_eq!(
        e.delete_by_ip(&f.tenant, &ip.to_uppercase(), "op")
            .await
            .unwrap(),
        1
    );
    assert_eq!(e.delete_by_ip(&f.tenant, &ip, "op").await.unwrap(), 0);
    assert!(matches!(
        e.delete_by_ip(&f.tenant, "not-an-ip", "op").await,
        Err(EngineError::Invalid(_))
    ));
    let logs = f
        .node
        .local
        .data
        .scan_all()
        .unwrap()
        .into_iter()
        .filter(|r| r.key.sk.starts_with("log#"))
        .count();
    assert_eq!(logs, 1, "the other customer's log stays");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_preview_shows_customers_sharing_a_name_email_or_phone() {
    let f = Fixture::new(operator_settings()).await;
    let e = f.engine();
    let profile = |customer: &str, name: &str, email: &str, phone: &str| IngestItem {
        customer: customer.into(),
        kind: "profile".into(),
        id: "main".into(),
        data: json!({"name": name, "email": email, "phone": phone}),
        active_at: None,
    };
    e.ingest(
        &f.tenant,
        vec![
            profile("a", "Jöns Åberg", "jons@example.com", "070-111 22 33"),
            profile("b", "Jöns Åberg", "other@example.com", "+46 70 999 88 77"),
            profile("c", "Ada Lovelace", "JONS@example.com", "0709998877"),
            profile("d", "Grace Hopper", "grace@example.com", "+1 212 555 0199"),
        ],
    )
    .await
    .unwrap();
    let list = IdList {
        ids: vec!["a".into(), "b".into(), "d".into(), "zz".into()],
        issues: vec![],
    };
    let job = e.create_bulk_job(&f.tenant, &list, "alice").await.unwrap();
    let preview = job.preview.unwrap();
    assert_eq!(
        (preview.matched, preview.unknown_rows.clone()),
        (3, vec![4])
    );
    let groups: Vec<_> = preview
        .duplicate_groups
        .iter()
        .map(|g| (g.shared, g.rows.clone(), g.others_not_in_list))
        .collect();
    use lethe_core::lookup::IdentifierKind::{Email, Name, Phone};
    assert!(groups.contains(&(Name, vec![1, 2], 0)), "{groups:?}");
    assert!(
        groups.contains(&(Email, vec![1], 1)),
        "a shares an e-mail with c, not listed: {groups:?}"
    );
    assert!(
        groups.contains(&(Phone, vec![2], 1)),
        "b shares a phone with c: {groups:?}"
    );
    assert_eq!(groups.len(), 3, "d shares nothing: {groups:?}");
    let text = serde_json::to_string(&preview.duplicate_groups).unwrap();
    assert!(
        !text.contains("Jöns") && !text.contains("example.com"),
        "no values in the preview"
    );

    // Cancelled before confirmation: nothing happens, and it stays cancelled.
    let cancelled = e.cancel_job(&f.tenant, &job.id, "alice").await.unwrap();
    assert_eq!(cancelled.status, JobStatus::Cancelled);
    assert!(e.confirm_job(&f.tenant, &job.id, "alice").await.is_err());
    assert_eq!(f.node.local.queue.stats().unwrap().pending, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_chunks_are_sent_again_and_the_job_still_completes_once() {
    let f = Fixture::with_chunk_size(operator_settings(), 2).await;
    let customers = f.seed(6, |_| 1).await;
    let e = f.engine();
    let list = IdList {
        ids: customers.iter().map(|c| c.id.clone()).collect(),
        issues: vec![],
    };
    let job = e.create_bulk_job(&f.tenant, &list, "alice").await.unwrap();
    e.confirm_job(&f.tenant, &job.id, "alice").await.unwrap();
    // One chunk is handled; the other two are lost (acknowledged unhandled).
    let deliveries = f
        .node
        .local
        .queue
        .receive(10, std::time::Duration::from_secs(60))
        .await
        .unwrap();
    e.handle_chunk(&deliveries[0].body).await.unwrap();
    let running = e.job(&f.tenant, &job.id).await.unwrap();
    assert_eq!(
        running.counts.succeeded, 2,
        "a running job shows the chunks done so far"
    );
    for d in &deliveries {
        f.node.local.queue.ack(&d.receipt).await.unwrap();
    }
    assert_eq!(
        e.job(&f.tenant, &job.id).await.unwrap().status,
        JobStatus::Running
    );
    assert_eq!(
        e.requeue_job(&f.tenant, &job.id).await.unwrap(),
        2,
        "only the chunks without a result"
    );
    f.drain().await;
    let done = e.job(&f.tenant, &job.id).await.unwrap();
    assert_eq!(
        (done.status, done.counts.succeeded),
        (JobStatus::Completed, 6)
    );
    assert!(matches!(
        e.requeue_job(&f.tenant, &job.id).await,
        Err(EngineError::InvalidTransition { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_activated_mid_job_is_listed_among_the_versions_the_job_ran_with() {
    let f = Fixture::with_chunk_size(operator_settings(), 3).await;
    let (_, job, deliveries) = two_unacknowledged_chunks(&f).await;
    let e = f.engine();
    e.handle_chunk(&deliveries[0].body).await.unwrap();
    let started = e.job(&f.tenant, &job.id).await.unwrap().plugin_versions;
    // Between the two chunks the tenant activates another field map.
    let sandbox = lethe_sandbox::Sandbox::new().unwrap();
    let compile = |bytes| sandbox.compile(bytes).unwrap().plugin;
    // (The same rules under the tenant's own name: another version.)
    let commerce = lethe_sandbox::NamedPlugin::new(
        "acme-fieldmap",
        compile(lethe_std_plugins::FIELDMAP_GENERIC),
    );
    let scrubber =
        lethe_sandbox::NamedPlugin::new("std-scrubber", compile(lethe_std_plugins::STD_SCRUBBER));
    let new_version = commerce.version();
    f.node.runtime.activate(&f.tenant, commerce, scrubber);
    e.handle_chunk(&deliveries[1].body).await.unwrap();
    let done = e.job(&f.tenant, &job.id).await.unwrap();
    assert_eq!(done.status, JobStatus::Completed);
    assert!(!started.contains(&new_version));
    for v in &started {
        assert!(done.plugin_versions.contains(v), "{v} kept");
    }
    assert!(
        done.plugin_versions.contains(&new_version),
        "{:?} lists {new_version}",
        done.plugin_versions
    );
}

/// Six customers in a confirmed bulk job of two chunks (the fixture's chunk
/// size is 3), both chunks received from the queue and not acknowledged;
/// with the job's id list.
async fn two_unacknowledged_chunks(
    f: &Fixture,
) -> (
    IdList,
    lethe_core::engine::model::Job,
    Vec<lethe_core::ports::Delivery>,
) {
    let customers = f.seed(6, |_| 1).await;
    let e = f.engine();
    let list = IdList {
        ids: customers.iter().map(|c| c.id.clone()).collect(),
        issues: vec![],
    };
    let job = e.create_bulk_job(&f.tenant, &list, "alice").await.unwrap();
    e.confirm_job(&f.tenant, &job.id, "alice").await.unwrap();
    let deliveries = f
        .node
        .local
        .queue
        .receive(10, std::time::Duration::from_secs(600))
        .await
        .unwrap();
    assert_eq!(deliveries.len(), 2);
    (list, job, deliveries)
}
