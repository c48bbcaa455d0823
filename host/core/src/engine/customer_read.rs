//! Reading a customer's items, labelled by the tenant's field map, and
//! masked for readers who may not see personal data.
//!
//! The tenant's own field map decides what is personal data, exactly as it
//! does for a redaction: one classify call per kind. With
//! [`ReadView::Masked`] (the API's `support` role), every marked value is
//! masked with [`mask`](crate::mask()) keeping its last
//! [`MASK_KEEP`] characters, and every free-text value has the spans the
//! scrubber finds replaced by `*`, so a support agent sees the shape of the
//! record and the non-personal attributes, and enough of an e-mail or phone
//! to recognise it, but not the data itself.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::redaction::kind_of;
use super::{Engine, EngineError};
use crate::item::{FlatItem, Leaf, Scalar, flatten, unflatten};
use crate::keys;
use crate::lookup::SubjectRef;
use crate::mask::mask;
use crate::ports::TenantPlugins;
use crate::redact::Mark;
use crate::{Category, Path};

/// Characters a masked value keeps at its end.
pub const MASK_KEEP: usize = 2;

/// How much of the personal data a reader sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadView {
    /// Everything, as stored.
    Full,
    /// Personal data masked (see the [module docs](self)).
    Masked,
}

/// One item as read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerItem {
    /// Its entity kind.
    pub kind: String,
    /// Its id within the customer and kind.
    pub id: String,
    /// The tenant's attributes (masked in a masked view).
    pub data: Value,
    /// The personal-data category of each marked attribute (`email`,
    /// `free-text`, ...), by path.
    pub labels: BTreeMap<String, String>,
    /// When ingest stored it.
    pub ingested_at: Option<Timestamp>,
    /// When it was redacted, if it was.
    pub redacted_at: Option<Timestamp>,
}

/// A customer as read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerView {
    /// The customer's keyed reference (as in audit events and failures).
    pub subject: SubjectRef,
    /// Its last activity.
    pub last_active_at: Option<Timestamp>,
    /// When it was redacted, if it was.
    pub redacted_at: Option<Timestamp>,
    /// Whether the view is masked.
    pub masked: bool,
    /// Its items, in key order (by kind, then id).
    pub items: Vec<CustomerItem>,
}

impl Engine {
    /// A customer's items, classified by the tenant's field map; masked
    /// for [`ReadView::Masked`].
    ///
    /// # Errors
    /// [`EngineError::NotFound`] for a customer with neither items nor a
    /// head record; a plugin or port failure.
    pub async fn read_customer(
        &self,
        tenant_id: &str,
        customer: &str,
        view: ReadView,
    ) -> Result<CustomerView, EngineError> {
        let tenant = self.tenant(tenant_id).await?;
        if !super::customers::is_valid_id(customer) {
            return Err(EngineError::NotFound { what: "customer" });
        }
        let state = self.load_customer(tenant_id, customer).await?;
        if state.head.is_none() && state.items.is_empty() {
            return Err(EngineError::NotFound { what: "customer" });
        }
        let plugins = self.ports.plugins.plugins(tenant_id).await?;
        let mut by_kind: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, (record, _)) in state.items.iter().enumerate() {
            by_kind.entry(kind_of(record)).or_default().push(i);
        }
        let mut marks: Vec<Vec<Mark>> = vec![Vec::new(); state.items.len()];
        for (kind, positions) in by_kind {
            let flat: Vec<FlatItem> = positions
                .iter()
                .map(|&i| flatten(&state.items[i].1.data))
                .collect();
            let found = plugins
                .field_map
                .classify(kind, &flat)
                .map_err(|e| EngineError::Plugin(e.to_string()))?;
            for (i, m) in positions.into_iter().zip(found) {
                marks[i] = m;
            }
        }
        let mut items = Vec::with_capacity(state.items.len());
        for ((record, envelope), marks) in state.items.iter().zip(marks) {
            let (kind, id) = keys::split_item_sk(&record.key.sk).unwrap_or(("", ""));
            let data = match view {
                ReadView::Full => envelope.data.clone(),
                ReadView::Masked => masked(&plugins, &envelope.data, &marks)?,
            };
            items.push(CustomerItem {
                kind: kind.to_string(),
                id: id.to_string(),
                data,
                labels: marks
                    .iter()
                    .map(|m| (m.path.to_string(), m.category.as_str().to_string()))
                    .collect(),
                ingested_at: envelope.meta.ingested_at,
                redacted_at: envelope.meta.redacted_at,
            });
        }
        let head = state.head.map(|(h, _)| h).unwrap_or_default();
        Ok(CustomerView {
            subject: SubjectRef::of(&tenant.keys().lookup, customer),
            last_active_at: head.last_active_at,
            redacted_at: head.redacted_at,
            masked: view == ReadView::Masked,
            items,
        })
    }
}

