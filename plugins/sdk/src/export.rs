//! The glue between the [`FieldMap`] and [`Scrubber`] traits and the
//! contract's exports: a packed batch in, viewed item by item or text by
//! text without copying ([`crate::packed`]), one answer for the whole batch
//! out, naming fields and texts by their position in the batch; plus the
//! kind check and the log's per-call bound. Used by
//! [`export_field_map!`](crate::export_field_map) and
//! [`export_scrubber!`](crate::export_scrubber); not meant to be named.

use std::marker::PhantomData;

use crate::field_map::exports::lethe::plugin::field_map::Guest as FieldMapGuest;
use crate::scrubber::exports::lethe::plugin::scrubber::Guest as ScrubberGuest;
use crate::standard::check_kind;
use crate::types::{
    Items as WitItems, Mark as WitMark, Span as WitSpan, Subject as WitSubject, Texts as WitTexts,
};
use crate::{Category, Context, FieldMap, Item, Mark, Scrubber, log, packed};

/// Exports a [`FieldMap`] as the contract's `field-map` interface.
pub struct FieldMapExport<T>(PhantomData<T>);

/// Exports a [`Scrubber`] as the contract's `scrubber` interface.
pub struct ScrubberExport<T>(PhantomData<T>);

impl<T: FieldMap> FieldMapGuest for FieldMapExport<T> {
    fn kinds() -> Vec<String> {
        T::KINDS.iter().map(|&k| k.to_owned()).collect()
    }

    fn classify(kind: String, items: WitItems) -> Result<Vec<WitMark>, String> {
        log::reset();
        classify::<T>(&kind, &items)
    }
}

/// Classifies a batch with `T`: the kind checked, then each item in turn.
pub(crate) fn classify<T: FieldMap>(kind: &str, batch: &WitItems) -> Result<Vec<WitMark>, String> {
    check_kind(kind)?;
    if !T::KINDS.is_empty() && !T::KINDS.contains(&kind) {
        return Err(format!(
            "unknown kind {kind:?}: this field map knows {}",
            T::KINDS.join(", ")
        ));
    }
    classify_with(batch, |item| T::classify(kind, item))
}

