//! The redaction engine: applies a policy to one item, given what the
//! plugins found in it.
//!
//! The host flattens an item, asks the tenant's field map for [`Mark`]s
//! (which path holds which category) and, for the fields marked
//! `free-text`, asks the scrubber for [`Span`]s. Both answers come from
//! untrusted code, so [`redact_item`] checks them against the item before it
//! changes anything:
//!
//! - every mark names a scalar field the item has, at most once;
//! - spans are given only for text fields marked `free-text`, and pass
//!   [`check_spans`].
//!
//! Then it applies the [`Policy`] to each marked field (see the table in
//! [`policy`](crate::policy)) and touches nothing else: an unmarked field, or
//! one marked `none`, is never changed. Dropping a field leaves its object in
//! place (`{}` if it was the last key), and dropping an array element leaves
//! `null` there so that its siblings keep their positions.
//!
//! The result carries a [`Change`] per field acted on: its path, category,
//! kind of action and number of spans, never a value, so it can go into job
//! records and audit events as it is.
//!
//! [`scrub_text`] is the free-text half on its own, for texts that are not
//! items (dataset objects, messages).

use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::Value;

use crate::Category;
use crate::error::Error;
use crate::item::{Path, Segment};
use crate::mask::mask;
use crate::policy::{Action, ActionKind, Policy};
use crate::pseudonym::{PseudonymKey, pseudonymize};
use crate::span::{Span, check_spans, merge};

/// A field map's verdict on one field: `path` holds `category`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Mark {
    /// A scalar field of the item.
    pub path: Path,
    /// What it holds.
    pub category: Category,
}

/// What was done to one field. Carries no values, so it may be logged and
/// stored as it is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Change {
    /// The field.
    pub path: Path,
    /// The category it was marked with.
    pub category: Category,
    /// The action taken (the policy's action for `category`).
    pub action: ActionKind,
    /// For [`ActionKind::Scrub`], how many spans (after merging) were
    /// replaced; 0 otherwise.
    pub spans: usize,
}

/// An item after redaction, and what was done to it.
#[derive(Clone, Debug, PartialEq)]
pub struct Redaction {
    /// The redacted item.
    pub value: Value,
    /// One entry per field acted on, in path order. A field is acted on when
    /// it is marked with personal data and its action is not `retain`; a
    /// `scrub`bed field only when spans were given for it (an empty list,
    /// meaning "scanned, nothing found", still counts).
    pub changes: Vec<Change>,
}

/// Applies `policy` to `item`, given the field map's `marks` and the
/// scrubber's spans for the free-text fields.
///
/// Each marked field becomes, by its category's action: `erase` → `null`;
/// `replace` → the constant; `pseudonymize` → its [pseudonym](pseudonymize);
/// `mask` → its [masked](mask) text; `drop` → removed (see the
/// [module docs](self) for arrays); `retain` → unchanged; `scrub` → its text
/// with `text_spans[path]` replaced by [`scrub_text`], or unchanged when
/// `text_spans` has no entry for it. Numbers and booleans are pseudonymized
/// and masked through their JSON text; `null` stays `null` under both.
///
/// # Errors
///
/// Nothing is changed when any of these hold:
/// [`Error::UnknownPath`] for a mark or span list naming a path the item
/// lacks; [`Error::NotAField`] for a mark on an object or array;
/// [`Error::DuplicateMark`]; [`Error::SpansNotFreeText`] for spans on a field
/// not marked `free-text`; [`Error::SpansNotText`] for spans on a field that
/// is not a string; [`Error::Spans`] for spans that fail [`check_spans`].
pub fn redact_item(
    item: &Value,
    marks: &[Mark],
    text_spans: &HashMap<Path, Vec<Span>>,
    policy: &Policy,
    key: &PseudonymKey,
) -> Result<Redaction, Error> {
    let mut categories: HashMap<&Path, Category> = HashMap::with_capacity(marks.len());
    for Mark { path, category } in marks {
        match lookup(item, path) {
            None => return Err(Error::UnknownPath { path: path.clone() }),
            Some(Value::Object(_) | Value::Array(_)) => {
                return Err(Error::NotAField { path: path.clone() });
            }
            Some(_) => {}
        }
        if categories.insert(path, *category).is_some() {
            return Err(Error::DuplicateMark { path: path.clone() });
        }
    }
    // In path order, so that the error reported does not depend on hashing.
    let mut scanned: Vec<(&Path, &Vec<Span>)> = text_spans.iter().collect();
    scanned.sort_by(|a, b| a.0.cmp(b.0));
    for (path, spans) in scanned {
        let Some(leaf) = lookup(item, path) else {
            return Err(Error::UnknownPath { path: path.clone() });
        };
        if categories.get(path) != Some(&Category::FreeText) {
            return Err(Error::SpansNotFreeText { path: path.clone() });
        }
        let Value::String(text) = leaf else {
            return Err(Error::SpansNotText { path: path.clone() });
        };
        check_spans(text, spans).map_err(|source| Error::Spans {
            path: path.clone(),
            source,
        })?;
    }

    let mut marked: Vec<&Mark> = marks.iter().filter(|m| m.category.is_pii()).collect();
    marked.sort_by(|a, b| a.path.cmp(&b.path));
    let mut value = item.clone();
    let mut changes = Vec::new();
    for mark in marked {
        let action = policy.action(mark.category);
        let spans = text_spans.get(&mark.path).map(Vec::as_slice);
        if let Some(spans) = apply(&mut value, mark, action, spans, policy, key) {
            changes.push(Change {
                path: mark.path.clone(),
                category: mark.category,
                action: action.kind(),
                spans,
            });
        }
    }
    Ok(Redaction { value, changes })
}

