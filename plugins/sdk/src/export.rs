//! The glue between the [`FieldMap`] and [`Scrubber`] traits and the
//! contract's exports: batches in, one answer per input out, conversions,
//! the kind check, and the log's per-call bound. Used by
//! [`export_field_map!`](crate::export_field_map) and
//! [`export_scrubber!`](crate::export_scrubber); not meant to be named.

use std::marker::PhantomData;

use crate::field_map::exports::lethe::plugin::field_map::Guest as FieldMapGuest;
use crate::scrubber::exports::lethe::plugin::scrubber::Guest as ScrubberGuest;
use crate::standard::check_kind;
use crate::types::{Field as WitField, Mark as WitMark, Span as WitSpan, Subject as WitSubject};
use crate::{Category, Context, FieldMap, Item, Mark, Scrubber, log};

/// Exports a [`FieldMap`] as the contract's `field-map` interface.
pub struct FieldMapExport<T>(PhantomData<T>);

/// Exports a [`Scrubber`] as the contract's `scrubber` interface.
pub struct ScrubberExport<T>(PhantomData<T>);

impl<T: FieldMap> FieldMapGuest for FieldMapExport<T> {
    fn kinds() -> Vec<String> {
        T::KINDS.iter().map(|&k| k.to_owned()).collect()
    }

    fn classify(kind: String, items: Vec<Vec<WitField>>) -> Result<Vec<Vec<WitMark>>, String> {
        log::reset();
        classify::<T>(&kind, items)
    }
}

/// Classifies a batch with `T`: the kind checked, then one answer per item.
pub(crate) fn classify<T: FieldMap>(
    kind: &str,
    items: Vec<Vec<WitField>>,
) -> Result<Vec<Vec<WitMark>>, String> {
    check_kind(kind)?;
    if !T::KINDS.is_empty() && !T::KINDS.contains(&kind) {
        return Err(format!(
            "unknown kind {kind:?}: this field map knows {}",
            T::KINDS.join(", ")
        ));
    }
    let mut dropped = 0usize;
    let answer = items
        .into_iter()
        .map(|fields| {
            let marks = T::classify(kind, &Item::new(&fields));
            to_wit(fields, marks, &mut dropped)
        })
        .collect();
    if dropped > 0 {
        log::warn(&format!(
            "{dropped} marks named a field index the item does not have; they were ignored"
        ));
    }
    Ok(answer)
}

/// The contract's marks for one item: the last mark of a field wins, `none`
/// unmarks, indexes past the item are dropped (counted in `dropped`).
/// Paths are moved out of `fields`, never copied.
fn to_wit(mut fields: Vec<WitField>, marks: Vec<Mark>, dropped: &mut usize) -> Vec<WitMark> {
    // The usual answer (the standard rules' and most plugins'): each field
    // at most once, in order, none of them `none`.
    let simple = marks.iter().all(|m| m.category != Category::None)
        && marks.windows(2).all(|w| w[0].index < w[1].index)
        && marks.last().is_none_or(|m| m.index < fields.len());
    if simple {
        return marks
            .into_iter()
            .map(|m| WitMark {
                path: std::mem::take(&mut fields[m.index].path),
                category: m.category.into(),
            })
            .collect();
    }
    let mut verdict: Vec<Option<Category>> = vec![None; fields.len()];
    for m in marks {
        match verdict.get_mut(m.index) {
            Some(slot) => *slot = Some(m.category),
            None => *dropped += 1,
        }
    }
    verdict
        .into_iter()
        .zip(fields)
        .filter_map(|(category, field)| match category {
            Some(category) if category.is_pii() => Some(WitMark {
                path: field.path,
                category: category.into(),
            }),
            _ => None,
        })
        .collect()
}

impl<T: Scrubber> ScrubberGuest for ScrubberExport<T> {
    fn scan(texts: Vec<String>, subject: Option<WitSubject>) -> Result<Vec<Vec<WitSpan>>, String> {
        log::reset();
        scan::<T>(&texts, subject)
    }
}

/// Scans a batch with `T`: one context for the batch, one answer per text.
pub(crate) fn scan<T: Scrubber>(
    texts: &[String],
    subject: Option<WitSubject>,
) -> Result<Vec<Vec<WitSpan>>, String> {
    let cx = Context::new(subject.map(|s| lethe_detectors::Subject {
        names: s.names,
        emails: s.emails,
        phones: s.phones,
        ids: s.ids,
    }));
    texts
        .iter()
        .map(|text| crate::scrub::to_wit(text, T::scan(text, &cx)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Value;
    use crate::testing::fields;

    fn paths(answer: &[WitMark]) -> Vec<(&str, Category)> {
        answer
            .iter()
            .map(|m| (m.path.as_str(), crate::category_from_wit(m.category)))
            .collect()
    }

    #[test]
    fn the_last_mark_wins_and_none_unmarks() {
        let item = fields(&[("a", Value::Null), ("b", Value::Null), ("c", Value::Null)]);
        let marks = vec![
            Mark {
                index: 2,
                category: Category::Name,
            },
            Mark {
                index: 0,
                category: Category::Email,
            },
            Mark {
                index: 2,
                category: Category::Identifier,
            },
            Mark {
                index: 0,
                category: Category::None,
            },
            Mark {
                index: 9,
                category: Category::Phone,
            },
        ];
        let mut dropped = 0;
        let answer = to_wit(item, marks, &mut dropped);
        assert_eq!(paths(&answer), [("c", Category::Identifier)]);
        assert_eq!(dropped, 1);
    }

    #[test]
    fn ordered_marks_take_the_fast_path() {
        let item = fields(&[("a", Value::Null), ("b", Value::Null)]);
        let marks = vec![
            Mark {
                index: 0,
                category: Category::Name,
            },
            Mark {
                index: 1,
                category: Category::Phone,
            },
        ];
        let mut dropped = 0;
        let answer = to_wit(item, marks, &mut dropped);
        assert_eq!(
            paths(&answer),
            [("a", Category::Name), ("b", Category::Phone)]
        );
    }
}
