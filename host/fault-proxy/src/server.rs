//! The proxy itself: a loopback HTTP/1.1 server that reads each request
//! whole, names it ([`classify`]), counts it, asks the plan what to do,
//! and forwards it to the upstream server (or not).
//!
//! Forwarding keeps the method, path and query, every header (the `Host`
//! the client sent included, so a SigV4 signature still matches what was
//! signed) except the hop-by-hop ones, and the body byte for byte (or the
//! rewritten body, whose length is then recomputed). The upstream answer
//! comes back the same way, buffered. Bodies are buffered whole: S3
//! multipart parts of 5–8 MiB are fine.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{CONTENT_LENGTH, HeaderName};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio::task::{AbortHandle, JoinSet};

use crate::answers::answer;
use crate::classify::{classify, sdk_attempt};
use crate::rewrite;
use crate::rules::{Decision, Fault, FaultPlan, Schedule};

/// How long an upstream call may take before the proxy answers 504.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(60);

/// Headers that belong to one connection, not to the request.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "expect",
];

/// Calls per `(service, operation)`.
pub type CallCounts = BTreeMap<(String, String), u64>;

/// A running fault-injecting proxy on `127.0.0.1`; stops when
/// [`stop`](FaultProxy::stop)ped or dropped.
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// use lethe_fault_proxy::{Fault, FaultPlan, FaultProxy, Rule};
///
/// let plan = FaultPlan::new().rule(Rule::new("dynamodb", Fault::Throttle).every(2));
/// let proxy = FaultProxy::start("http://127.0.0.1:5000", plan).await?;
/// // Point the SDK at proxy.endpoint() instead of the emulator, run the
/// // workload, then look:
/// let updates = proxy.count("dynamodb", "UpdateItem");
/// let broken = proxy.injected();
/// # let _ = (updates, broken);
/// # Ok(()) }
/// ```
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: AbortHandle,
}

impl fmt::Debug for FaultProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultProxy")
            .field("addr", &self.addr)
            .field("upstream", &self.shared.upstream)
            .finish_non_exhaustive()
    }
}

struct Shared {
    upstream: String,
    client: Client<HttpConnector, Full<Bytes>>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    schedule: Schedule,
    counts: CallCounts,
    injected: CallCounts,
    next_id: u64,
}

/// The service answered an error by closing the connection (hyper closes
/// a connection whose service fails, without writing an answer).
#[derive(Debug)]
struct Dropped;

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped by the fault plan")
    }
}

impl std::error::Error for Dropped {}

impl FaultProxy {
    /// Starts a proxy to `upstream` (`http://127.0.0.1:PORT`, no path)
    /// applying `plan`, on a free port of `127.0.0.1`. Call from inside a
    /// tokio runtime; the proxy runs on it.
    ///
    /// # Errors
    /// The loopback port cannot be bound.
    pub async fn start(upstream: &str, plan: FaultPlan) -> std::io::Result<FaultProxy> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            upstream: upstream.trim_end_matches('/').to_owned(),
            client: Client::builder(TokioExecutor::new()).build_http(),
            state: Mutex::new(State {
                schedule: Schedule::new(plan),
                ..State::default()
            }),
        });
        let task = tokio::spawn(serve(listener, shared.clone())).abort_handle();
        Ok(FaultProxy { addr, shared, task })
    }

    /// A proxy that breaks nothing and only counts calls.
    ///
    /// # Errors
    /// The loopback port cannot be bound.
    pub async fn counting(upstream: &str) -> std::io::Result<FaultProxy> {
        FaultProxy::start(upstream, FaultPlan::new()).await
    }

    /// The proxy's endpoint, `http://127.0.0.1:PORT`: give it to the SDK
    /// (`AwsConfig::emulator(&proxy.endpoint())`).
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The proxy's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Replaces the plan; its rules count from zero. Calls and injections
    /// counted so far are kept.
    pub fn set_plan(&self, plan: FaultPlan) {
        self.shared.lock().schedule = Schedule::new(plan);
    }

    /// Every call received so far (each attempt, retries included, broken
    /// or not), per `(service, operation)`.
    pub fn counts(&self) -> CallCounts {
        self.shared.lock().counts.clone()
    }

    /// The calls received for one service and operation.
    pub fn count(&self, service: &str, operation: &str) -> u64 {
        self.shared
            .lock()
            .counts
            .get(&(service.to_owned(), operation.to_owned()))
            .copied()
            .unwrap_or(0)
    }

    /// The calls received for one service, all operations.
    pub fn service_count(&self, service: &str) -> u64 {
        self.shared
            .lock()
            .counts
            .iter()
            .filter(|((s, _), _)| s == service)
            .map(|(_, n)| n)
            .sum()
    }

    /// How many calls the plan broke (answered with a fault, dropped, or
    /// rewrote).
    pub fn injected(&self) -> u64 {
        self.shared.lock().injected.values().sum()
    }

    /// The calls the plan broke, per `(service, operation)`.
    pub fn injected_counts(&self) -> CallCounts {
        self.shared.lock().injected.clone()
    }

    /// Sets every call and injection count back to zero (the plan's own
    /// counters keep running).
    pub fn reset_counts(&self) {
        let mut state = self.shared.lock();
        state.counts.clear();
        state.injected.clear();
    }

    /// Stops accepting connections and closes the open ones. Idempotent;
    /// dropping the proxy does the same.
    pub fn stop(&self) {
        self.task.abort();
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while counting leaves the counts usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts the call and asks the plan; returns the decision and an id
    /// for the answer.
    fn decide(&self, service: &str, operation: &str, attempt: u32) -> (Option<Decision>, u64) {
        let mut state = self.lock();
        *state
            .counts
            .entry((service.to_owned(), operation.to_owned()))
            .or_default() += 1;
        state.next_id += 1;
        let id = state.next_id;
        (state.schedule.decide(service, operation, attempt), id)
    }

    fn injected(&self, service: &str, operation: &str) {
        *self
            .lock()
            .injected
            .entry((service.to_owned(), operation.to_owned()))
            .or_default() += 1;
    }

    /// Sends the request upstream; any failure is answered as a gateway
    /// error (502, or 504 on timeout), which the SDK retries.
    async fn forward(
        &self,
        parts: &hyper::http::request::Parts,
        body: Bytes,
    ) -> (hyper::http::response::Parts, Bytes) {
        let path = parts
            .uri
            .path_and_query()
            .map_or("/", hyper::http::uri::PathAndQuery::as_str);
        let mut req = Request::builder()
            .method(parts.method.clone())
            .uri(format!("{}{path}", self.upstream));
        for (name, value) in &parts.headers {
            if !is_hop_by_hop(name) && name != CONTENT_LENGTH {
                req = req.header(name, value);
            }
        }
        let Ok(req) = req.body(Full::new(body)) else {
            return gateway(StatusCode::BAD_GATEWAY);
        };
        let sent = tokio::time::timeout(UPSTREAM_TIMEOUT, self.client.request(req)).await;
        let response = match sent {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => {
                tracing::debug!(error = %e, "upstream call failed");
                return gateway(StatusCode::BAD_GATEWAY);
            }
            Err(_) => return gateway(StatusCode::GATEWAY_TIMEOUT),
        };
        let (mut head, incoming) = response.into_parts();
        let Ok(collected) = incoming.collect().await else {
            return gateway(StatusCode::BAD_GATEWAY);
        };
        let drop: Vec<HeaderName> = head
            .headers
            .keys()
            .filter(|n| is_hop_by_hop(n))
            .cloned()
            .collect();
        for name in drop {
            head.headers.remove(name);
        }
        (head, collected.to_bytes())
    }
}

