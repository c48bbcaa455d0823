//! The local item table against a model: random writes, then every query
//! (base and index, any range, any page size) answers as a `BTreeMap`
//! would. Plus the local limits.

use std::collections::BTreeMap;

use lethe_conformance::read_pages;
use lethe_core::ports::{Condition, ItemStore, KeyRange, Record, RecordKey, Write};
use lethe_local::{Durability, LocalStore};
use proptest::prelude::*;
use serde_json::json;

/// One step of a random history.
#[derive(Clone, Debug)]
enum Op {
    Put {
        pk: u8,
        sk: u8,
        index: Option<(u8, u8)>,
        condition: Cond,
    },
    Delete {
        pk: u8,
        sk: u8,
        condition: Cond,
    },
}

#[derive(Clone, Copy, Debug)]
enum Cond {
    None,
    Absent,
    Exists,
    Version(u64),
}

fn cond() -> impl Strategy<Value = Cond> {
    prop_oneof![
        Just(Cond::None),
        Just(Cond::Absent),
        Just(Cond::Exists),
        (1u64..4).prop_map(Cond::Version),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0u8..3, 0u8..12, proptest::option::of((0u8..2, 0u8..5)), cond())
            .prop_map(|(pk, sk, index, condition)| Op::Put { pk, sk, index, condition }),
        1 => (0u8..3, 0u8..12, cond()).prop_map(|(pk, sk, condition)| Op::Delete { pk, sk, condition }),
    ]
}

fn pk(n: u8) -> String {
    // Partition keys where one is a prefix of another.
    ["P", "P#", "P#1"][usize::from(n)].to_owned()
}

fn sk(n: u8) -> String {
    // Sort keys with shared prefixes, to exercise `Prefix`.
    format!("{}#{}", ["a", "ab", "b"][usize::from(n % 3)], n / 3)
}

fn condition(c: Cond) -> Condition {
    match c {
        Cond::None => Condition::None,
        Cond::Absent => Condition::Absent,
        Cond::Exists => Condition::Exists,
        Cond::Version(v) => Condition::Version(v),
    }
}

/// The model: (pk, sk) -> (version, index key).
type Model = BTreeMap<(String, String), (u64, Option<(String, String)>)>;

fn holds(c: Cond, current: Option<u64>) -> bool {
    match c {
        Cond::None => true,
        Cond::Absent => current.is_none(),
        Cond::Exists => current.is_some(),
        Cond::Version(v) => current == Some(v),
    }
}

fn to_write(op: &Op) -> Write {
    match op {
        Op::Put {
            pk: p,
            sk: s,
            index,
            condition: c,
        } => {
            let mut record = Record::new(RecordKey::new(pk(*p), sk(*s)), json!({"sk": sk(*s)}));
            if let Some((ip, is)) = index {
                record = record.indexed(RecordKey::new(format!("IX{ip}"), format!("{is}")));
            }
            Write::Put {
                record,
                condition: condition(*c),
            }
        }
        Op::Delete {
            pk: p,
            sk: s,
            condition: c,
        } => Write::Delete {
            key: RecordKey::new(pk(*p), sk(*s)),
            condition: condition(*c),
        },
    }
}

/// Applies `op` to the model; returns what the store should answer.
fn apply_model(model: &mut Model, op: &Op) -> Result<u64, ()> {
    match op {
        Op::Put {
            pk: p,
            sk: s,
            index,
            condition: c,
        } => {
            let k = (pk(*p), sk(*s));
            let current = model.get(&k).map(|(v, _)| *v);
            if !holds(*c, current) {
                return Err(());
            }
            let v = current.map_or(1, |v| v + 1);
            model.insert(
                k,
                (
                    v,
                    index.map(|(ip, is)| (format!("IX{ip}"), format!("{is}"))),
                ),
            );
            Ok(v)
        }
        Op::Delete {
            pk: p,
            sk: s,
            condition: c,
        } => {
            let k = (pk(*p), sk(*s));
            if !holds(*c, model.get(&k).map(|(v, _)| *v)) {
                return Err(());
            }
            model.remove(&k);
            Ok(0)
        }
    }
}

