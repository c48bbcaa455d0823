//! Hostile fixture `giant-output`: a scrubber that answers every text with
//! five million spans (each one valid: the whole text), all in the batch's
//! one answer list.
//!
//! Attack: make the host allocate without bound while it lifts the answer
//! (5 million spans are 100 MB in the guest and more in the host). The host
//! must bound what it accepts: the guest's memory cap may stop it first
//! (a trap), otherwise the host must reject an answer with more spans than
//! it allows per text or per batch. Either way the batch fails cleanly.
//! Send it short, non-empty texts.

use lethe_plugin_sdk::scrubber::exports::lethe::plugin::scrubber::Guest;
use lethe_plugin_sdk::types::{Category, Span, Subject, Texts};

/// Spans returned per text.
const SPANS_PER_TEXT: usize = 5_000_000;

struct GiantOutput;

impl Guest for GiantOutput {
    fn scan(texts: Texts, _subject: Option<Subject>) -> Result<Vec<Span>, String> {
        let mut answer = Vec::new();
        let mut start = 0;
        for (i, &end) in texts.ends.iter().enumerate() {
            let span = Span {
                text: u32::try_from(i).map_err(|_| "too many texts".to_owned())?,
                start: 0,
                end: end.saturating_sub(start),
                category: Category::Name,
                score: 1.0,
            };
            start = end;
            answer.resize(answer.len() + SPANS_PER_TEXT, span);
        }
        Ok(answer)
    }
}

lethe_plugin_sdk::scrubber::export_scrubber!(GiantOutput);
