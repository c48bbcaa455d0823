//! The bad-input matrix: each bad request answers 4xx problem+json with a
//! clear message that repeats nothing of the input, and writes nothing.

mod common;

use axum::http::StatusCode;
use common::{Fixture, Send};
use lethe_core::engine::Role;
use serde_json::json;

const SECRET: &str = "secret.person@example.com";

struct Case {
    name: &'static str,
    role: Role,
    method: &'static str,
    uri: String,
    body: Send,
    status: StatusCode,
    code: &'static str,
    mentions: &'static str,
}

// One row of the table: positional, so each case reads as one line.
#[allow(clippy::too_many_arguments)]
fn case(
    name: &'static str,
    role: Role,
    method: &'static str,
    uri: &str,
    body: Send,
    status: StatusCode,
    code: &'static str,
    mentions: &'static str,
) -> Case {
    Case {
        name,
        role,
        method,
        uri: uri.to_string(),
        body,
        status,
        code,
        mentions,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_clearly_and_writes_nothing() {
    let f = Fixture::new().await;
    f.seed("acme").await;
    use Role::{Admin, Intake, Operator};
    use StatusCode as S;
    let json_raw = |s: &str| Send::Raw("application/json", s.as_bytes().to_vec());
    let too_many: Vec<String> = (0..=50_000).map(|n| format!("c{n}")).collect();
    let too_many_items: Vec<_> = (0..1001)
        .map(|n| json!({"customer": "c", "kind": "profile", "id": format!("i{n}"), "data": {}}))
        .collect();
    let mut cases = vec![
        case(
            "malformed JSON",
            Intake,
            "POST",
            "/v1/requests",
            json_raw(r#"{"kind": "access", "subject": "#),
            S::BAD_REQUEST,
            "invalid_json",
            "not valid JSON",
        ),
        case(
            "empty JSON body",
            Intake,
            "POST",
            "/v1/requests",
            json_raw(""),
            S::BAD_REQUEST,
            "invalid_json",
            "not valid JSON",
        ),
        case(
            "JSON array instead of object",
            Intake,
            "POST",
            "/v1/requests",
            Send::Json(json!([SECRET])),
            S::BAD_REQUEST,
            "invalid_body",
            "expected",
        ),
        case(
            "unknown field",
            Intake,
            "POST",
            "/v1/requests",
            Send::Json(
                json!({"kind": "access", "subject": {"by": "email", "value": SECRET}, "contakt": SECRET}),
            ),
            S::BAD_REQUEST,
            "unknown_field",
            "contakt",
        ),
        case(
            "unknown nested field",
            Intake,
            "POST",
            "/v1/requests",
            Send::Json(
                json!({"kind": "access", "subject": {"by": "email", "value": SECRET, "name": SECRET}}),
            ),
            S::BAD_REQUEST,
            "unknown_field",
            "name",
        ),
        case(
            "unknown field named like an e-mail",
            Intake,
            "POST",
            "/v1/requests",
            Send::Json(
                json!({"kind": "access", "subject": {"by": "email", "value": "x@y.se"}, SECRET: 1}),
            ),
            S::BAD_REQUEST,
            "unknown_field",
            "not shown",
        ),
        case(
            "a value where a kind goes",
            Intake,
            "POST",
            "/v1/requests",
            Send::Json(json!({"kind": SECRET, "subject": {"by": "email", "value": SECRET}})),
            S::BAD_REQUEST,
            "invalid_body",
            "access",
        ),
        case(
            "a number where text goes",
            Intake,
            "POST",
            "/v1/requests",
            Send::Json(
                json!({"kind": "access", "subject": {"by": "phone", "value": 46701234567u64}}),
            ),
            S::BAD_REQUEST,
            "invalid_body",
            "expected",
        ),
        case(
            "wrong content type",
            Intake,
            "POST",
            "/v1/requests",
            Send::Raw("text/plain", b"{}".to_vec()),
            S::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "application/json",
        ),
        case(
            "no content type",
            Intake,
            "POST",
            "/v1/requests",
            Send::Raw("", b"{}".to_vec()),
            S::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "application/json",
        ),
        case(
            "erasure without contact",
            Intake,
            "POST",
            "/v1/requests",
            Send::Json(
                json!({"kind": "erasure", "subject": {"by": "phone", "value": "0701234567"}}),
            ),
            S::UNPROCESSABLE_ENTITY,
            "invalid",
            "contact",
        ),
        case(
            "over-long subject",
            Intake,
            "POST",
            "/v1/requests",
            Send::Json(
                json!({"kind": "access", "subject": {"by": "customer-id", "value": "x".repeat(300)}}),
            ),
            S::UNPROCESSABLE_ENTITY,
            "invalid",
            "256",
        ),
        case(
            "oversized JSON body",
            Intake,
            "POST",
            "/v1/requests",
            Send::Raw("application/json", vec![b' '; (1 << 20) + 1]),
            S::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "bytes",
        ),
        case(
            "empty id list",
            Operator,
            "POST",
            "/v1/redactions",
            Send::Json(json!({"ids": []})),
            S::UNPROCESSABLE_ENTITY,
            "empty_list",
            "no usable",
        ),
        case(
            "50,001 ids",
            Operator,
            "POST",
            "/v1/redactions",
            Send::Json(json!({"ids": too_many})),
            S::UNPROCESSABLE_ENTITY,
            "too_many_ids",
            "split",
        ),
        case(
            "ids of the wrong type",
            Operator,
            "POST",
            "/v1/redactions",
            Send::Json(json!({"ids": [46701234567u64]})),
            S::BAD_REQUEST,
            "invalid_body",
            "expected",
        ),
        case(
            "malformed CSV (ragged rows)",
            Operator,
            "POST",
            "/v1/redactions",
            Send::Raw(
                "text/csv",
                format!("customer_id,name\n{SECRET},x,extra\n").into_bytes(),
            ),
            S::BAD_REQUEST,
            "malformed_csv",
            "line 2",
        ),
        case(
            "CSV that is not UTF-8",
            Operator,
            "POST",
            "/v1/redactions",
            Send::Raw(
                "text/csv",
                [b"customer_id\n".as_slice(), b"\xff\xfe\n"].concat(),
            ),
            S::BAD_REQUEST,
            "malformed_csv",
            "UTF-8",
        ),
        case(
            "CSV without an id column",
            Operator,
            "POST",
            "/v1/redactions",
            Send::Raw(
                "text/csv",
                format!("email,name\n{SECRET},Ada\n").into_bytes(),
            ),
            S::UNPROCESSABLE_ENTITY,
            "no_id_column",
            "customer_id",
        ),
        case(
            "empty CSV",
            Operator,
            "POST",
            "/v1/redactions",
            Send::Raw("text/csv", Vec::new()),
            S::UNPROCESSABLE_ENTITY,
            "empty_list",
            "no usable",
        ),
        case(
            "bulk list of the wrong type",
            Operator,
            "POST",
            "/v1/redactions",
            Send::Raw("application/xml", b"<ids/>".to_vec()),
            S::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "text/csv",
        ),
        case(
            "oversized CSV",
            Operator,
            "POST",
            "/v1/redactions",
            Send::Raw("text/csv", vec![b'a'; (16 << 20) + 1]),
            S::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "bytes",
        ),
        case(
            "no items",
            Operator,
            "POST",
            "/v1/items",
            Send::Json(json!({"items": []})),
            S::UNPROCESSABLE_ENTITY,
            "invalid",
            "1 to 1000",
        ),
        case(
            "too many items",
            Operator,
            "POST",
            "/v1/items",
            Send::Json(json!({"items": too_many_items})),
            S::UNPROCESSABLE_ENTITY,
            "invalid",
            "1 to 1000",
        ),
        case(
            "item with an unknown field",
            Operator,
            "POST",
            "/v1/items",
            Send::Json(
                json!({"items": [{"customer": SECRET, "kind": "profile", "id": "p", "data": {}, "extra": 1}]}),
            ),
            S::BAD_REQUEST,
            "unknown_field",
            "extra",
        ),
        case(
            "item with a bad kind",
            Operator,
            "POST",
            "/v1/items",
            Send::Json(
                json!({"items": [{"customer": SECRET, "kind": "Profile!", "id": "p", "data": {}}]}),
            ),
            S::UNPROCESSABLE_ENTITY,
            "invalid",
            "item 0",
        ),
        case(
            "item whose data is not an object",
            Operator,
            "POST",
            "/v1/items",
            Send::Json(
                json!({"items": [{"customer": "c", "kind": "profile", "id": "p", "data": SECRET}]}),
            ),
            S::UNPROCESSABLE_ENTITY,
            "invalid",
            "JSON object",
        ),
        case(
            "settings with an unknown field",
            Admin,
            "PUT",
            "/v1/settings",
            Send::Json(json!({"auto_redakt": 30})),
            S::BAD_REQUEST,
            "unknown_field",
            "auto_redakt",
        ),
        case(
            "auto-redact of 45 days",
            Admin,
            "PUT",
            "/v1/settings",
            Send::Json(json!({"auto_redact": 45})),
            S::BAD_REQUEST,
            "invalid_body",
            "30, 60 or 90",
        ),
        case(
            "unknown region",
            Admin,
            "PUT",
            "/v1/settings",
            Send::Json(json!({"region": "mars"})),
            S::BAD_REQUEST,
            "invalid_body",
            "eu",
        ),
        case(
            "bad attribute path",
            Operator,
            "DELETE",
            "/v1/customers/cust-1/items/profile/p1/attribute?path=a[",
            Send::Empty,
            S::UNPROCESSABLE_ENTITY,
            "invalid",
            "malformed",
        ),
        case(
            "missing attribute path",
            Operator,
            "DELETE",
            "/v1/customers/cust-1/items/profile/p1/attribute",
            Send::Empty,
            S::BAD_REQUEST,
            "invalid_query",
            "path",
        ),
        case(
            "bad page limit",
            Admin,
            "GET",
            "/v1/jobs?limit=abc",
            Send::Empty,
            S::BAD_REQUEST,
            "invalid_query",
            "query",
        ),
        case(
            "page limit too large",
            Admin,
            "GET",
            "/v1/jobs?limit=501",
            Send::Empty,
            S::BAD_REQUEST,
            "invalid_query",
            "500",
        ),
        case(
            "key for a label that is an e-mail",
            Admin,
            "POST",
            "/v1/api-keys",
            Send::Json(json!({"label": SECRET, "role": "support"})),
            S::UNPROCESSABLE_ENTITY,
            "invalid",
            "label",
        ),
        case(
            "plugin that is not WebAssembly",
            Admin,
            "POST",
            "/v1/plugins/mine/versions",
            Send::Raw("application/wasm", SECRET.as_bytes().to_vec()),
            S::UNPROCESSABLE_ENTITY,
            "plugin_rejected",
            "refused",
        ),
        case(
            "plugin that is a core module",
            Admin,
            "POST",
            "/v1/plugins/mine/versions",
            Send::Raw("application/wasm", b"\0asm\x01\0\0\0".to_vec()),
            S::UNPROCESSABLE_ENTITY,
            "plugin_rejected",
            "refused",
        ),
        case(
            "empty plugin",
            Admin,
            "POST",
            "/v1/plugins/mine/versions",
            Send::Raw("application/wasm", Vec::new()),
            S::UNPROCESSABLE_ENTITY,
            "plugin_rejected",
            "refused",
        ),
        case(
            "plugin of the wrong type",
            Admin,
            "POST",
            "/v1/plugins/mine/versions",
            Send::Raw("text/plain", b"x".to_vec()),
            S::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "application/wasm",
        ),
        case(
            "plugin with a bad name",
            Admin,
            "POST",
            "/v1/plugins/Mine/versions",
            Send::Raw("application/wasm", lethe_std_plugins::STD_SCRUBBER.to_vec()),
            S::UNPROCESSABLE_ENTITY,
            "invalid",
            "plugin name",
        ),
        case(
            "oversized plugin",
            Admin,
            "POST",
            "/v1/plugins/mine/versions",
            Send::Raw("application/wasm", vec![0; (16 << 20) + 1]),
            S::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "bytes",
        ),
    ];
    for name in lethe_std_plugins::HOSTILE_NAMES {
        if lethe_std_plugins::HOSTILE_PASSING_UPLOAD.contains(name) {
            continue;
        }
        cases.push(case(
            "hostile plugin",
            Admin,
            "POST",
            "/v1/plugins/mine/versions",
            Send::Raw(
                "application/wasm",
                lethe_std_plugins::hostile(name).unwrap().to_vec(),
            ),
            S::UNPROCESSABLE_ENTITY,
            "plugin_rejected",
            "refused",
        ));
    }

    let before = f.snapshot("acme").await;
    let count = cases.len();
    for c in cases {
        let answer = f.as_role("acme", c.role, c.method, &c.uri, c.body).await;
        assert_eq!(answer.status, c.status, "{}: {:?}", c.name, answer.body);
        assert!(answer.is_problem(), "{}: {:?}", c.name, answer.body);
        assert_eq!(answer.code(), c.code, "{}: {:?}", c.name, answer.body);
        let detail = answer.body["detail"].as_str().unwrap();
        assert!(
            detail.to_lowercase().contains(&c.mentions.to_lowercase()),
            "{}: {detail:?} should mention {:?}",
            c.name,
            c.mentions
        );
        let text = String::from_utf8_lossy(&answer.raw);
        assert!(!text.contains("secret.person"), "{}: {text}", c.name);
        assert!(!text.contains("46701234567"), "{}: {text}", c.name);
        assert_eq!(
            f.snapshot("acme").await,
            before,
            "{} wrote something",
            c.name
        );
    }
    assert!(count > 45, "{count}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_limits_follow_the_configuration() {
    let f = Fixture::with_config(lethe_api::ApiConfig {
        json_limit: 64,
        upload_limit: 128,
    })
    .await;
    let big = json!({"kind": "access", "subject": {"by": "customer-id", "value": "x".repeat(80)}});
    let answer = f
        .as_role(
            "acme",
            Role::Intake,
            "POST",
            "/v1/requests",
            Send::Json(big),
        )
        .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(answer.body["detail"].as_str().unwrap().contains("64 bytes"));
    let csv = format!("customer_id\n{}\n", "c\n".repeat(80));
    let answer = f
        .as_role(
            "acme",
            Role::Operator,
            "POST",
            "/v1/redactions",
            Send::Raw("text/csv", csv.into_bytes()),
        )
        .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
}