fn ranges() -> Vec<KeyRange> {
    vec![
        KeyRange::All,
        KeyRange::Prefix("a".into()),
        KeyRange::Prefix("ab#".into()),
        KeyRange::Prefix("b#1".into()),
        KeyRange::Between("a#1".into(), "ab#2".into()),
        KeyRange::Between("b".into(), "a".into()),
        KeyRange::AtMost("ab#1".into()),
        KeyRange::AtMost("".into()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn queries_match_a_model(ops in proptest::collection::vec(op(), 1..40), limit in 1usize..6, batched in any::<bool>()) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = LocalStore::open(dir.path(), Durability::None).expect("open");
        let table = store.table("data");
        let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        rt.block_on(async {
            let mut model = Model::new();
            if batched {
                let want: Vec<Result<u64, ()>> = ops.iter().map(|op| apply_model(&mut model, op)).collect();
                let got = table.write_batch(ops.iter().map(to_write).collect()).await.expect("batch");
                let got: Vec<Result<u64, ()>> = got.into_iter().map(|r| r.map_err(|e| assert!(e.is_condition_failed()))).collect();
                assert_eq!(got, want);
            } else {
                for op in &ops {
                    let want = apply_model(&mut model, op);
                    let got = match to_write(op) {
                        Write::Put { record, condition } => table.put(record, condition).await,
                        Write::Delete { key, condition } => table.delete(&key, condition).await.map(|()| 0),
                    };
                    assert_eq!(got.map_err(|e| assert!(e.is_condition_failed())), want, "{op:?}");
                }
            }
            for p in 0..3 {
                let pk = pk(p);
                for range in ranges() {
                    let want: Vec<(String, u64)> = model
                        .iter()
                        .filter(|((mp, ms), _)| *mp == pk && range.contains(ms))
                        .map(|((_, ms), (v, _))| (ms.clone(), *v))
                        .collect();
                    let got: Vec<(String, u64)> = read_pages(&table, &pk, &range, limit, false)
                        .await
                        .into_iter()
                        .map(|r| (r.key.sk, r.version))
                        .collect();
                    assert_eq!(got, want, "pk {pk}, {range:?}, limit {limit}");
                }
            }
            for ip in 0..2 {
                let ipk = format!("IX{ip}");
                for range in [KeyRange::All, KeyRange::Between("1".into(), "3".into()), KeyRange::AtMost("2".into())] {
                    let mut want: Vec<(String, String, String)> = model
                        .iter()
                        .filter_map(|((mp, ms), (_, ix))| {
                            let (ipk2, isk) = ix.as_ref()?;
                            (*ipk2 == ipk && range.contains(isk)).then(|| (isk.clone(), mp.clone(), ms.clone()))
                        })
                        .collect();
                    want.sort();
                    let got: Vec<(String, String, String)> = read_pages(&table, &ipk, &range, limit, true)
                        .await
                        .into_iter()
                        .map(|r| (r.index.expect("indexed").sk, r.key.pk, r.key.sk))
                        .collect();
                    assert_eq!(got, want, "index {ipk}, {range:?}, limit {limit}");
                }
            }
        });
    }
}

#[tokio::test]
async fn a_page_holds_at_most_1000_records() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = LocalStore::open(dir.path(), Durability::None).expect("open");
    let table = store.table("data");
    let writes = (0..1005)
        .map(|i| Write::Put {
            record: Record::new(RecordKey::new("P", format!("{i:05}")), json!({})),
            condition: Condition::Absent,
        })
        .collect();
    assert!(
        table
            .write_batch(writes)
            .await
            .expect("batch")
            .iter()
            .all(Result::is_ok)
    );
    let page = table
        .query("P", &KeyRange::All, None, 5000)
        .await
        .expect("query");
    assert_eq!(page.records.len(), 1000);
    let rest = table
        .query("P", &KeyRange::All, page.next.as_deref(), 5000)
        .await
        .expect("query");
    assert_eq!(rest.records.len(), 5);
    assert_eq!(rest.next, None);
    assert!(
        table.query("P", &KeyRange::All, None, 0).await.is_err(),
        "limit 0 would page forever"
    );
}

#[tokio::test]
async fn errors_never_quote_keys() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = LocalStore::open(dir.path(), Durability::None).expect("open");
    let table = store.table("data");
    let key = RecordKey::new("T#a#C#ada@example.com", "profile#1");
    table
        .put(
            Record::new(key.clone(), json!({"email": "ada@example.com"})),
            Condition::None,
        )
        .await
        .expect("put");
    let errors = [
        table
            .put(Record::new(key.clone(), json!({})), Condition::Absent)
            .await
            .expect_err("condition"),
        table
            .put(
                Record::new(key.clone(), json!(["ada@example.com"])),
                Condition::None,
            )
            .await
            .expect_err("invalid"),
        table
            .put(
                Record::new(
                    RecordKey::new("ada@example.com", "x".repeat(2000)),
                    json!({}),
                ),
                Condition::None,
            )
            .await
            .expect_err("long"),
        table
            .query(
                "T#a#C#ada@example.com",
                &KeyRange::All,
                Some("ada@example.com"),
                1,
            )
            .await
            .expect_err("cursor"),
    ];
    for e in errors {
        assert!(!e.to_string().contains("ada"), "{e}");
    }
}

#[tokio::test]
async fn tables_of_one_store_are_separate() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = LocalStore::open(dir.path(), Durability::Immediate).expect("open");
    let data = store.table("data");
    let control = store.table("control");
    let key = RecordKey::new("P", "S");
    data.put(
        Record::new(key.clone(), json!({"t": "data"})).indexed(RecordKey::new("I", "1")),
        Condition::None,
    )
    .await
    .expect("put");
    assert_eq!(control.get(&key).await.expect("get"), None);
    assert!(
        control
            .query_index("I", &KeyRange::All, None, 10)
            .await
            .expect("index")
            .records
            .is_empty()
    );
    assert_eq!(
        control
            .put(Record::new(key.clone(), json!({})), Condition::Absent)
            .await
            .expect("put"),
        1
    );
}
