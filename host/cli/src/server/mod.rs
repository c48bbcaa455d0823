//! `lethe serve`'s process: the HTTP API ([`lethe_api::router`]) plus the
//! signed download links ([`blobs`]) over one embedded [`Node`], with
//! in-process [`workers`] in place of SQS and the nightly [`clock`] in
//! place of EventBridge.
//!
//! # Shutdown
//!
//! SIGTERM or SIGINT cancels one token. The listener stops accepting and
//! requests in flight run to their answer (axum's graceful shutdown); each
//! worker finishes the chunk it holds and takes no other; the clock lets a
//! nightly run that has started finish. Then the process exits 0. Work
//! that was accepted but not done is on the queue (committed before the
//! request was answered) and is picked up at the next start. A second
//! signal exits at once (status 1): chunks cut short are redelivered at the
//! next start, and the engine redoes nothing that was already done.

pub(crate) mod blobs;
pub(crate) mod clock;
pub(crate) mod workers;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use axum::serve::ListenerExt;
use lethe_api::{ApiConfig, AppState};
use lethe_embedded::Node;
use tokio_util::sync::CancellationToken;

/// How `lethe serve` runs.
pub(crate) struct ServeConfig {
    /// In-process workers.
    pub(crate) workers: usize,
    /// The base URL of links (for the startup message).
    pub(crate) public_url: String,
}

/// The whole Router `lethe serve` answers with: the API, and
/// `GET /blobs/{*key}` for the signed download links.
pub(crate) fn app(node: &Node) -> axum::Router {
    lethe_api::router(AppState::new(
        node.engine.clone(),
        node.sandbox.clone(),
        ApiConfig::default(),
    ))
    .merge(blobs::router(
        (*node.local.blobs).clone(),
        Arc::clone(&node.engine.ports().clock),
    ))
}

/// Serves on `listener` until SIGTERM or SIGINT, then shuts down as the
/// module docs describe.
///
/// # Errors
/// If the listener cannot be used or the signal handlers cannot be set.
pub(crate) async fn serve(
    node: Node,
    listener: std::net::TcpListener,
    config: ServeConfig,
) -> anyhow::Result<()> {
    let addr: SocketAddr = listener
        .local_addr()
        .context("the listener has no address")?;
    listener
        .set_nonblocking(true)
        .context("cannot make the listener non-blocking")?;
    let listener =
        tokio::net::TcpListener::from_std(listener).context("cannot hand the listener to tokio")?;
    let stop = CancellationToken::new();
    let signals = watch_signals(stop.clone())?;
    let app = app(&node);
    let workers = workers::spawn(&node.engine, config.workers, &stop);
    let clock = clock::spawn(&node.engine, &stop);

    println!("listening on http://{addr}");
    println!(
        "links point to {}; {} workers; nightly runs at 00:00 Europe/Paris (eu) and 00:00 UTC (us). \
         Stop with Ctrl-C or SIGTERM.",
        config.public_url, config.workers
    );
    let listener = listener.tap_io(|tcp| {
        // Answers are small; do not hold them back for Nagle.
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(stop.clone().cancelled_owned())
        .await
        .context("the HTTP server failed")?;
    // A server error (not a signal) also stops the workers.
    stop.cancel();
    println!("stopping: no new requests; waiting for workers to finish their chunks");
    for worker in workers {
        let _ = worker.await;
    }
    let _ = clock.await;
    signals.abort();
    println!("stopped");
    Ok(())
}

/// Cancels `stop` on the first SIGTERM or SIGINT; exits the process at
/// once on a second one.
fn watch_signals(stop: CancellationToken) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).context("cannot watch SIGTERM")?;
    let mut int = signal(SignalKind::interrupt()).context("cannot watch SIGINT")?;
    Ok(tokio::spawn(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
        println!("shutting down (signal received; send another to stop at once)");
        stop.cancel();
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
        eprintln!(
            "stopping at once: chunks in progress are handed out again at the next start, \
             and nothing already done is redone"
        );
        std::process::exit(1);
    }))
}
