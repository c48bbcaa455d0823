//! The limits every plugin call runs under, with their defaults.

use std::time::Duration;

/// Time budget of one batch (one call into a plugin), by default, before
/// the allowance for its size ([`DEFAULT_DEADLINE_PER_MIB`]).
pub const DEFAULT_CALL_DEADLINE: Duration = Duration::from_millis(50);
/// Time added to a batch's budget for each MiB of input it carries, by
/// default.
///
/// Work grows with input, and the slowest input measured (dense digit
/// groups, `1 1 1 …`) scans at ~35-40 MB/s in the standard scrubber: a full
/// 1 MiB batch of it takes ~30 ms, too close to a flat 50 ms budget on a
/// loaded machine, and a single text larger than a batch (its own batch)
/// got no more time than a small one, so ~2 MB of such text failed every
/// time. 100 ms per MiB is a floor of 10 MB/s, about four times below that
/// worst case, while an endless loop on a full batch still ends within
/// 150 ms.
pub const DEFAULT_DEADLINE_PER_MIB: Duration = Duration::from_millis(100);
/// How often the epoch ticker advances; deadlines are counted in ticks.
pub const DEFAULT_EPOCH_TICK: Duration = Duration::from_millis(1);
/// The most epoch ticks a call's deadline may lie ahead: an absurd budget
/// (say a `call_deadline` of `Duration::MAX`) is cut to this, far beyond any epoch the
/// ticker reaches (at 1 ms ticks, ~146 million years), so the deadline
/// never overflows.
const MAX_DEADLINE_TICKS: u64 = u64::MAX / 4;
/// Cap on each linear memory of a plugin instance, by default (64 MiB).
pub const DEFAULT_MEMORY_LIMIT: usize = 64 << 20;
/// Cap on a table's elements, by default.
pub const DEFAULT_TABLE_ELEMENTS: usize = 100_000;
/// Wasm stack a plugin may use, by default (512 KiB, wasmtime's own default).
pub const DEFAULT_MAX_WASM_STACK: usize = 512 << 10;
/// Largest component accepted for validation, by default (16 MiB).
pub const DEFAULT_MAX_COMPONENT_SIZE: usize = 16 << 20;
/// Most bytes copied out of a plugin in one call (its answer, or a log
/// message), by default (16 MiB): the bound on a plugin's output.
pub const DEFAULT_MAX_HOSTCALL_BYTES: usize = 16 << 20;
/// Most plugin instances alive at once, by default; further calls wait.
pub const DEFAULT_MAX_CONCURRENT_INSTANCES: u32 = 64;
/// Most bytes of text (or of field values) in one batch, by default.
pub const DEFAULT_BATCH_BYTES: usize = 1 << 20;
/// Most items in one field-map batch, by default. Small enough that a batch
/// of items stays far inside [`DEFAULT_CALL_DEADLINE`] on a loaded machine
/// (a field map spends microseconds per item; the deadline is wall time),
/// large enough that instantiation (~7-9 µs) is noise.
pub const DEFAULT_BATCH_ITEMS: usize = 512;
/// Most texts in one scrubber batch, by default. More than
/// [`DEFAULT_BATCH_ITEMS`]: a text batch's work is bounded by
/// [`DEFAULT_BATCH_BYTES`] whatever the count, while every batch pays for
/// a fresh instance, so short texts scan faster in fewer, larger batches
/// (lethe-bench, chat lines of ~170 bytes: 512 -> 2,048 texts, ~+3%).
pub const DEFAULT_BATCH_TEXTS: usize = 2048;
/// Most log messages kept per call, by default.
pub const DEFAULT_MAX_LOG_MESSAGES: usize = 16;
/// Longest log message kept, in bytes, by default.
pub const DEFAULT_MAX_LOG_BYTES: usize = 512;

