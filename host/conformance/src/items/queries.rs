//! Queries of one partition: key ranges, ascending order, paging with a
//! limit, and no record of another partition.

use lethe_core::ports::{Condition, KeyRange, Page};
use serde_json::json;

use super::{put, query_sks, rec};
use crate::Backend;
use crate::support::unique;

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
