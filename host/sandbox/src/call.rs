//! One call into a plugin: a fresh `Store` with every limit set, the call
//! itself, and the translation of whatever went wrong into a [`CallError`].

use std::time::Duration;

use wasmtime::{Store, Trap};

use crate::digest::Digest;
use crate::engine::SandboxInner;
use crate::error::CallError;
use crate::limiter::CallLimiter;
use crate::sanitize::scrub_plugin_text;
use crate::state::{HostState, PluginLogLevel};

/// Runs `body` in a new store under the sandbox's limits.
///
/// Every call gets its own store, so nothing survives from one batch to the
/// next, and a trap poisons nothing shared. `input_bytes` is what the batch
/// carries into the guest; it sets the call's time budget
/// ([`SandboxConfig::budget`](crate::SandboxConfig::budget)). `plugin`
/// names the plugin in what it logs.
pub(crate) fn with_store<R>(
    sandbox: &SandboxInner,
    plugin: &Digest,
    input_bytes: usize,
    body: impl FnOnce(&mut Store<HostState>) -> wasmtime::Result<R> + Send,
) -> Result<R, CallError>
where
    R: Send,
{
    let config = &sandbox.config;
    let _permit = sandbox.permits.acquire();
    let state = HostState::new(
        CallLimiter::new(config.memory_limit, config.table_elements),
        config.max_log_messages,
        config.max_log_bytes,
    );
    let mut store = Store::new(&sandbox.engine, state);
    store.limiter(|s| &mut s.limiter);
    let budget = config.budget(input_bytes);
    store.set_epoch_deadline(config.deadline_ticks(budget));
    store.epoch_deadline_trap();
    store.set_hostcall_fuel(config.max_hostcall_bytes);

    let result = outside_async_context(|| body(&mut store));
    emit_logs(plugin, store.data_mut());
    result.map_err(|e| classify(&e, store.data().limiter.refused(), budget, sandbox))
}

/// Runs a call where WASI's synchronous bindings can block.
///
/// Those bindings (a guest writing its panic message to stderr, say) block
/// on the current tokio runtime when there is one, and blocking on a
/// runtime from one of its async worker threads panics. So a call made
/// from a multi-threaded runtime's worker leaves the async scheduler first
/// (`block_in_place`: nearly free on a blocking thread, where the engine
/// runs its chunks), and one made under a current-thread runtime runs on a
/// scoped thread of its own. Without a runtime, WASI makes its own.
fn outside_async_context<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(h) if h.runtime_flavor() == RuntimeFlavor::CurrentThread => std::thread::scope(|s| {
            s.spawn(f)
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        }),
        Ok(_) => tokio::task::block_in_place(f),
        Err(_) => f(),
    }
}

/// Maps a wasmtime error to what it means for the tenant.
fn classify(
    e: &wasmtime::Error,
    memory_refused: bool,
    budget: Duration,
    sandbox: &SandboxInner,
) -> CallError {
    let config = &sandbox.config;
    match e.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => CallError::Timeout { budget },
        Some(Trap::StackOverflow) => CallError::StackOverflow,
        _ if memory_refused => CallError::MemoryExhausted {
            limit: config.memory_limit,
        },
        Some(trap) => CallError::Trapped {
            trap: trap.to_string(),
        },
        // wasmtime's error type for this is private; its message is stable.
        None if format!("{e:#}").contains("fuel allocated for hostcalls") => {
            CallError::OutputTooLarge {
                limit: config.max_hostcall_bytes,
            }
        }
        None => CallError::Host(one_line(&e.to_string())),
    }
}

/// Forwards the plugin's log to ours, scrubbed: plugin authors may log
/// values. The plugin is named by its digest's short form, made only when
/// there is something to log.
fn emit_logs(plugin: &Digest, state: &mut HostState) {
    let (logs, dropped) = state.take_logs();
    if logs.is_empty() && dropped == 0 {
        return;
    }
    let plugin = plugin.short();
    for log in logs {
        let message = scrub_plugin_text(&log.message);
        match log.level {
            PluginLogLevel::Debug => tracing::debug!(target: "lethe::plugin", plugin, "{message}"),
            PluginLogLevel::Info => tracing::info!(target: "lethe::plugin", plugin, "{message}"),
            PluginLogLevel::Warn => tracing::warn!(target: "lethe::plugin", plugin, "{message}"),
            PluginLogLevel::Error => tracing::error!(target: "lethe::plugin", plugin, "{message}"),
        }
    }
    if dropped > 0 {
        tracing::debug!(target: "lethe::plugin", plugin, dropped, "plugin log messages dropped");
    }
}

/// A message on one line: whitespace runs (newlines included, as in
/// pretty-printed errors) collapsed to one space, at most 300 bytes.
pub(crate) fn one_line(s: &str) -> String {
    let line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::state::truncate_on_char_boundary(line, 300)
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn messages_are_folded_onto_one_line() {
        assert_eq!(
            one_line("bad magic - expected=[\n    0x0,\n] actual"),
            "bad magic - expected=[ 0x0, ] actual"
        );
        assert!(one_line(&"x ".repeat(1000)).len() <= 300);
    }
}
