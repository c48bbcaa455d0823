//! Batches: each write under its own condition, answered in order; an
//! empty batch.

use lethe_core::ports::{Condition, KeyRange, Write};
use serde_json::json;

use super::{collect, get, key, put, rec};
use crate::Backend;
use crate::support::{eventually, unique};

/// A batch applies each write under its own condition and answers for
/// each, in order; the failed ones change nothing.
pub async fn write_batch_mixed_conditions(b: &Backend) {
    let pk = unique("batch");
    put(b, rec(&pk, "exists", json!({"v": 1})), Condition::None).await;
    put(b, rec(&pk, "versioned", json!({"v": 1})), Condition::None).await;
    put(b, rec(&pk, "stale", json!({"v": 1})), Condition::None).await;
    put(b, rec(&pk, "stale", json!({"v": 2})), Condition::None).await;
    put(b, rec(&pk, "doomed", json!({"v": 1})), Condition::None).await;
    let ipk = format!("{pk}#IX");
    let writes = vec![
        Write::Put {
            record: rec(&pk, "new", json!({"v": "new"})).indexed(key(&ipk, "1")),
            condition: Condition::Absent,
        },
        Write::Put {
            record: rec(&pk, "exists", json!({"v": "lost"})),
            condition: Condition::Absent,
        },
        Write::Put {
            record: rec(&pk, "versioned", json!({"v": 2})),
            condition: Condition::Version(1),
        },
        Write::Put {
            record: rec(&pk, "stale", json!({"v": "lost"})),
            condition: Condition::Version(1),
        },
        Write::Delete {
            key: key(&pk, "doomed"),
            condition: Condition::Exists,
        },
        Write::Delete {
            key: key(&pk, "never"),
            condition: Condition::Exists,
        },
        Write::Delete {
            key: key(&pk, "never"),
            condition: Condition::None,
        },
        Write::Put {
            record: rec(&pk, "missing", json!({"v": "lost"})),
            condition: Condition::Exists,
        },
    ];
    let results = b.items.write_batch(writes).await.expect("the batch runs");
    assert_eq!(results.len(), 8);
    assert_eq!(results[0].as_ref().ok(), Some(&1));
    assert!(
        results[1].as_ref().is_err_and(|e| e.is_condition_failed()),
        "{:?}",
        results[1]
    );
    assert_eq!(results[2].as_ref().ok(), Some(&2));
    assert!(
        results[3].as_ref().is_err_and(|e| e.is_condition_failed()),
        "{:?}",
        results[3]
    );
    assert_eq!(results[4].as_ref().ok(), Some(&0));
    assert!(
        results[5].as_ref().is_err_and(|e| e.is_condition_failed()),
        "{:?}",
        results[5]
    );
    assert_eq!(results[6].as_ref().ok(), Some(&0));
    assert!(
        results[7].as_ref().is_err_and(|e| e.is_condition_failed()),
        "{:?}",
        results[7]
    );

    assert_eq!(
        get(b, &pk, "new").await.expect("created").body,
        json!({"v": "new"})
    );
    assert_eq!(
        get(b, &pk, "exists").await.expect("kept").body,
        json!({"v": 1})
    );
    assert_eq!(get(b, &pk, "versioned").await.expect("updated").version, 2);
    let stale = get(b, &pk, "stale").await.expect("kept");
    assert_eq!((stale.version, stale.body), (2, json!({"v": 2})));
    assert_eq!(get(b, &pk, "doomed").await, None);
    assert_eq!(get(b, &pk, "missing").await, None);
    eventually(b, "the batch's index entry", || async {
        collect(b, &ipk, &KeyRange::All, 10, true).await.len() == 1
    })
    .await;
}

/// An empty batch answers with no results.
pub async fn write_batch_empty(b: &Backend) {
    assert!(
        b.items
            .write_batch(Vec::new())
            .await
            .expect("empty batch")
            .is_empty()
    );
}
