//! Health and the OpenAPI document.

use axum::Json;
use axum::http::header;
use axum::response::IntoResponse;

use crate::views::Health;

/// Whether the service answers.
#[utoipa::path(
    get, path = "/healthz", tag = "meta",
    description = "Public.",
    responses((status = 200, description = "Up", body = Health)),
    security(())
)]
pub(crate) async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
    })
}

/// This API's OpenAPI 3.1 document.
#[utoipa::path(
    get, path = "/openapi.json", tag = "meta",
    description = "Public.",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json", body = Object)),
    security(())
)]
pub(crate) async fn openapi_json() -> impl IntoResponse {
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let doc = DOC.get_or_init(|| {
        crate::openapi()
            .to_pretty_json()
            .expect("the OpenAPI document serializes")
    });
    ([(header::CONTENT_TYPE, "application/json")], doc.as_str())
}
