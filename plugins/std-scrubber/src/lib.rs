//! `std-scrubber`: Lethe's standard scrubber, a thin adapter from the
//! `lethe:plugin` scrubber contract to [`lethe_detectors::Scanner`].
//!
//! The subject of an erasure, when given, is prepared once per call
//! ([`SubjectMatcher`]); each text is then scanned with the default minimum
//! score, and each finding becomes a span carrying the finding's category
//! and score. The scanner's offsets are UTF-8 byte offsets on character
//! boundaries, sorted and non-overlapping, as the contract asks.

#![forbid(unsafe_code)]

use lethe_detectors::{Finding, Scanner, SubjectMatcher};
use lethe_plugin_sdk::scrubber::exports::lethe::plugin::scrubber::Guest;
use lethe_plugin_sdk::types::{Span, Subject};

struct StdScrubber;

impl Guest for StdScrubber {
    fn scan(texts: Vec<String>, subject: Option<Subject>) -> Result<Vec<Vec<Span>>, String> {
        let matcher = subject.map(|s| {
            SubjectMatcher::new(&lethe_detectors::Subject {
                names: s.names,
                emails: s.emails,
                phones: s.phones,
                ids: s.ids,
            })
        });
        let scanner = Scanner::new();
        let mut findings = Vec::new();
        texts
            .iter()
            .map(|text| {
                findings.clear();
                scanner.scan_into(text, matcher.as_ref(), &mut findings);
                findings.iter().map(span).collect()
            })
            .collect()
    }
}

fn span(finding: &Finding) -> Result<Span, String> {
    let offset = |o: usize| u32::try_from(o).map_err(|_| "text longer than 4 GiB".to_owned());
    Ok(Span {
        start: offset(finding.start)?,
        end: offset(finding.end)?,
        category: finding.category().into(),
        score: finding.score,
    })
}

lethe_plugin_sdk::scrubber::export_scrubber!(StdScrubber);
