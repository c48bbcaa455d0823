//! Spans: runs of personal data that a scrubber found in a text.
//!
//! A scrubber plugin is untrusted code, so its answer is checked before it
//! is used: [`check_spans`] refuses a span that does not lie on the text's
//! character boundaries, has no length, has a score that is not a
//! probability, or names no kind of personal data. Its errors name the span
//! by index and never repeat the text.
//!
//! Scrubbers may report the same run more than once, or overlapping runs
//! (an e-mail address inside a longer name match, say). [`merge`] turns a
//! checked list into the sorted, disjoint list that
//! [`scrub_text`](crate::redact::scrub_text) replaces piece by piece.

use crate::Category;
use crate::error::SpanError;

/// A run of personal data in a text: UTF-8 byte offsets `start..end`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Span {
    /// Byte offset of the first byte, on a character boundary.
    pub start: usize,
    /// Byte offset one past the last byte, on a character boundary; greater
    /// than `start`, at most the text's length.
    pub end: usize,
    /// What the run holds: any category but `none` and `free-text`.
    pub category: Category,
    /// The scrubber's confidence, from 0.0 to 1.0.
    pub score: f32,
}

impl Span {
    /// A span of `category` over `start..end` with score 1.0.
    pub fn new(start: usize, end: usize, category: Category) -> Span {
        Span {
            start,
            end,
            category,
            score: 1.0,
        }
    }
}

/// Checks a scrubber's spans against the text they were found in.
///
/// The host calls this on every plugin answer before using it.
///
/// # Errors
///
/// The first span (in list order) that breaks a rule, as a [`SpanError`]:
/// [`Empty`](SpanError::Empty) unless `start < end`,
/// [`OutOfBounds`](SpanError::OutOfBounds) if `end` is past the text,
/// [`NotCharBoundary`](SpanError::NotCharBoundary) if an offset splits a
/// character, [`BadScore`](SpanError::BadScore) unless the score is finite
/// and within `0.0..=1.0`, and [`BadCategory`](SpanError::BadCategory) for
/// `none` and `free-text`. Overlaps are allowed; [`merge`] resolves them.
pub fn check_spans(text: &str, spans: &[Span]) -> Result<(), SpanError> {
    for (index, span) in spans.iter().enumerate() {
        let &Span {
            start,
            end,
            category,
            score,
        } = span;
        if start >= end {
            return Err(SpanError::Empty { index, start, end });
        }
        if end > text.len() {
            return Err(SpanError::OutOfBounds {
                index,
                end,
                len: text.len(),
            });
        }
        if let Some(offset) = [start, end]
            .into_iter()
            .find(|&o| !text.is_char_boundary(o))
        {
            return Err(SpanError::NotCharBoundary { index, offset });
        }
        if !(0.0..=1.0).contains(&score) {
            return Err(SpanError::BadScore { index, score });
        }
        if matches!(category, Category::None | Category::FreeText) {
            return Err(SpanError::BadCategory { index, category });
        }
    }
    Ok(())
}

