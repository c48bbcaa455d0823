//! Hostile fixture `malformed-spans`: a scrubber whose answers break the
//! contract in the way its text asks for.
//!
//! The first word of each text chooses:
//!
//! | text starts with | answer for that text |
//! |------------------|----------------------|
//! | `range`    | a span ending past the end of the text |
//! | `boundary` | a span ending inside the text's first multi-byte character (send e.g. `boundary é`; without one, past the end) |
//! | `order`    | a span whose start is after its end |
//! | `score`    | a span with a NaN score |
//! | `count`    | a valid empty list, but one list too many in the whole answer |
//! | anything else | a valid empty list |
//!
//! Attack: answers that would make the host slice text out of bounds or
//! off a character boundary, or misalign texts and answers. The host must
//! check every span and the count, and fail the batch (never panic, never
//! apply a partial answer).

use lethe_plugin_sdk::scrubber::exports::lethe::plugin::scrubber::Guest;
use lethe_plugin_sdk::types::{Category, Span, Subject};

struct MalformedSpans;

fn span(start: usize, end: usize, score: f32) -> Span {
    let clamp = |o: usize| u32::try_from(o).unwrap_or(u32::MAX);
    Span {
        start: clamp(start),
        end: clamp(end),
        category: Category::Name,
        score,
    }
}

fn answer(text: &str) -> Vec<Span> {
    let word = text.split(' ').next().unwrap_or_default();
    match word {
        "range" => vec![span(0, text.len() + 10, 1.0)],
        "boundary" => {
            let inside = text.char_indices().find(|(_, c)| c.len_utf8() > 1);
            let end = inside.map_or(text.len() + 1, |(i, _)| i + 1);
            vec![span(0, end, 1.0)]
        }
        "order" => vec![span(text.len(), 0, 1.0)],
        "score" => vec![span(0, text.len(), f32::NAN)],
        _ => Vec::new(),
    }
}

impl Guest for MalformedSpans {
    fn scan(texts: Vec<String>, _subject: Option<Subject>) -> Result<Vec<Vec<Span>>, String> {
        let mut lists: Vec<Vec<Span>> = texts.iter().map(|t| answer(t)).collect();
        if texts.iter().any(|t| t.starts_with("count")) {
            lists.push(Vec::new());
        }
        Ok(lists)
    }
}

lethe_plugin_sdk::scrubber::export_scrubber!(MalformedSpans);
