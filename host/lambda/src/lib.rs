//! Lethe's AWS Lambda functions, each a thin binary over this library.
//!
//! ```text
//!  API Gateway (HTTP API v2) ──► api ───────┐
//!  EventBridge Scheduler ─────► scheduler ──┼──► Engine ──► DynamoDB, S3, SQS, SESv2
//!  SQS (chunk queue) ─────────► worker ─────┘        └────► plugins (wasmtime sandbox)
//! ```
//!
//! | binary | event | does |
//! |--------|-------|------|
//! | `api` | API Gateway HTTP API (payload 2.0), through `lambda_http` | the same axum Router `lethe serve` answers with ([`api`]) |
//! | `scheduler` | EventBridge Scheduler input, a [`ScheduleInput`] | the nightly runs of one region ([`scheduler`]) |
//! | `worker` | SQS batches of chunk messages | one chunk per record; partial batch failures ([`worker`]) |
//!
//! Each binary builds one [`Stack`] per cold start (AWS clients, the
//! sandbox and the standard plugins, the engine) from the environment
//! ([`Settings`] and `lethe_aws::AwsConfig`), then hands events to the
//! handler in this crate. Nothing is built per event.
//!
//! Logs go to stdout (CloudWatch) through `tracing`; like every Lethe
//! component they carry ids, counts and error kinds, never a customer's
//! data.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod api;
pub mod scheduler;
mod settings;
mod stack;
pub mod worker;

pub use scheduler::ScheduleInput;
pub use settings::{DEFAULT_WORKER_CONCURRENCY, DEFAULT_WORKER_RESERVE, Settings, SettingsError};
pub use stack::Stack;

/// Sets up logging for a function: `tracing` to stdout (CloudWatch), at
/// `AWS_LAMBDA_LOG_LEVEL` or `RUST_LOG` (default `info`), as JSON when the
/// function's log format is JSON (`AWS_LAMBDA_LOG_FORMAT`), without the time
/// (CloudWatch stamps every line). The runtime's own subscriber does this.
pub fn init_logging() {
    lambda_runtime::tracing::init_default_subscriber();
}
