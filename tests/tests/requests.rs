//! Privacy-request lifecycles: every transition, every invalid one (a clear
//! error and nothing changed), verification links (expiry, reuse, forgery),
//! access exports and deadline reminders.

use jiff::SignedDuration;
use lethe_core::engine::model::{RequestKind, RequestStatus, SubjectBy};
use lethe_core::engine::{EngineError, NewRequest, NightKind};
use lethe_core::ports::{BlobStore, Clock, NotificationKind, read_all};
use lethe_core::tenant::{Handling, Region, Settings};
use lethe_e2e::engine::{Fixture, find_leftovers, operator_settings};
use sha2::{Digest, Sha256};

fn settings(handling: Handling) -> Settings {
    Settings {
        handling,
        ..operator_settings()
    }
}

fn erasure(email: &str) -> NewRequest {
    NewRequest {
        kind: RequestKind::Erasure,
        subject: SubjectBy::Email(email.into()),
        contact: None,
    }
}

fn access(email: &str) -> NewRequest {
    NewRequest {
        kind: RequestKind::Access,
        subject: SubjectBy::Email(email.into()),
        contact: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manual_handling_waits_for_approval_and_invalid_transitions_change_nothing() {
    let f = Fixture::new(settings(Handling::Manual)).await;
    let customers = f.seed(3, |_| 1).await;
    let e = f.engine();
    let (request, link) = e
        .create_request(&f.tenant, erasure(&customers[0].email), "intake")
        .await
        .unwrap();
    let id = request.id.clone();
    assert_eq!(
        request.due_at,
        request.received_at + SignedDuration::from_hours(30 * 24)
    );

    // Unverified: cannot be approved.
    let err = e.approve_request(&f.tenant, &id, "op").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot approve a request that is unverified"
    );
    assert_eq!(
        e.request(&f.tenant, &id).await.unwrap(),
        request,
        "nothing changed"
    );

    // Verified: pending, waiting for an operator.
    let pending = e
        .verify_request(&f.tenant, &id, &link.unwrap().token)
        .await
        .unwrap();
    assert_eq!(pending.status, RequestStatus::Pending);
    let approved = e.approve_request(&f.tenant, &id, "op").await.unwrap();
    assert_eq!(approved.status, RequestStatus::Processing);
    assert_eq!(approved.approved_by.as_deref(), Some("op"));
    f.drain().await;
    let done = e.request(&f.tenant, &id).await.unwrap();
    assert_eq!(done.status, RequestStatus::Completed);

    // Completed: neither approved, rejected, nor verified again.
    for err in [
        e.approve_request(&f.tenant, &id, "op").await.unwrap_err(),
        e.reject_request(&f.tenant, &id, "changed my mind", "op")
            .await
            .unwrap_err(),
    ] {
        assert!(
            matches!(
                err,
                EngineError::InvalidTransition {
                    state: "completed",
                    ..
                }
            ),
            "{err}"
        );
    }
    assert_eq!(e.request(&f.tenant, &id).await.unwrap(), done);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejection_needs_a_reason_and_tells_the_subject() {
    let f = Fixture::new(settings(Handling::Manual)).await;
    let customers = f.seed(1, |_| 1).await;
    let e = f.engine();
    let (request, _) = e
        .create_request(&f.tenant, access(&customers[0].email), "intake")
        .await
        .unwrap();
    assert_eq!(
        request.status,
        RequestStatus::Pending,
        "access needs no verification"
    );
    let err = e
        .reject_request(&f.tenant, &request.id, "  ", "op")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("needs a reason"), "{err}");
    let rejected = e
        .reject_request(
            &f.tenant,
            &request.id,
            "duplicate of an earlier request",
            "op",
        )
        .await
        .unwrap();
    assert_eq!(rejected.status, RequestStatus::Rejected);
    assert!(rejected.contact.is_none());
    let mail = f.node.local.mailbox.messages();
    assert!(
        mail.iter()
            .any(|m| m.subject.contains("declined") && m.body.contains("duplicate of an earlier"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verification_links_expire_are_single_use_and_cannot_be_forged() {
    let f = Fixture::new(settings(Handling::Automatic)).await;
    let customers = f.seed(2, |_| 1).await;
    let e = f.engine();

    // Expired.
    let (r1, l1) = e
        .create_request(&f.tenant, erasure(&customers[0].email), "intake")
        .await
        .unwrap();
    f.clock.advance(SignedDuration::from_hours(73));
    let err = e
        .verify_request(&f.tenant, &r1.id, &l1.unwrap().token)
        .await
        .unwrap_err();
    assert!(matches!(err, EngineError::Link("expired")), "{err}");
    assert_eq!(
        e.request(&f.tenant, &r1.id).await.unwrap().status,
        RequestStatus::Unverified
    );

    // Forged: another request's token, a tampered token, garbage.
    let (r2, l2) = e
        .create_request(&f.tenant, erasure(&customers[1].email), "intake")
        .await
        .unwrap();
    let (r3, _) = e
        .create_request(&f.tenant, erasure(&customers[1].email), "intake")
        .await
        .unwrap();
    let token = l2.unwrap().token;
    let mut tampered = token.clone();
    tampered.replace_range(0..1, if tampered.starts_with('9') { "8" } else { "9" });
    for (id, bad) in [
        (&r3.id, token.as_str()),
        (&r2.id, tampered.as_str()),
        (&r2.id, "nonsense"),
    ] {
        let err = e.verify_request(&f.tenant, id, bad).await.unwrap_err();
        assert!(matches!(err, EngineError::Link("not valid")), "{err}");
    }
    // Another tenant cannot use it either.
    e.create_tenant("other", "Other", Settings::default())
        .await
        .unwrap();
    assert!(e.verify_request("other", &r2.id, &token).await.is_err());

    // Good once, then used.
    assert_eq!(
        e.verify_request(&f.tenant, &r2.id, &token)
            .await
            .unwrap()
            .status,
        RequestStatus::Processing
    );
    let err = e
        .verify_request(&f.tenant, &r2.id, &token)
        .await
        .unwrap_err();
    assert!(matches!(err, EngineError::Link("already used")), "{err}");
    assert!(err.to_string().contains("ask for a new request"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_access_export_is_labelled_checksummed_linked_and_destroyed_on_erasure() {
    let f = Fixture::new(settings(Handling::Automatic)).await;
    let customers = f.seed(5, |_| 1).await;
    let subject = &customers[2];
    let e = f.engine();
    let (request, link) = e
        .create_request(&f.tenant, access(&subject.email), "intake")
        .await
        .unwrap();
    assert!(link.is_none());
    assert_eq!(request.status, RequestStatus::Completed);
    let export = request.export.clone().expect("export files");
    assert_eq!(export.items, 10);

    let (_, json) = read_all(f.node.local.blobs.as_ref(), &export.json_key)
        .await
        .unwrap();
    assert_eq!(hex::encode(Sha256::digest(&json)), export.json_sha256);
    let doc: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let fields = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["fields"].as_array().unwrap().clone());
    let categories: Vec<String> = fields
        .map(|f| f["category"].as_str().unwrap().to_string())
        .collect();
    for expected in ["name", "email", "phone", "free-text", "ip"] {
        assert!(
            categories.iter().any(|c| c == expected),
            "no {expected} in {categories:?}"
        );
    }
    let (_, csv) = read_all(f.node.local.blobs.as_ref(), &export.csv_key)
        .await
        .unwrap();
    assert_eq!(hex::encode(Sha256::digest(&csv)), export.csv_sha256);
    assert!(String::from_utf8_lossy(&csv).contains(&subject.email));

    let download = e.export_link(&f.tenant, &request.id, "csv").await.unwrap();
    assert!(matches!(
        e.export_link(&f.tenant, &request.id, "xml").await,
        Err(EngineError::Invalid(_))
    ));
    assert!(
        download.contains("expires=") && download.contains("sig="),
        "{download}"
    );
    let token = mailed_download_token(&f, &request.id);
    assert!(
        e.open_download(&f.tenant, &request.id, "json", &token)
            .await
            .is_ok()
    );

    // The subject is erased later: the export goes with them.
    let (erase, l) = e
        .create_request(&f.tenant, erasure(&subject.email), "intake")
        .await
        .unwrap();
    e.verify_request(&f.tenant, &erase.id, &l.unwrap().token)
        .await
        .unwrap();
    f.drain().await;
    assert!(
        f.node
            .local
            .blobs
            .list(&format!("exports/acme/{}/", request.id))
            .await
            .unwrap()
            .is_empty()
    );
    let after = e.request(&f.tenant, &request.id).await.unwrap();
    assert!(after.export.unwrap().destroyed);
    assert!(matches!(
        e.export_link(&f.tenant, &request.id, "json").await,
        Err(EngineError::NotFound { .. })
    ));
    assert!(matches!(
        e.open_download(&f.tenant, &request.id, "json", &token)
            .await,
        Err(EngineError::Link("expired"))
    ));
    let everything = f.everything().await;
    let kept: Vec<_> = customers.iter().filter(|c| c.id != subject.id).collect();
    assert_eq!(find_leftovers(&everything, &[subject], &kept), vec![]);
}

/// The token of the download link in the mail that completed `request`,
/// checking the link's shape on the way.
fn mailed_download_token(f: &Fixture, request: &str) -> String {
    let mail = f.node.local.mailbox.messages();
    let body = &mail
        .iter()
        .find(|m| m.kind == Some(NotificationKind::RequestCompleted) && m.body.contains(request))
        .expect("a completion mail")
        .body;
    let path = format!("/v1/downloads/acme/{request}?format=json&token=");
    let start = body.find(&path).expect("a download link to the API") + path.len();
    body[start..]
        .split_whitespace()
        .next()
        .expect("a token")
        .to_owned()
}

/// The `expires=` of a direct link, as a Unix time.
fn link_expiry(link: &str) -> i64 {
    let start = link.find("expires=").expect("expires=") + "expires=".len();
    link[start..]
        .split('&')
        .next()
        .and_then(|v| v.parse().ok())
        .expect("a Unix time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mailed_download_link_outlives_the_direct_links_it_hands_out() {
    let f = Fixture::new(settings(Handling::Automatic)).await;
    let customers = f.seed(1, |_| 1).await;
    let e = f.engine();
    let (request, _) = e
        .create_request(&f.tenant, access(&customers[0].email), "intake")
        .await
        .unwrap();
    let token = mailed_download_token(&f, &request.id);
    let opened_at = f.clock.now();

    // Each opening hands out a fresh direct link that lasts minutes.
    let direct = e
        .open_download(&f.tenant, &request.id, "json", &token)
        .await
        .unwrap();
    assert!(direct.contains("/blobs/exports/acme/"), "{direct}");
    let lasts = link_expiry(&direct) - opened_at.as_second();
    assert_eq!(
        lasts,
        lethe_core::engine::DIRECT_LINK_TTL.as_secs(),
        "{direct}"
    );

    // The token is for this tenant, request and format only, unchanged.
    for (tenant, format, token) in [
        ("globex", "json", token.clone()),
        (f.tenant.as_str(), "csv", token.clone()),
        (f.tenant.as_str(), "json", token.replacen('.', "0.", 1)),
        (f.tenant.as_str(), "json", format!("{token}0")),
    ] {
        assert!(
            matches!(
                e.open_download(tenant, &request.id, format, &token).await,
                Err(EngineError::Link("not valid"))
            ),
            "{tenant} {format} {token}"
        );
    }

    // 23 hours on, the first direct link is long dead; the mailed one works.
    f.clock.set(opened_at + SignedDuration::from_hours(23));
    assert!(link_expiry(&direct) < f.clock.now().as_second());
    let later = e
        .open_download(&f.tenant, &request.id, "json", &token)
        .await
        .unwrap();
    assert!(link_expiry(&later) > f.clock.now().as_second());

    // Past the 24 hours the mail promised, it has expired too.
    f.clock.set(opened_at + SignedDuration::from_hours(25));
    assert!(matches!(
        e.open_download(&f.tenant, &request.id, "json", &token)
            .await,
        Err(EngineError::Link("expired"))
    ));

    // Each opening is in the audit log, by the subject.
    let events = lethe_core::audit::list(f.node.local.control.as_ref(), &f.tenant, 0, 100)
        .await
        .unwrap();
    let downloads = events
        .iter()
        .filter(|ev| ev.action == "export.downloaded" && ev.actor == "subject")
        .count();
    assert_eq!(downloads, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_are_reminded_before_the_deadline_once_per_threshold() {
    let f = Fixture::new(settings(Handling::Manual)).await;
    let customers = f.seed(1, |_| 1).await;
    let e = f.engine();
    let (request, _) = e
        .create_request(&f.tenant, access(&customers[0].email), "intake")
        .await
        .unwrap();
    let reminders = || {
        f.node
            .local
            .mailbox
            .messages()
            .into_iter()
            .filter(|m| m.kind == Some(NotificationKind::DeadlineReminder))
            .count()
    };
    let night = |days: i64| {
        let at = request.received_at + SignedDuration::from_hours(24 * days);
        f.clock.set(at);
        e.run_nightly(Region::Eu, NightKind::DeadlineWatch, at)
    };
    assert_eq!(night(10).await.unwrap().reminders, 0);
    assert_eq!(reminders(), 0);
    assert_eq!(
        night(24).await.unwrap().reminders,
        1,
        "6 days left: the 7-day reminder"
    );
    assert_eq!(night(25).await.unwrap().reminders, 0, "sent once");
    assert_eq!(night(29).await.unwrap().reminders, 1, "the 1-day reminder");
    assert_eq!(reminders(), 2);
    let r = e.request(&f.tenant, &request.id).await.unwrap();
    assert_eq!(r.reminders_sent, vec![7, 1]);
    assert_eq!(
        r.status,
        RequestStatus::Pending,
        "reminders change no state"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_access_export_expires_and_the_nightly_watch_destroys_it() {
    let f = Fixture::new(settings(Handling::Automatic)).await;
    let customers = f.seed(1, |_| 1).await;
    let e = f.engine();
    let (request, _) = e
        .create_request(&f.tenant, access(&customers[0].email), "intake")
        .await
        .unwrap();
    let at = request.received_at + SignedDuration::from_hours(29 * 24);
    f.clock.set(at);
    assert_eq!(
        e.run_nightly(Region::Eu, NightKind::DeadlineWatch, at)
            .await
            .unwrap()
            .exports_destroyed,
        0
    );
    let at = request.received_at + SignedDuration::from_hours(31 * 24);
    f.clock.set(at);
    assert!(
        matches!(
            e.export_link(&f.tenant, &request.id, "json").await,
            Err(EngineError::NotFound { .. })
        ),
        "expired exports are not linked"
    );
    assert_eq!(
        e.run_nightly(Region::Eu, NightKind::DeadlineWatch, at)
            .await
            .unwrap()
            .exports_destroyed,
        1
    );
    assert!(
        f.node
            .local
            .blobs
            .list("exports/")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        e.request(&f.tenant, &request.id)
            .await
            .unwrap()
            .export
            .unwrap()
            .destroyed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_plugin_fails_the_request_with_a_reason_free_of_personal_data() {
    let f = Fixture::new(settings(Handling::Automatic)).await;
    let customers = f.seed(2, |_| 1).await;
    // The tenant's scrubber panics on every call.
    let sandbox = lethe_sandbox::Sandbox::new().unwrap();
    let compile = |bytes| sandbox.compile(bytes).unwrap().plugin;
    f.node.runtime.activate(
        &f.tenant,
        lethe_sandbox::NamedPlugin::new(
            "fieldmap-generic",
            compile(lethe_std_plugins::FIELDMAP_GENERIC),
        ),
        lethe_sandbox::NamedPlugin::new(
            "panicking",
            compile(lethe_std_plugins::hostile("panicking").unwrap()),
        ),
    );
    let e = f.engine();
    let subject = &customers[1];
    let (request, link) = e
        .create_request(&f.tenant, erasure(&subject.email), "intake")
        .await
        .unwrap();
    e.verify_request(&f.tenant, &request.id, &link.unwrap().token)
        .await
        .unwrap();
    f.drain().await;

    let failed = e.request(&f.tenant, &request.id).await.unwrap();
    assert_eq!(failed.status, RequestStatus::Failed);
    let job_id = failed.job.clone().unwrap();
    let job = e.job(&f.tenant, &job_id).await.unwrap();
    assert_eq!(
        job.status,
        lethe_core::engine::model::JobStatus::CompletedWithErrors
    );
    assert_eq!(job.counts.failed, 1);
    let failures = e.job_failures(&f.tenant, &job_id).await.unwrap();
    assert_eq!(failures.len(), 1);
    assert!(
        failures[0].reason.contains("scrubber"),
        "{}",
        failures[0].reason
    );
    let record = serde_json::to_string(&(failed, job, failures)).unwrap();
    for value in [&subject.id, &subject.email, &subject.phone] {
        assert!(
            !record.contains(value.as_str()),
            "no personal data in the records"
        );
    }
    // Nothing was erased: the subject's data is all still there.
    let everything = f.everything().await;
    assert!(!find_leftovers(&everything, &[subject], &[]).is_empty());
}
