//! Every route: a successful call, the role matrix (each role allowed or
//! denied, no key 401), and the OpenAPI document against the routes.

mod common;

use axum::http::StatusCode;
use common::{Fixture, Send};
use lethe_api::ROUTES;
use lethe_core::engine::Role;
use serde_json::json;

fn fill(path: &str) -> String {
    path.replace("{tenant}", "acme")
        .replace("{request}", "req_missing")
        .replace("{customer}", "cust-404")
        .replace("{kind}", "profile")
        .replace("{sha256}", &"0".repeat(64))
        .replace("{name}", "missing-plugin")
        .replace("{id}", "missing-id")
}

fn sample_body(method: &str) -> Send {
    match method {
        "POST" | "PUT" => Send::Json(json!({})),
        _ => Send::Empty,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_role_matrix_holds_for_every_route() {
    let f = Fixture::new().await;
    let mut checked = 0;
    for spec in ROUTES {
        let uri = fill(spec.path);
        // No key.
        let answer = f
            .call(spec.method, &uri, None, sample_body(spec.method))
            .await;
        match spec.min_role {
            Some(_) => {
                assert_eq!(
                    answer.status,
                    StatusCode::UNAUTHORIZED,
                    "{} {}",
                    spec.method,
                    spec.path
                );
                assert!(answer.is_problem());
                assert!(answer.headers.contains_key("www-authenticate"));
            }
            None => assert!(
                ![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&answer.status),
                "public {} {} answered {}",
                spec.method,
                spec.path,
                answer.status
            ),
        }
        // A key that is not one.
        let bogus = format!("lth_acme_key_{}_{}", "0".repeat(16), "1".repeat(64));
        let answer = f
            .call(spec.method, &uri, Some(&bogus), sample_body(spec.method))
            .await;
        if spec.min_role.is_some() {
            assert_eq!(
                answer.status,
                StatusCode::UNAUTHORIZED,
                "{} {}",
                spec.method,
                spec.path
            );
        }
        for role in Role::ALL {
            let answer = f
                .as_role("acme", role, spec.method, &uri, sample_body(spec.method))
                .await;
            let allowed = spec.min_role.is_none_or(|min| role.allows(min));
            if allowed {
                assert!(
                    ![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&answer.status),
                    "{role:?} should reach {} {}: {} {:?}",
                    spec.method,
                    spec.path,
                    answer.status,
                    answer.body
                );
                assert!(
                    !["route_not_found", "method_not_allowed"].contains(&answer.code()),
                    "{} {} is not routed",
                    spec.method,
                    spec.path
                );
            } else {
                assert_eq!(
                    answer.status,
                    StatusCode::FORBIDDEN,
                    "{role:?} must not reach {} {}",
                    spec.method,
                    spec.path
                );
                assert_eq!(answer.code(), "forbidden");
                assert!(answer.is_problem());
            }
            checked += 1;
        }
    }
    assert_eq!(checked, ROUTES.len() * 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_lists_every_route_and_nothing_else() {
    let f = Fixture::new().await;
    let answer = f.call("GET", "/openapi.json", None, Send::Empty).await;
    assert_eq!(answer.status, StatusCode::OK);
    let doc = answer.body;
    assert_eq!(doc["openapi"], "3.1.0");
    let mut documented = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if ["get", "post", "put", "delete", "patch"].contains(&method.as_str()) {
                documented.push((
                    method.to_uppercase(),
                    path.clone(),
                    op["x-min-role"].clone(),
                ));
            }
        }
    }
    let mut listed: Vec<(String, String, serde_json::Value)> = ROUTES
        .iter()
        .map(|r| {
            (
                r.method.to_string(),
                r.path.to_string(),
                json!(r.min_role.map_or("public", |r| r.as_str())),
            )
        })
        .collect();
    documented.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    listed.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    assert_eq!(documented, listed);

    // Every documented operation reaches a handler (not the fallback), and
    // an undocumented one does not.
    for (method, path, _) in &documented {
        let answer = f
            .as_role(
                "acme",
                Role::Admin,
                method,
                &fill(path),
                sample_body(method),
            )
            .await;
        assert!(
            !["route_not_found", "method_not_allowed"].contains(&answer.code()),
            "{method} {path} documented but not routed"
        );
    }
    for (method, path) in [
        ("GET", "/v1/nothing"),
        ("PATCH", "/v1/settings"),
        ("DELETE", "/v1/jobs"),
    ] {
        let answer = f
            .as_role("acme", Role::Admin, method, path, Send::Empty)
            .await;
        assert!(answer.is_problem(), "{method} {path}");
        assert!(
            ["route_not_found", "method_not_allowed"].contains(&answer.code()),
            "{method} {path}: {:?}",
            answer.body
        );
    }
    // Written out for the script that validates it.
    if let Ok(path) = std::env::var("LETHE_OPENAPI_OUT") {
        std::fs::write(path, answer_bytes(&doc)).expect("write the document");
    }
}

fn answer_bytes(doc: &serde_json::Value) -> Vec<u8> {
    serde_json::to_vec_pretty(doc).expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_requests_from_intake_to_certificate() {
    let f = Fixture::new().await;
    assert_eq!(
        f.call("GET", "/healthz", None, Send::Empty).await.body["status"],
        "ok"
    );
    f.seed("acme").await;

    // Access, automatic handling: answered at once; export redirect.
    let access = f
        .as_role(
            "acme",
            Role::Intake,
            "POST",
            "/v1/requests",
            Send::Json(json!({
                "kind": "access", "subject": {"by": "email", "value": "ada@example.com"}
            })),
        )
        .await;
    assert_eq!(access.status, StatusCode::CREATED, "{:?}", access.body);
    assert_eq!(access.body["status"], "completed");
    assert!(
        access.body.get("contact").is_none(),
        "the contact is never shown"
    );
    let id = access.body["id"].as_str().unwrap().to_string();
    let got = f
        .as_role(
            "acme",
            Role::Support,
            "GET",
            &format!("/v1/requests/{id}"),
            Send::Empty,
        )
        .await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body["export"]["items"], 3);
    let export = f
        .as_role(
            "acme",
            Role::Operator,
            "GET",
            &format!("/v1/requests/{id}/export?format=csv"),
            Send::Empty,
        )
        .await;
    assert_eq!(export.status, StatusCode::FOUND);
    assert!(
        export.headers["location"]
            .to_str()
            .unwrap()
            .starts_with("http")
    );
    let bad_format = f
        .as_role(
            "acme",
            Role::Operator,
            "GET",
            &format!("/v1/requests/{id}/export?format=pdf"),
            Send::Empty,
        )
        .await;
    assert_eq!(bad_format.status, StatusCode::UNPROCESSABLE_ENTITY);
    let no_cert = f
        .as_role(
            "acme",
            Role::Support,
            "GET",
            &format!("/v1/requests/{id}/certificate"),
            Send::Empty,
        )
        .await;
    assert_eq!(no_cert.status, StatusCode::NOT_FOUND);

    // Erasure: unverified until the subject follows the e-mailed link.
    let erasure = f
        .as_role(
            "acme",
            Role::Intake,
            "POST",
            "/v1/requests",
            Send::Json(json!({
                "kind": "erasure", "subject": {"by": "customer-id", "value": "cust-2"},
                "contact": "charles@example.com"
            })),
        )
        .await;
    assert_eq!(erasure.status, StatusCode::CREATED, "{:?}", erasure.body);
    assert_eq!(erasure.body["status"], "unverified");
    let erasure_id = erasure.body["id"].as_str().unwrap().to_string();
    let mail = f.node.local.mailbox.messages();
    let body = &mail
        .iter()
        .find(|m| m.body.contains(&erasure_id))
        .expect("the link was mailed")
        .body;
    let url = body
        .lines()
        .find(|l| l.contains("/v1/verify/"))
        .unwrap()
        .trim();
    let path = &url[url.find("/v1/verify/").unwrap()..];
    // A forged token, then the real one, then the real one again.
    let forged = f
        .call("GET", &format!("{}0", path), None, Send::Empty)
        .await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST, "{:?}", forged.body);
    assert_eq!(forged.code(), "link_invalid");
    let verified = f.call("GET", path, None, Send::Empty).await;
    assert_eq!(verified.status, StatusCode::OK, "{:?}", verified.body);
    let again = f.call("GET", path, None, Send::Empty).await;
    assert_eq!(again.status, StatusCode::GONE);
    assert_eq!(again.code(), "link_used");
    f.drain().await;
    let done = f
        .as_role(
            "acme",
            Role::Support,
            "GET",
            &format!("/v1/requests/{erasure_id}"),
            Send::Empty,
        )
        .await;
    assert_eq!(done.body["status"], "completed", "{:?}", done.body);
    let cert = f
        .as_role(
            "acme",
            Role::Support,
            "GET",
            &format!("/v1/requests/{erasure_id}/certificate"),
            Send::Empty,
        )
        .await;
    assert_eq!(cert.status, StatusCode::OK);
    assert!(cert.body["signature"].is_string());

    // Lists by status, paged.
    let completed = f
        .as_role(
            "acme",
            Role::Support,
            "GET",
            "/v1/requests?status=completed&limit=1",
            Send::Empty,
        )
        .await;
    assert_eq!(completed.status, StatusCode::OK);
    assert_eq!(completed.body["items"].as_array().unwrap().len(), 1);
    let cursor = completed.body["next_cursor"]
        .as_str()
        .expect("a second page")
        .to_string();
    let next = f
        .as_role(
            "acme",
            Role::Support,
            "GET",
            &format!("/v1/requests?status=completed&limit=1&cursor={cursor}"),
            Send::Empty,
        )
        .await;
    assert_eq!(next.body["items"].as_array().unwrap().len(), 1);
    assert!(next.body.get("next_cursor").is_none());
    assert_ne!(
        next.body["items"][0]["id"],
        completed.body["items"][0]["id"]
    );
    let bad_status = f
        .as_role(
            "acme",
            Role::Support,
            "GET",
            "/v1/requests?status=lost",
            Send::Empty,
        )
        .await;
    assert_eq!(bad_status.status, StatusCode::BAD_REQUEST);

    // Manual handling: approve one, reject another.
    let mut settings = f
        .as_role("acme", Role::Admin, "GET", "/v1/settings", Send::Empty)
        .await
        .body;
    settings["handling"] = json!("manual");
    let put = f
        .as_role(
            "acme",
            Role::Admin,
            "PUT",
            "/v1/settings",
            Send::Json(settings),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{:?}", put.body);
    assert_eq!(put.body["handling"], "manual");
    let mut ids = Vec::new();
    for _ in 0..2 {
        let r = f.as_role("acme", Role::Intake, "POST", "/v1/requests", Send::Json(json!({
            "kind": "access", "subject": {"by": "phone", "value": "0701234567"}, "contact": "ada@example.com"
        }))).await;
        assert_eq!(r.body["status"], "pending", "{:?}", r.body);
        ids.push(r.body["id"].as_str().unwrap().to_string());
    }
    let approved = f
        .as_role(
            "acme",
            Role::Operator,
            "POST",
            &format!("/v1/requests/{}/approve", ids[0]),
            Send::Empty,
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK);
    assert_eq!(approved.body["status"], "completed");
    assert_eq!(approved.body["approved_by"], "operator-key");
    let twice = f
        .as_role(
            "acme",
            Role::Operator,
            "POST",
            &format!("/v1/requests/{}/approve", ids[0]),
            Send::Empty,
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_eq!(twice.code(), "invalid_transition");
    let empty_reason = f
        .as_role(
            "acme",
            Role::Operator,
            "POST",
            &format!("/v1/requests/{}/reject", ids[1]),
            Send::Json(json!({"reason": " "})),
        )
        .await;
    assert_eq!(empty_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let rejected = f
        .as_role(
            "acme",
            Role::Operator,
            "POST",
            &format!("/v1/requests/{}/reject", ids[1]),
            Send::Json(json!({"reason": "identity could not be confirmed"})),
        )
        .await;
    assert_eq!(rejected.body["status"], "rejected");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_redaction_preview_confirm_cancel_and_the_job_history() {
    let f = Fixture::new().await;
    f.seed("acme").await;
    let preview = f
        .as_role(
            "acme",
            Role::Operator,
            "POST",
            "/v1/redactions",
            Send::Json(json!({"ids": ["cust-1", "cust-3", "nobody", "cust-1"]})),
        )
        .await;
    assert_eq!(preview.status, StatusCode::CREATED, "{:?}", preview.body);
    assert_eq!(preview.body["status"], "awaiting_confirmation");
    assert_eq!(preview.body["preview"]["matched"], 2);
    assert_eq!(preview.body["preview"]["unknown_rows"], json!([3]));
    assert_eq!(preview.body["created_by"], "operator-key");
    let job = preview.body["id"].as_str().unwrap().to_string();
    // Operators may not confirm; admins may.
    let denied = f
        .as_role(
            "acme",
            Role::Operator,
            "POST",
            &format!("/v1/jobs/{job}/confirm"),
            Send::Empty,
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let confirmed = f
        .as_role(
            "acme",
            Role::Admin,
            "POST",
            &format!("/v1/jobs/{job}/confirm"),
            Send::Empty,
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{:?}", confirmed.body);
    assert_eq!(confirmed.body["status"], "queued");
    f.drain().await;
    let done = f
        .as_role(
            "acme",
            Role::Support,
            "GET",
            &format!("/v1/jobs/{job}"),
            Send::Empty,
        )
        .await;
    assert_eq!(done.body["status"], "completed", "{:?}", done.body);
    assert_eq!(done.body["counts"]["succeeded"], 2);
    assert!(done.body["finished_at"].is_string());
    let failures = f
        .as_role(
            "acme",
            Role::Support,
            "GET",
            &format!("/v1/jobs/{job}/failures"),
            Send::Empty,
        )
        .await;
    assert_eq!(failures.status, StatusCode::OK);
    assert_eq!(failures.body["items"], json!([]));

    // CSV upload, then cancel.
    let csv = f
        .as_role(
            "acme",
            Role::Operator,
            "POST",
            "/v1/redactions",
            Send::Raw("text/csv", b"customer_id,note\ncust-2,x\n".to_vec()),
        )
        .await;
    assert_eq!(csv.status, StatusCode::CREATED, "{:?}", csv.body);
    assert_eq!(csv.body["preview"]["matched"], 1);
    let csv_job = csv.body["id"].as_str().unwrap().to_string();
    let cancelled = f
        .as_role(
            "acme",
            Role::Operator,
            "POST",
            &format!("/v1/jobs/{csv_job}/cancel"),
            Send::Empty,
        )
        .await;
    assert_eq!(cancelled.body["status"], "cancelled");
    let confirm_cancelled = f
        .as_role(
            "acme",
            Role::Admin,
            "POST",
            &format!("/v1/jobs/{csv_job}/confirm"),
            Send::Empty,
        )
        .await;
    assert_eq!(confirm_cancelled.status, StatusCode::CONFLICT);

    // History, paged.
    let first = f
        .as_role(
            "acme",
            Role::Support,
            "GET",
            "/v1/jobs?limit=1",
            Send::Empty,
        )
        .await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(first.body["items"][0]["kind"], "manual");
    let cursor = first.body["next_cursor"]
        .as_str()
        .expect("more")
        .to_string();
    let second = f
        .as_role(
            "acme",
            Role::Support,
            "GET",
            &format!("/v1/jobs?limit=1&cursor={cursor}"),
            Send::Empty,
        )
        .await;
    assert_eq!(second.body["items"][0]["id"], csv_job.as_str());
}

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
