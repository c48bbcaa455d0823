//! DynamoDB: throttling, half-done batches, short pages and 500s lose and
//! duplicate nothing; lost answers on conditional writes are recognised;
//! concurrent throttled writes keep their retries.

use lethe_aws::{DynamoTable, create_table};
use lethe_conformance::unique;
use lethe_core::ports::{Condition, ItemStore, KeyRange, Record, Write, query_all};
use lethe_fault_proxy::{Fault, FaultPlan, Rule};

use crate::support::{assert_names_nothing, body, direct, key, proxied};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_throttling_loses_and_duplicates_nothing() {
    let name = unique("faults");
    let moto_table = create_table(&direct().await.dynamodb(), &name)
        .await
        .expect("table");
    let plan = FaultPlan::new()
        .rule(
            Rule::new("dynamodb", Fault::Throttle)
                .operations(["PutItem", "UpdateItem", "BatchWriteItem"])
                .every(2)
                .up_to_attempt(1),
        )
        .rule(
            Rule::new("dynamodb", Fault::ThrottlingException)
                .operation("Query")
                .every(2)
                .up_to_attempt(1),
        )
        .rule(
            Rule::new("dynamodb", Fault::InternalError)
                .operation("GetItem")
                .every(3)
                .up_to_attempt(1),
        )
        // The first attempts the throttling rule lets through: half-done
        // batches (the adapter retries the unprocessed part; its next
        // call is throttled once, then passes). And short pages.
        .rule(
            Rule::new("dynamodb", Fault::PartialBatch { held_back: 10 })
                .operation("BatchWriteItem")
                .up_to_attempt(1),
        )
        .rule(Rule::new("dynamodb", Fault::ShortPage { limit: 7 }).operation("Query"));
    let (proxy, config) = proxied(plan).await;
    let t = DynamoTable::new(config.dynamodb(), &name);
    let tenant = "faults-ddb";
    const N: usize = 300;

    // 300 creations (Absent), then 300 updates at version 1, in batches.
    let creates = (0..N)
        .map(|i| Write::Put {
            record: Record::new(key(tenant, i), body(i, 1)),
            condition: Condition::Absent,
        })
        .collect();
    let created = t.write_batch(creates).await.expect("batch of creations");
    for (i, r) in created.iter().enumerate() {
        assert_eq!(r.as_ref().ok(), Some(&1), "creation {i}: {r:?}");
    }
    let updates = (0..N)
        .map(|i| Write::Put {
            record: Record::new(key(tenant, i), body(i, 2)),
            condition: Condition::Version(1),
        })
        .collect();
    let updated = t.write_batch(updates).await.expect("batch of updates");
    for (i, r) in updated.iter().enumerate() {
        assert_eq!(r.as_ref().ok(), Some(&2), "update {i}: {r:?}");
    }
    // 20 single puts on top.
    for i in 0..20 {
        let v = t
            .put(
                Record::new(key(tenant, i), body(i, 3)),
                Condition::Version(2),
            )
            .await
            .expect("single put");
        assert_eq!(v, 3);
    }
    // 60 records that go again: unconditional deletes are BatchWriteItem
    // calls (25 at a time), half-done or throttled.
    let doomed = "faults-ddb-doomed";
    let puts = (0..60)
        .map(|i| Write::Put {
            record: Record::new(key(doomed, i), body(i, 1)),
            condition: Condition::None,
        })
        .collect();
    assert!(
        t.write_batch(puts)
            .await
            .expect("puts")
            .iter()
            .all(Result::is_ok)
    );
    let deletes = (0..60)
        .map(|i| Write::Delete {
            key: key(doomed, i),
            condition: Condition::None,
        })
        .collect();
    let deleted = t.write_batch(deletes).await.expect("deletes");
    assert!(deleted.iter().all(Result::is_ok), "{deleted:?}");

    // Reads through the faults: paged queries (short pages, throttled),
    // and gets (500s).
    let pk = key(tenant, 0).pk;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let page = t
            .query(&pk, &KeyRange::All, cursor.as_deref(), 50)
            .await
            .expect("query page");
        seen.extend(page.records.into_iter().map(|r| r.key.sk));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen.len(), N, "every record, once, through the proxy");
    let mut sorted = seen.clone();
    sorted.dedup();
    assert_eq!(sorted, seen, "in order, no repeats");
    for i in [0, 19, 20, 299] {
        let r = t.get(&key(tenant, i)).await.expect("get").expect("present");
        assert_eq!(r.version, if i < 20 { 3 } else { 2 });
    }

    // The truth, from moto.
    let all = query_all(&moto_table, &pk, &KeyRange::All)
        .await
        .expect("direct query");
    assert_eq!(all.len(), N);
    for (i, r) in all.iter().enumerate() {
        assert_eq!(r.key, key(tenant, i));
        let round = if i < 20 { 3 } else { 2 };
        assert_eq!(r.version, u64::from(round), "record {i}");
        assert_eq!(r.body, body(i, round), "record {i}");
    }
    let gone = query_all(&moto_table, &key(doomed, 0).pk, &KeyRange::All)
        .await
        .expect("direct query");
    assert!(gone.is_empty(), "{} deleted records left", gone.len());

    let injected = proxy.injected_counts();
    let of = |op: &str| {
        injected
            .get(&("dynamodb".to_owned(), op.to_owned()))
            .copied()
            .unwrap_or(0)
    };
    assert!(of("UpdateItem") >= 300, "{injected:?}");
    assert!(of("BatchWriteItem") >= 2, "{injected:?}");
    assert!(of("Query") >= 2, "{injected:?}");
    assert!(of("GetItem") >= 1, "{injected:?}");
    // 680 puts (300 + 300 + 20 + the 60 doomed ones); every 2nd first
    // attempt throttled, each retried once.
    assert_eq!(proxy.count("dynamodb", "UpdateItem"), 680 + 340);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_lost_answers_on_conditional_writes() {
    let name = unique("faults");
    let moto_table = create_table(&direct().await.dynamodb(), &name)
        .await
        .expect("table");
    let lost = |fault: Fault| {
        FaultPlan::new().rule(
            Rule::new("dynamodb", fault)
                .operation("UpdateItem")
                .first(1)
                .after_forwarding(),
        )
    };
    let (proxy, config) = proxied(lost(Fault::InternalError)).await;
    let t = DynamoTable::new(config.dynamodb(), &name);
    let tenant = "faults-lost";
    let k = key(tenant, 1);

    // Absent: the creation happened, its answer was a 500; the SDK's
    // retry finds the record and fails `attribute_not_exists`. The
    // adapter sees that the record holds its own write: success.
    let v = t
        .put(Record::new(k.clone(), body(1, 1)), Condition::Absent)
        .await
        .expect("a creation whose answer was lost is still a success");
    assert_eq!(v, 1);
    assert_eq!(proxy.count("dynamodb", "UpdateItem"), 2, "one retry");

    // Version: same, with the connection dropped instead.
    proxy.set_plan(lost(Fault::Reset));
    let v = t
        .put(Record::new(k.clone(), body(1, 2)), Condition::Version(1))
        .await
        .expect("an update whose answer was lost is still a success");
    assert_eq!(v, 2);

    // Unconditional and Exists: the retry must not bump the version twice.
    proxy.set_plan(lost(Fault::InternalError));
    let v = t
        .put(Record::new(k.clone(), body(1, 3)), Condition::None)
        .await
        .expect("put");
    assert_eq!(v, 3, "one write, one version");
    proxy.set_plan(lost(Fault::Unavailable));
    let v = t
        .put(Record::new(k.clone(), body(1, 4)), Condition::Exists)
        .await
        .expect("put");
    assert_eq!(v, 4);
    let r = moto_table.get(&k).await.expect("get").expect("present");
    assert_eq!((r.version, r.body), (4, body(1, 4)));

    // A real conflict is still a conflict.
    let stale = t
        .put(Record::new(k.clone(), body(1, 99)), Condition::Version(1))
        .await
        .expect_err("stale version");
    assert!(stale.is_condition_failed(), "{stale:?}");
    assert_names_nothing(&stale);
    let absent = t
        .put(Record::new(k.clone(), body(1, 99)), Condition::Absent)
        .await
        .expect_err("exists");
    assert!(absent.is_condition_failed(), "{absent:?}");

    // A batch where every 2nd write is done and its answer lost.
    proxy.set_plan(
        FaultPlan::new().rule(
            Rule::new("dynamodb", Fault::InternalError)
                .operation("UpdateItem")
                .every(2)
                .up_to_attempt(1)
                .after_forwarding(),
        ),
    );
    let writes = (10..60)
        .map(|i| Write::Put {
            record: Record::new(key(tenant, i), body(i, 1)),
            condition: Condition::Absent,
        })
        .collect();
    let results = t.write_batch(writes).await.expect("batch");
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r.as_ref().ok(), Some(&1), "write {i}: {r:?}");
    }
    let writes = (10..60)
        .map(|i| Write::Put {
            record: Record::new(key(tenant, i), body(i, 2)),
            condition: Condition::Version(1),
        })
        .collect();
    let results = t.write_batch(writes).await.expect("batch");
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r.as_ref().ok(), Some(&2), "write {i}: {r:?}");
    }
    let all = query_all(&moto_table, &k.pk, &KeyRange::All)
        .await
        .expect("direct query");
    assert_eq!(all.len(), 51);
    for r in all.iter().skip(1) {
        assert_eq!(r.version, 2, "{:?}", r.key);
    }
    // 4 single lost answers, then every 2nd of 100 first attempts.
    assert_eq!(proxy.injected(), 4 + 50);

    // What the adapter cannot tell: a conditional delete done and its
    // answer lost. The retry finds nothing and fails its condition; an
    // absent record does not say who deleted it, so the port answers
    // ConditionFailed — and the record is gone, as asked. (The engine reads
    // an item before a deletion it audits, so it tells this apart from an
    // item that never was: lethe-lambda's `lost_answer` test.)
    proxy.set_plan(
        FaultPlan::new().rule(
            Rule::new("dynamodb", Fault::InternalError)
                .operation("DeleteItem")
                .first(1)
                .after_forwarding(),
        ),
    );
    let e = t
        .delete(&k, Condition::Version(4))
        .await
        .expect_err("the retry meets the deletion");
    assert!(e.is_condition_failed(), "{e:?}");
    assert_eq!(moto_table.get(&k).await.expect("get"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_concurrent_throttling_keeps_its_retries() {
    // Every call is throttled once, then passes; 800 of them, 16 at a
    // time (a batch). With the SDK's default retry quota the concurrent
    // retries leaked its tokens and, after ~490 calls, throttles came
    // back as `Unavailable` without a retry (~370 of 800 failed); with
    // `AwsConfig`'s quota (a success earns back a retry's cost) none do.
    let name = unique("faults");
    let moto_table = create_table(&direct().await.dynamodb(), &name)
        .await
        .expect("table");
    let plan = FaultPlan::new().rule(
        Rule::new("dynamodb", Fault::Throttle)
            .operation("UpdateItem")
            .up_to_attempt(1),
    );
    let (proxy, config) = proxied(plan).await;
    let t = DynamoTable::new(config.dynamodb(), &name);
    const N: usize = 800;
    let tenant = "faults-quota";
    let writes = (0..N)
        .map(|i| Write::Put {
            record: Record::new(key(tenant, i), body(i, 1)),
            condition: Condition::Absent,
        })
        .collect();
    let results = t.write_batch(writes).await.expect("batch");
    let failed = results.iter().filter(|r| r.is_err()).count();
    assert_eq!(failed, 0, "{:?}", results.iter().find(|r| r.is_err()));
    assert_eq!(proxy.injected(), N as u64);
    assert_eq!(proxy.count("dynamodb", "UpdateItem"), 2 * N as u64);
    let all = query_all(&moto_table, &key(tenant, 0).pk, &KeyRange::All)
        .await
        .expect("direct query");
    assert_eq!(all.len(), N);
    assert!(all.iter().all(|r| r.version == 1));
}
