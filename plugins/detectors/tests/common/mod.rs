//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod generate;

use lethe_detectors::{Detector, Finding, Scanner, SubjectMatcher};

/// Every finding of `text` as (matched text, detector).
pub fn spans(text: &str) -> Vec<(&str, Detector)> {
    spans_with(text, None)
}

/// Like [`spans`], with a subject.
pub fn spans_with<'t>(text: &'t str, subject: Option<&SubjectMatcher>) -> Vec<(&'t str, Detector)> {
    Scanner::new()
        .scan(text, subject)
        .iter()
        .map(|f| (&text[f.start..f.end], f.detector))
        .collect()
}

/// Asserts the structural guarantees of a scan result: char-boundary
/// offsets inside the text, non-empty, sorted, non-overlapping.
pub fn assert_well_formed(text: &str, found: &[Finding]) {
    for f in found {
        assert!(f.start < f.end && f.end <= text.len(), "span out of range");
        assert!(
            text.is_char_boundary(f.start) && text.is_char_boundary(f.end),
            "not on a char boundary"
        );
        assert!((0.0..=1.0).contains(&f.score));
    }
    for w in found.windows(2) {
        assert!(w[0].end <= w[1].start, "unsorted or overlapping findings");
    }
}
