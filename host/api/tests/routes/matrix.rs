//! The role matrix (each role allowed or denied, no key 401) on every
//! route, and the OpenAPI document against the routes.

use axum::http::StatusCode;
use lethe_api::ROUTES;
use lethe_core::engine::Role;
use serde_json::json;

use crate::common::{Fixture, Send};

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