/// Sorts spans and unions the ones that overlap or touch.
///
/// Two spans are joined when they share a byte or when one ends where the
/// next starts. Touching spans are joined too because, to a reader, they are
/// one run of personal data: replacing them separately would show where one
/// ends, and masking each would show the tail of each (a card number split
/// in two would keep twice the digits). A union covers its members' bytes
/// and takes the category and score of its highest-scoring member; on a tie,
/// the member that sorts first (by start, end, then category) wins, so the
/// result does not depend on the input order.
///
/// The result is sorted, with at least one byte between consecutive spans,
/// and merging it again changes nothing. Meant for spans that passed
/// [`check_spans`]; it does not check them.
pub fn merge(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_by(|a, b| {
        (a.start, a.end, a.category)
            .cmp(&(b.start, b.end, b.category))
            .then(b.score.total_cmp(&a.score))
    });
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.start <= last.end => {
                last.end = last.end.max(span.end);
                if span.score > last.score {
                    last.category = span.category;
                    last.score = span.score;
                }
            }
            _ => merged.push(span),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use Category::{Address, Email, FreeText, Ip, Name, Phone};

    fn s(start: usize, end: usize, category: Category, score: f32) -> Span {
        Span {
            start,
            end,
            category,
            score,
        }
    }

    #[test]
    fn accepts_valid_spans_including_overlaps() {
        let text = "mail é@x.se now";
        assert_eq!(check_spans(text, &[]), Ok(()));
        assert_eq!(
            check_spans(
                text,
                &[
                    s(5, 11, Email, 0.9),
                    s(0, 4, Name, 0.0),
                    s(5, 16, Address, 1.0)
                ]
            ),
            Ok(())
        );
    }

    #[test]
    fn names_the_first_bad_span_and_what_is_wrong() {
        let text = "héllo"; // 'é' is bytes 1..3
        let ok = s(0, 1, Name, 0.5);
        let cases = [
            (
                s(2, 2, Name, 0.5),
                SpanError::Empty {
                    index: 1,
                    start: 2,
                    end: 2,
                },
            ),
            (
                s(3, 1, Name, 0.5),
                SpanError::Empty {
                    index: 1,
                    start: 3,
                    end: 1,
                },
            ),
            (
                s(0, 7, Name, 0.5),
                SpanError::OutOfBounds {
                    index: 1,
                    end: 7,
                    len: 6,
                },
            ),
            (
                s(2, 4, Name, 0.5),
                SpanError::NotCharBoundary {
                    index: 1,
                    offset: 2,
                },
            ),
            (
                s(0, 2, Name, 0.5),
                SpanError::NotCharBoundary {
                    index: 1,
                    offset: 2,
                },
            ),
            (
                s(0, 3, Name, f32::NAN),
                SpanError::BadScore {
                    index: 1,
                    score: f32::NAN,
                },
            ),
            (
                s(0, 3, Name, -0.1),
                SpanError::BadScore {
                    index: 1,
                    score: -0.1,
                },
            ),
            (
                s(0, 3, Name, 1.5),
                SpanError::BadScore {
                    index: 1,
                    score: 1.5,
                },
            ),
            (
                s(0, 3, Name, f32::INFINITY),
                SpanError::BadScore {
                    index: 1,
                    score: f32::INFINITY,
                },
            ),
            (
                s(0, 3, Category::None, 0.5),
                SpanError::BadCategory {
                    index: 1,
                    category: Category::None,
                },
            ),
            (
                s(0, 3, FreeText, 0.5),
                SpanError::BadCategory {
                    index: 1,
                    category: FreeText,
                },
            ),
        ];
        for (bad, want) in cases {
            let got = check_spans(text, &[ok, bad, s(9, 1, Name, 9.0)]).unwrap_err();
            // NaN != NaN, so compare the messages, which carry every field.
            assert_eq!(got.to_string(), want.to_string(), "{bad:?}");
            assert!(!got.to_string().contains("llo"));
        }
    }

    #[test]
    fn merge_sorts_and_keeps_disjoint_spans() {
        let got = merge(vec![s(10, 12, Ip, 0.5), s(0, 3, Name, 0.4)]);
        assert_eq!(got, [s(0, 3, Name, 0.4), s(10, 12, Ip, 0.5)]);
        assert_eq!(merge(vec![]), []);
    }

    #[test]
    fn merge_unions_overlaps_under_the_best_category() {
        let got = merge(vec![
            s(0, 10, Name, 0.6),
            s(4, 20, Email, 0.9),
            s(18, 25, Address, 0.3),
        ]);
        assert_eq!(got, [s(0, 25, Email, 0.9)]);
        // A span inside another.
        let got = merge(vec![s(0, 10, Name, 0.9), s(2, 3, Phone, 0.1)]);
        assert_eq!(got, [s(0, 10, Name, 0.9)]);
        // Duplicates.
        let got = merge(vec![s(1, 4, Phone, 0.7), s(1, 4, Phone, 0.7)]);
        assert_eq!(got, [s(1, 4, Phone, 0.7)]);
    }

    #[test]
    fn merge_joins_touching_spans() {
        let got = merge(vec![s(0, 4, Name, 0.5), s(4, 9, Name, 0.8)]);
        assert_eq!(got, [s(0, 9, Name, 0.8)]);
        let got = merge(vec![
            s(4, 9, Email, 0.8),
            s(0, 4, Name, 0.5),
            s(10, 11, Ip, 0.1),
        ]);
        assert_eq!(got, [s(0, 9, Email, 0.8), s(10, 11, Ip, 0.1)]);
    }

    #[test]
    fn merge_is_idempotent_when_a_union_changes_category() {
        // The second union becomes a phone and touches the first phone.
        let spans = vec![s(0, 1, Phone, 0.0), s(1, 2, Name, 0.0), s(1, 2, Phone, 0.9)];
        let once = merge(spans);
        assert_eq!(once, [s(0, 2, Phone, 0.9)]);
        assert_eq!(merge(once.clone()), once);
    }

    #[test]
    fn merge_ties_do_not_depend_on_input_order() {
        let a = s(0, 5, Phone, 0.5);
        let b = s(0, 5, Name, 0.5);
        assert_eq!(merge(vec![a, b]), merge(vec![b, a]));
        assert_eq!(merge(vec![a, b])[0].category, Name);
    }
}
