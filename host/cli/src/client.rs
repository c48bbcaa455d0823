//! The HTTP client of `lethe remote`: one [`Client`] per command, talking
//! JSON to a `lethe serve` (or the API on AWS). Server errors arrive as
//! `application/problem+json` and are shown as their `detail`, which says
//! what to fix. The API key is read from [`KEY_ENV`] and never printed.

use std::time::Duration;

use anyhow::Context;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The environment variable holding the API key.
pub(crate) const KEY_ENV: &str = "LETHE_API_KEY";

/// How long one call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(120);

/// A body to send.
pub(crate) enum Body {
    /// No body.
    Empty,
    /// Bytes of this media type.
    Bytes(&'static str, Vec<u8>),
}

/// A client for one server and one API key.
pub(crate) struct Client {
    http: reqwest::Client,
    base: String,
    key: String,
}

impl Client {
    /// A client for `endpoint` (`http(s)://host:port`), with the key from
    /// [`KEY_ENV`].
    ///
    /// # Errors
    /// A missing key or a malformed endpoint, saying what to set.
    pub(crate) fn from_env(endpoint: &str) -> anyhow::Result<Client> {
        let key = std::env::var(KEY_ENV)
            .unwrap_or_default()
            .trim()
            .to_string();
        if key.is_empty() {
            anyhow::bail!(
                "no API key: set {KEY_ENV} to a key of your tenant (`lethe serve \
                 --bootstrap-tenant` and `lethe tenant create` print the first one)"
            );
        }
        Client::new(endpoint, key)
    }

    /// A client for `endpoint` with `key`.
    ///
    /// # Errors
    /// A malformed endpoint.
    pub(crate) fn new(endpoint: &str, key: String) -> anyhow::Result<Client> {
        let base = endpoint.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://"))
            || base.contains(['?', '#'])
        {
            anyhow::bail!(
                "--endpoint {endpoint:?} is not a server's base URL; give one like \
                 http://127.0.0.1:8080"
            );
        }
        let http = reqwest::Client::builder()
            .user_agent(concat!("lethe/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .timeout(CALL_TIMEOUT)
            // The key goes only where it was sent.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .context("cannot set up the HTTP client")?;
        Ok(Client { http, base, key })
    }

    /// The server's base URL.
    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// Calls `method path` with `query` and `body`; the answer's JSON.
    ///
    /// # Errors
    /// The server unreachable, or answering an error (its `detail`).
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Body,
    ) -> anyhow::Result<T> {
        Ok(self.call_with_status(method, path, query, body).await?.1)
    }

    /// Like [`Client::call`], with the answer's status (to tell `201
    /// Created` from `200 OK`).
    ///
    /// # Errors
    /// As [`Client::call`].
    pub(crate) async fn call_with_status<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Body,
    ) -> anyhow::Result<(StatusCode, T)> {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .header(reqwest::header::ACCEPT, "application/json");
        if !query.is_empty() {
            request = request.query(query);
        }
        if let Body::Bytes(media_type, bytes) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, media_type)
                .body(bytes);
        }
        let response = request.send().await.map_err(|e| self.unreachable(&e))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| self.unreachable(&e))?;
        if !status.is_success() {
            return Err(problem(status, &bytes, &self.base));
        }
        let value = serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "the server at {} answered something that is not the expected JSON; is \
                 --endpoint a Lethe server of this version?",
                self.base
            )
        })?;
        Ok((status, value))
    }

    /// `GET path` with `query`.
    ///
    /// # Errors
    /// As [`Client::call`].
    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> anyhow::Result<T> {
        self.call(Method::GET, path, query, Body::Empty).await
    }

    /// `POST path` with `body`.
    ///
    /// # Errors
    /// As [`Client::call`].
    pub(crate) async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: Body,
    ) -> anyhow::Result<T> {
        self.call(Method::POST, path, &[], body).await
    }

    fn unreachable(&self, e: &reqwest::Error) -> anyhow::Error {
        if e.is_timeout() {
            anyhow::anyhow!(
                "no answer from {} within {} s; the server may be overloaded, try again",
                self.base,
                CALL_TIMEOUT.as_secs()
            )
        } else {
            anyhow::anyhow!(
                "cannot reach {}: is `lethe serve` running there? Check --endpoint (or \
                 LETHE_ENDPOINT)",
                self.base
            )
        }
    }
}

/// The error for a non-2xx answer: the problem's `detail` (it says how to
/// fix the call), or a generic message for a body that is not a problem.
fn problem(status: StatusCode, body: &[u8], base: &str) -> anyhow::Error {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    match parsed
        .as_ref()
        .and_then(|p| Some((p.get("detail")?.as_str()?, p.get("code")?.as_str()?)))
    {
        Some((detail, code)) => anyhow::anyhow!("{detail} (HTTP {}, {code})", status.as_u16()),
        None => anyhow::anyhow!(
            "the server at {base} answered HTTP {} without an explanation; check --endpoint",
            status.as_u16()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_show_their_detail() {
        let body = br#"{"type":"urn:lethe:problem:forbidden","title":"Forbidden","status":403,"code":"forbidden","detail":"this needs an API key with the admin role or higher; ask your tenant's admin"}"#;
        let e = problem(StatusCode::FORBIDDEN, body, "http://x");
        assert_eq!(
            e.to_string(),
            "this needs an API key with the admin role or higher; ask your tenant's admin (HTTP 403, forbidden)"
        );
        let e = problem(StatusCode::BAD_GATEWAY, b"<html>", "http://x");
        assert!(e.to_string().contains("HTTP 502"), "{e}");
    }

    #[test]
    fn endpoints_are_base_urls() {
        assert!(Client::new("http://127.0.0.1:8080/", "k".into()).is_ok());
        assert!(Client::new("127.0.0.1:8080", "k".into()).is_err());
        assert!(Client::new("http://h/?x", "k".into()).is_err());
    }
}
