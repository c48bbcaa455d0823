//! A Lethe node on a temp dir with a manual clock, the API Router over it,
//! two tenants (`acme`, `globex`) with a key of every role, and a helper
//! that sends one request through `oneshot` (nothing is bound).
#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use jiff::Timestamp;
use lethe_api::{ApiConfig, AppState, router};
use lethe_core::engine::Role;
use lethe_core::ports::ManualClock;
use lethe_core::tenant::Settings;
use lethe_embedded::{Node, NodeOptions};
use serde_json::{Value, json};
use tower::ServiceExt;

/// Noon UTC, 20 Nov 2026.
pub fn start_time() -> Timestamp {
    "2026-11-20T12:00:00Z".parse().expect("a valid timestamp")
}

/// One answer.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Value,
    pub raw: Vec<u8>,
}

impl Answer {
    /// The problem's `code`, for error answers.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    /// Whether the answer is problem+json with every field.
    pub fn is_problem(&self) -> bool {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            == Some("application/problem+json")
            && self.body["type"].is_string()
            && self.body["title"].is_string()
            && self.body["status"].as_u64() == Some(u64::from(self.status.as_u16()))
            && self.body["code"].is_string()
            && self.body["detail"].is_string()
    }
}

/// A body to send.
pub enum Send {
    Empty,
    Json(Value),
    Raw(&'static str, Vec<u8>),
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub node: Node,
    pub clock: Arc<ManualClock>,
    pub app: Router,
    /// tenant -> role -> key
    pub keys: BTreeMap<(String, Role), String>,
}

impl Fixture {
    pub async fn new() -> Fixture {
        Self::with_config(ApiConfig::default()).await
    }

    pub async fn with_config(config: ApiConfig) -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let clock = Arc::new(ManualClock::new(start_time()));
        let node = Node::open(
            dir.path(),
            NodeOptions {
                clock: clock.clone(),
                ..NodeOptions::default()
            },
        )
        .expect("node opens");
        let app = router(AppState::new(
            node.engine.clone(),
            node.sandbox.clone(),
            config,
        ));
        let mut keys = BTreeMap::new();
        for tenant in ["acme", "globex"] {
            let (_, admin) = node
                .engine
                .bootstrap_tenant(tenant, tenant, Settings::default(), "bootstrap-admin")
                .await
                .expect("bootstrap");
            keys.insert((tenant.to_string(), Role::Admin), admin.key);
            for role in [Role::Intake, Role::Support, Role::Operator] {
                let issued = node
                    .engine
                    .create_api_key(tenant, &format!("{}-key", role.as_str()), role, "test")
                    .await
                    .expect("key");
                keys.insert((tenant.to_string(), role), issued.key);
            }
        }
        Fixture {
            dir,
            node,
            clock,
            app,
            keys,
        }
    }

    pub fn key(&self, tenant: &str, role: Role) -> &str {
        &self.keys[&(tenant.to_string(), role)]
    }

    /// Sends one request.
    pub async fn call(&self, method: &str, uri: &str, key: Option<&str>, body: Send) -> Answer {
        let mut builder = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).expect("method"))
            .uri(uri);
        if let Some(key) = key {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {key}"));
        }
        let body = match body {
            Send::Empty => Body::empty(),
            Send::Json(v) => {
                builder = builder.header(header::CONTENT_TYPE, "application/json");
                Body::from(serde_json::to_vec(&v).expect("json"))
            }
            Send::Raw(content_type, bytes) => {
                builder = builder.header(header::CONTENT_TYPE, content_type);
                Body::from(bytes)
            }
        };
        let response = self
            .app
            .clone()
            .oneshot(builder.body(body).expect("request"))
            .await
            .expect("the router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let raw = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            body,
            raw,
        }
    }

    /// `call` as the tenant's key of `role`.
    pub async fn as_role(
        &self,
        tenant: &str,
        role: Role,
        method: &str,
        uri: &str,
        body: Send,
    ) -> Answer {
        let key = self.key(tenant, role).to_string();
        self.call(method, uri, Some(&key), body).await
    }

    /// Ingests three customers into `tenant` (as its operator).
    pub async fn seed(&self, tenant: &str) {
        let items = json!({"items": [
            {"customer": "cust-1", "kind": "profile", "id": "p1",
             "data": {"name": "Ada Lovelace", "email": "ada@example.com", "phone": "+46 70 123 45 67", "plan": "pro"},
             "active_at": "2026-11-01T00:00:00Z"},
            {"customer": "cust-1", "kind": "conversation", "id": "c1",
             "data": {"text": "Hi, reach me at ada@example.com please", "channel": "chat"}},
            {"customer": "cust-1", "kind": "log", "id": "l1",
             "data": {"ip": "192.0.2.10", "path": "/login"}},
            {"customer": "cust-2", "kind": "profile", "id": "p2",
             "data": {"name": "Charles Babbage", "email": "charles@example.com", "plan": "free"}},
            {"customer": "cust-3", "kind": "profile", "id": "p3",
             "data": {"name": "Grace Hopper", "email": "grace@example.com", "plan": "pro"}},
        ]});
        let answer = self
            .as_role(
                tenant,
                Role::Operator,
                "POST",
                "/v1/items",
                Send::Json(items),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
        assert_eq!(answer.body["stored"], 5);
    }

    /// Runs the workers until the queue is empty.
    pub async fn drain(&self) {
        self.node.drain(2, |_| {}).await.expect("drain");
    }

    /// Every record of both tables whose partition belongs to `tenant`, and
    /// every blob under its prefixes.
    pub async fn snapshot(&self, tenant: &str) -> Vec<String> {
        let prefix = format!("T#{tenant}");
        let mut out = Vec::new();
        for (table, records) in [
            ("data", self.node.local.data.scan_all().expect("scan")),
            ("control", self.node.local.control.scan_all().expect("scan")),
        ] {
            for r in records {
                if r.key.pk == prefix || r.key.pk.starts_with(&format!("{prefix}#")) {
                    out.push(format!(
                        "{table}|{}|{}|{}|{}",
                        r.key.pk, r.key.sk, r.version, r.body
                    ));
                }
            }
        }
        use lethe_core::ports::BlobStore;
        for blob in self.node.local.blobs.list("").await.expect("list") {
            if blob.key.contains(&format!("/{tenant}/")) {
                out.push(format!("blob|{}|{}", blob.key, blob.sha256));
            }
        }
        out.sort();
        out
    }
}
