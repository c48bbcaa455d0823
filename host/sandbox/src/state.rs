//! The state of one call's `Store`: limits, a deny-everything WASI context,
//! and the plugin's bounded log.
//!
//! Rust's standard library on `wasm32-wasip2` imports a few WASI interfaces
//! (streams for panics, random for hash maps, ...). They are linked against a
//! context that grants nothing: no preopened directories, no environment, no
//! arguments, stdin closed, stdout/stderr discarded, no network, and clocks
//! frozen at zero, so no real time reaches a plugin.

use std::time::Duration;

use wasmtime::component::ResourceTable;
use wasmtime_wasi::clocks::{HostMonotonicClock, HostWallClock};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::bindings::log;
use crate::limiter::CallLimiter;

/// One message a plugin logged during a call, already truncated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PluginLog {
    /// How much the plugin said it matters.
    pub(crate) level: PluginLogLevel,
    /// The message, truncated to the configured length. Not yet scrubbed.
    pub(crate) message: String,
}

/// The level of a [`PluginLog`] message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PluginLogLevel {
    /// Detail for plugin authors.
    Debug,
    /// Normal progress.
    Info,
    /// Something looked wrong.
    Warn,
    /// The call is about to fail.
    Error,
}

/// Everything a call's `Store` carries.
pub(crate) struct HostState {
    pub(crate) limiter: CallLimiter,
    wasi: WasiCtx,
    table: ResourceTable,
    logs: Vec<PluginLog>,
    max_logs: usize,
    max_log_bytes: usize,
    dropped_logs: usize,
}

impl HostState {
    pub(crate) fn new(limiter: CallLimiter, max_logs: usize, max_log_bytes: usize) -> Self {
        let wasi = WasiCtx::builder()
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .wall_clock(FrozenClock)
            .monotonic_clock(FrozenClock)
            .build();
        Self {
            limiter,
            wasi,
            table: ResourceTable::new(),
            logs: Vec::new(),
            max_logs,
            max_log_bytes,
            dropped_logs: 0,
        }
    }

    /// The messages the plugin logged, and how many more were dropped.
    pub(crate) fn take_logs(&mut self) -> (Vec<PluginLog>, usize) {
        (std::mem::take(&mut self.logs), self.dropped_logs)
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl log::Host for HostState {
    fn write(&mut self, level: log::Level, message: String) {
        if self.logs.len() >= self.max_logs {
            self.dropped_logs += 1;
            return;
        }
        let level = match level {
            log::Level::Debug => PluginLogLevel::Debug,
            log::Level::Info => PluginLogLevel::Info,
            log::Level::Warn => PluginLogLevel::Warn,
            log::Level::Error => PluginLogLevel::Error,
        };
        let message = truncate_on_char_boundary(message, self.max_log_bytes);
        self.logs.push(PluginLog { level, message });
    }
}

/// Cuts `s` to at most `max` bytes without splitting a character.
pub(crate) fn truncate_on_char_boundary(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

/// A clock that always reads zero: plugins get no real time.
struct FrozenClock;

impl HostWallClock for FrozenClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }

    fn now(&self) -> Duration {
        Duration::ZERO
    }
}

impl HostMonotonicClock for FrozenClock {
    fn resolution(&self) -> u64 {
        1_000_000_000
    }

    fn now(&self) -> u64 {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_keeps_whole_characters() {
        assert_eq!(truncate_on_char_boundary("åäö".into(), 3), "å");
        assert_eq!(truncate_on_char_boundary("abc".into(), 10), "abc");
    }
}