fn is_hop_by_hop(name: &HeaderName) -> bool {
    HOP_BY_HOP.contains(&name.as_str())
}

/// A bare gateway error.
fn gateway(status: StatusCode) -> (hyper::http::response::Parts, Bytes) {
    let (mut parts, ()) = Response::new(()).into_parts();
    parts.status = status;
    (parts, Bytes::from_static(b"upstream unavailable"))
}

fn respond(parts: hyper::http::response::Parts, body: Bytes) -> Response<Full<Bytes>> {
    Response::from_parts(parts, Full::new(body))
}

/// Accepts connections until aborted; the connections live in a
/// `JoinSet`, so aborting this task closes them too.
async fn serve(listener: TcpListener, shared: Arc<Shared>) -> Infallible {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let shared = shared.clone();
                    connections.spawn(async move {
                        let service = service_fn(move |req| handle(shared.clone(), req));
                        if let Err(e) = http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await
                        {
                            tracing::trace!(error = %e, "connection ended");
                        }
                    });
                }
                Err(e) => {
                    tracing::debug!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// One request: classify, count, decide, forward and/or answer.
async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Dropped> {
    let (parts, incoming) = req.into_parts();
    let body = incoming.collect().await.map_err(|_| Dropped)?.to_bytes();
    let (service, operation) = classify(&parts.method, &parts.uri, &parts.headers, &body);
    let attempt = sdk_attempt(&parts.headers);
    let (decision, id) = shared.decide(&service, &operation, attempt);
    let Some(decision) = decision else {
        let (head, body) = shared.forward(&parts, body).await;
        return Ok(respond(head, body));
    };
    if let Fault::Slow { millis } = decision.fault {
        shared.injected(&service, &operation);
        tracing::debug!(%service, %operation, millis, "holding");
        tokio::time::sleep(Duration::from_millis(millis)).await;
        let (head, body) = shared.forward(&parts, body).await;
        return Ok(respond(head, body));
    }
    if decision.fault.is_rewrite() {
        let Some(rewritten) = rewrite::prepare(&service, &operation, decision.fault, &body) else {
            let (head, body) = shared.forward(&parts, body).await;
            return Ok(respond(head, body));
        };
        shared.injected(&service, &operation);
        tracing::debug!(%service, %operation, fault = ?decision.fault, "rewriting");
        let (mut head, answer) = shared.forward(&parts, rewritten.body).await;
        if let Some(held) = rewritten.held
            && head.status.is_success()
            && let Some(merged) = rewrite::finish(held, &answer)
        {
            head.headers.remove(CONTENT_LENGTH);
            return Ok(respond(head, merged));
        }
        return Ok(respond(head, answer));
    }
    shared.injected(&service, &operation);
    tracing::debug!(
        %service,
        %operation,
        fault = ?decision.fault,
        after_forwarding = decision.after_forwarding,
        "injecting"
    );
    if decision.after_forwarding {
        let (head, _) = shared.forward(&parts, body).await;
        tracing::debug!(status = head.status.as_u16(), "forwarded, answer withheld");
    }
    answer(&service, &parts.method, decision.fault, id).ok_or(Dropped)
}
