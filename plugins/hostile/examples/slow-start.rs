//! Hostile fixture `slow-start`: a field map whose `classify` busy-loops
//! for about a second (a fixed count, since the sandbox has no clock)
//! before giving a valid answer with no marks.
//!
//! Attack: a field map that is merely too slow. The host's deadline must
//! cover field maps as well as scrubbers: with a budget under a second the
//! batch fails with a timeout; with a generous one it succeeds. `kinds` is
//! empty (any kind).

use lethe_plugin_sdk::field_map::exports::lethe::plugin::field_map::Guest;
use lethe_plugin_sdk::types::{Items, Mark};

/// Loop steps; about one second under wasmtime's Cranelift on the
/// reference machine (measure again if the host's deadlines are tuned).
const STEPS: u64 = 1_000_000_000;

struct SlowStart;

impl Guest for SlowStart {
    fn kinds() -> Vec<String> {
        Vec::new()
    }

    fn classify(_kind: String, _items: Items) -> Result<Vec<Mark>, String> {
        hostile::spin(STEPS);
        Ok(Vec::new())
    }
}

lethe_plugin_sdk::field_map::export_field_map!(SlowStart);
