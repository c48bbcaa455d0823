//! S3: 5xx, `SlowDown` and dropped connections keep contents exact; lost
//! answers on conditional puts are recognised.

use std::collections::BTreeMap;

use bytes::Bytes;
use lethe_aws::{S3Blobs, create_bucket};
use lethe_conformance::unique;
use lethe_core::digest::sha256_hex;
use lethe_core::ports::{BlobStore, PutCondition, read_all};
use lethe_fault_proxy::{Fault, FaultPlan, Rule};

use crate::support::{direct, proxied};

/// Deterministic content: `len` bytes from a seed (xorshift).
fn content(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn temp_file(bytes: &[u8]) -> tempfile::NamedTempFile {
    use std::io::Write as _;
    let mut f = tempfile::NamedTempFile::new().expect("temp file");
    f.write_all(bytes).expect("write");
    f.flush().expect("flush");
    f
}

const PART: usize = 5 * 1024 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_faults_keep_contents_exact() {
    let name = unique("faults");
    let moto_blobs = create_bucket(&direct().await.s3(), &name)
        .await
        .expect("bucket");
    let plan = FaultPlan::new()
        .rule(
            Rule::new("s3", Fault::InternalError)
                .operation("PutObject")
                .every(2)
                .up_to_attempt(1),
        )
        .rule(
            Rule::new("s3", Fault::Unavailable)
                .operation("GetObject")
                .every(2)
                .up_to_attempt(1),
        )
        .rule(
            Rule::new("s3", Fault::Throttle)
                .operation("UploadPart")
                .every(2)
                .up_to_attempt(1),
        )
        .rule(
            Rule::new("s3", Fault::Reset)
                .operation("HeadObject")
                .every(3)
                .up_to_attempt(1),
        )
        .rule(
            Rule::new("s3", Fault::Reset)
                .operation("CreateMultipartUpload")
                .first(1),
        )
        .rule(
            Rule::new("s3", Fault::InternalError)
                .operation("CompleteMultipartUpload")
                .first(1),
        )
        .rule(
            Rule::new("s3", Fault::Throttle)
                .operation("ListObjectsV2")
                .first(1),
        );
    let (proxy, config) = proxied(plan).await;
    let b = S3Blobs::new(config.s3(), &name).with_multipart(PART as u64, PART);

    let mut expected: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for i in 0..12u64 {
        let key = format!("exports/faults/obj-{i:02}.bin");
        let bytes = content(i, (i as usize) * 5000);
        let meta = b
            .put(
                &key,
                Bytes::from(bytes.clone()),
                "application/octet-stream",
                PutCondition::Absent,
            )
            .await
            .expect("put through 500s");
        assert_eq!(meta.sha256, sha256_hex(&bytes));
        assert_eq!(meta.size, bytes.len() as u64);
        expected.insert(key, bytes);
    }
    // 11 MiB: three parts, every 2nd part throttled, the creation's
    // connection dropped once and the completion answered 500 once.
    let big = content(99, 11 * 1024 * 1024);
    let file = temp_file(&big);
    let big_key = "datasets/faults/big.csv".to_owned();
    let meta = b
        .put_file(&big_key, file.path(), "text/csv", PutCondition::Absent)
        .await
        .expect("multipart through faults");
    assert_eq!(meta.sha256, sha256_hex(&big));
    expected.insert(big_key, big);

    // Reads through the faults.
    for (key, bytes) in &expected {
        let (meta, got) = read_all(&b, key).await.expect("get through 503s");
        assert_eq!(sha256_hex(&got), sha256_hex(bytes), "{key}");
        assert_eq!(meta.sha256, sha256_hex(bytes), "{key}");
        let head = b.head(key).await.expect("head").expect("present");
        assert_eq!(head.size, bytes.len() as u64, "{key}");
    }
    let listed = b.list("").await.expect("list");
    assert_eq!(listed.len(), expected.len());

    // The truth, from moto.
    for (key, bytes) in &expected {
        let (meta, got) = read_all(&moto_blobs, key).await.expect("direct get");
        assert_eq!(got.len(), bytes.len(), "{key}");
        assert_eq!(sha256_hex(&got), sha256_hex(bytes), "{key}");
        assert_eq!(meta.sha256, sha256_hex(bytes), "{key}");
    }
    let injected = proxy.injected_counts();
    for op in [
        "PutObject",
        "GetObject",
        "UploadPart",
        "HeadObject",
        "CreateMultipartUpload",
        "CompleteMultipartUpload",
        "ListObjectsV2",
    ] {
        assert!(
            injected.contains_key(&("s3".to_owned(), op.to_owned())),
            "no fault on {op}: {injected:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_lost_answers_on_conditional_puts() {
    let name = unique("faults");
    let moto_blobs = create_bucket(&direct().await.s3(), &name)
        .await
        .expect("bucket")
        .with_multipart(PART as u64, PART);
    let lost = |op: &str, fault: Fault| {
        FaultPlan::new().rule(
            Rule::new("s3", fault)
                .operation(op)
                .first(1)
                .after_forwarding(),
        )
    };
    let (proxy, config) = proxied(FaultPlan::new()).await;
    let b = S3Blobs::new(config.s3(), &name).with_multipart(PART as u64, PART);
    let key = "datasets/faults/customers.csv";
    let v1 = b"v1: the dataset".to_vec();
    let first = moto_blobs
        .put(
            key,
            Bytes::from(v1.clone()),
            "text/csv",
            PutCondition::Absent,
        )
        .await
        .expect("first version");

    // If-Match, done, answered 500: the SDK's retry gets 412 (the etag
    // moved — to our own write). The adapter sees its own write there:
    // success, with the new etag.
    proxy.set_plan(lost("PutObject", Fault::InternalError));
    let v2 = b"v2: rewritten before the items".to_vec();
    let second = b
        .put(
            key,
            Bytes::from(v2.clone()),
            "text/csv",
            PutCondition::Matches(first.etag.clone()),
        )
        .await
        .expect("a replace whose answer was lost is still a success");
    assert_ne!(second.etag, first.etag);
    assert_eq!(proxy.count("s3", "PutObject"), 2, "one retry");
    let (meta, got) = read_all(&moto_blobs, key).await.expect("direct get");
    assert_eq!(got, v2);
    assert_eq!(meta.etag, second.etag);

    // A stale etag is still a conflict.
    let stale = b
        .put(
            key,
            Bytes::from_static(b"v3"),
            "text/csv",
            PutCondition::Matches(first.etag.clone()),
        )
        .await
        .expect_err("stale etag");
    assert!(stale.is_condition_failed(), "{stale:?}");

    // If-None-Match, done, connection dropped.
    proxy.set_plan(lost("PutObject", Fault::Reset));
    let fresh = "exports/faults/once.json";
    b.put(
        fresh,
        Bytes::from_static(b"{}"),
        "application/json",
        PutCondition::Absent,
    )
    .await
    .expect("a creation whose answer was lost is still a success");
    let again = b
        .put(
            fresh,
            Bytes::from_static(b"{}"),
            "application/json",
            PutCondition::Absent,
        )
        .await
        .expect_err("a second creation is a conflict, same content or not");
    assert!(again.is_condition_failed());

    // Multipart, If-Match on the completion, done and answered 500: the
    // retried completion finds no upload (or a moved etag).
    proxy.set_plan(lost("CompleteMultipartUpload", Fault::InternalError));
    let big = content(7, 6 * 1024 * 1024);
    let file = temp_file(&big);
    let third = b
        .put_file(
            key,
            file.path(),
            "text/csv",
            PutCondition::Matches(second.etag.clone()),
        )
        .await
        .expect("a multipart replace whose answer was lost is still a success");
    assert_eq!(third.sha256, sha256_hex(&big));
    let (_, got) = read_all(&moto_blobs, key).await.expect("direct get");
    assert_eq!(sha256_hex(&got), sha256_hex(&big));
    // And unconditional.
    proxy.set_plan(lost("CompleteMultipartUpload", Fault::Unavailable));
    let other = "datasets/faults/plain.csv";
    b.put_file(other, file.path(), "text/csv", PutCondition::Any)
        .await
        .expect("an unconditional multipart upload whose answer was lost");
    let (_, got) = read_all(&moto_blobs, other).await.expect("direct get");
    assert_eq!(sha256_hex(&got), sha256_hex(&big));
    assert!(proxy.injected() >= 4);
}
