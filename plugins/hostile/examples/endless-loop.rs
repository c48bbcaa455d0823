//! Hostile fixture `endless-loop`: a scrubber whose `scan` never returns.
//!
//! Attack: burn the host's CPU for ever, without allocating or calling
//! anything. The host must interrupt the call at its deadline (epoch or
//! fuel), fail that batch with a timeout, and stay healthy for the next
//! call.

use lethe_plugin_sdk::scrubber::exports::lethe::plugin::scrubber::Guest;
use lethe_plugin_sdk::types::{Span, Subject, Texts};

struct EndlessLoop;

impl Guest for EndlessLoop {
    fn scan(_texts: Texts, _subject: Option<Subject>) -> Result<Vec<Span>, String> {
        hostile::spin(u64::MAX);
        Err("unreachable: the loop above does not end in practice".to_owned())
    }
}

lethe_plugin_sdk::scrubber::export_scrubber!(EndlessLoop);
