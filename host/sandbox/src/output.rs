//! Checks on what a plugin returns. Guest output is never trusted: a count
//! that does not match the input, a span outside its text or off a character
//! boundary, a mark on a path the item does not have — each fails the batch
//! with a message that gives positions and counts, never values.

use lethe_core::{Category, Mark, Path, Span, check_spans};

use crate::bindings::types as wit;
use crate::borrowed::FieldRef;
use crate::convert::category_from_wit;
use crate::error::CallError;

fn malformed(detail: String) -> CallError {
    CallError::MalformedOutput { detail }
}

/// Checks and converts a scrubber's answer for `texts`.
pub(crate) fn spans(
    texts: &[&str],
    answer: Vec<Vec<wit::Span>>,
) -> Result<Vec<Vec<Span>>, CallError> {
    if answer.len() != texts.len() {
        return Err(malformed(format!(
            "returned {} span lists for {} texts",
            answer.len(),
            texts.len()
        )));
    }
    texts
        .iter()
        .zip(answer)
        .enumerate()
        .map(|(i, (text, spans))| {
            let most = text.len().max(16);
            if spans.len() > most {
                return Err(malformed(format!(
                    "returned {} spans for text {i} of {} bytes",
                    spans.len(),
                    text.len()
                )));
            }
            let spans: Vec<Span> = spans
                .into_iter()
                .map(|s| Span {
                    start: s.start as usize,
                    end: s.end as usize,
                    category: category_from_wit(s.category),
                    score: s.score,
                })
                .collect();
            check_spans(text, &spans).map_err(|e| malformed(format!("text {i}: {e}")))?;
            Ok(spans)
        })
        .collect()
}

/// Checks and converts a field map's answer for `items` (their rendered
/// field lists, and the core paths in the same order).
pub(crate) fn marks(
    items: &[Vec<FieldRef<'_>>],
    paths: &[Vec<&Path>],
    answer: Vec<Vec<wit::Mark>>,
) -> Result<Vec<Vec<Mark>>, CallError> {
    if answer.len() != items.len() {
        return Err(malformed(format!(
            "returned {} mark lists for {} items",
            answer.len(),
            items.len()
        )));
    }
    items
        .iter()
        .zip(paths)
        .zip(answer)
        .enumerate()
        .map(|(i, ((fields, paths), marks))| {
            if marks.len() > fields.len() {
                return Err(malformed(format!(
                    "returned {} marks for item {i} with {} fields",
                    marks.len(),
                    fields.len()
                )));
            }
            let mut seen = vec![false; fields.len()];
            let mut out = Vec::with_capacity(marks.len());
            let mut cursor = 0;
            for (m, mark) in marks.into_iter().enumerate() {
                let Some(n) = find_field(fields, &mark.path, cursor) else {
                    return Err(malformed(format!(
                        "mark {m} of item {i} names a path the item does not have ({} bytes long)",
                        mark.path.len()
                    )));
                };
                cursor = n + 1;
                if std::mem::replace(&mut seen[n], true) {
                    return Err(malformed(format!(
                        "item {i} marks the path of field {n} twice"
                    )));
                }
                let category = category_from_wit(mark.category);
                if category != Category::None {
                    out.push(Mark {
                        path: paths[n].clone(),
                        category,
                    });
                }
            }
            Ok(out)
        })
        .collect()
}

/// The position of the field with `path`, searching from `cursor` on and
/// then from the start: field maps answer in field order, so this is one
/// comparison per mark in the usual case, and never worse than a full scan.
fn find_field(fields: &[FieldRef<'_>], path: &str, cursor: usize) -> Option<usize> {
    let cursor = cursor.min(fields.len());
    let (before, after) = fields.split_at(cursor);
    after
        .iter()
        .position(|f| f.path == path)
        .map(|n| n + cursor)
        .or_else(|| before.iter().position(|f| f.path == path))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::borrowed::ScalarRef;

    fn field(path: &str) -> FieldRef<'_> {
        FieldRef {
            path,
            value: ScalarRef::Null,
        }
    }

    #[test]
    fn fields_are_found_in_any_order() {
        let fields = [field("a"), field("b"), field("c")];
        assert_eq!(find_field(&fields, "b", 0), Some(1));
        assert_eq!(find_field(&fields, "a", 2), Some(0));
        assert_eq!(find_field(&fields, "c", 3), Some(2));
        assert_eq!(find_field(&fields, "z", 1), None);
    }
}
