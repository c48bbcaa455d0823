//! The host's diagnostic log (`lethe:plugin/log`), bounded.
//!
//! [`debug`], [`info`], [`warn`] and [`error`] send at most
//! [`MAX_MESSAGES`] messages per call into the plugin (the host keeps no
//! more), each cut to [`MAX_BYTES`] bytes on a character boundary. The host
//! scrubs messages for personal data before they reach its logs, but never
//! log record values: log counts, kinds and paths.
//!
//! Outside WebAssembly (tests, doc examples), messages go to a per-thread
//! buffer that [`crate::testing::take_logs`] returns.
//!
//! [`write()`] and [`Level`] are the raw import, with no bound.

use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};

pub use crate::scrubber::lethe::plugin::log::{Level, write};

/// Most messages sent per call (the host's own default limit).
pub const MAX_MESSAGES: usize = 16;
/// Longest message sent, in bytes (the host's own default limit).
pub const MAX_BYTES: usize = 512;

/// Messages sent since the current call began.
static SENT: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static CAPTURED: RefCell<Vec<(Level, String)>> = const { RefCell::new(Vec::new()) };
}

/// Starts a call's count afresh (the SDK does this on entry to each call).
pub(crate) fn reset() {
    SENT.store(0, Ordering::Relaxed);
}

/// Sends `message` at `level`, if this call has sent fewer than
/// [`MAX_MESSAGES`], cut to [`MAX_BYTES`].
pub fn log(level: Level, message: &str) {
    if SENT.fetch_add(1, Ordering::Relaxed) >= MAX_MESSAGES {
        return;
    }
    let mut end = message.len().min(MAX_BYTES);
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    send(level, &message[..end]);
}

#[cfg(target_arch = "wasm32")]
fn send(level: Level, message: &str) {
    write(level, message);
}

#[cfg(not(target_arch = "wasm32"))]
fn send(level: Level, message: &str) {
    CAPTURED.with(|c| c.borrow_mut().push((level, message.to_owned())));
}

/// The messages captured on this thread outside WebAssembly, emptied.
pub(crate) fn take_captured() -> Vec<(Level, String)> {
    CAPTURED.with(|c| std::mem::take(&mut *c.borrow_mut()))
}

/// Detail for plugin authors.
pub fn debug(message: &str) {
    log(Level::Debug, message);
}

/// Normal progress.
pub fn info(message: &str) {
    log(Level::Info, message);
}

/// Something looked wrong but the call went on.
pub fn warn(message: &str) {
    log(Level::Warn, message);
}

/// The call is about to fail.
pub fn error(message: &str) {
    log(Level::Error, message);
}
