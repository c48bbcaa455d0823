//! The Runtime API server: invocations queued by the test, handed to the
//! function on `next`, answered through `response` or `error`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::{mpsc, oneshot};

/// Why an invocation produced no answer.
#[derive(Debug, thiserror::Error)]
pub enum InvokeError {
    /// The function reported an error for this invocation
    /// (`.../invocation/{id}/error`); the body is the runtime's diagnostic.
    #[error("the function reported an error: {0}")]
    Function(serde_json::Value),
    /// The function reported an initialisation error
    /// (`.../runtime/init/error`).
    #[error("the function failed to initialise: {0}")]
    Init(serde_json::Value),
    /// No answer within the time the caller allowed (the process may have
    /// died, or be stuck).
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The emulator was stopped.
    #[error("the emulator stopped")]
    Stopped,
}

/// One event waiting for, or handed to, the function.
#[derive(Debug)]
struct Pending {
    id: String,
    event: Vec<u8>,
    deadline: Duration,
}

/// What the emulator measured about one answered invocation.
#[derive(Clone, Debug)]
pub struct Invocation {
    /// The request id the function saw.
    pub request_id: String,
    /// The answer (the handler's JSON output).
    pub response: serde_json::Value,
    /// From the moment the function took the event to its answer.
    pub handled_in: Duration,
}

type Answer = Result<(serde_json::Value, Instant), InvokeError>;

#[derive(Default)]
struct Shared {
    answers: HashMap<String, oneshot::Sender<Answer>>,
    taken_at: HashMap<String, Instant>,
    first_poll: Option<Instant>,
    init_error: Option<serde_json::Value>,
}

#[derive(Clone)]
struct AppState {
    events: Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<Pending>>>,
    shared: Arc<Mutex<Shared>>,
}

/// A Runtime API server on a free loopback port.
pub struct Emulator {
    addr: SocketAddr,
    queue: mpsc::UnboundedSender<Pending>,
    shared: Arc<Mutex<Shared>>,
    started: Instant,
    next_id: std::sync::atomic::AtomicU64,
    server: tokio::task::JoinHandle<()>,
}

fn lock(shared: &Mutex<Shared>) -> std::sync::MutexGuard<'_, Shared> {
    shared
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Emulator {
    /// Starts the server on `127.0.0.1`, on a port the kernel picks.
    ///
    /// # Errors
    /// If no loopback port can be bound.
    pub async fn start() -> std::io::Result<Emulator> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (queue, events) = mpsc::unbounded_channel();
        let shared = Arc::new(Mutex::new(Shared::default()));
        let state = AppState {
            events: Arc::new(tokio::sync::Mutex::new(events)),
            shared: Arc::clone(&shared),
        };
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(response),
            )
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(state);
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Emulator {
            addr,
            queue,
            shared,
            started: Instant::now(),
            next_id: std::sync::atomic::AtomicU64::new(1),
            server,
        })
    }

    /// The value for `AWS_LAMBDA_RUNTIME_API` (`host:port`).
    pub fn runtime_api(&self) -> String {
        self.addr.to_string()
    }

    /// When a function first asked for an event (it finished its
    /// initialisation), counted from [`start`](Self::start) — or `None`.
    pub fn first_poll(&self) -> Option<Instant> {
        lock(&self.shared).first_poll
    }

    /// Forgets the first poll, so the next process's readiness is measured.
    pub fn reset_first_poll(&self) {
        lock(&self.shared).first_poll = None;
    }

    /// When the emulator started.
    pub fn started(&self) -> Instant {
        self.started
    }

    /// Queues `event` for the function and waits at most `wait` for its
    /// answer. The function is told it has `wait` to finish (its deadline).
    ///
    /// # Errors
    /// [`InvokeError`]: the function's own error report, an init failure,
    /// or no answer in time.
    pub async fn invoke(
        &self,
        event: &serde_json::Value,
        wait: Duration,
    ) -> Result<Invocation, InvokeError> {
        let n = self
            .next_id
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let id = format!("00000000-0000-4000-8000-{n:012}");
        let (tx, rx) = oneshot::channel();
        {
            let mut shared = lock(&self.shared);
            if let Some(e) = &shared.init_error {
                return Err(InvokeError::Init(e.clone()));
            }
            shared.answers.insert(id.clone(), tx);
        }
        let event = serde_json::to_vec(event).unwrap_or_default();
        self.queue
            .send(Pending {
                id: id.clone(),
                event,
                deadline: wait,
            })
            .map_err(|_| InvokeError::Stopped)?;
        let answer = match tokio::time::timeout(wait, rx).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(_)) => Err(InvokeError::Stopped),
            Err(_) => {
                lock(&self.shared).answers.remove(&id);
                Err(InvokeError::Timeout(wait))
            }
        };
        let (response, answered_at) = answer?;
        let taken_at = lock(&self.shared)
            .taken_at
            .remove(&id)
            .unwrap_or(answered_at);
        Ok(Invocation {
            request_id: id,
            response,
            handled_in: answered_at.saturating_duration_since(taken_at),
        })
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn header(value: &str) -> HeaderValue {
    HeaderValue::from_str(value).unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}

async fn next(State(state): State<AppState>) -> Response {
    {
        let mut shared = lock(&state.shared);
        if shared.first_poll.is_none() {
            shared.first_poll = Some(Instant::now());
        }
    }
    let pending = state.events.lock().await.recv().await;
    let Some(pending) = pending else {
        // The emulator is going away: like an idle Lambda environment, the
        // function waits until it is stopped.
        return std::future::pending().await;
    };
    lock(&state.shared)
        .taken_at
        .insert(pending.id.clone(), Instant::now());
    let deadline_ms = SystemTime::now()
        .checked_add(pending.deadline)
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_millis());
    let mut headers = HeaderMap::new();
    headers.insert("lambda-runtime-aws-request-id", header(&pending.id));
    headers.insert(
        "lambda-runtime-deadline-ms",
        header(&deadline_ms.to_string()),
    );
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        header("arn:aws:lambda:eu-west-1:123456789012:function:lethe-emulated"),
    );
    headers.insert(
        "lambda-runtime-trace-id",
        header(&format!("Root=1-00000000-{};Sampled=0", &pending.id[24..])),
    );
    headers.insert("content-type", header("application/json"));
    (StatusCode::OK, headers, pending.event).into_response()
}

fn parse(body: &Bytes) -> serde_json::Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(body).into_owned()))
}

fn complete(state: &AppState, id: &str, answer: Answer) -> StatusCode {
    let sender = lock(&state.shared).answers.remove(id);
    match sender {
        Some(tx) => {
            let _ = tx.send(answer);
            StatusCode::ACCEPTED
        }
        // An answer nobody waits for (late, or a redelivered id): Lambda
        // rejects those too.
        None => StatusCode::BAD_REQUEST,
    }
}

async fn response(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> StatusCode {
    complete(&state, &id, Ok((parse(&body), Instant::now())))
}

async fn error(State(state): State<AppState>, Path(id): Path<String>, body: Bytes) -> StatusCode {
    complete(&state, &id, Err(InvokeError::Function(parse(&body))))
}

async fn init_error(State(state): State<AppState>, body: Bytes) -> StatusCode {
    let value = parse(&body);
    let mut shared = lock(&state.shared);
    shared.init_error = Some(value.clone());
    for (_, tx) in shared.answers.drain() {
        let _ = tx.send(Err(InvokeError::Init(value.clone())));
    }
    StatusCode::ACCEPTED
}