/// `data` with every marked value masked and free text scrubbed to `*`.
fn masked(plugins: &TenantPlugins, data: &Value, marks: &[Mark]) -> Result<Value, EngineError> {
    let mut flat = flatten(data);
    let categories: BTreeMap<&Path, Category> =
        marks.iter().map(|m| (&m.path, m.category)).collect();
    let free_texts: Vec<(usize, String)> = flat
        .leaves
        .iter()
        .enumerate()
        .filter_map(|(i, (path, leaf))| match (categories.get(path), leaf) {
            (Some(Category::FreeText), Leaf::Scalar(Scalar::Text(t))) => Some((i, t.clone())),
            _ => None,
        })
        .collect();
    let scanned = if free_texts.is_empty() {
        Vec::new()
    } else {
        let texts: Vec<&str> = free_texts.iter().map(|(_, t)| t.as_str()).collect();
        plugins
            .scrubber
            .scan(&texts, None)
            .map_err(|e| EngineError::Plugin(e.to_string()))?
    };
    for ((i, text), spans) in free_texts.iter().zip(scanned) {
        let ranges = spans.iter().map(|s| (s.start, s.end)).collect();
        flat.leaves[*i].1 = Leaf::Scalar(Scalar::Text(star_ranges(text, ranges)));
    }
    for (path, leaf) in &mut flat.leaves {
        let Some(&category) = categories.get(path) else {
            continue;
        };
        if category == Category::FreeText {
            continue;
        }
        let replaced = match leaf {
            Leaf::Scalar(Scalar::Text(t)) => Some(mask(t, MASK_KEEP)),
            Leaf::Scalar(Scalar::Number(n)) => Some(mask(n, MASK_KEEP)),
            Leaf::Scalar(Scalar::Bytes(_)) => Some(String::from("***")),
            _ => None,
        };
        if let Some(text) = replaced {
            *leaf = Leaf::Scalar(Scalar::Text(text));
        }
    }
    unflatten(&flat).map_err(|e| EngineError::Plugin(format!("masking failed: {e}")))
}

/// `text` with the byte ranges replaced by one `*` per character; the
/// whole text starred if any range is not on character boundaries.
fn star_ranges(text: &str, mut ranges: Vec<(usize, usize)>) -> String {
    let valid = |&(s, e): &(usize, usize)| {
        s < e && e <= text.len() && text.is_char_boundary(s) && text.is_char_boundary(e)
    };
    if !ranges.iter().all(valid) {
        return mask(text, 0);
    }
    ranges.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in ranges {
        let start = start.max(at);
        if start >= end {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(&mask(&text[start..end], 0));
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::star_ranges;

    #[test]
    fn ranges_are_starred_per_character() {
        assert_eq!(
            star_ranges("mail ada@x.se now", vec![(5, 13)]),
            "mail ******** now"
        );
        assert_eq!(star_ranges("åäö abc", vec![(7, 10), (0, 2)]), "*äö ***");
        assert_eq!(star_ranges("abc", vec![(0, 2), (1, 3)]), "***");
        assert_eq!(star_ranges("åb", vec![(1, 3)]), "**");
    }
}
