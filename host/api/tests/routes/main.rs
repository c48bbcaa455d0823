//! Every route: a successful call, the role matrix (each role allowed or
//! denied, no key 401), and the OpenAPI document against the routes.
//!
//! One module per area of the API; `common` (shared with the other API
//! test binaries) builds the node, the tenants and their keys.

#[path = "../common/mod.rs"]
mod common;

mod admin;
mod jobs;
mod matrix;
mod plugins;
mod records;
mod requests;
