//! Hostile fixture `giant-output`: a scrubber that answers every text with
//! five million spans (each one valid: the whole text).
//!
//! Attack: make the host allocate without bound while it lifts the answer
//! (5 million spans are 80 MB in the guest and more in the host). The host
//! must bound what it accepts: the guest's memory cap may stop it first
//! (a trap), otherwise the host must reject an answer with more spans than
//! it allows per text or per batch. Either way the batch fails cleanly.
//! Send it short, non-empty texts.

use lethe_plugin_sdk::scrubber::exports::lethe::plugin::scrubber::Guest;
use lethe_plugin_sdk::types::{Category, Span, Subject};

/// Spans returned per text.
const SPANS_PER_TEXT: usize = 5_000_000;

struct GiantOutput;

impl Guest for GiantOutput {
    fn scan(texts: Vec<String>, _subject: Option<Subject>) -> Result<Vec<Vec<Span>>, String> {
        let answer = texts.iter().map(|text| {
            let end = u32::try_from(text.len()).map_err(|_| "text too long".to_owned())?;
            let span = Span {
                start: 0,
                end,
                category: Category::Name,
                score: 1.0,
            };
            Ok(vec![span; SPANS_PER_TEXT])
        });
        answer.collect()
    }
}

lethe_plugin_sdk::scrubber::export_scrubber!(GiantOutput);
