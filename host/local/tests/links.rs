//! Signed download links: their shape, and what `verify_link` accepts.

use jiff::Timestamp;
use lethe_core::ports::BlobStore;
use lethe_local::{BlobDir, LinkError};

fn ts(s: i64) -> Timestamp {
    Timestamp::from_second(s).expect("valid")
}

/// The key, expiry and signature of a link, as a server would read them.
fn parts(link: &str) -> (String, i64, String) {
    let rest = link
        .strip_prefix("http://127.0.0.1:8080/blobs/")
        .expect("the base and route");
    let (path, query) = rest.split_once('?').expect("a query");
    let mut expires = None;
    let mut sig = None;
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("expires", v)) => expires = Some(v.parse().expect("unix seconds")),
            Some(("sig", v)) => sig = Some(v.to_owned()),
            _ => panic!("unexpected parameter {pair}"),
        }
    }
    (
        percent_decode(path),
        expires.expect("expires"),
        sig.expect("sig"),
    )
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).expect("hex"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("utf-8")
}

fn store(key: [u8; 32]) -> (tempfile::TempDir, BlobDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let blobs = BlobDir::new(dir.path(), "http://127.0.0.1:8080/".into(), key).expect("blob dir");
    (dir, blobs)
}

#[tokio::test]
async fn a_link_verifies_until_it_expires() {
    let (_dir, blobs) = store([7; 32]);
    let link = blobs
        .download_link("exports/acme/r 1/export.json", ts(2_000))
        .await
        .expect("link");
    assert!(
        link.starts_with(
            "http://127.0.0.1:8080/blobs/exports/acme/r%201/export.json?expires=2000&sig="
        ),
        "{link}"
    );
    let (key, expires, sig) = parts(&link);
    assert_eq!(key, "exports/acme/r 1/export.json");
    assert_eq!(sig.len(), 64);
    assert_eq!(blobs.verify_link(&key, expires, &sig, ts(1_000)), Ok(()));
    assert_eq!(
        blobs.verify_link(&key, expires, &sig, ts(2_000)),
        Ok(()),
        "valid through its last second"
    );
    assert_eq!(
        blobs.verify_link(&key, expires, &sig, ts(2_001)),
        Err(LinkError::Expired)
    );
}

#[tokio::test]
async fn tampered_links_are_refused() {
    let (_dir, blobs) = store([7; 32]);
    let link = blobs
        .download_link("exports/acme/r1/export.json", ts(2_000))
        .await
        .expect("link");
    let (key, expires, sig) = parts(&link);
    let now = ts(1_000);
    let bad = Err(LinkError::BadSignature);
    assert_eq!(
        blobs.verify_link("exports/acme/r2/export.json", expires, &sig, now),
        bad,
        "another key"
    );
    assert_eq!(
        blobs.verify_link(&key, expires + 3600, &sig, now),
        bad,
        "a later expiry"
    );
    let mut flipped = sig.clone().into_bytes();
    flipped[10] = if flipped[10] == b'0' { b'1' } else { b'0' };
    let flipped = String::from_utf8(flipped).expect("ascii");
    assert_eq!(
        blobs.verify_link(&key, expires, &flipped, now),
        bad,
        "a changed signature"
    );
    assert_eq!(
        blobs.verify_link(&key, expires, &sig[..62], now),
        bad,
        "a short signature"
    );
    assert_eq!(
        blobs.verify_link(&key, expires, "not hex", now),
        bad,
        "not hex"
    );
    assert_eq!(blobs.verify_link(&key, expires, "", now), bad, "empty");
    // A tampered, expired link says it is tampered, not merely expired.
    assert_eq!(blobs.verify_link(&key, expires, &flipped, ts(3_000)), bad);

    let (_dir2, other) = store([8; 32]);
    assert_eq!(
        other.verify_link(&key, expires, &sig, now),
        bad,
        "another link key"
    );
}

#[tokio::test]
async fn links_to_bad_keys_are_refused() {
    let (_dir, blobs) = store([7; 32]);
    assert!(
        blobs
            .download_link("../etc/passwd", ts(2_000))
            .await
            .is_err()
    );
}
