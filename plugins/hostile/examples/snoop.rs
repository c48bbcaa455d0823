//! Hostile fixture `snoop`: a scrubber that looks around its sandbox and
//! reports what it saw as its error message.
//!
//! Attack: reconnaissance. A plugin may read the environment (secrets in
//! Lambda env vars), its arguments, the clocks (timing side channels), or
//! logs through the `log` import. The host must show it nothing: no
//! variables, no arguments, clocks frozen at zero, and a log that keeps a
//! bounded number of messages.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use lethe_plugin_sdk::log::{Level, write};
use lethe_plugin_sdk::scrubber::exports::lethe::plugin::scrubber::Guest;
use lethe_plugin_sdk::types::{Span, Subject, Texts};

struct Snoop;

impl Guest for Snoop {
    fn scan(_texts: Texts, _subject: Option<Subject>) -> Result<Vec<Span>, String> {
        let vars = std::env::vars().count();
        let args = std::env::args().count();
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(u128::MAX, |d| d.as_nanos());
        let started = Instant::now();
        hostile::spin(1_000_000);
        let monotonic = started.elapsed().as_nanos();
        for i in 0..1_000 {
            write(Level::Info, &format!("snoop message {i}"));
        }
        Err(format!(
            "vars={vars} args={args} wall={wall} monotonic={monotonic}"
        ))
    }
}

lethe_plugin_sdk::scrubber::export_scrubber!(Snoop);
