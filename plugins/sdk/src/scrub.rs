//! What a scrubber works with: a [`Context`] per batch (the subject of an
//! erasure, the standard detectors ready to run) and the [`Span`]s it
//! answers with.

use std::cell::RefCell;
use std::ops::Range;

use lethe_detectors::{Finding, Scanner, Subject, SubjectMatcher};

use crate::Category;

/// A run of personal data in a text: UTF-8 byte offsets `start..end`, what
/// it holds, and a confidence score.
///
/// The SDK makes every span acceptable to the host before answering: `end`
/// is clamped to the text, offsets inside a character are widened to cover
/// it, empty spans and spans of [`Category::None`] are dropped, a
/// [`Category::FreeText`] span becomes [`Category::OtherPii`], and the
/// score is clamped to `0.0..=1.0` (not a number: 1.0). Overlapping spans
/// are fine: the host merges them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// What the span holds.
    pub category: Category,
    /// Confidence from 0.0 to 1.0 (see [`Span::DEFAULT_SCORE`]).
    pub score: f32,
}

impl Span {
    /// The score of a span made with [`Span::new`]: a rule written for the
    /// tenant's own data is about as sure as a checksum-validated format
    /// (the standard detectors score 0.85 to 0.95 for those, 0.97 and up
    /// for a subject's own values).
    pub const DEFAULT_SCORE: f32 = 0.9;

    /// A span over `range` of the text, holding `category`, scored
    /// [`Span::DEFAULT_SCORE`].
    pub fn new(range: Range<usize>, category: Category) -> Self {
        Span {
            start: range.start,
            end: range.end,
            category,
            score: Self::DEFAULT_SCORE,
        }
    }

    /// The same span with another score.
    #[must_use]
    pub fn with_score(self, score: f32) -> Self {
        Span { score, ..self }
    }

    /// Its byte range.
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }

    /// The text it covers in `text`, or `None` if it does not fit `text`.
    pub fn text<'t>(&self, text: &'t str) -> Option<&'t str> {
        text.get(self.range())
    }
}

impl From<Finding> for Span {
    fn from(f: Finding) -> Self {
        Span {
            start: f.start,
            end: f.end,
            category: f.category(),
            score: f.score,
        }
    }
}

impl From<&Finding> for Span {
    fn from(f: &Finding) -> Self {
        Span::from(*f)
    }
}

/// What a scrubber has at hand for one batch of texts: the subject of the
/// erasure (if the call is part of one) and the standard detectors, ready
/// to run. Made once per batch by the SDK.
pub struct Context {
    subject: Option<Subject>,
    matcher: Option<SubjectMatcher>,
    scanner: Scanner,
    findings: RefCell<Vec<Finding>>,
}

impl Context {
    /// A context for a batch, with the erasure's `subject` if there is one.
    /// The SDK makes it; tests can too.
    pub fn new(subject: Option<Subject>) -> Self {
        let matcher = subject.as_ref().map(SubjectMatcher::new);
        Context {
            subject,
            matcher,
            scanner: Scanner::new(),
            findings: RefCell::new(Vec::new()),
        }
    }

    /// The known values of the person being erased: names, e-mails, phones
    /// and ids, as stored. `None` outside an erasure.
    pub fn subject(&self) -> Option<&Subject> {
        self.subject.as_ref()
    }

    /// The subject prepared for matching in other spellings (`J. Smith`,
    /// `+46 70-123 45 67`, `JOHN.SMITH@EXAMPLE.COM`), for use with
    /// [`Scanner::scan_into`](lethe_detectors::Scanner::scan_into).
    pub fn subject_matcher(&self) -> Option<&SubjectMatcher> {
        self.matcher.as_ref()
    }

    /// The standard scanner (every detector, minimum score 0.5).
    pub fn scanner(&self) -> &Scanner {
        &self.scanner
    }

