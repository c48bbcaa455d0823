//! What the shared suite does not reach in the AWS adapters, on moto:
//! the `BatchWriteItem` path of a batch, DynamoDB refusing a body, errors
//! that must not name keys, an unreachable endpoint, conditional
//! multipart uploads and SSE-KMS puts.
//!
//! Run with `scripts/with-moto.sh cargo test -p lethe-aws --features moto-tests`.

#![cfg(feature = "moto-tests")]

use std::io::Write as _;
use std::time::Duration;

use bytes::Bytes;
use lethe_aws::{AwsConfig, DynamoTable, S3Blobs, create_bucket, create_queues, create_table};
use lethe_conformance::unique;
use lethe_core::ports::{
    BlobStore, Condition, ItemStore, JobQueue, PortError, PutCondition, Record, RecordKey, Write,
};
use serde_json::{Value, json};

async fn config() -> AwsConfig {
    let endpoint = std::env::var("LETHE_AWS_ENDPOINT").unwrap_or_default();
    assert!(
        endpoint.starts_with("http://127.0.0.1:"),
        "LETHE_AWS_ENDPOINT must name a loopback moto server; run \
         `scripts/with-moto.sh cargo test -p lethe-aws --features moto-tests`"
    );
    AwsConfig::emulator(&endpoint).await.expect("AWS settings")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_environment_config_reaches_moto_path_style() {
    // with-moto.sh exports the standard variables; from_env must work
    // with them alone.
    let config = AwsConfig::from_env().await.expect("AWS settings");
    assert!(config.endpoint.is_some() && config.s3_path_style);
    let name = unique("aws-x");
    create_bucket(&config.s3(), &name).await.expect("bucket");
    let b = S3Blobs::new(config.s3(), &name);
    b.put(
        "a/b",
        Bytes::from_static(b"x"),
        "text/plain",
        PutCondition::Any,
    )
    .await
    .expect("put");
    assert_eq!(b.list("a/").await.expect("list").len(), 1);
}

async fn table() -> (DynamoTable, String) {
    let name = unique("aws-x");
    let t = create_table(&config().await.dynamodb(), &name)
        .await
        .expect("table");
    (t, name)
}

/// A customer-looking key, to check errors never repeat it.
fn secret_key(n: usize) -> RecordKey {
    RecordKey::new(
        format!("T#acme#C#jane.doe+{n}@example.com"),
        format!("order#{n}"),
    )
}

fn assert_no_key(e: &PortError) {
    let text = format!("{e} {e:?}");
    assert!(
        !text.contains("jane.doe") && !text.contains("acme"),
        "an error names a key: {text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unconditional_deletes_go_through_batch_write_item() {
    let (t, _) = table().await;
    let keys: Vec<RecordKey> = (0..60).map(secret_key).collect();
    let puts = keys
        .iter()
        .map(|k| Write::Put {
            record: Record::new(k.clone(), json!({"n": 1})),
            condition: Condition::Absent,
        })
        .collect();
    let put = t.write_batch(puts).await.expect("batch of puts");
    assert!(put.iter().all(|r| r.as_ref().is_ok_and(|v| *v == 1)));
    // 60 unconditional deletes (three BatchWriteItem calls), plus one of a
    // key that was never written and one put in between.
    let mut writes: Vec<Write> = keys
        .iter()
        .map(|k| Write::Delete {
            key: k.clone(),
            condition: Condition::None,
        })
        .collect();
    writes.push(Write::Delete {
        key: secret_key(1000),
        condition: Condition::None,
    });
    writes.push(Write::Put {
        record: Record::new(secret_key(2000), json!({})),
        condition: Condition::None,
    });
    let results = t.write_batch(writes).await.expect("batch");
    assert_eq!(results.len(), 62);
    assert!(
        results[..61]
            .iter()
            .all(|r| r.as_ref().is_ok_and(|v| *v == 0))
    );
    assert_eq!(results[61].as_ref().ok(), Some(&1));
    for k in &keys {
        assert_eq!(t.get(k).await.expect("get"), None);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_to_one_key_in_a_batch_apply_in_order() {
    let (t, _) = table().await;
    let k = secret_key(1);
    let writes = vec![
        Write::Put {
            record: Record::new(k.clone(), json!({"v": 1})),
            condition: Condition::Absent,
        },
        Write::Put {
            record: Record::new(k.clone(), json!({"v": 2})),
            condition: Condition::Version(1),
        },
        Write::Delete {
            key: k.clone(),
            condition: Condition::Version(2),
        },
        Write::Put {
            record: Record::new(k.clone(), json!({"v": 3})),
            condition: Condition::Absent,
        },
    ];
    let results = t.write_batch(writes).await.expect("batch");
    let got: Vec<u64> = results
        .into_iter()
        .map(|r| r.expect("each write"))
        .collect();
    assert_eq!(got, [1, 2, 0, 1]);
    assert_eq!(
        t.get(&k).await.expect("get").expect("present").body,
        json!({"v": 3})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_dynamodb_refuses_is_invalid_and_names_no_key() {
    let (t, _) = table().await;
    // 40 levels of nesting: fine for JSON, over DynamoDB's 32.
    let mut deep = json!("bottom");
    for _ in 0..40 {
        deep = json!({ "d": deep });
    }
    // DynamoDB refuses these; moto does not check them, so the adapter
    // does, before the call.
    for body in [deep, json!({"a": {"": 1}}), json!({"big": 1e200})] {
        let refused = t
            .put(Record::new(secret_key(1), body), Condition::None)
            .await
            .expect_err("refused");
        assert!(matches!(refused, PortError::Invalid { .. }), "{refused:?}");
        assert_no_key(&refused);
    }
    assert_eq!(t.get(&secret_key(1)).await.expect("get"), None);

    t.put(Record::new(secret_key(2), json!({})), Condition::None)
        .await
        .expect("put");
    let failed = t
        .put(Record::new(secret_key(2), json!({})), Condition::Absent)
        .await
        .expect_err("exists");
    assert!(failed.is_condition_failed());
    assert_no_key(&failed);

    let big = json!({"blob": "x".repeat(500 * 1024)});
    let too_big = t
        .put(Record::new(secret_key(3), big), Condition::None)
        .await
        .expect_err("too big");
    assert_no_key(&too_big);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_endpoint_is_unavailable_and_names_no_key() {
    let config = config().await;
    // A loopback port nothing listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let conf = aws_sdk_dynamodb::config::Builder::from(&config.sdk)
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        .retry_config(
            aws_sdk_dynamodb::config::retry::RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(10)),
        )
        .build();
    let t = DynamoTable::new(aws_sdk_dynamodb::Client::from_conf(conf), "nowhere");
    let started = std::time::Instant::now();
    let err = t.get(&secret_key(1)).await.expect_err("nothing listens");
    assert!(matches!(err, PortError::Unavailable { .. }), "{err:?}");
    assert_no_key(&err);
    let err = t
        .put(
            Record::new(secret_key(1), json!({"name": "Jane"})),
            Condition::None,
        )
        .await
        .expect_err("nothing listens");
    assert!(matches!(err, PortError::Unavailable { .. }), "{err:?}");
    assert_no_key(&err);
    assert!(started.elapsed() < Duration::from_secs(20));
}

async fn blobs() -> S3Blobs {
    let name = unique("aws-x");
    create_bucket(&config().await.s3(), &name)
        .await
        .expect("bucket")
        .with_multipart(5 * 1024 * 1024, 5 * 1024 * 1024)
}

fn temp_file(len: usize, byte: u8) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().expect("temp file");
    f.write_all(&vec![byte; len]).expect("write");
    f.flush().expect("flush");
    f
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multipart_uploads_honour_matches() {
    let b = blobs().await;
    let key = "datasets/acme/big.csv";
    let one = temp_file(11 * 1024 * 1024, b'a');
    let first = b
        .put_file(key, one.path(), "text/csv", PutCondition::Absent)
        .await
        .expect("first upload (three parts)");
    assert_eq!(first.size, 11 * 1024 * 1024);
    assert_eq!(b.head(key).await.expect("head").expect("present"), first);
    let two = temp_file(6 * 1024 * 1024, b'b');
    let second = b
        .put_file(
            key,
            two.path(),
            "text/csv",
            PutCondition::Matches(first.etag.clone()),
        )
        .await
        .expect("replace at the read etag");
    assert_ne!(second.etag, first.etag);
    let stale = b
        .put_file(
            key,
            two.path(),
            "text/csv",
            PutCondition::Matches(first.etag),
        )
        .await
        .expect_err("stale etag");
    assert!(stale.is_condition_failed());
    let absent = b
        .put_file(key, two.path(), "text/csv", PutCondition::Absent)
        .await
        .expect_err("exists");
    assert!(absent.is_condition_failed());
    assert_eq!(b.head(key).await.expect("head").expect("present"), second);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sse_kms_puts_are_accepted() {
    let b = blobs().await.with_kms_key("alias/lethe-test");
    let meta = b
        .put(
            "exports/acme/r/x.json",
            Bytes::from_static(b"{}"),
            "application/json",
            PutCondition::Any,
        )
        .await
        .expect("SSE-KMS put");
    assert_eq!(meta.size, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_messages_are_invalid() {
    let config = config().await;
    let q = create_queues(&config.sqs(), &unique("aws-x"), 2)
        .await
        .expect("queues");
    assert_eq!(q.max_receives(), 2);
    let err = q
        .send(vec!["x".repeat(256 * 1024 + 1)])
        .await
        .expect_err("too large");
    assert!(matches!(err, PortError::Invalid { .. }));
    // Many messages near the size limit still go (batches split by size).
    let near: Vec<String> = (0..5)
        .map(|i| format!("{i}{}", "y".repeat(200 * 1024)))
        .collect();
    q.send(near).await.expect("five large messages");
    let mut seen = 0;
    for _ in 0..20 {
        let got = q
            .receive(10, Duration::from_secs(60))
            .await
            .expect("receive");
        seen += got.len();
        if seen == 5 {
            break;
        }
    }
    assert_eq!(seen, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_round_trip_types() {
    let (t, _) = table().await;
    let body: Value = json!({
        "s": "", "u": 18_446_744_073_709_551_615_u64, "i": -9_223_372_036_854_775_807_i64,
        "f": 0.1, "e": 1.5e-7, "b": false, "n": null, "l": [], "m": {}, "unicode": "Grüße 🎉",
    });
    t.put(Record::new(secret_key(1), body.clone()), Condition::None)
        .await
        .expect("put");
    let got = t.get(&secret_key(1)).await.expect("get").expect("present");
    assert_eq!(got.body, body);
}
