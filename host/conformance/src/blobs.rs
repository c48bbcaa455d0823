//! Cases for `BlobStore`: round trips, checksums, conditions, large files,
//! streaming, prefixes and links.

use std::io::Write as _;

use bytes::Bytes;
use jiff::{SignedDuration, Timestamp};
use lethe_core::digest::sha256_hex;
use lethe_core::ports::{BlobMeta, PortError, PutCondition, read_all};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

use crate::Backend;
use crate::support::{assert_condition_failed, unique};

async fn put(b: &Backend, key: &str, content: &[u8], condition: PutCondition) -> BlobMeta {
    b.blobs
        .put(
            key,
            Bytes::copy_from_slice(content),
            "application/octet-stream",
            condition,
        )
        .await
        .unwrap_or_else(|e| panic!("put: {e}"))
}

async fn content(b: &Backend, key: &str) -> Vec<u8> {
    read_all(b.blobs.as_ref(), key)
        .await
        .unwrap_or_else(|e| panic!("get: {e}"))
        .1
}

/// Put, get, head and delete agree; delete is idempotent.
pub async fn put_get_head_delete(b: &Backend) {
    let key = format!("{}/exports/req-1/export.json", unique("roundtrip"));
    let body = br#"{"hello":"world"}"#;
    let meta = put(b, &key, body, PutCondition::Any).await;
    assert_eq!(meta.key, key);
    assert_eq!(meta.size, body.len() as u64);
    assert_eq!(meta.sha256, sha256_hex(body));
    let (got_meta, got) = read_all(b.blobs.as_ref(), &key).await.expect("get");
    assert_eq!(got, body);
    assert_eq!(got_meta, meta);
    assert_eq!(b.blobs.head(&key).await.expect("head"), Some(meta));
    b.blobs.delete(&key).await.expect("delete");
    assert_eq!(b.blobs.head(&key).await.expect("head"), None);
    assert!(matches!(
        b.blobs.get(&key).await,
        Err(PortError::NotFound { .. })
    ));
    b.blobs.delete(&key).await.expect("deleting again");
}

/// The SHA-256 is the content's; the etag changes when the content does.
pub async fn sha256_and_etag(b: &Backend) {
    let key = format!("{}/file.txt", unique("sha"));
    let one = put(b, &key, b"one", PutCondition::Any).await;
    assert_eq!(
        one.sha256,
        "7692c3ad3540bb803c020b3aee66cd8887123234ea0c6e7143c0add73ff431ed"
    );
    let two = put(b, &key, b"two", PutCondition::Any).await;
    assert_eq!(two.sha256, sha256_hex(b"two"));
    assert_ne!(one.etag, two.etag);
    assert_eq!(
        b.blobs
            .head(&key)
            .await
            .expect("head")
            .expect("present")
            .etag,
        two.etag
    );
}

/// An empty object is an object.
pub async fn empty_object(b: &Backend) {
    let key = format!("{}/empty", unique("empty"));
    let meta = put(b, &key, b"", PutCondition::Absent).await;
    assert_eq!(meta.size, 0);
    assert_eq!(
        meta.sha256,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(content(b, &key).await, b"");
    assert_eq!(b.blobs.list(&key).await.expect("list").len(), 1);
}

/// `Absent` writes once; the second put fails and changes nothing.
pub async fn put_absent(b: &Backend) {
    let key = format!("{}/once", unique("absent"));
    let first = put(b, &key, b"first", PutCondition::Absent).await;
    let again = b
        .blobs
        .put(
            &key,
            Bytes::from_static(b"second"),
            "text/plain",
            PutCondition::Absent,
        )
        .await;
    assert_condition_failed(again, "second Absent put");
    assert_eq!(content(b, &key).await, b"first");
    assert_eq!(b.blobs.head(&key).await.expect("head"), Some(first));
}

/// `Matches(etag)` replaces only the version that was read.
pub async fn put_matches(b: &Backend) {
    let key = format!("{}/cas", unique("matches"));
    let missing = b
        .blobs
        .put(
            &key,
            Bytes::from_static(b"x"),
            "text/plain",
            PutCondition::Matches("\"nope\"".into()),
        )
        .await;
    assert_condition_failed(missing, "Matches on a missing object");
    assert_eq!(b.blobs.head(&key).await.expect("head"), None);

    let v1 = put(b, &key, b"v1", PutCondition::Any).await;
    let v2 = put(b, &key, b"v2", PutCondition::Matches(v1.etag.clone())).await;
    assert_eq!(content(b, &key).await, b"v2");
    let stale = b
        .blobs
        .put(
            &key,
            Bytes::from_static(b"v3"),
            "text/plain",
            PutCondition::Matches(v1.etag),
        )
        .await;
    assert_condition_failed(stale, "Matches with a stale etag");
    assert_eq!(content(b, &key).await, b"v2");
    put(b, &key, b"v3", PutCondition::Matches(v2.etag)).await;
    assert_eq!(content(b, &key).await, b"v3");
}

/// `Any` creates and overwrites.
pub async fn put_any_overwrites(b: &Backend) {
    let key = format!("{}/any", unique("any"));
    put(b, &key, b"a", PutCondition::Any).await;
    put(b, &key, b"bb", PutCondition::Any).await;
    assert_eq!(content(b, &key).await, b"bb");
    assert_eq!(
        b.blobs
            .head(&key)
            .await
            .expect("head")
            .expect("present")
            .size,
        2
    );
}

/// Bytes of a deterministic, non-repeating-looking pattern.
fn pattern(len: usize) -> Vec<u8> {
    let mut state: u32 = 0x9e37_79b9;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state.to_le_bytes()[0]
        })
        .collect()
}

