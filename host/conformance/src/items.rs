//! Cases for `ItemStore`: versions, conditions, ranges, paging, the sparse
//! index, batches and limits.

use lethe_core::ports::{Condition, KeyRange, Page, Record, RecordKey, Write};
use serde_json::{Value, json};

use crate::Backend;
use crate::support::{assert_condition_failed, assert_invalid, eventually, unique};

fn key(pk: &str, sk: &str) -> RecordKey {
    RecordKey::new(pk, sk)
}

fn rec(pk: &str, sk: &str, body: Value) -> Record {
    Record::new(key(pk, sk), body)
}

async fn put(b: &Backend, record: Record, condition: Condition) -> u64 {
    b.items
        .put(record, condition)
        .await
        .unwrap_or_else(|e| panic!("put: {e}"))
}

async fn get(b: &Backend, pk: &str, sk: &str) -> Option<Record> {
    b.items
        .get(&key(pk, sk))
        .await
        .unwrap_or_else(|e| panic!("get: {e}"))
}

/// Every sort key of a query, following pages with `limit` (bounded).
async fn query_sks(b: &Backend, pk: &str, range: &KeyRange, limit: usize) -> Vec<String> {
    collect(b, pk, range, limit, false)
        .await
        .into_iter()
        .map(|r| r.key.sk)
        .collect()
}

async fn collect(
    b: &Backend,
    pk: &str,
    range: &KeyRange,
    limit: usize,
    index: bool,
) -> Vec<Record> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..200 {
        let page: Page = if index {
            b.items
                .query_index(pk, range, cursor.as_deref(), limit)
                .await
        } else {
            b.items.query(pk, range, cursor.as_deref(), limit).await
        }
        .unwrap_or_else(|e| panic!("query: {e}"));
        assert!(
            page.records.len() <= limit,
            "a page of {} for limit {limit}",
            page.records.len()
        );
        out.extend(page.records);
        match page.next {
            Some(next) => cursor = Some(next),
            None => return out,
        }
    }
    panic!("query did not finish within 200 pages");
}

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

async fn seed(b: &Backend, pk: &str, sks: &[&str]) {
    for sk in sks {
        put(b, rec(pk, sk, json!({"sk": sk})), Condition::None).await;
    }
}

/// `All`, `Prefix`, `Between` (inclusive) and `AtMost` (inclusive) read the
/// right sort keys, ascending, with bodies.
pub async fn query_ranges(b: &Backend) {
    let pk = unique("ranges");
    // Written out of order on purpose.
    seed(b, &pk, &["b#2", "a#1", "c", "b#1", "a#2", "a", "b#10", "é"]).await;
    let all = ["a", "a#1", "a#2", "b#1", "b#10", "b#2", "c", "é"];
    assert_eq!(query_sks(b, &pk, &KeyRange::All, 100).await, all);
    assert_eq!(
        query_sks(b, &pk, &KeyRange::Prefix("a#".into()), 100).await,
        ["a#1", "a#2"]
    );
    assert_eq!(
        query_sks(b, &pk, &KeyRange::Prefix("b#1".into()), 100).await,
        ["b#1", "b#10"]
    );
    assert_eq!(
        query_sks(b, &pk, &KeyRange::Prefix("zz".into()), 100).await,
        Vec::<String>::new()
    );
    assert_eq!(
        query_sks(b, &pk, &KeyRange::Between("a#2".into(), "b#2".into()), 100).await,
        ["a#2", "b#1", "b#10", "b#2"]
    );
    assert_eq!(
        query_sks(
            b,
            &pk,
            &KeyRange::Between("a#10".into(), "a#15".into()),
            100
        )
        .await,
        Vec::<String>::new()
    );
    assert_eq!(
        query_sks(b, &pk, &KeyRange::AtMost("b#1".into()), 100).await,
        ["a", "a#1", "a#2", "b#1"]
    );
    assert_eq!(
        query_sks(b, &pk, &KeyRange::AtMost("0".into()), 100).await,
        Vec::<String>::new()
    );
    let page = b
        .items
        .query(&pk, &KeyRange::Prefix("c".into()), None, 10)
        .await
        .expect("query");
    assert_eq!(page.records.len(), 1);
    assert_eq!(page.records[0].body, json!({"sk": "c"}));
    assert_eq!(page.records[0].version, 1);
    assert_eq!(page.next, None);
}

/// A query reads one partition only, even when another partition key
/// starts with it; an empty partition gives one empty last page.
pub async fn query_does_not_leak_partitions(b: &Backend) {
    let pk = unique("leak");
    let longer = format!("{pk}#x");
    let shorter = &pk[..pk.len() - 1];
    seed(b, &pk, &["a", "b"]).await;
    seed(b, &longer, &["a", "c"]).await;
    seed(b, shorter, &["a", "d"]).await;
    assert_eq!(query_sks(b, &pk, &KeyRange::All, 100).await, ["a", "b"]);
    assert_eq!(query_sks(b, &longer, &KeyRange::All, 100).await, ["a", "c"]);
    assert_eq!(
        query_sks(b, &pk, &KeyRange::AtMost("zzz".into()), 1).await,
        ["a", "b"]
    );
    let empty = b
        .items
        .query(&format!("{pk}-none"), &KeyRange::All, None, 10)
        .await
        .expect("query");
    assert_eq!(empty, Page::default());
}

/// Pages of a small limit, followed by cursor, give every record once, in
/// order; the last page says so.
pub async fn query_pagination(b: &Backend) {
    let pk = unique("pages");
    let sks: Vec<String> = (0..23).map(|i| format!("item#{i:03}")).collect();
    let refs: Vec<&str> = sks.iter().map(String::as_str).collect();
    seed(b, &pk, &refs).await;
    for limit in [1, 5, 7, 23, 50] {
        assert_eq!(
            query_sks(b, &pk, &KeyRange::All, limit).await,
            sks,
            "limit {limit}"
        );
    }
    let first = b
        .items
        .query(&pk, &KeyRange::All, None, 5)
        .await
        .expect("query");
    assert_eq!(first.records.len(), 5);
    assert!(first.next.is_some(), "more pages follow");
}

/// Paging works inside a range too, and stops at its end.
pub async fn query_pagination_with_prefix(b: &Backend) {
    let pk = unique("pages-prefix");
    let mut sks: Vec<String> = (0..9).map(|i| format!("b#{i}")).collect();
    sks.extend(["a#1".to_owned(), "c#1".to_owned(), "b".to_owned()]);
    let refs: Vec<&str> = sks.iter().map(String::as_str).collect();
    seed(b, &pk, &refs).await;
    let want: Vec<String> = (0..9).map(|i| format!("b#{i}")).collect();
    assert_eq!(
        query_sks(b, &pk, &KeyRange::Prefix("b#".into()), 2).await,
        want
    );
    assert_eq!(
        query_sks(b, &pk, &KeyRange::Between("b#3".into(), "b#6".into()), 3).await,
        ["b#3", "b#4", "b#5", "b#6"]
    );
    assert_eq!(
        query_sks(b, &pk, &KeyRange::AtMost("b#1".into()), 2).await,
        ["a#1", "b", "b#0", "b#1"]
    );
}

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
