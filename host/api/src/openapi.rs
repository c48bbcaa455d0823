//! The OpenAPI 3.1 document: generated from the handlers' `#[utoipa::path]`
//! attributes and the views' `ToSchema` derives, then given the security
//! scheme and each operation's minimum role (`x-min-role`, from
//! [`ROUTES`]).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi, PathItem};

use crate::routes::ROUTES;

/// The document's skeleton: title, version, description, security scheme.
pub(crate) fn base() -> OpenApi {
    let mut doc = OpenApi::default();
    doc.info.title = "Lethe API".into();
    doc.info.version = env!("CARGO_PKG_VERSION").into();
    doc.info.description = Some(
        "Privacy operations for one tenant per API key: data-subject requests, bulk redaction, \
         jobs, settings, customer records and plugins. Authenticate with \
         `Authorization: Bearer lth_...`; each operation's `x-min-role` names the least role \
         that may call it (intake < support < operator < admin). Errors are \
         application/problem+json with a stable `code`."
            .into(),
    );
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "api_key",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("lth_{tenant}_{key id}_{secret}")
                .description(Some("A tenant's API key"))
                .build(),
        ),
    );
    doc
}

/// Adds `x-min-role` to every operation listed in [`ROUTES`].
pub(crate) fn finish(mut doc: OpenApi) -> OpenApi {
    for spec in ROUTES {
        let Some(item) = doc.paths.paths.get_mut(spec.path) else {
            continue;
        };
        let Some(operation) = operation_mut(item, spec.method) else {
            continue;
        };
        let role = spec.min_role.map_or("public", |r| r.as_str());
        operation
            .extensions
            .get_or_insert_with(Default::default)
            .insert("x-min-role".into(), serde_json::Value::from(role));
    }
    doc
}

fn operation_mut<'a>(
    item: &'a mut PathItem,
    method: &str,
) -> Option<&'a mut utoipa::openapi::path::Operation> {
    match method {
        "GET" => item.get.as_mut(),
        "POST" => item.post.as_mut(),
        "PUT" => item.put.as_mut(),
        "DELETE" => item.delete.as_mut(),
        "PATCH" => item.patch.as_mut(),
        _ => None,
    }
}
