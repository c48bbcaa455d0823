//! API keys, tenant settings and the audit log: for admins.

use axum::http::StatusCode;
use lethe_core::engine::Role;
use serde_json::json;

use crate::common::{Fixture, Send};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_settings_and_audit_are_for_admins() {
    let f = Fixture::new().await;
    let made = f
        .as_role(
            "acme",
            Role::Admin,
            "POST",
            "/v1/api-keys",
            Send::Json(json!({"label": "web-form", "role": "intake"})),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.body);
    let key = made.body["key"].as_str().unwrap().to_string();
    assert!(key.starts_with("lth_acme_key_"));
    let id = made.body["id"].as_str().unwrap().to_string();
    let listed = f
        .as_role("acme", Role::Admin, "GET", "/v1/api-keys", Send::Empty)
        .await;
    assert_eq!(listed.body.as_array().unwrap().len(), 5);
    assert!(
        !listed.body.to_string().contains(&key[20..]),
        "secrets are never listed"
    );
    assert!(!listed.body.to_string().contains("sha256"));
    let works = f
        .call(
            "POST",
            "/v1/requests",
            Some(&key),
            Send::Json(json!({
        "kind": "access", "subject": {"by": "email", "value": "x@example.com"}})),
        )
        .await;
    assert_eq!(works.status, StatusCode::CREATED);
    let revoked = f
        .as_role(
            "acme",
            Role::Admin,
            "DELETE",
            &format!("/v1/api-keys/{id}"),
            Send::Empty,
        )
        .await;
    assert!(revoked.body["revoked_at"].is_string());
    let refused = f
        .call(
            "POST",
            "/v1/requests",
            Some(&key),
            Send::Json(json!({
        "kind": "access", "subject": {"by": "email", "value": "x@example.com"}})),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let bad_label = f
        .as_role(
            "acme",
            Role::Admin,
            "POST",
            "/v1/api-keys",
            Send::Json(json!({"label": "ada@example.com", "role": "admin"})),
        )
        .await;
    assert_eq!(bad_label.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad_role = f
        .as_role(
            "acme",
            Role::Admin,
            "POST",
            "/v1/api-keys",
            Send::Json(json!({"label": "x", "role": "root"})),
        )
        .await;
    assert_eq!(bad_role.status, StatusCode::BAD_REQUEST);

    // Settings: validation.
    let bad = f
        .as_role(
            "acme",
            Role::Admin,
            "PUT",
            "/v1/settings",
            Send::Json(json!({"auto_redact": 45})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.body["detail"]
            .as_str()
            .unwrap()
            .contains("30, 60 or 90"),
        "{:?}",
        bad.body
    );
    let good = f.as_role("acme", Role::Admin, "PUT", "/v1/settings", Send::Json(json!({"auto_redact": 60, "region": "us", "retention": {"log": 3}, "suppression": "strip"}))).await;
    assert_eq!(good.status, StatusCode::OK, "{:?}", good.body);
    assert_eq!(good.body["auto_redact"], 60);
    assert_eq!(
        f.node
            .engine
            .tenant("acme")
            .await
            .unwrap()
            .settings
            .region
            .as_str(),
        "us"
    );

    // Audit: paged, oldest first, the actors are labels.
    let page = f
        .as_role(
            "acme",
            Role::Admin,
            "GET",
            "/v1/audit-events?limit=2",
            Send::Empty,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body["items"][0]["seq"], 1);
    let cursor = page.body["next_cursor"].as_str().unwrap().to_string();
    let next = f
        .as_role(
            "acme",
            Role::Admin,
            "GET",
            &format!("/v1/audit-events?limit=500&cursor={cursor}"),
            Send::Empty,
        )
        .await;
    let actions: Vec<&str> = next.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"api-key.revoked"), "{actions:?}");
    assert!(actions.contains(&"settings.updated"), "{actions:?}");
    let bad_cursor = f
        .as_role(
            "acme",
            Role::Admin,
            "GET",
            "/v1/audit-events?cursor=abc",
            Send::Empty,
        )
        .await;
    assert_eq!(bad_cursor.status, StatusCode::BAD_REQUEST);
    let bad_limit = f
        .as_role(
            "acme",
            Role::Admin,
            "GET",
            "/v1/audit-events?limit=0",
            Send::Empty,
        )
        .await;
    assert_eq!(bad_limit.status, StatusCode::BAD_REQUEST);
}