    /// Everything Lethe's standard scrubber finds in `text`: e-mails,
    /// phones, payment cards, IBANs, national ids, IP addresses and dates
    /// of birth, and during an erasure the subject's own values in other
    /// spellings.
    /// Sorted, non-overlapping. This is exactly `std-scrubber`'s answer.
    pub fn find_pii(&self, text: &str) -> Vec<Span> {
        let mut findings = self.findings.borrow_mut();
        findings.clear();
        self.scanner
            .scan_into(text, self.matcher.as_ref(), &mut findings);
        findings.iter().map(Span::from).collect()
    }

    /// Like [`find_pii`](Context::find_pii), keeping only `categories`.
    pub fn find(&self, text: &str, categories: &[Category]) -> Vec<Span> {
        let mut spans = self.find_pii(text);
        spans.retain(|s| categories.contains(&s.category));
        spans
    }
}

/// Appends `spans`, made acceptable to the host for `text` (see [`Span`]),
/// to `answer` as the contract's spans of the batch's text `index`.
///
/// `text` is one text of a packed batch, whose ends are `u32`s, so every
/// offset in it fits a `u32`.
pub(crate) fn push_wit(
    answer: &mut Vec<crate::types::Span>,
    index: u32,
    text: &str,
    mut spans: Vec<Span>,
) {
    let len = text.len();
    spans.retain_mut(|s| {
        if s.category == Category::None {
            return false;
        }
        if s.category == Category::FreeText {
            s.category = Category::OtherPii;
        }
        s.start = s.start.min(len);
        s.end = s.end.min(len);
        while !text.is_char_boundary(s.start) {
            s.start -= 1;
        }
        while !text.is_char_boundary(s.end) {
            s.end += 1;
        }
        s.score = if s.score.is_nan() {
            1.0
        } else {
            s.score.clamp(0.0, 1.0)
        };
        s.start < s.end
    });
    // The host refuses more spans than max(len, 16) per text: a plugin that
    // found that many has found overlapping ones; union them.
    if spans.len() > len.max(16) {
        spans = union(spans);
    }
    answer.extend(spans.iter().map(|s| crate::types::Span {
        text: index,
        start: s.start as u32,
        end: s.end as u32,
        category: s.category.into(),
        score: s.score,
    }));
}

/// Sorted, with overlapping or touching spans joined (the higher score's
/// category wins).
fn union(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_by_key(|s| (s.start, s.end));
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last) if s.start <= last.end => {
                last.end = last.end.max(s.end);
                if s.score > last.score {
                    last.score = s.score;
                    last.category = s.category;
                }
            }
            _ => out.push(s),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_made_acceptable() {
        let text = "é-mail: jo@x.se";
        let spans = vec![
            Span::new(1..4, Category::Email),    // inside 'é': widened
            Span::new(8..100, Category::Email),  // past the end: clamped
            Span::new(3..3, Category::Phone),    // empty: dropped
            Span::new(0..2, Category::None),     // none: dropped
            Span::new(0..2, Category::FreeText), // free-text: other-pii
            Span::new(0..2, Category::Name).with_score(f32::NAN),
            Span::new(usize::MAX..usize::MAX, Category::Ip), // past the end: dropped
        ];
        let mut out = Vec::new();
        push_wit(&mut out, 7, text, spans);
        let got: Vec<(u32, u32, u32, Category, f32)> = out
            .iter()
            .map(|s| {
                (
                    s.text,
                    s.start,
                    s.end,
                    crate::category_from_wit(s.category),
                    s.score,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (7, 0, 4, Category::Email, 0.9),
                (7, 8, 16, Category::Email, 0.9),
                (7, 0, 2, Category::OtherPii, 0.9),
                (7, 0, 2, Category::Name, 1.0),
            ]
        );
    }

    #[test]
    fn too_many_spans_are_joined() {
        let text = "abc";
        let spans: Vec<Span> = (0..40).map(|_| Span::new(0..2, Category::Name)).collect();
        let mut out = Vec::new();
        push_wit(&mut out, 0, text, spans);
        assert_eq!(out.len(), 1);
    }
}
