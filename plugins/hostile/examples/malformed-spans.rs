//! Hostile fixture `malformed-spans`: a scrubber whose answers break the
//! contract in the way its texts ask for.
//!
//! The first word of each text chooses what the answer holds for it:
//!
//! | text starts with | answer for that text (at position `i` in the batch) |
//! |------------------|----------------------|
//! | `range`     | a span ending past the end of the text |
//! | `boundary`  | a span ending inside the text's first multi-byte character (send e.g. `boundary é`; without one, past the end) |
//! | `order`     | a span whose start is after its end |
//! | `score`     | a span with a NaN score |
//! | `index`     | a span over the whole text that names text `n`, the batch's text count (one past its last text) |
//! | `unordered` | when `i >= 1`: a valid span `[0, 1)` of text `i`, then a valid span `[0, 1)` of text 0, so the text order decreases (make both texts non-empty ASCII) |
//! | anything else | no spans (valid) |
//!
//! Attack: answers that would make the host slice text out of bounds or
//! off a character boundary, or pin spans on the wrong text. The host must
//! check every span against the text it names, and the text order, and
//! fail the batch (never panic, never apply a partial answer).

use lethe_plugin_sdk::packed;
use lethe_plugin_sdk::scrubber::exports::lethe::plugin::scrubber::Guest;
use lethe_plugin_sdk::types::{Category, Span, Subject, Texts};

struct MalformedSpans;

/// A span of text `text` from `start` to `end`, offsets saturated to `u32`.
fn span(text: usize, start: usize, end: usize, score: f32) -> Span {
    let clamp = |o: usize| u32::try_from(o).unwrap_or(u32::MAX);
    Span {
        text: clamp(text),
        start: clamp(start),
        end: clamp(end),
        category: Category::Name,
        score,
    }
}

/// Appends what text `i` of a batch of `count` texts asks for.
fn answer(i: usize, text: &str, count: usize, spans: &mut Vec<Span>) {
    let word = text.split(' ').next().unwrap_or_default();
    match word {
        "range" => spans.push(span(i, 0, text.len() + 10, 1.0)),
        "boundary" => {
            let inside = text.char_indices().find(|(_, c)| c.len_utf8() > 1);
            let end = inside.map_or(text.len() + 1, |(at, _)| at + 1);
            spans.push(span(i, 0, end, 1.0));
        }
        "order" => spans.push(span(i, text.len(), 0, 1.0)),
        "score" => spans.push(span(i, 0, text.len(), f32::NAN)),
        "index" => spans.push(span(count, 0, text.len(), 1.0)),
        "unordered" if i >= 1 => spans.extend([span(i, 0, 1, 1.0), span(0, 0, 1, 1.0)]),
        _ => {}
    }
}

impl Guest for MalformedSpans {
    fn scan(texts: Texts, _subject: Option<Subject>) -> Result<Vec<Span>, String> {
        let count = texts.ends.len();
        let mut spans = Vec::new();
        for (i, text) in packed::texts(&texts).enumerate() {
            answer(i, text?, count, &mut spans);
        }
        Ok(spans)
    }
}

lethe_plugin_sdk::scrubber::export_scrubber!(MalformedSpans);
