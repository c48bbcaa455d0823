//! Erasure end to end on the embedded store, with the real plugins: a
//! checker searches every item, every control record, every export and
//! every dataset object for the erased subjects' values, in any spelling.

use lethe_core::audit;
use lethe_core::engine::NewRequest;
use lethe_core::engine::model::{RequestKind, RequestStatus, SubjectBy};
use lethe_core::ports::{BlobStore, PutCondition};
use lethe_e2e::engine::{Fixture, changed_non_pii, find_leftovers, operator_settings};
use lethe_synth::Customer;

/// A dataset CSV with one row per customer in `rows`.
fn dataset(customers: &[Customer], rows: std::ops::Range<usize>) -> String {
    let mut csv = String::from("customer,email,phone,segment\n");
    for c in &customers[rows] {
        csv.push_str(&format!("{},{},\"{}\",gold\n", c.id, c.email, c.phone));
    }
    csv
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erasure_request_leaves_nothing_of_the_subject_and_changes_no_other_attribute() {
    let f = Fixture::new(operator_settings()).await;
    let customers = f.seed(30, |n| i64::try_from(n % 5).unwrap()).await;
    f.node
        .local
        .blobs
        .put(
            "datasets/acme/segments.csv",
            dataset(&customers, 0..10).into(),
            "text/csv",
            PutCondition::Any,
        )
        .await
        .unwrap();
    let subject = &customers[3];

    // The subject asks by e-mail, in another case; erasure waits for the link.
    let (request, link) = f
        .engine()
        .create_request(
            &f.tenant,
            NewRequest {
                kind: RequestKind::Erasure,
                subject: SubjectBy::Email(subject.email.to_uppercase()),
                contact: None,
            },
            "intake",
        )
        .await
        .unwrap();
    assert_eq!(request.status, RequestStatus::Unverified);
    let link = link.expect("a verification link");
    let verified = f
        .engine()
        .verify_request(&f.tenant, &request.id, &link.token)
        .await
        .unwrap();
    assert_eq!(verified.status, RequestStatus::Processing);
    f.drain().await;

    let done = f.engine().request(&f.tenant, &request.id).await.unwrap();
    assert_eq!(done.status, RequestStatus::Completed, "{:?}", done.error);
    assert!(done.contact.is_none(), "the contact address is forgotten");
    let certificate = done.certificate.expect("a certificate");
    let tenant = f.engine().tenant(&f.tenant).await.unwrap();
    audit::verify_certificate(
        f.node.local.control.as_ref(),
        &certificate,
        &tenant.keys().certificate,
    )
    .await
    .expect("the certificate verifies against the chain");
    assert_eq!(certificate.counts["subjects_succeeded"], 1);

    let everything = f.everything().await;
    let kept: Vec<&Customer> = customers.iter().filter(|c| c.id != subject.id).collect();
    let leftovers = find_leftovers(&everything, &[subject], &kept);
    assert!(leftovers.is_empty(), "found: {leftovers:?}");
    // The checker is not blind: the others are all still there.
    let others = find_leftovers(&everything, &kept[..5], &[]);
    assert!(!others.is_empty());

    let data = f.node.local.data.scan_all().unwrap();
    assert_eq!(changed_non_pii(&everything, &data, &[subject]), vec![]);
    let dataset = everything
        .iter()
        .find(|(place, _)| place == "blob:datasets/acme/segments.csv")
        .expect("dataset kept");
    assert_eq!(
        dataset.1.lines().count(),
        10,
        "header + 9 rows: one removed"
    );

    // Mail: the verification link, then the completion notice.
    let mail = f.node.local.mailbox.messages();
    assert!(
        mail.iter()
            .any(|m| m.subject.contains("Confirm your erasure"))
    );
    assert!(mail.iter().any(|m| m.subject.contains("has been erased")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_id_that_is_an_email_becomes_a_pseudonym() {
    let f = Fixture::new(operator_settings()).await;
    let customers = f.seed(10, |_| 1).await;
    let subject = &customers[7];
    assert_eq!(
        subject.id, subject.email,
        "synth gives customer 7 an e-mail id"
    );
    let (request, link) = f
        .engine()
        .create_request(
            &f.tenant,
            NewRequest {
                kind: RequestKind::Erasure,
                subject: SubjectBy::CustomerId(subject.id.clone()),
                contact: Some("someone@example.net".into()),
            },
            "intake",
        )
        .await
        .unwrap();
    f.engine()
        .verify_request(&f.tenant, &request.id, &link.unwrap().token)
        .await
        .unwrap();
    f.drain().await;
    let done = f.engine().request(&f.tenant, &request.id).await.unwrap();
    assert_eq!(done.status, RequestStatus::Completed, "{:?}", done.error);

    let data = f.node.local.data.scan_all().unwrap();
    assert!(
        !data.iter().any(|r| r.key.pk.contains(&subject.id)),
        "no key names the customer any more"
    );
    let moved: Vec<_> = data
        .iter()
        .filter(|r| r.key.pk.starts_with("T#acme#C#psn_"))
        .collect();
    assert_eq!(
        moved.len(),
        11,
        "10 items and the head, under the pseudonym"
    );
    let everything = f.everything().await;
    let kept: Vec<&Customer> = customers.iter().filter(|c| c.id != subject.id).collect();
    assert_eq!(find_leftovers(&everything, &[subject], &kept), vec![]);
    assert_eq!(changed_non_pii(&everything, &data, &[subject]), vec![]);
}
