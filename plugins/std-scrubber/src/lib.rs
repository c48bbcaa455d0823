//! `std-scrubber`: Lethe's standard scrubber, a thin adapter from the SDK's
//! [`Scrubber`] to [`lethe_detectors::Scanner`].
//!
//! The subject of an erasure, when given, is prepared once per batch by the
//! SDK ([`Context`]); each text is then scanned with the default minimum
//! score ([`Context::find_pii`]), and each finding becomes a span carrying
//! the finding's category and score. The scanner's offsets are UTF-8 byte
//! offsets on character boundaries, sorted and non-overlapping, as the
//! contract asks.

#![forbid(unsafe_code)]

use lethe_plugin_sdk::prelude::*;

struct StdScrubber;

impl Scrubber for StdScrubber {
    fn scan(text: &str, cx: &Context) -> Vec<Span> {
        cx.find_pii(text)
    }
}

lethe_plugin_sdk::export_scrubber!(StdScrubber);
