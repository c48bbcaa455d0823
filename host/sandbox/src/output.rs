//! Checks on what a plugin returns. Guest output is never trusted: a count
//! that does not match the input, a span outside its text or off a character
//! boundary, a mark on a path the item does not have — each fails the batch
//! with a message that gives positions and counts, never values.

use lethe_core::{Category, Mark, Span, check_spans};

use crate::bindings::types as wit;
use crate::convert::category_from_wit;
use crate::error::CallError;
use crate::packed::ItemBatch;

fn malformed(detail: String) -> CallError {
    CallError::MalformedOutput { detail }
}

/// Checks a scrubber's answer for the batch `texts` and appends one list of
/// spans per text to `out`.
///
/// The answer is one list for the batch, ordered by text; each text's
/// spans are checked against that text, and a text may have at most
/// `max(16, its length)` of them.
pub(crate) fn spans<S: AsRef<str>>(
    texts: &[S],
    answer: Vec<wit::Span>,
    out: &mut Vec<Vec<Span>>,
) -> Result<(), CallError> {
    let first = out.len();
    out.extend(texts.iter().map(|_| Vec::new()));
    let lists = &mut out[first..];
    let mut last = 0;
    for (n, s) in answer.into_iter().enumerate() {
        let i = s.text as usize;
        let Some(list) = lists.get_mut(i) else {
            return Err(malformed(format!(
                "span {n} names text {i} of a batch of {} texts",
                texts.len()
            )));
        };
        if i < last {
            return Err(malformed(format!(
                "span {n} names text {i} after text {last}: spans must be ordered by text"
            )));
        }
        last = i;
        let len = texts[i].as_ref().len();
        if list.len() == len.max(16) {
            return Err(malformed(format!(
                "returned more than {} spans for text {i} of {len} bytes",
                len.max(16)
            )));
        }
        list.push(Span {
            start: s.start as usize,
            end: s.end as usize,
            category: category_from_wit(s.category),
            score: s.score,
        });
    }
    for (i, (text, spans)) in texts.iter().zip(lists.iter()).enumerate() {
        check_spans(text.as_ref(), spans).map_err(|e| malformed(format!("text {i}: {e}")))?;
    }
    Ok(())
}

/// Checks a field map's answer for `batch` and appends one list of marks per
/// item to `out`, each naming the core path of the field it marks.
///
/// Marks name fields by position in the batch, in increasing order, so one
/// pass checks that each names a field the batch has, and no field twice.
/// `none` marks are accepted and dropped.
pub(crate) fn marks(
    batch: &ItemBatch<'_>,
    answer: Vec<wit::Mark>,
    out: &mut Vec<Vec<Mark>>,
) -> Result<(), CallError> {
    let fields = batch.paths.len();
    let ends = &batch.items.item_ends;
    let first = out.len();
    out.extend(ends.iter().map(|_| Vec::new()));
    let mut item = 0;
    let mut next = 0;
    for (n, mark) in answer.into_iter().enumerate() {
        let field = mark.field as usize;
        if field >= fields {
            return Err(malformed(format!(
                "mark {n} names field {field} of a batch of {fields} fields"
            )));
        }
        if field < next {
            return Err(malformed(format!(
                "mark {n} names field {field} after field {}: marks must name each field once, in order",
                next - 1
            )));
        }
        next = field + 1;
        while ends[item] as usize <= field {
            item += 1;
        }
        let category = category_from_wit(mark.category);
        if category != Category::None {
            out[first + item].push(Mark {
                path: batch.paths[field].clone(),
                category,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packed::ItemPacker;
    use serde_json::json;

    fn span(text: u32, start: u32, end: u32) -> wit::Span {
        wit::Span {
            text,
            start,
            end,
            category: wit::Category::Name,
            score: 0.9,
        }
    }

    fn mark(field: u32, category: wit::Category) -> wit::Mark {
        wit::Mark { field, category }
    }

    #[test]
    fn spans_are_grouped_by_text_and_checked_against_their_own_text() {
        let texts = ["Ada here", "", "and Bo"];
        let mut out = vec![Vec::new()];
        spans(
            &texts,
            vec![span(0, 0, 3), span(2, 4, 6), span(2, 0, 3)],
            &mut out,
        )
        .unwrap();
        let got: Vec<Vec<(usize, usize)>> = out
            .iter()
            .map(|l| l.iter().map(|s| (s.start, s.end)).collect())
            .collect();
        assert_eq!(got, [vec![], vec![(0, 3)], vec![], vec![(4, 6), (0, 3)]]);
    }

    #[test]
    fn bad_span_answers_fail_with_positions_only() {
        let texts = ["Ada here", "Bo"];
        let fails = |answer: Vec<wit::Span>| {
            let err = spans(&texts, answer, &mut Vec::new())
                .unwrap_err()
                .to_string();
            assert!(!err.contains("Ada") && !err.contains("Bo"), "{err}");
            err
        };
        assert!(fails(vec![span(2, 0, 1)]).contains("names text 2 of a batch of 2"));
        assert!(fails(vec![span(1, 0, 1), span(0, 0, 1)]).contains("ordered by text"));
        assert!(fails(vec![span(1, 0, 3)]).contains("text 1"));
        assert!(fails(vec![span(0, 0, 1); 17]).contains("more than 16 spans"));
    }

    #[test]
    fn marks_are_split_per_item_and_none_is_dropped() {
        let items = [
            lethe_core::flatten(&json!({"a": 1, "b": 2})),
            lethe_core::flatten(&json!({})),
            lethe_core::flatten(&json!({"c": 3})),
        ];
        let mut packer = ItemPacker::new(&items, 1 << 20, 512);
        let batch = packer.next_batch().unwrap().unwrap();
        let answer = vec![mark(1, wit::Category::Email), mark(2, wit::Category::None)];
        let mut out = Vec::new();
        marks(batch, answer, &mut out).unwrap();
        let got: Vec<Vec<String>> = out
            .iter()
            .map(|l| {
                l.iter()
                    .map(|m| format!("{}={:?}", m.path, m.category))
                    .collect()
            })
            .collect();
        assert_eq!(got, [vec!["b=Email".to_owned()], vec![], vec![]]);
    }

    #[test]
    fn bad_mark_answers_fail_the_batch() {
        let items = [lethe_core::flatten(&json!({"a": 1, "b": 2}))];
        let mut packer = ItemPacker::new(&items, 1 << 20, 512);
        let batch = packer.next_batch().unwrap().unwrap();
        let fails = |answer: Vec<wit::Mark>| {
            marks(batch, answer, &mut Vec::new())
                .unwrap_err()
                .to_string()
        };
        let name = wit::Category::Name;
        assert!(fails(vec![mark(2, name)]).contains("names field 2 of a batch of 2"));
        assert!(fails(vec![mark(0, name), mark(0, name)]).contains("in order"));
        assert!(fails(vec![mark(1, name), mark(0, name)]).contains("after field 1"));
    }
}
