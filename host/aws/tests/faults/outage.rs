//! A permanent outage of every service: `Unavailable` within a bound,
//! naming no key or value.

use std::time::{Duration, Instant};

use bytes::Bytes;
use lethe_aws::{
    DynamoTable, S3Blobs, SesMailer, SqsQueue, create_bucket, create_queues, create_table,
};
use lethe_conformance::unique;
use lethe_core::ports::{
    BlobStore, Condition, ItemStore, JobQueue, Notifier, PortError, PutCondition, Record,
};
use lethe_fault_proxy::{Fault, FaultPlan, Rule};

use crate::support::{assert_names_nothing, body, direct, key, notification, proxied};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_outage_is_unavailable_within_a_bound() {
    let name = unique("faults");
    let setup = direct().await;
    create_table(&setup.dynamodb(), &name).await.expect("table");
    create_bucket(&setup.s3(), &name).await.expect("bucket");
    create_queues(&setup.sqs(), &name, 3).await.expect("queues");
    let (proxy, config) = proxied(FaultPlan::new()).await;
    let queue = SqsQueue::open(&config.sqs(), &name).await.expect("open");
    let table = DynamoTable::new(config.dynamodb(), &name);
    let blobs = S3Blobs::new(config.s3(), &name);
    let mailer = SesMailer::new(config.sesv2(), "no-reply@example.com");
    proxy.set_plan(FaultPlan::new().rule(Rule::new("*", Fault::Unavailable)));
    proxy.reset_counts();

    let attempts = u64::from(config.max_attempts);
    let started = Instant::now();
    let mut errors: Vec<(&str, PortError)> = Vec::new();
    let k = key("faults-outage", 1);
    errors.push((
        "GetItem",
        table.get(&k).await.expect_err("get during an outage"),
    ));
    errors.push((
        "UpdateItem",
        table
            .put(Record::new(k.clone(), body(1, 1)), Condition::Absent)
            .await
            .expect_err("put during an outage"),
    ));
    errors.push((
        "PutObject",
        blobs
            .put(
                "exports/secret-subject/x.json",
                Bytes::from_static(b"{\"secret-value\":1}"),
                "application/json",
                PutCondition::Any,
            )
            .await
            .expect_err("blob put during an outage"),
    ));
    errors.push((
        "GetObject",
        blobs
            .get("exports/secret-subject/x.json")
            .await
            .map(|_| ())
            .expect_err("blob get during an outage"),
    ));
    errors.push((
        "SendMessageBatch",
        queue
            .send(vec!["{\"secret-value\":1}".to_owned()])
            .await
            .expect_err("send during an outage"),
    ));
    errors.push((
        "SendEmail",
        mailer
            .send(&notification("secret-subject@example.org"))
            .await
            .expect_err("mail during an outage"),
    ));
    let elapsed = started.elapsed();
    for (op, e) in &errors {
        assert!(matches!(e, PortError::Unavailable { .. }), "{op}: {e:?}");
        assert_names_nothing(e);
    }
    // Six calls, each `attempts` tries with backoff capped at 5 s.
    assert!(
        elapsed < Duration::from_secs(30),
        "an outage took {elapsed:?} to report"
    );
    for (service, op) in [
        ("dynamodb", "GetItem"),
        ("dynamodb", "UpdateItem"),
        ("s3", "PutObject"),
        ("s3", "GetObject"),
        ("sqs", "SendMessageBatch"),
        ("sesv2", "SendEmail"),
    ] {
        // Every attempt, no more: the retry quota is far from empty.
        assert_eq!(proxy.count(service, op), attempts, "{service} {op}");
    }
}
