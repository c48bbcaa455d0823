//! A record's life: a round trip, its version on every write, its TTL
//! backstop, and the requests a store refuses.

use lethe_core::ports::{Condition, KeyRange};
use serde_json::json;

use super::{get, key, put, rec};
use crate::Backend;
use crate::support::{assert_invalid, unique};

/// A record round-trips: body, version 1, index key; absent keys read as
/// `None`.
pub async fn put_get_roundtrip(b: &Backend) {
    let pk = unique("roundtrip");
    let body = json!({"name": "Ada", "n": 3, "nested": {"list": [1, "two", null, true]}});
    let record =
        rec(&pk, "profile#1", body.clone()).indexed(key(&format!("{pk}#ix"), "2024-01-01#1"));
    assert_eq!(put(b, record, Condition::Absent).await, 1);
    let got = get(b, &pk, "profile#1")
        .await
        .expect("the record just written");
    assert_eq!(got.key, key(&pk, "profile#1"));
    assert_eq!(got.version, 1);
    assert_eq!(got.body, body);
    assert_eq!(got.index, Some(key(&format!("{pk}#ix"), "2024-01-01#1")));
    assert_eq!(got.expires_at, None);
    assert_eq!(get(b, &pk, "profile#2").await, None);
    assert_eq!(get(b, &format!("{pk}-other"), "profile#1").await, None);
}

/// Every write bumps the version from 1; the input's version is ignored;
/// a record deleted and written again starts over at 1.
pub async fn versions_bump_on_every_write(b: &Backend) {
    let pk = unique("versions");
    let mut record = rec(&pk, "a", json!({"v": 0}));
    record.version = 99;
    assert_eq!(put(b, record.clone(), Condition::None).await, 1);
    assert_eq!(put(b, record.clone(), Condition::None).await, 2);
    assert_eq!(
        put(b, rec(&pk, "a", json!({"v": 3})), Condition::Exists).await,
        3
    );
    let got = get(b, &pk, "a").await.expect("present");
    assert_eq!((got.version, got.body), (3, json!({"v": 3})));
    b.items
        .delete(&key(&pk, "a"), Condition::None)
        .await
        .expect("delete");
    assert_eq!(put(b, record, Condition::Absent).await, 1);
}

/// Requests no backend can honour are refused as invalid and change
/// nothing: empty key parts, a body that is not an object, a record over
/// 400 KB, a cursor the store never gave.
pub async fn invalid_requests(b: &Backend) {
    let pk = unique("invalid");
    assert_invalid(
        b.items.put(rec("", "a", json!({})), Condition::None).await,
        "empty pk",
    );
    assert_invalid(
        b.items.put(rec(&pk, "", json!({})), Condition::None).await,
        "empty sk",
    );
    assert_invalid(
        b.items
            .put(rec(&pk, "a", json!([1, 2])), Condition::None)
            .await,
        "array body",
    );
    assert_invalid(
        b.items
            .put(rec(&pk, "a", json!("text")), Condition::None)
            .await,
        "string body",
    );
    let huge = json!({"blob": "x".repeat(500 * 1024)});
    assert_invalid(
        b.items.put(rec(&pk, "a", huge), Condition::None).await,
        "a 500 KB record",
    );
    assert_eq!(get(b, &pk, "a").await, None);
    put(b, rec(&pk, "a", json!({})), Condition::None).await;
    assert_invalid(
        b.items
            .query(&pk, &KeyRange::All, Some("not a cursor"), 10)
            .await,
        "a made-up cursor",
    );
}

/// The TTL backstop is stored and read back.
pub async fn expires_at_roundtrip(b: &Backend) {
    let pk = unique("ttl");
    let far = 4_102_444_800; // 2100-01-01
    put(b, rec(&pk, "a", json!({})).expiring(far), Condition::None).await;
    assert_eq!(
        get(b, &pk, "a").await.expect("present").expires_at,
        Some(far)
    );
    put(b, rec(&pk, "a", json!({})), Condition::None).await;
    assert_eq!(get(b, &pk, "a").await.expect("present").expires_at, None);
}