/// The marks `classify` gives each item of `batch`, as the contract's
/// answer: one list for the batch, by field position, in increasing order.
pub(crate) fn classify_with(
    batch: &WitItems,
    mut classify: impl FnMut(&Item<'_>) -> Vec<Mark>,
) -> Result<Vec<WitMark>, String> {
    let mut answer = Vec::new();
    let mut verdicts = Vec::new();
    let mut dropped = 0usize;
    let mut first = 0usize;
    for item in packed::items(batch) {
        let item = item?;
        let marks = classify(&item);
        let at = Place {
            first,
            len: item.len(),
        };
        push_marks(&mut answer, at, marks, &mut verdicts, &mut dropped);
        first += item.len();
    }
    if dropped > 0 {
        log::warn(&format!(
            "{dropped} marks named a field index the item does not have; they were ignored"
        ));
    }
    Ok(answer)
}

/// Where an item's fields sit in its batch.
#[derive(Clone, Copy)]
struct Place {
    /// The batch position of its first field.
    first: usize,
    /// How many fields it has.
    len: usize,
}

impl Place {
    /// The batch position of the item's field `index` (< `len`). Lossless:
    /// every position is below the batch's field count, which the last
    /// `item-ends` entry (a `u32`) equals.
    fn field(self, index: usize) -> u32 {
        (self.first + index) as u32
    }
}

/// Appends one item's marks to `answer`: the last mark of a field wins,
/// `none` unmarks, indexes past the item are dropped (counted in
/// `dropped`). `verdicts` is scratch space, reused across items.
fn push_marks(
    answer: &mut Vec<WitMark>,
    at: Place,
    marks: Vec<Mark>,
    verdicts: &mut Vec<Option<Category>>,
    dropped: &mut usize,
) {
    // The usual answer (the standard rules' and most plugins'): each field
    // at most once, in order, none of them `none`.
    let simple = marks.iter().all(|m| m.category != Category::None)
        && marks.windows(2).all(|w| w[0].index < w[1].index)
        && marks.last().is_none_or(|m| m.index < at.len);
    if simple {
        answer.extend(marks.iter().map(|m| WitMark {
            field: at.field(m.index),
            category: m.category.into(),
        }));
        return;
    }
    verdicts.clear();
    verdicts.resize(at.len, None);
    for m in marks {
        match verdicts.get_mut(m.index) {
            Some(slot) => *slot = Some(m.category),
            None => *dropped += 1,
        }
    }
    answer.extend(
        verdicts
            .iter()
            .enumerate()
            .filter_map(|(index, category)| match *category {
                Some(category) if category.is_pii() => Some(WitMark {
                    field: at.field(index),
                    category: category.into(),
                }),
                _ => None,
            }),
    );
}

impl<T: Scrubber> ScrubberGuest for ScrubberExport<T> {
    fn scan(texts: WitTexts, subject: Option<WitSubject>) -> Result<Vec<WitSpan>, String> {
        log::reset();
        scan::<T>(&texts, subject)
    }
}

/// Scans a batch with `T`: one context for the batch, each text in turn,
/// one answer for the batch, ordered by text.
pub(crate) fn scan<T: Scrubber>(
    batch: &WitTexts,
    subject: Option<WitSubject>,
) -> Result<Vec<WitSpan>, String> {
    let cx = Context::new(subject.map(|s| lethe_detectors::Subject {
        names: s.names,
        emails: s.emails,
        phones: s.phones,
        ids: s.ids,
    }));
    let mut answer = Vec::new();
    for (i, text) in packed::texts(batch).enumerate() {
        let text = text?;
        // Lossless: a text's position is below the length of the batch's
        // `ends`, a list the host lowered with a `u32` length.
        crate::scrub::push_wit(&mut answer, i as u32, text, T::scan(text, &cx));
    }
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Span;
    use crate::testing::{batch, texts};
    use crate::{Value, category_from_wit};

    fn mark(index: usize, category: Category) -> Mark {
        Mark { index, category }
    }

    fn fields(answer: &[WitMark]) -> Vec<(u32, Category)> {
        answer
            .iter()
            .map(|m| (m.field, category_from_wit(m.category)))
            .collect()
    }

    #[test]
    fn the_last_mark_wins_and_none_unmarks() {
        let marks = vec![
            mark(2, Category::Name),
            mark(0, Category::Email),
            mark(2, Category::Identifier),
            mark(0, Category::None),
            mark(9, Category::Phone),
        ];
        let (mut answer, mut verdicts, mut dropped) = (Vec::new(), Vec::new(), 0);
        let at = Place { first: 10, len: 3 };
        push_marks(&mut answer, at, marks, &mut verdicts, &mut dropped);
        assert_eq!(fields(&answer), [(12, Category::Identifier)]);
        assert_eq!(dropped, 1);
    }

    #[test]
    fn ordered_marks_take_the_fast_path() {
        let marks = vec![mark(0, Category::Name), mark(1, Category::Phone)];
        let (mut answer, mut verdicts, mut dropped) = (Vec::new(), Vec::new(), 0);
        let at = Place { first: 4, len: 2 };
        push_marks(&mut answer, at, marks, &mut verdicts, &mut dropped);
        assert_eq!(fields(&answer), [(4, Category::Name), (5, Category::Phone)]);
        assert!(verdicts.is_empty(), "no scratch space used");
    }

    #[test]
    fn marks_name_fields_by_batch_position_in_order() {
        let b = batch(&[
            &[("a", Value::Null), ("email", Value::Text("x"))],
            &[],
            &[("phone", Value::Text("1")), ("b", Value::Bool(true))],
        ]);
        let answer = classify_with(b.as_wit(), |item| {
            item.fields()
                .filter(|f| f.path().len() > 1)
                .map(|f| f.mark(Category::OtherPii))
                .collect()
        })
        .unwrap();
        assert_eq!(
            fields(&answer),
            [(1, Category::OtherPii), (2, Category::OtherPii)]
        );
    }

    #[test]
    fn a_bad_batch_is_an_error_before_its_item_is_classified() {
        let mut b = batch(&[&[("a", Value::Null)], &[("b", Value::Null)]]).into_wit();
        b.item_ends = vec![2, 1];
        let mut seen = 0;
        let err = classify_with(&b, |_| {
            seen += 1;
            Vec::new()
        })
        .unwrap_err();
        assert_eq!(err, "the items end at field 1, but the batch has 2 fields");
        assert_eq!(seen, 0);
        b.item_ends = vec![1, 2];
        b.fields[1].path.len = 99;
        let err = classify_with(&b, |_| Vec::new()).unwrap_err();
        assert!(
            err.starts_with("item 1 (its fields from position 1 of the batch): field 0: its path"),
            "{err}"
        );
    }

    struct Firsts;

    impl Scrubber for Firsts {
        fn scan(text: &str, _cx: &Context) -> Vec<Span> {
            let first = text.chars().next().map_or(0, char::len_utf8);
            vec![Span::new(0..first, Category::Name)]
        }
    }

    #[test]
    fn spans_name_their_text_and_are_ordered_by_it() {
        let answer = scan::<Firsts>(&texts(&["ab", "", "éf"]), None).unwrap();
        let got: Vec<_> = answer.iter().map(|s| (s.text, s.start, s.end)).collect();
        assert_eq!(got, [(0, 0, 1), (2, 0, 2)]);
    }

    #[test]
    fn bad_ends_fail_the_scan() {
        let mut batch = texts(&["é"]);
        batch.ends = vec![1, 2];
        let err = scan::<Firsts>(&batch, None).unwrap_err();
        assert_eq!(
            err,
            "text 0 (bytes 0..1) does not end on a character boundary"
        );
    }
}
