//! Records read masked for support and deleted by operators;
//! suppression enforced at ingest.

use axum::http::StatusCode;
use lethe_core::engine::Role;
use serde_json::json;

use crate::common::{Fixture, Send};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_are_read_masked_for_support_and_deleted_by_operators() {
    let f = Fixture::new().await;
    f.seed("acme").await;
    let full = f
        .as_role(
            "acme",
            Role::Operator,
            "GET",
            "/v1/customers/cust-1/items",
            Send::Empty,
        )
        .await;
    assert_eq!(full.status, StatusCode::OK, "{:?}", full.body);
    assert_eq!(full.body["masked"], false);
    let profile = full.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "profile")
        .unwrap();
    assert_eq!(profile["data"]["email"], "ada@example.com");
    assert_eq!(profile["labels"]["email"], "email");

    let masked = f
        .as_role(
            "acme",
            Role::Support,
            "GET",
            "/v1/customers/cust-1/items",
            Send::Empty,
        )
        .await;
    assert_eq!(masked.body["masked"], true);
    let text = masked.body.to_string();
    assert!(!text.contains("ada@example.com"), "{text}");
    assert!(!text.contains("Lovelace"), "{text}");
    let profile = masked.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "profile")
        .unwrap();
    assert_eq!(
        profile["data"]["plan"], "pro",
        "non-personal attributes are shown"
    );
    assert!(profile["data"]["email"].as_str().unwrap().ends_with("om"));
    let conversation = masked.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "conversation")
        .unwrap();
    assert!(
        conversation["data"]["text"]
            .as_str()
            .unwrap()
            .starts_with("Hi, reach me at *")
    );

    let missing = f
        .as_role(
            "acme",
            Role::Support,
            "GET",
            "/v1/customers/nobody/items",
            Send::Empty,
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    let attr = f
        .as_role(
            "acme",
            Role::Operator,
            "DELETE",
            "/v1/customers/cust-1/items/profile/p1/attribute?path=phone",
            Send::Empty,
        )
        .await;
    assert_eq!(attr.status, StatusCode::NO_CONTENT, "{:?}", attr.body);
    let attr_again = f
        .as_role(
            "acme",
            Role::Operator,
            "DELETE",
            "/v1/customers/cust-1/items/profile/p1/attribute?path=phone",
            Send::Empty,
        )
        .await;
    assert_eq!(attr_again.status, StatusCode::NOT_FOUND);
    let item = f
        .as_role(
            "acme",
            Role::Operator,
            "DELETE",
            "/v1/customers/cust-1/items/conversation/c1",
            Send::Empty,
        )
        .await;
    assert_eq!(item.status, StatusCode::NO_CONTENT);
    let ip = f
        .as_role(
            "acme",
            Role::Operator,
            "POST",
            "/v1/ip-deletions",
            Send::Json(json!({"ip": "192.0.2.10"})),
        )
        .await;
    assert_eq!(ip.body["deleted"], 1, "{:?}", ip.body);
    let bad_ip = f
        .as_role(
            "acme",
            Role::Operator,
            "POST",
            "/v1/ip-deletions",
            Send::Json(json!({"ip": "not-an-ip"})),
        )
        .await;
    assert_eq!(bad_ip.status, StatusCode::UNPROCESSABLE_ENTITY);
    let after = f
        .as_role(
            "acme",
            Role::Operator,
            "GET",
            "/v1/customers/cust-1/items",
            Send::Empty,
        )
        .await;
    let items = after.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert!(items[0]["data"].get("phone").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suppression_is_enforced_at_ingest() {
    let f = Fixture::new().await;
    f.seed("acme").await;
    let job = f
        .as_role(
            "acme",
            Role::Operator,
            "POST",
            "/v1/redactions",
            Send::Json(json!({"ids": ["cust-2"]})),
        )
        .await;
    let id = job.body["id"].as_str().unwrap();
    f.as_role(
        "acme",
        Role::Admin,
        "POST",
        &format!("/v1/jobs/{id}/confirm"),
        Send::Empty,
    )
    .await;
    f.drain().await;
    let again = f
        .as_role("acme", Role::Operator, "POST", "/v1/items", Send::Json(json!({"items": [
            {"customer": "cust-9", "kind": "profile", "id": "p9", "data": {"email": "charles@example.com"}}
        ]})))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{:?}", again.body);
    assert_eq!(again.code(), "suppressed");
    assert!(!again.body.to_string().contains("charles"));
}
