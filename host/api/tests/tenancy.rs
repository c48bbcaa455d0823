//! The cross-tenant matrix: every route called with tenant B's keys on
//! tenant A's resources is denied (403) or finds nothing (404), lists show
//! none of A's data, and A's records and blobs are exactly as they were.

mod common;

use axum::http::StatusCode;
use common::{Fixture, Send};
use lethe_api::ROUTES;
use lethe_core::engine::Role;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenant_b_cannot_read_or_change_tenant_a() {
    let f = Fixture::new().await;
    f.seed("acme").await;

    // A's resources: requests (one with an export, one with a certificate,
    // one unverified), jobs (one done, one awaiting confirmation), a
    // plugin, keys.
    let access = f
        .as_role(
            "acme",
            Role::Intake,
            "POST",
            "/v1/requests",
            Send::Json(json!({
        "kind": "access", "subject": {"by": "email", "value": "ada@example.com"}})),
        )
        .await;
    let access_id = access.body["id"].as_str().unwrap().to_string();
    let erasure = f
        .as_role(
            "acme",
            Role::Intake,
            "POST",
            "/v1/requests",
            Send::Json(json!({
        "kind": "erasure", "subject": {"by": "email", "value": "grace@example.com"}})),
        )
        .await;
    let erasure_id = erasure.body["id"].as_str().unwrap().to_string();
    let mail = f.node.local.mailbox.messages();
    let body = &mail
        .iter()
        .find(|m| m.body.contains(&erasure_id))
        .unwrap()
        .body;
    let url = body
        .lines()
        .find(|l| l.contains("/v1/verify/"))
        .unwrap()
        .trim()
        .to_string();
    let token = url.split("token=").nth(1).unwrap().to_string();
    let job = f
        .as_role(
            "acme",
            Role::Operator,
            "POST",
            "/v1/redactions",
            Send::Json(json!({"ids": ["cust-2"]})),
        )
        .await;
    let job_id = job.body["id"].as_str().unwrap().to_string();
    let done = f
        .as_role(
            "acme",
            Role::Operator,
            "POST",
            "/v1/redactions",
            Send::Json(json!({"ids": ["cust-3"]})),
        )
        .await;
    let done_id = done.body["id"].as_str().unwrap().to_string();
    f.as_role(
        "acme",
        Role::Admin,
        "POST",
        &format!("/v1/jobs/{done_id}/confirm"),
        Send::Empty,
    )
    .await;
    f.drain().await;
    let plugin = f
        .as_role(
            "acme",
            Role::Admin,
            "POST",
            "/v1/plugins/crm/versions",
            Send::Raw(
                "application/wasm",
                lethe_std_plugins::FIELDMAP_GENERIC.to_vec(),
            ),
        )
        .await;
    let sha = plugin.body["sha256"].as_str().unwrap().to_string();
    f.as_role(
        "acme",
        Role::Admin,
        "POST",
        &format!("/v1/plugins/crm/versions/{sha}/activate"),
        Send::Empty,
    )
    .await;
    let keys = f
        .as_role("acme", Role::Admin, "GET", "/v1/api-keys", Send::Empty)
        .await;
    let key_id = keys.body[0]["id"].as_str().unwrap().to_string();

    let a_ids = [&access_id, &erasure_id, &job_id, &done_id, &sha, &key_id];
    let before = f.snapshot("acme").await;

    let calls: Vec<(&str, String, Send)> = vec![
        ("GET", format!("/v1/requests/{access_id}"), Send::Empty),
        (
            "POST",
            format!("/v1/requests/{erasure_id}/approve"),
            Send::Empty,
        ),
        (
            "POST",
            format!("/v1/requests/{erasure_id}/reject"),
            Send::Json(json!({"reason": "no"})),
        ),
        (
            "GET",
            format!("/v1/requests/{access_id}/export"),
            Send::Empty,
        ),
        (
            "GET",
            format!("/v1/requests/{access_id}/certificate"),
            Send::Empty,
        ),
        ("POST", format!("/v1/jobs/{job_id}/confirm"), Send::Empty),
        ("POST", format!("/v1/jobs/{job_id}/cancel"), Send::Empty),
        ("GET", format!("/v1/jobs/{done_id}"), Send::Empty),
        ("GET", format!("/v1/jobs/{done_id}/failures"), Send::Empty),
        ("GET", "/v1/customers/cust-1/items".into(), Send::Empty),
        (
            "DELETE",
            "/v1/customers/cust-1/items/profile/p1".into(),
            Send::Empty,
        ),
        (
            "DELETE",
            "/v1/customers/cust-1/items/profile/p1/attribute?path=email".into(),
            Send::Empty,
        ),
        (
            "POST",
            format!("/v1/plugins/crm/versions/{sha}/activate"),
            Send::Empty,
        ),
        ("POST", "/v1/plugins/crm/rollback".into(), Send::Empty),
        ("DELETE", format!("/v1/api-keys/{key_id}"), Send::Empty),
    ];
    let mut covered: Vec<(String, String)> = Vec::new();
    for role in [Role::Intake, Role::Support, Role::Operator, Role::Admin] {
        for (method, uri, body) in &calls {
            let body = match body {
                Send::Empty => Send::Empty,
                Send::Json(v) => Send::Json(v.clone()),
                Send::Raw(t, b) => Send::Raw(t, b.clone()),
            };
            let answer = f.as_role("globex", role, method, uri, body).await;
            assert!(
                [StatusCode::NOT_FOUND, StatusCode::FORBIDDEN].contains(&answer.status),
                "globex {role:?} {method} {uri}: {} {:?}",
                answer.status,
                answer.body
            );
            assert!(answer.is_problem());
            covered.push((
                method.to_string(),
                uri.split('?').next().unwrap().to_string(),
            ));
        }
    }

    // Routes that act on the caller's own tenant: they run, on globex only.
    let own: Vec<(&str, String, Send)> = vec![
        ("GET", "/v1/requests".into(), Send::Empty),
        ("GET", "/v1/jobs".into(), Send::Empty),
        ("GET", "/v1/plugins".into(), Send::Empty),
        ("GET", "/v1/api-keys".into(), Send::Empty),
        ("GET", "/v1/audit-events?limit=500".into(), Send::Empty),
        ("GET", "/v1/settings".into(), Send::Empty),
        (
            "PUT",
            "/v1/settings".into(),
            Send::Json(json!({"handling": "manual"})),
        ),
        (
            "POST",
            "/v1/redactions".into(),
            Send::Json(json!({"ids": ["cust-1", "cust-2"]})),
        ),
        (
            "POST",
            "/v1/ip-deletions".into(),
            Send::Json(json!({"ip": "192.0.2.10"})),
        ),
        (
            "POST",
            "/v1/items".into(),
            Send::Json(json!({"items": [
            {"customer": "cust-1", "kind": "profile", "id": "p1", "data": {"plan": "globex"}}]})),
        ),
        (
            "POST",
            "/v1/requests".into(),
            Send::Json(json!({
            "kind": "access", "subject": {"by": "customer-id", "value": "cust-1"}, "contact": "x@example.com"})),
        ),
        (
            "POST",
            "/v1/plugins/crm/versions".into(),
            Send::Raw("application/wasm", lethe_std_plugins::STD_SCRUBBER.to_vec()),
        ),
        (
            "POST",
            "/v1/api-keys".into(),
            Send::Json(json!({"label": "b", "role": "support"})),
        ),
    ];
    for (method, uri, body) in own {
        let answer = f.as_role("globex", Role::Admin, method, &uri, body).await;
        assert!(
            answer.status.is_success(),
            "{method} {uri}: {} {:?}",
            answer.status,
            answer.body
        );
        let text = answer.body.to_string();
        for id in a_ids {
            assert!(
                !text.contains(id.as_str()),
                "{method} {uri} shows acme's {id}"
            );
        }
        if uri == "/v1/redactions" {
            assert_eq!(
                answer.body["preview"]["matched"], 0,
                "acme's customers are unknown to globex"
            );
        }
        if uri == "/v1/ip-deletions" {
            assert_eq!(answer.body["deleted"], 0);
        }
        covered.push((
            method.to_string(),
            uri.split('?').next().unwrap().to_string(),
        ));
    }

    // The public verification link: acme's token does not work for globex.
    let wrong_tenant = f
        .call(
            "GET",
            &format!("/v1/verify/globex/{erasure_id}?token={token}"),
            None,
            Send::Empty,
        )
        .await;
    assert_eq!(wrong_tenant.status, StatusCode::BAD_REQUEST);
    covered.push(("GET".into(), format!("/v1/verify/globex/{erasure_id}")));
    // An acme key with the tenant segment changed does not authenticate.
    let acme_key = f.key("acme", Role::Admin).to_string();
    let forged = acme_key.replacen("lth_acme_", "lth_globex_", 1);
    let answer = f
        .call("GET", "/v1/settings", Some(&forged), Send::Empty)
        .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);

    // Every tenant-scoped route of the API was exercised.
    for spec in ROUTES.iter().filter(|r| r.min_role.is_some()) {
        let pattern: Vec<&str> = spec.path.split('/').collect();
        let hit = covered.iter().any(|(m, p)| {
            let parts: Vec<&str> = p.split('/').collect();
            m == spec.method
                && parts.len() == pattern.len()
                && parts
                    .iter()
                    .zip(&pattern)
                    .all(|(a, b)| a == b || b.starts_with('{'))
        });
        assert!(
            hit,
            "{} {} is not in the cross-tenant matrix",
            spec.method, spec.path
        );
    }

    assert_eq!(f.snapshot("acme").await, before, "acme's data changed");
    // And acme's plugin still serves acme only.
    use lethe_core::ports::PluginRuntime;
    let acme = f.node.runtime.plugins("acme").await.unwrap().versions;
    assert!(acme[0].starts_with("crm@"), "{acme:?}");
}
