//! Plugins: upload, activate, run for their tenant only, roll back; a
//! blob swapped behind the registry is never run.

use axum::http::StatusCode;
use lethe_core::engine::Role;
use serde_json::json;

use crate::common::{Fixture, Send};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plugins_upload_activate_run_for_their_tenant_only_and_roll_back() {
    use lethe_core::ports::PluginRuntime;
    let f = Fixture::new().await;
    let wasm = lethe_std_plugins::FIELDMAP_COMMERCE.to_vec();
    let up = f
        .as_role(
            "acme",
            Role::Admin,
            "POST",
            "/v1/plugins/commerce/versions",
            Send::Raw("application/wasm", wasm.clone()),
        )
        .await;
    assert_eq!(up.status, StatusCode::CREATED, "{:?}", up.body);
    assert_eq!(up.body["field_map"], true);
    assert_eq!(up.body["scrubber"], false);
    let sha = up.body["sha256"].as_str().unwrap().to_string();
    let again = f
        .as_role(
            "acme",
            Role::Admin,
            "POST",
            "/v1/plugins/commerce/versions",
            Send::Raw("application/wasm", wasm),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    use lethe_core::ports::BlobStore;
    assert!(
        f.node
            .local
            .blobs
            .head(&format!("plugins/acme/commerce/{sha}.wasm"))
            .await
            .unwrap()
            .is_some()
    );

    let before = f.node.runtime.plugins("acme").await.unwrap().versions;
    assert!(before[0].starts_with("fieldmap-generic@"));
    let active = f
        .as_role(
            "acme",
            Role::Admin,
            "POST",
            &format!("/v1/plugins/commerce/versions/{sha}/activate"),
            Send::Empty,
        )
        .await;
    assert_eq!(active.status, StatusCode::OK, "{:?}", active.body);
    assert_eq!(active.body["active"], sha.as_str());
    let now = f.node.runtime.plugins("acme").await.unwrap().versions;
    assert!(now[0].starts_with("commerce@"), "{now:?}");
    assert!(now[1].starts_with("std-scrubber@"), "{now:?}");
    let other = f.node.runtime.plugins("globex").await.unwrap().versions;
    assert!(
        other[0].starts_with("fieldmap-generic@"),
        "another tenant keeps its plugins: {other:?}"
    );
    // The engine runs it: ingest and read classify with it (the commerce
    // field map knows profiles; it refuses kinds it does not know).
    let ingest = f.as_role("acme", Role::Operator, "POST", "/v1/items", Send::Json(json!({"items": [
        {"customer": "cust-1", "kind": "profile", "id": "p1", "data": {"email": "ada@example.com", "plan": "pro"}}
    ]}))).await;
    assert_eq!(ingest.status, StatusCode::OK, "{:?}", ingest.body);
    let read = f
        .as_role(
            "acme",
            Role::Operator,
            "GET",
            "/v1/customers/cust-1/items",
            Send::Empty,
        )
        .await;
    assert_eq!(read.status, StatusCode::OK, "{:?}", read.body);
    assert_eq!(read.body["items"][0]["labels"]["email"], "email");
    assert_eq!(f.node.runtime.cached(), 1);

    let listed = f
        .as_role("acme", Role::Admin, "GET", "/v1/plugins", Send::Empty)
        .await;
    assert_eq!(listed.body[0]["name"], "commerce");
    assert_eq!(listed.body[0]["versions"].as_array().unwrap().len(), 1);
    let unknown = f
        .as_role(
            "acme",
            Role::Admin,
            "POST",
            &format!("/v1/plugins/commerce/versions/{}/activate", "a".repeat(64)),
            Send::Empty,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    let back = f
        .as_role(
            "acme",
            Role::Admin,
            "POST",
            "/v1/plugins/commerce/rollback",
            Send::Empty,
        )
        .await;
    assert_eq!(back.status, StatusCode::OK);
    assert!(back.body["active"].is_null());
    assert!(
        f.node.runtime.plugins("acme").await.unwrap().versions[0].starts_with("fieldmap-generic@")
    );
    let nothing_left = f
        .as_role(
            "acme",
            Role::Admin,
            "POST",
            "/v1/plugins/commerce/rollback",
            Send::Empty,
        )
        .await;
    assert_eq!(nothing_left.status, StatusCode::CONFLICT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_blob_swapped_behind_the_registry_is_never_run() {
    use lethe_core::ports::{BlobStore, PluginRuntime, PutCondition};
    let f = Fixture::new().await;
    let up = f
        .as_role(
            "acme",
            Role::Admin,
            "POST",
            "/v1/plugins/commerce/versions",
            Send::Raw(
                "application/wasm",
                lethe_std_plugins::FIELDMAP_COMMERCE.to_vec(),
            ),
        )
        .await;
    let sha = up.body["sha256"].as_str().unwrap().to_string();
    f.node
        .local
        .blobs
        .put(
            &format!("plugins/acme/commerce/{sha}.wasm"),
            lethe_std_plugins::FIELDMAP_GENERIC.to_vec().into(),
            "application/wasm",
            PutCondition::Any,
        )
        .await
        .unwrap();
    let active = f
        .as_role(
            "acme",
            Role::Admin,
            "POST",
            &format!("/v1/plugins/commerce/versions/{sha}/activate"),
            Send::Empty,
        )
        .await;
    assert_eq!(active.status, StatusCode::OK);
    assert!(f.node.runtime.plugins("acme").await.is_err());
    assert_eq!(f.node.runtime.cached(), 0);
    let ingest = f
        .as_role(
            "acme",
            Role::Operator,
            "POST",
            "/v1/items",
            Send::Json(json!({"items": [
                {"customer": "c", "kind": "profile", "id": "p", "data": {"email": "a@b.se"}}
            ]})),
        )
        .await;
    assert_eq!(
        ingest.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{:?}",
        ingest.body
    );
    assert!(ingest.is_problem());
    assert!(ingest.headers.contains_key("retry-after"));
    // Other tenants are unaffected.
    assert!(f.node.runtime.plugins("globex").await.is_ok());
}