/// How a [`Sandbox`](crate::Sandbox) treats plugins. Build with
/// [`SandboxConfig::default`] and the by-value setters.
///
/// Limits apply per call (one batch): each call gets a fresh `Store`, so a
/// plugin keeps nothing from one batch to the next.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    pub(crate) call_deadline: Duration,
    pub(crate) deadline_per_mib: Duration,
    pub(crate) epoch_tick: Duration,
    pub(crate) memory_limit: usize,
    pub(crate) table_elements: usize,
    pub(crate) max_wasm_stack: usize,
    pub(crate) max_component_size: usize,
    pub(crate) max_hostcall_bytes: usize,
    pub(crate) max_concurrent_instances: u32,
    pub(crate) batch_bytes: usize,
    pub(crate) batch_items: usize,
    pub(crate) batch_texts: usize,
    pub(crate) max_log_messages: usize,
    pub(crate) max_log_bytes: usize,
    pub(crate) pooling: bool,
    pub(crate) memory_reservation: Option<u64>,
    pub(crate) perf_map: bool,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            call_deadline: DEFAULT_CALL_DEADLINE,
            deadline_per_mib: DEFAULT_DEADLINE_PER_MIB,
            epoch_tick: DEFAULT_EPOCH_TICK,
            memory_limit: DEFAULT_MEMORY_LIMIT,
            table_elements: DEFAULT_TABLE_ELEMENTS,
            max_wasm_stack: DEFAULT_MAX_WASM_STACK,
            max_component_size: DEFAULT_MAX_COMPONENT_SIZE,
            max_hostcall_bytes: DEFAULT_MAX_HOSTCALL_BYTES,
            max_concurrent_instances: DEFAULT_MAX_CONCURRENT_INSTANCES,
            batch_bytes: DEFAULT_BATCH_BYTES,
            batch_items: DEFAULT_BATCH_ITEMS,
            batch_texts: DEFAULT_BATCH_TEXTS,
            max_log_messages: DEFAULT_MAX_LOG_MESSAGES,
            max_log_bytes: DEFAULT_MAX_LOG_BYTES,
            pooling: true,
            memory_reservation: None,
            perf_map: false,
        }
    }
}

impl SandboxConfig {
    /// Time budget of one call (one batch) before the allowance for its
    /// size (see [`deadline_per_mib`](Self::deadline_per_mib)). Defaults to
    /// [`DEFAULT_CALL_DEADLINE`].
    ///
    /// Enforced with epoch interruption: the call traps at the first epoch
    /// check after the budget, so it ends within about one
    /// [tick](Self::epoch_tick) of it. It does not bound time spent in the
    /// host, which plugins cannot reach except for the log.
    pub fn call_deadline(mut self, deadline: Duration) -> Self {
        self.call_deadline = deadline;
        self
    }

    /// Time added to a call's budget per MiB of input in its batch (text,
    /// or field values and paths), pro rata. Defaults to
    /// [`DEFAULT_DEADLINE_PER_MIB`]; zero gives every batch the flat
    /// [`call_deadline`](Self::call_deadline).
    pub fn deadline_per_mib(mut self, allowance: Duration) -> Self {
        self.deadline_per_mib = allowance;
        self
    }

    /// Resolution of deadlines. Defaults to [`DEFAULT_EPOCH_TICK`].
    pub fn epoch_tick(mut self, tick: Duration) -> Self {
        self.epoch_tick = tick.max(Duration::from_micros(100));
        self
    }

    /// Cap on each linear memory, in bytes. Defaults to [`DEFAULT_MEMORY_LIMIT`].
    ///
    /// Counts only the guest's linear memory, not wasmtime's or the host's
    /// own allocations.
    pub fn memory_limit(mut self, bytes: usize) -> Self {
        self.memory_limit = bytes;
        self
    }

    /// Most bytes copied out of a plugin in one call. Defaults to
    /// [`DEFAULT_MAX_HOSTCALL_BYTES`]; more fails the batch with
    /// [`CallError::OutputTooLarge`](crate::CallError::OutputTooLarge).
    pub fn max_output_bytes(mut self, bytes: usize) -> Self {
        self.max_hostcall_bytes = bytes;
        self
    }

    /// Wasm stack per call, in bytes. Defaults to [`DEFAULT_MAX_WASM_STACK`].
    pub fn max_wasm_stack(mut self, bytes: usize) -> Self {
        self.max_wasm_stack = bytes;
        self
    }

    /// Largest component accepted. Defaults to [`DEFAULT_MAX_COMPONENT_SIZE`].
    pub fn max_component_size(mut self, bytes: usize) -> Self {
        self.max_component_size = bytes;
        self
    }

    /// Most instances alive at once. Defaults to
    /// [`DEFAULT_MAX_CONCURRENT_INSTANCES`]; calls beyond it wait their turn.
    /// Also sizes the pooling allocator.
    pub fn max_concurrent_instances(mut self, n: u32) -> Self {
        self.max_concurrent_instances = n.max(1);
        self
    }

    /// Most bytes of text per batch. Defaults to [`DEFAULT_BATCH_BYTES`].
    /// Larger inputs are split; one text larger than this is its own batch.
    pub fn batch_bytes(mut self, bytes: usize) -> Self {
        self.batch_bytes = bytes.max(1);
        self
    }

