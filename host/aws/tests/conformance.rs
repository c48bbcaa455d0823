//! The shared conformance suite, run against the AWS adapters on a moto
//! server.
//!
//! Behind the `moto-tests` feature, so that `cargo test --workspace`
//! needs no server:
//!
//! ```text
//! scripts/with-moto.sh cargo test -p lethe-aws --features moto-tests
//! ```
//!
//! Each case gets resources of its own — a table, a bucket, a queue and
//! its dead-letter queue, all named `cf-aws-{random}` — so cases run in
//! parallel against one server without a reset; time passes for real
//! (`tokio::time::sleep`). The endpoint comes from `LETHE_AWS_ENDPOINT`
//! and must be on loopback: these tests never talk to real AWS.

/// Without the feature the suite is not built; a server that was started
/// for it (`LETHE_AWS_ENDPOINT` set) means the feature was forgotten, and
/// that must not pass as "0 tests".
#[cfg(not(feature = "moto-tests"))]
#[test]
fn moto_suite_needs_the_feature() {
    if let Ok(endpoint) = std::env::var("LETHE_AWS_ENDPOINT") {
        panic!(
            "LETHE_AWS_ENDPOINT is set ({endpoint}) but the moto suite is not built: add \
             `--features moto-tests` (scripts/with-moto.sh cargo test -p lethe-aws --features moto-tests)"
        );
    }
}

#[cfg(feature = "moto-tests")]
mod moto {
    use std::sync::Arc;

    use lethe_aws::{
        AwsConfig, SesMailer, create_bucket, create_email_identity, create_queues, create_table,
    };
    use lethe_conformance::{Backend, unique};

    /// Receives before a message is dead-lettered (short: the case waits out
    /// one visibility timeout per receive).
    const MAX_RECEIVES: u32 = 3;

    /// The sender the notifier cases send from (verified on moto first).
    const SENDER: &str = "lethe-conformance@example.com";

    /// Smallest multipart threshold and part size S3 allows, so the suite's
    /// 6 MiB file goes up in two parts.
    const PART: usize = 5 * 1024 * 1024;

    fn endpoint() -> String {
        let Ok(endpoint) = std::env::var("LETHE_AWS_ENDPOINT") else {
            panic!(
                "LETHE_AWS_ENDPOINT is not set. These tests need a moto server; run them with \
             `scripts/with-moto.sh cargo test -p lethe-aws --features moto-tests`"
            );
        };
        let host = endpoint
            .strip_prefix("http://")
            .unwrap_or_default()
            .split(['/', ':'])
            .next()
            .unwrap_or_default()
            .to_owned();
        assert!(
            host == "127.0.0.1" || host == "localhost",
            "LETHE_AWS_ENDPOINT must be a loopback http:// endpoint (a moto server), not {endpoint}"
        );
        endpoint
    }

    async fn moto_backend() -> Backend {
        let config = AwsConfig::emulator(&endpoint())
            .await
            .expect("AWS settings");
        let name = unique("aws");
        let items = create_table(&config.dynamodb(), &name)
            .await
            .unwrap_or_else(|e| panic!("create the table: {e}"));
        let blobs = create_bucket(&config.s3(), &name)
            .await
            .unwrap_or_else(|e| panic!("create the bucket: {e}"))
            .with_multipart(PART as u64, PART);
        let queue = create_queues(&config.sqs(), &name, MAX_RECEIVES)
            .await
            .unwrap_or_else(|e| panic!("create the queues: {e}"));
        let ses = config.sesv2();
        create_email_identity(&ses, SENDER)
            .await
            .unwrap_or_else(|e| panic!("verify the sender: {e}"));
        Backend {
            items: Arc::new(items),
            blobs: Arc::new(blobs),
            queue: Arc::new(queue),
            notifier: Arc::new(SesMailer::new(ses, SENDER)),
            wait: Arc::new(|by| Box::pin(tokio::time::sleep(by))),
            guard: None,
        }
    }

    lethe_conformance::suite!(moto_backend());
}
