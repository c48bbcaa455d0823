//! Authentication and roles: the [`Auth`] extractor.
//!
//! A handler that takes `Auth<Operator>` runs only for a request with a
//! working API key (`Authorization: Bearer lth_...`) whose role is
//! `operator` or higher; otherwise the request is answered 401 or 403
//! *before its body is read*. The key's tenant is the only tenant the
//! handler may touch ([`Auth::tenant`]): routes carry no tenant id, so
//! another tenant's ids simply are not found (404).
//!
//! Keys are checked by [`Engine::authenticate`](lethe_core::Engine::authenticate):
//! one read of the key's record and a constant-time comparison of SHA-256
//! digests. The key's text is never logged.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use lethe_core::engine::{Principal, Role};

use crate::AppState;
use crate::problem::ApiError;

/// A minimum role, as a type: the parameter of [`Auth`].
pub trait MinRole: Send + Sync + 'static {
    /// The least role that passes.
    const ROLE: Role;
}

/// `intake` or higher: every key.
#[derive(Debug)]
pub struct Intake;
/// `support` or higher.
#[derive(Debug)]
pub struct Support;
/// `operator` or higher.
#[derive(Debug)]
pub struct Operator;
/// `admin` only.
#[derive(Debug)]
pub struct Admin;

impl MinRole for Intake {
    const ROLE: Role = Role::Intake;
}
impl MinRole for Support {
    const ROLE: Role = Role::Support;
}
impl MinRole for Operator {
    const ROLE: Role = Role::Operator;
}
impl MinRole for Admin {
    const ROLE: Role = Role::Admin;
}

/// The caller, authenticated, with at least role `R`.
#[derive(Debug)]
pub struct Auth<R: MinRole> {
    /// Who is calling.
    pub principal: Principal,
    role: PhantomData<R>,
}

impl<R: MinRole> Auth<R> {
    /// The key's tenant: the only one this request may touch.
    pub fn tenant(&self) -> &str {
        &self.principal.tenant
    }

    /// The key's label: the actor in audit events, `created_by` on jobs.
    pub fn actor(&self) -> &str {
        &self.principal.label
    }

    /// The key's role.
    pub fn role(&self) -> Role {
        self.principal.role
    }
}

impl<R: MinRole> FromRequestParts<AppState> for Auth<R> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let key = bearer(parts).ok_or_else(ApiError::unauthorized)?;
        let principal = state
            .engine
            .authenticate(key)
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        if !principal.role.allows(R::ROLE) {
            return Err(ApiError::forbidden(R::ROLE));
        }
        Ok(Auth {
            principal,
            role: PhantomData,
        })
    }
}

/// The key from `Authorization: Bearer …` (or `X-Api-Key`).
fn bearer(parts: &Parts) -> Option<&str> {
    if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
        let value = value.to_str().ok()?;
        let (scheme, key) = value.split_once(' ')?;
        return scheme.eq_ignore_ascii_case("bearer").then_some(key.trim());
    }
    parts
        .headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}
