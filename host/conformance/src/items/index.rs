//! The sparse index: only records with an index key, in index order,
//! moved or removed with the record, paged.

use lethe_core::ports::{Condition, KeyRange, Record};
use serde_json::json;

use super::{collect, get, key, put, rec};
use crate::Backend;
use crate::support::{eventually, unique};

fn index_sks(records: &[Record]) -> Vec<(String, String)> {
    records
        .iter()
        .map(|r| {
            let ix = r
                .index
                .clone()
                .expect("an index query returns indexed records");
            (ix.sk, r.key.sk.clone())
        })
        .collect()
}

/// Only records with an index key show in the index, ordered by index sort
/// key, with their full bodies; two records may share an index key.
pub async fn query_index_sparse(b: &Backend) {
    let pk = unique("sparse");
    let ipk = format!("{pk}#IX");
    let other_ipk = format!("{pk}#IY");
    put(
        b,
        rec(&pk, "a", json!({"n": "a"})).indexed(key(&ipk, "3")),
        Condition::None,
    )
    .await;
    put(b, rec(&pk, "b", json!({"n": "b"})), Condition::None).await;
    put(
        b,
        rec(&pk, "c", json!({"n": "c"})).indexed(key(&ipk, "1")),
        Condition::None,
    )
    .await;
    put(
        b,
        rec(&format!("{pk}-2"), "d", json!({"n": "d"})).indexed(key(&ipk, "3")),
        Condition::None,
    )
    .await;
    put(
        b,
        rec(&pk, "e", json!({"n": "e"})).indexed(key(&other_ipk, "2")),
        Condition::None,
    )
    .await;
    let want = vec![
        ("1".to_owned(), "c".to_owned()),
        ("3".into(), "a".into()),
        ("3".into(), "d".into()),
    ];
    eventually(b, "the index shows the indexed records", || async {
        index_sks(&collect(b, &ipk, &KeyRange::All, 100, true).await) == want
    })
    .await;
    let page = b
        .items
        .query_index(&ipk, &KeyRange::AtMost("1".into()), None, 10)
        .await
        .expect("query");
    assert_eq!(page.records.len(), 1);
    assert_eq!(page.records[0].key, key(&pk, "c"));
    assert_eq!(page.records[0].body, json!({"n": "c"}));
    assert_eq!(page.records[0].version, 1);
    let other = collect(b, &other_ipk, &KeyRange::All, 100, true).await;
    assert_eq!(index_sks(&other), [("2".to_owned(), "e".to_owned())]);
    let ranged = collect(
        b,
        &ipk,
        &KeyRange::Between("2".into(), "3".into()),
        100,
        true,
    )
    .await;
    assert_eq!(ranged.len(), 2);
    let none = collect(b, &format!("{pk}#IZ"), &KeyRange::All, 100, true).await;
    assert!(none.is_empty());
}

/// Rewriting a record moves its index entry (new sort key or partition),
/// rewriting it without one removes it, and so does deleting it.
pub async fn query_index_moves_and_removals(b: &Backend) {
    let pk = unique("index-moves");
    let ix1 = format!("{pk}#I1");
    let ix2 = format!("{pk}#I2");
    put(
        b,
        rec(&pk, "a", json!({"v": 1})).indexed(key(&ix1, "5")),
        Condition::None,
    )
    .await;
    put(
        b,
        rec(&pk, "b", json!({"v": 1})).indexed(key(&ix1, "6")),
        Condition::None,
    )
    .await;
    put(
        b,
        rec(&pk, "a", json!({"v": 2})).indexed(key(&ix1, "9")),
        Condition::None,
    )
    .await;
    eventually(b, "a moved within the index", || async {
        let got = collect(b, &ix1, &KeyRange::All, 100, true).await;
        index_sks(&got) == [("6".to_owned(), "b".to_owned()), ("9".into(), "a".into())]
            && got[1].body == json!({"v": 2})
            && got[1].version == 2
    })
    .await;
    put(
        b,
        rec(&pk, "a", json!({"v": 3})).indexed(key(&ix2, "1")),
        Condition::None,
    )
    .await;
    eventually(b, "a moved to another index partition", || async {
        let one = collect(b, &ix1, &KeyRange::All, 100, true).await;
        let two = collect(b, &ix2, &KeyRange::All, 100, true).await;
        index_sks(&one) == [("6".to_owned(), "b".to_owned())]
            && index_sks(&two) == [("1".to_owned(), "a".to_owned())]
    })
    .await;
    put(b, rec(&pk, "a", json!({"v": 4})), Condition::None).await;
    b.items
        .delete(&key(&pk, "b"), Condition::None)
        .await
        .expect("delete");
    eventually(b, "a and b left the index", || async {
        collect(b, &ix1, &KeyRange::All, 100, true).await.is_empty()
            && collect(b, &ix2, &KeyRange::All, 100, true).await.is_empty()
    })
    .await;
    assert_eq!(get(b, &pk, "a").await.expect("a itself stays").index, None);
}

/// Index queries page like base queries, including among records that
/// share one index sort key.
pub async fn query_index_pagination(b: &Backend) {
    let pk = unique("index-pages");
    let ipk = format!("{pk}#IX");
    let mut want = Vec::new();
    for i in 0..11 {
        let isk = format!("{:02}", i / 3); // three records per index sort key
        let sk = format!("r{i:02}");
        put(
            b,
            rec(&pk, &sk, json!({"i": i})).indexed(key(&ipk, &isk)),
            Condition::None,
        )
        .await;
        want.push((isk, sk));
    }
    eventually(b, "the index holds all 11", || async {
        collect(b, &ipk, &KeyRange::All, 100, true).await.len() == 11
    })
    .await;
    for limit in [1, 2, 4, 11] {
        let got = index_sks(&collect(b, &ipk, &KeyRange::All, limit, true).await);
        assert_eq!(got, want, "limit {limit}");
    }
    let ranged = index_sks(&collect(b, &ipk, &KeyRange::Prefix("01".into()), 2, true).await);
    assert_eq!(ranged, want[3..6]);
}
