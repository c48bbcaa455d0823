//! Hostile fixture `panicking`: a scrubber whose `scan` panics.
//!
//! Attack: a guest bug. With `panic = "abort"` the panic becomes a trap
//! (`unreachable`) after the panic message is written to the guest's
//! stderr. The host must turn the trap into a failed batch, keep whatever
//! the guest wrote to stderr out of its own logs unless scrubbed, and
//! instantiate a fresh instance for the next call.

use lethe_plugin_sdk::scrubber::exports::lethe::plugin::scrubber::Guest;
use lethe_plugin_sdk::types::{Span, Subject, Texts};

struct Panicking;

impl Guest for Panicking {
    fn scan(texts: Texts, _subject: Option<Subject>) -> Result<Vec<Span>, String> {
        panic!(
            "hostile fixture: panicking on purpose with {} texts",
            texts.ends.len()
        );
    }
}

lethe_plugin_sdk::scrubber::export_scrubber!(Panicking);
