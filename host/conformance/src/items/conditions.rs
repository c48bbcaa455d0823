//! Conditional writes and deletes: `Absent`, `Exists`, `Version`, each
//! passing and failing.

use lethe_core::ports::Condition;
use serde_json::json;

use super::{get, key, put, rec};
use crate::Backend;
use crate::support::{assert_condition_failed, unique};

/// `Absent` creates once; the second attempt fails and changes nothing.
pub async fn condition_absent(b: &Backend) {
    let pk = unique("absent");
    assert_eq!(
        put(b, rec(&pk, "a", json!({"first": true})), Condition::Absent).await,
        1
    );
    let again = b
        .items
        .put(rec(&pk, "a", json!({"second": true})), Condition::Absent)
        .await;
    assert_condition_failed(again, "second create");
    let got = get(b, &pk, "a").await.expect("present");
    assert_eq!((got.version, got.body), (1, json!({"first": true})));
}

/// `Exists` fails on an absent record (creating nothing) and passes on a
/// present one.
pub async fn condition_exists(b: &Backend) {
    let pk = unique("exists");
    let missing = b
        .items
        .put(rec(&pk, "a", json!({"x": 1})), Condition::Exists)
        .await;
    assert_condition_failed(missing, "update of a missing record");
    assert_eq!(get(b, &pk, "a").await, None);
    put(b, rec(&pk, "a", json!({"x": 1})), Condition::None).await;
    assert_eq!(
        put(b, rec(&pk, "a", json!({"x": 2})), Condition::Exists).await,
        2
    );
    assert_eq!(
        get(b, &pk, "a").await.expect("present").body,
        json!({"x": 2})
    );
}

/// `Version(n)` passes only on version n; a stale version fails and
/// changes nothing; any version fails on an absent record.
pub async fn condition_version(b: &Backend) {
    let pk = unique("version");
    let missing = b
        .items
        .put(rec(&pk, "a", json!({"x": 0})), Condition::Version(1))
        .await;
    assert_condition_failed(missing, "versioned write of a missing record");
    assert_eq!(get(b, &pk, "a").await, None);
    put(b, rec(&pk, "a", json!({"x": 1})), Condition::Absent).await;
    assert_eq!(
        put(b, rec(&pk, "a", json!({"x": 2})), Condition::Version(1)).await,
        2
    );
    let stale = b
        .items
        .put(rec(&pk, "a", json!({"x": 99})), Condition::Version(1))
        .await;
    assert_condition_failed(stale, "write at a stale version");
    let ahead = b
        .items
        .put(rec(&pk, "a", json!({"x": 99})), Condition::Version(3))
        .await;
    assert_condition_failed(ahead, "write at a future version");
    let got = get(b, &pk, "a").await.expect("present");
    assert_eq!((got.version, got.body), (2, json!({"x": 2})));
}

/// Deletes honour their condition; deleting nothing under `None` is fine.
pub async fn delete_conditions(b: &Backend) {
    let pk = unique("delete");
    let k = key(&pk, "a");
    b.items
        .delete(&k, Condition::None)
        .await
        .expect("deleting nothing");
    assert_condition_failed(
        b.items.delete(&k, Condition::Exists).await,
        "delete missing, Exists",
    );
    assert_condition_failed(
        b.items.delete(&k, Condition::Version(1)).await,
        "delete missing, Version",
    );
    b.items
        .delete(&k, Condition::Absent)
        .await
        .expect("delete missing, Absent");

    put(b, rec(&pk, "a", json!({"x": 1})), Condition::None).await;
    put(b, rec(&pk, "a", json!({"x": 2})), Condition::None).await;
    assert_condition_failed(
        b.items.delete(&k, Condition::Version(1)).await,
        "delete at a stale version",
    );
    assert_condition_failed(
        b.items.delete(&k, Condition::Absent).await,
        "delete present, Absent",
    );
    let got = get(b, &pk, "a")
        .await
        .expect("still present after failed deletes");
    assert_eq!((got.version, got.body), (2, json!({"x": 2})));
    b.items
        .delete(&k, Condition::Version(2))
        .await
        .expect("delete at the right version");
    assert_eq!(get(b, &pk, "a").await, None);

    put(b, rec(&pk, "b", json!({})), Condition::None).await;
    b.items
        .delete(&key(&pk, "b"), Condition::Exists)
        .await
        .expect("delete present, Exists");
    assert_eq!(get(b, &pk, "b").await, None);
}
