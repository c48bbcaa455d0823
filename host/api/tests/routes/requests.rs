//! Health, and data-subject requests from intake to certificate.

use axum::http::StatusCode;
use lethe_core::engine::Role;
use serde_json::json;

use crate::common::{Fixture, Send};

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

    // The subject's mailed link: public, redirects to the file.
    let mail = f.node.local.mailbox.messages();
    let body = &mail
        .iter()
        .find(|m| m.body.contains("/v1/downloads/acme/") && m.body.contains(&id))
        .expect("the completion mail links to the API")
        .body;
    let start = body.find("/v1/downloads/").unwrap();
    let link = body[start..].split_whitespace().next().unwrap().to_owned();
    let opened = f.call("GET", &link, None, Send::Empty).await;
    assert_eq!(opened.status, StatusCode::FOUND, "{:?}", opened.body);
    let location = opened.headers["location"].to_str().unwrap();
    assert!(location.contains("/blobs/exports/acme/"), "{location}");
    assert_eq!(opened.headers["referrer-policy"], "no-referrer");
    assert_eq!(opened.headers["cache-control"], "no-store");
    let forged = f.call("GET", &format!("{link}0"), None, Send::Empty).await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST);
    assert_eq!(forged.code(), "link_invalid");
    let other_file = f
        .call(
            "GET",
            &link.replace("format=json", "format=csv"),
            None,
            Send::Empty,
        )
        .await;
    assert_eq!(other_file.code(), "link_invalid");
    let no_token = f
        .call(
            "GET",
            &format!("/v1/downloads/acme/{id}?format=json"),
            None,
            Send::Empty,
        )
        .await;
    assert_eq!(no_token.status, StatusCode::BAD_REQUEST);
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