/// Applies `action` to the checked field `mark.path`. Returns the span count
/// for its [`Change`], or `None` when the field was not acted on.
fn apply(
    item: &mut Value,
    mark: &Mark,
    action: &Action,
    spans: Option<&[Span]>,
    policy: &Policy,
    key: &PseudonymKey,
) -> Option<usize> {
    if let Action::Drop = action {
        drop_field(item, &mark.path);
        return Some(0);
    }
    let leaf = lookup_mut(item, &mark.path)?;
    match action {
        Action::Retain => return None,
        Action::Erase => *leaf = Value::Null,
        Action::Replace(constant) => *leaf = Value::String(constant.clone()),
        Action::Pseudonymize => {
            if let Some(text) = text_of(leaf) {
                *leaf = Value::String(pseudonymize(key, mark.category, &text));
            }
        }
        Action::Mask { keep } => {
            if let Some(text) = text_of(leaf) {
                *leaf = Value::String(mask(&text, *keep));
            }
        }
        Action::Scrub => {
            let spans = merge(spans?.to_vec());
            if let Value::String(text) = leaf {
                *text = scrub_text(text, &spans, policy, key);
            }
            return Some(spans.len());
        }
        Action::Drop => {}
    }
    Some(0)
}

/// The text a scalar is pseudonymized or masked through; `None` for `null`.
fn text_of(leaf: &Value) -> Option<String> {
    match leaf {
        Value::String(s) => Some(s.clone()),
        Value::Null | Value::Object(_) | Value::Array(_) => None,
        other => Some(other.to_string()),
    }
}

/// Removes the field at `path` from its object; an array element or the
/// root becomes `null` instead.
fn drop_field(item: &mut Value, path: &Path) {
    let Some((last, parent)) = path.0.split_last() else {
        *item = Value::Null;
        return;
    };
    match (lookup_mut(item, &Path(parent.to_vec())), last) {
        // `retain` rather than `remove`, which would reorder the remaining
        // keys under serde_json's `preserve_order` feature.
        (Some(Value::Object(map)), Segment::Key(key)) => map.retain(|k, _| k != key),
        (Some(Value::Array(items)), Segment::Index(i)) => {
            if let Some(slot) = items.get_mut(*i) {
                *slot = Value::Null;
            }
        }
        _ => {}
    }
}

fn lookup<'a>(item: &'a Value, path: &Path) -> Option<&'a Value> {
    path.0.iter().try_fold(item, |node, segment| match segment {
        Segment::Key(key) => node.as_object()?.get(key),
        Segment::Index(i) => node.as_array()?.get(*i),
    })
}

fn lookup_mut<'a>(item: &'a mut Value, path: &Path) -> Option<&'a mut Value> {
    path.0.iter().try_fold(item, |node, segment| match segment {
        Segment::Key(key) => node.as_object_mut()?.get_mut(key),
        Segment::Index(i) => node.as_array_mut()?.get_mut(*i),
    })
}

/// `text` with each span replaced according to the action for the span's
/// category.
///
/// Per span: `erase` → the category's token (`[EMAIL]`); `replace` → the
/// constant; `pseudonymize` → `[EMAIL:psn_…]`; `mask` → the span masked;
/// `drop` → nothing; `retain` → the span as it was. Every byte outside the
/// spans is kept.
///
/// `spans` should be checked ([`check_spans`]) and [merged](merge). Spans
/// that are not are still handled safely, never by panicking and never by
/// redacting less: offsets past the end are clamped, offsets inside a
/// character widened to cover it, empty spans ignored and the rest merged.
pub fn scrub_text(text: &str, spans: &[Span], policy: &Policy, key: &PseudonymKey) -> String {
    let spans = merge(
        spans
            .iter()
            .filter_map(|span| {
                let end = text.ceil_char_boundary(span.end.min(text.len()));
                let start = text.floor_char_boundary(span.start.min(end));
                (start < end).then_some(Span {
                    start,
                    end,
                    ..*span
                })
            })
            .collect(),
    );
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for span in spans {
        out.push_str(&text[at..span.start]);
        let original = &text[span.start..span.end];
        let category = span.category;
        match policy.action(category) {
            Action::Retain => out.push_str(original),
            // `scrub` only reaches here for a `free-text` span, which
            // `check_spans` refuses; erasing is the safe reading.
            Action::Erase | Action::Scrub => out.push_str(category.token()),
            Action::Replace(constant) => out.push_str(constant),
            Action::Pseudonymize => {
                let label = category
                    .token()
                    .trim_start_matches('[')
                    .trim_end_matches(']');
                let _ = write!(out, "[{label}:{}]", pseudonymize(key, category, original));
            }
            Action::Mask { keep } => out.push_str(&mask(original, *keep)),
            Action::Drop => {}
        }
        at = span.end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests;
