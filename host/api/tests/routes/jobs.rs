//! Bulk redactions: preview, confirm, cancel, and the job history.

use axum::http::StatusCode;
use lethe_core::engine::Role;
use serde_json::json;

use crate::common::{Fixture, Send};

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
