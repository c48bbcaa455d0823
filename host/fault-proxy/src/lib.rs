//! A loopback HTTP proxy for tests: it sits between the AWS SDK and an
//! AWS emulator (moto), forwards every call, counts calls per service and
//! operation, and breaks the calls a [`FaultPlan`] names — the way AWS
//! breaks them.
//!
//! ```text
//!  adapters (AWS SDK) --HTTP--> FaultProxy (127.0.0.1:random) --HTTP--> moto
//!                                 |  classify: (service, operation)
//!                                 |  count
//!                                 |  plan: forward | answer a fault | drop the connection
//!                                 |        | forward, then answer a fault | rewrite
//! ```
//!
//! # Why a proxy
//!
//! The adapters' promise is "throttling and 5xx are retried; nothing is
//! lost or duplicated". Emulators never throttle and never fail, so that
//! promise is untested until something between the SDK and the emulator
//! fails on purpose. A proxy does it without touching the code under
//! test: point `AwsConfig::emulator` at [`FaultProxy::endpoint`] instead
//! of the emulator, and read the final state directly from the emulator.
//!
//! # Realistic faults
//!
//! A fault is only useful if the SDK sees exactly what AWS sends: the SDK
//! decides to retry from the error *code* it parses out of the answer
//! (`ProvisionedThroughputExceededException`, `SlowDown`,
//! `RequestThrottled`, `TooManyRequestsException`: throttling) or from
//! the status (500, 502, 503, 504: transient) or from a broken connection
//! (transient). So each [`Fault`] is answered in the called service's own
//! protocol — see the `answers` module's table of shapes — and the SDK's
//! own parser and retry classifiers run on it unchanged.
//!
//! | fault | what the client sees | what the server saw |
//! |-------|----------------------|---------------------|
//! | [`Fault::Throttle`], [`Fault::ThrottlingException`] | the service's throttling error | nothing |
//! | [`Fault::InternalError`], [`Fault::Unavailable`] | 500 / 503 in the service's shape | nothing |
//! | [`Fault::Reset`] | the connection closes, no answer | nothing |
//! | any of those + [`Rule::after_forwarding`] | the same | **the call, done** |
//! | [`Fault::PartialBatch`] | success, some entries unprocessed / failed | the other entries |
//! | [`Fault::ShortPage`] | a short page with a `LastEvaluatedKey` | a smaller `Limit` |
//! | [`Fault::Slow`] | the server's own answer, late | the call, late |
//!
//! "Forward then fail" is the case to think about: the write happened,
//! the client was told it failed, and the SDK's retry meets the write it
//! just made — a conditional write then fails its own condition.
//!
//! # Counting calls
//!
//! Every request is counted under `(service, operation)` before the plan
//! is asked, so [`FaultProxy::counts`] is the number of HTTP calls the
//! code under test made, retries included — with an empty plan
//! ([`FaultProxy::counting`]) it measures, for example, the DynamoDB calls
//! an erasure costs:
//!
//! ```no_run
//! # async fn demo(moto: &str) -> std::io::Result<()> {
//! let proxy = lethe_fault_proxy::FaultProxy::counting(moto).await?;
//! // ... run the workload against proxy.endpoint() ...
//! for ((service, operation), n) in proxy.counts() {
//!     println!("{service} {operation}: {n}");
//! }
//! # Ok(()) }
//! ```
//!
//! # Limits
//!
//! HTTP/1.1 without TLS, on `127.0.0.1` only; S3 addressed path-style;
//! bodies buffered whole. Which concurrent call is "the 2nd" depends on
//! arrival order; how many calls fail does not. With concurrent callers,
//! add [`Rule::up_to_attempt`]`(1)` so that a broken call's retry always
//! passes (otherwise a call can draw a broken number on every attempt).

#![deny(missing_docs)]

mod answers;
mod classify;
mod rewrite;
mod rules;
mod server;

pub use classify::{classify, sdk_attempt};
pub use rules::{Calls, Fault, FaultPlan, Rule};
pub use server::{CallCounts, FaultProxy};
