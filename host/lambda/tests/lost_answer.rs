//! An item deleted through the engine on DynamoDB, where DeleteItem is
//! applied and its answer lost (a 500 after the table did the work): the
//! SDK's retry meets its own deletion and fails `attribute_exists`. The
//! engine read the item just before, so it reports the deletion and
//! audits it, instead of answering "not found" for an item it removed
//! with no trace in the audit trail.
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
    use lethe_fault_proxy::{Fault, FaultPlan, FaultProxy, Rule};
    use serde_json::json;

    use super::support::{World, endpoint};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_deletion_whose_answer_was_lost_is_reported_and_audited() {
        let proxy = FaultProxy::counting(&endpoint()).await.expect("proxy");
        let world = World::create_at("lostdel", &proxy.endpoint()).await;
        let stack = world.stack(Arc::new(SystemClock)).await;
        let engine = &stack.engine;
        engine
            .bootstrap_tenant(
                "acme",
                "acme",
                lethe_core::tenant::Settings::default(),
                "tests",
            )
            .await
            .expect("tenant");
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

        let events = lethe_core::audit::list(stack.aws.control.as_ref(), "acme", 0, 1000)
            .await
            .expect("audit trail");
        let deleted: Vec<_> = events
            .iter()
            .filter(|e| e.action == "item.deleted")
            .collect();
        assert_eq!(deleted.len(), 1, "the deletion is in the audit trail once");
        assert_eq!(deleted[0].details, json!({"kind": "conversation"}));

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
}