/// A multi-MiB file uploads from disk (multipart on S3) with the right size
/// and SHA-256, and streams back intact.
pub async fn put_file_large(b: &Backend) {
    let key = format!("{}/big.bin", unique("put-file"));
    let data = pattern(6 * 1024 * 1024 + 12_345);
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(&data).expect("write temp file");
    file.flush().expect("flush");
    let meta = b
        .blobs
        .put_file(
            &key,
            file.path(),
            "application/octet-stream",
            PutCondition::Absent,
        )
        .await
        .expect("put_file");
    assert_eq!(meta.size, data.len() as u64);
    assert_eq!(meta.sha256, sha256_hex(&data));
    let again = b
        .blobs
        .put_file(
            &key,
            file.path(),
            "application/octet-stream",
            PutCondition::Absent,
        )
        .await;
    assert_condition_failed(again, "second Absent put_file");

    let (got_meta, mut reader) = b.blobs.get(&key).await.expect("get");
    assert_eq!(got_meta.sha256, meta.sha256);
    let mut hasher = Sha256::new();
    let mut total = 0usize;
    let mut buf = vec![0u8; 64 * 1024];
    for _ in 0..100_000 {
        let n = reader.read(&mut buf).await.expect("read");
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n;
    }
    assert_eq!(total, data.len());
    assert_eq!(hex::encode(hasher.finalize()), meta.sha256);
}

/// A get is a stream that can be read a few bytes at a time.
pub async fn streaming_get(b: &Backend) {
    let key = format!("{}/stream.txt", unique("stream"));
    let data = pattern(200_000);
    put(b, &key, &data, PutCondition::Any).await;
    let (meta, mut reader) = b.blobs.get(&key).await.expect("get");
    assert_eq!(meta.size, 200_000);
    let mut head = [0u8; 7];
    reader.read_exact(&mut head).await.expect("first bytes");
    assert_eq!(head, data[..7]);
    let mut rest = Vec::new();
    reader.read_to_end(&mut rest).await.expect("the rest");
    assert_eq!(rest, data[7..]);
}

/// `list` returns exactly the keys under a prefix, sorted, recursively;
/// neighbouring prefixes do not leak in.
pub async fn list_by_prefix(b: &Backend) {
    let base = unique("list");
    let keys = ["a/2", "a/1", "a/sub/deep/x", "ab", "b/1"];
    for k in keys {
        put(b, &format!("{base}/{k}"), k.as_bytes(), PutCondition::Any).await;
    }
    put(b, &format!("{base}-other/a/1"), b"other", PutCondition::Any).await;
    let names = |list: Vec<BlobMeta>| -> Vec<String> {
        list.into_iter()
            .map(|m| m.key[base.len() + 1..].to_owned())
            .collect()
    };
    let under_a = b.blobs.list(&format!("{base}/a/")).await.expect("list");
    assert!(
        under_a
            .iter()
            .all(|m| m.sha256 == sha256_hex(&m.key.as_bytes()[base.len() + 1..]))
    );
    assert_eq!(names(under_a), ["a/1", "a/2", "a/sub/deep/x"]);
    assert_eq!(
        names(b.blobs.list(&format!("{base}/a")).await.expect("list")),
        ["a/1", "a/2", "a/sub/deep/x", "ab"]
    );
    assert_eq!(
        names(b.blobs.list(&format!("{base}/")).await.expect("list")),
        ["a/1", "a/2", "a/sub/deep/x", "ab", "b/1"]
    );
    assert!(
        b.blobs
            .list(&format!("{base}/c"))
            .await
            .expect("list")
            .is_empty()
    );
    let other = b.blobs.list(&format!("{base}-other/")).await.expect("list");
    assert_eq!(other.len(), 1);
    b.blobs
        .delete(&format!("{base}/a/sub/deep/x"))
        .await
        .expect("delete");
    assert_eq!(
        names(b.blobs.list(&format!("{base}/a/")).await.expect("list")),
        ["a/1", "a/2"]
    );
}

/// Absent objects: `get` is `NotFound`, `head` is `None`, `delete` is fine.
pub async fn missing_objects(b: &Backend) {
    let key = format!("{}/nothing", unique("missing"));
    assert!(matches!(
        b.blobs.get(&key).await,
        Err(PortError::NotFound { .. })
    ));
    assert_eq!(b.blobs.head(&key).await.expect("head"), None);
    b.blobs.delete(&key).await.expect("delete");
}

/// Links name their expiry: two expiries give two links, two keys two links.
pub async fn download_link_differs_by_expiry(b: &Backend) {
    let key = format!("{}/export.zip", unique("link"));
    put(b, &key, b"zip", PutCondition::Any).await;
    let soon = Timestamp::now() + SignedDuration::from_hours(1);
    let later = soon + SignedDuration::from_hours(1);
    let one = b.blobs.download_link(&key, soon).await.expect("link");
    let two = b.blobs.download_link(&key, later).await.expect("link");
    assert!(!one.is_empty());
    assert_ne!(one, two);
    let other_key = format!("{key}.2");
    put(b, &other_key, b"zip", PutCondition::Any).await;
    assert_ne!(
        b.blobs.download_link(&other_key, soon).await.expect("link"),
        one
    );
}
