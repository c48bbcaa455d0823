//! Deletions through the engine on DynamoDB when DeleteItem misbehaves:
//!
//! - applied and its answer lost (a 500 after the table did the work): the
//!   SDK's retry meets its own deletion and fails `attribute_exists`. The
//!   engine read the item just before, so it reports the deletion and
//!   audits it, instead of answering "not found" for an item it removed
//!   with no trace in the audit trail;
//! - refused on every attempt while items are deleted by IP address: the
//!   call fails and keeps the item's lookup entry, so repeating it finds
//!   and deletes the item (it used to drop the entry and leave the item
//!   behind, unreachable by its address).
//!
//! ```text
//! scripts/with-moto.sh cargo test -p lethe-lambda --features moto-tests --test lost_answer
//! ```

#[cfg(feature = "moto-tests")]
mod support;

#[cfg(feature = "moto-tests")]
mod moto {
    use std::sync::Arc;

    use lethe_core::engine::{EngineError, IngestItem};
    use lethe_core::ports::{ItemStore, SystemClock};
    use lethe_fault_proxy::{Fault, FaultPlan, Rule};
    use serde_json::json;

    use super::support::{acme_behind_proxy, audited};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_deletion_whose_answer_was_lost_is_reported_and_audited() {
        let (proxy, _world, stack) = acme_behind_proxy("lostdel", Arc::new(SystemClock)).await;
        let engine = &stack.engine;
        let item = |id: &str| IngestItem {
            customer: "cust-1".into(),
            kind: "conversation".into(),
            id: id.into(),
            data: json!({"transcript": "hello", "channel": "chat"}),
            active_at: None,
        };
        engine
            .ingest("acme", vec![item("c-1"), item("c-2")])
            .await
            .expect("ingest");
        let key = lethe_core::keys::item("acme", "cust-1", "conversation", "c-1");
        assert!(stack.aws.data.get(&key).await.expect("get").is_some());

        proxy.set_plan(
            FaultPlan::new().rule(
                Rule::new("dynamodb", Fault::InternalError)
                    .operation("DeleteItem")
                    .first(1)
                    .after_forwarding(),
            ),
        );
        engine
            .delete_item("acme", "cust-1", "conversation", "c-1", "tests")
            .await
            .expect("deleted, although the first answer was lost");
        assert_eq!(proxy.injected(), 1, "the answer was lost once");
        assert_eq!(
            proxy.count("dynamodb", "DeleteItem"),
            2,
            "the SDK retried, and its retry met the deletion"
        );
        assert_eq!(stack.aws.data.get(&key).await.expect("get"), None);

        assert_eq!(
            audited(&stack, "item.deleted").await,
            [json!({"kind": "conversation"})],
            "the deletion is in the audit trail once"
        );

        // Deleting it again is "not found", and audits nothing.
        proxy.set_plan(FaultPlan::new());
        let again = engine
            .delete_item("acme", "cust-1", "conversation", "c-1", "tests")
            .await
            .expect_err("already gone");
        assert!(matches!(again, EngineError::NotFound { .. }), "{again:?}");
        let other = lethe_core::keys::item("acme", "cust-1", "conversation", "c-2");
        assert!(
            stack.aws.data.get(&other).await.expect("get").is_some(),
            "the customer's other item is untouched"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_ip_deletion_that_fails_part_way_can_be_repeated() {
        let (proxy, world, stack) = acme_behind_proxy("ipdel", Arc::new(SystemClock)).await;
        let engine = &stack.engine;
        let mut synth = lethe_synth::Synth::new(11);
        synth.email_ids_every = 0;
        let customer = synth
            .customers(1, jiff::Timestamp::now(), |_| 1)
            .next()
            .expect("a customer");
        engine
            .ingest("acme", customer.items.clone())
            .await
            .expect("ingest");
        let ip = customer.pii[4].clone();
        let log_key = customer
            .items
            .iter()
            .find(|i| i.kind == "log")
            .map(|i| lethe_core::keys::item("acme", &customer.id, &i.kind, &i.id))
            .expect("a log item");
        assert!(stack.aws.data.get(&log_key).await.expect("get").is_some());

        // Every attempt of the first DeleteItem (the log item's) fails.
        let attempts = u64::from(world.config.max_attempts);
        proxy.set_plan(
            FaultPlan::new().rule(
                Rule::new("dynamodb", Fault::InternalError)
                    .operation("DeleteItem")
                    .first(attempts),
            ),
        );
        engine
            .delete_by_ip("acme", &ip, "tests")
            .await
            .expect_err("the item could not be deleted");
        assert_eq!(proxy.injected(), attempts);
        assert!(
            stack.aws.data.get(&log_key).await.expect("get").is_some(),
            "the item is still there"
        );
        assert!(
            audited(&stack, "ip-items.deleted").await.is_empty(),
            "nothing was deleted, so nothing is audited"
        );

        proxy.set_plan(FaultPlan::new());
        let deleted = engine
            .delete_by_ip("acme", &ip, "tests")
            .await
            .expect("repeated");
        assert_eq!(deleted, 1, "the repeat still finds the item by its address");
        assert_eq!(stack.aws.data.get(&log_key).await.expect("get"), None);
        assert_eq!(
            audited(&stack, "ip-items.deleted").await,
            [json!({"deleted": 1})]
        );
    }
}