    /// Most items per field-map batch. Defaults to [`DEFAULT_BATCH_ITEMS`].
    pub fn batch_items(mut self, n: usize) -> Self {
        self.batch_items = n.max(1);
        self
    }

    /// Most texts per scrubber batch. Defaults to [`DEFAULT_BATCH_TEXTS`].
    pub fn batch_texts(mut self, n: usize) -> Self {
        self.batch_texts = n.max(1);
        self
    }

    /// Whether to try the pooling allocator (fast instantiation). Defaults to
    /// `true`; when the machine cannot reserve the address space for it, the
    /// sandbox falls back to on-demand allocation by itself.
    pub fn pooling(mut self, enabled: bool) -> Self {
        self.pooling = enabled;
        self
    }

    /// Address space reserved per linear memory, in bytes. Defaults to
    /// wasmtime's own (4 GiB on 64-bit hosts, which lets bounds checks be
    /// elided); a smaller reservation suits machines with little virtual
    /// address space, at the cost of explicit bounds checks.
    ///
    /// Part of the engine's compatibility hash: artifacts compiled under one
    /// reservation are recompiled, not loaded, under another.
    pub fn memory_reservation(mut self, bytes: u64) -> Self {
        self.memory_reservation = Some(bytes);
        self
    }

    /// Whether compiled plugin code is named in `/tmp/perf-{pid}.map`, so
    /// `perf record` / `perf report` attribute samples to guest functions.
    /// Defaults to `false`; for profiling (`lethe-bench --perf-map`), never
    /// for serving, since the map names every compiled function.
    pub fn perf_map(mut self, enabled: bool) -> Self {
        self.perf_map = enabled;
        self
    }

    /// The configured time budget per call, before the allowance for its
    /// size.
    pub fn deadline(&self) -> Duration {
        self.call_deadline
    }

    /// The time budget of a call whose batch carries `input_bytes`: the
    /// [`call_deadline`](Self::call_deadline) plus the
    /// [`deadline_per_mib`](Self::deadline_per_mib) allowance, pro rata.
    pub fn budget(&self, input_bytes: usize) -> Duration {
        let extra = self
            .deadline_per_mib
            .as_nanos()
            .saturating_mul(input_bytes as u128)
            >> 20;
        let extra = Duration::from_nanos(u64::try_from(extra).unwrap_or(u64::MAX));
        self.call_deadline.saturating_add(extra)
    }

    /// `budget` in epoch ticks, rounded up, plus one for the tick in
    /// progress; at most [`MAX_DEADLINE_TICKS`], since wasmtime adds the
    /// ticks to the current epoch unchecked.
    pub(crate) fn deadline_ticks(&self, budget: Duration) -> u64 {
        let tick = self.epoch_tick.as_nanos().max(1);
        u64::try_from(budget.as_nanos().div_ceil(tick))
            .unwrap_or(u64::MAX)
            .clamp(1, MAX_DEADLINE_TICKS - 1)
            + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadline_is_counted_in_whole_ticks_plus_one() {
        let c = SandboxConfig::default();
        assert_eq!(c.deadline_ticks(Duration::from_millis(50)), 51);
        assert_eq!(c.deadline_ticks(Duration::from_micros(1500)), 3);
        assert_eq!(c.deadline_ticks(Duration::ZERO), 2);
        assert_eq!(c.deadline_ticks(Duration::MAX), MAX_DEADLINE_TICKS);
    }

    #[test]
    fn the_budget_grows_with_the_batch_pro_rata() {
        let c = SandboxConfig::default()
            .call_deadline(Duration::from_millis(50))
            .deadline_per_mib(Duration::from_millis(100));
        assert_eq!(c.budget(0), Duration::from_millis(50));
        assert_eq!(c.budget(1 << 20), Duration::from_millis(150));
        assert_eq!(c.budget(1 << 19), Duration::from_millis(100));
        assert_eq!(c.budget(3 << 20), Duration::from_millis(350));
        let flat = c.deadline_per_mib(Duration::ZERO);
        assert_eq!(flat.budget(64 << 20), Duration::from_millis(50));
        let huge = SandboxConfig::default().deadline_per_mib(Duration::MAX);
        // Saturates (at ~584 years) instead of overflowing.
        assert!(huge.budget(usize::MAX) > Duration::from_secs(500 * 365 * 86_400));
    }
}
