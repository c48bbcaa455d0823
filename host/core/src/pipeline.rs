//! The redaction pipeline for a batch of items of one kind: classify every
//! field with a field map, scan the free-text fields with a scrubber, then
//! [`redact_item`] each item under the policy.
//!
//! The plugins are behind two small traits, [`FieldMap`] and [`TextScanner`],
//! so the same pipeline runs over sandboxed WebAssembly plugins (the host's
//! `lethe-sandbox` implements both), over the native detectors (benchmarks),
//! and later inside the engine's jobs. Calls are batched: one `classify` for
//! the whole batch, one `scan` for all its free text.

use std::collections::HashMap;
use std::fmt;

use serde_json::Value;

use crate::error::Error;
use crate::item::{FlatItem, Leaf, Path, Scalar, flatten};
use crate::policy::{Action, Policy};
use crate::pseudonym::PseudonymKey;
use crate::redact::{Mark, Redaction, redact_item};
use crate::span::Span;
use crate::{Category, Subject};

/// Why a plugin failed a batch, in words fit for a tenant: no record values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginFailure(pub String);

impl fmt::Display for PluginFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PluginFailure {}

/// Classifies the fields of items (a field-map plugin, or native rules).
pub trait FieldMap {
    /// One list of marks per item, in order, each naming a scalar path the
    /// item has.
    ///
    /// # Errors
    /// A [`PluginFailure`] fails the whole batch.
    fn classify(&self, kind: &str, items: &[FlatItem]) -> Result<Vec<Vec<Mark>>, PluginFailure>;
}

/// Finds PII spans in free text (a scrubber plugin, or native detectors).
pub trait TextScanner {
    /// One list of spans per text, in order, on character boundaries.
    ///
    /// # Errors
    /// A [`PluginFailure`] fails the whole batch.
    fn scan(
        &self,
        texts: &[&str],
        subject: Option<&Subject>,
    ) -> Result<Vec<Vec<Span>>, PluginFailure>;
}

/// Why a batch could not be redacted. Nothing of the batch is returned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    /// The field map failed.
    #[error("field map failed: {0}")]
    FieldMap(PluginFailure),
    /// The scrubber failed.
    #[error("scrubber failed: {0}")]
    Scrubber(PluginFailure),
    /// An item could not be redacted (its marks or spans did not fit it).
    #[error("item {index} of the batch: {source}")]
    Item {
        /// Position of the item in the batch.
        index: usize,
        /// What was wrong.
        source: Error,
    },
}

/// Redacts batches of items with one field map, one scrubber and one policy.
pub struct Redactor<'a, F: ?Sized, S: ?Sized> {
    field_map: &'a F,
    scanner: &'a S,
    policy: &'a Policy,
    key: &'a PseudonymKey,
}

impl<'a, F: FieldMap + ?Sized, S: TextScanner + ?Sized> Redactor<'a, F, S> {
    /// A redactor over these plugins, under `policy`, pseudonymizing with `key`.
    pub fn new(
        field_map: &'a F,
        scanner: &'a S,
        policy: &'a Policy,
        key: &'a PseudonymKey,
    ) -> Self {
        Self {
            field_map,
            scanner,
            policy,
            key,
        }
    }

    /// Redacts `items` of `kind`. With `subject`, the scrubber also looks
    /// for that person's known values in the free text.
    ///
    /// # Errors
    /// A [`PipelineError`]; then no item of the batch is redacted.
    pub fn redact_batch(
        &self,
        kind: &str,
        items: &[Value],
        subject: Option<&Subject>,
    ) -> Result<Vec<Redaction>, PipelineError> {
        let flat: Vec<FlatItem> = items.iter().map(flatten).collect();
        let marks = self
            .field_map
            .classify(kind, &flat)
            .map_err(PipelineError::FieldMap)?;
        let spans = self.scan_free_text(&flat, &marks, subject)?;
        items
            .iter()
            .zip(&marks)
            .zip(spans)
            .enumerate()
            .map(|(index, ((item, marks), spans))| {
                redact_item(item, marks, &spans, self.policy, self.key)
                    .map_err(|source| PipelineError::Item { index, source })
            })
            .collect()
    }

    /// Scans every free-text field the policy scrubs, in one call, and
    /// returns the spans per item and path.
    fn scan_free_text(
        &self,
        flat: &[FlatItem],
        marks: &[Vec<Mark>],
        subject: Option<&Subject>,
    ) -> Result<Vec<HashMap<Path, Vec<Span>>>, PipelineError> {
        let mut per_item = vec![HashMap::new(); flat.len()];
        if !matches!(self.policy.action(Category::FreeText), Action::Scrub) {
            return Ok(per_item);
        }
        let mut texts: Vec<&str> = Vec::new();
        let mut owners: Vec<(usize, &Path)> = Vec::new();
        for (i, (item, marks)) in flat.iter().zip(marks).enumerate() {
            for mark in marks.iter().filter(|m| m.category == Category::FreeText) {
                if let Some(Leaf::Scalar(Scalar::Text(text))) = item.get(&mark.path) {
                    texts.push(text);
                    owners.push((i, &mark.path));
                }
            }
        }
        if texts.is_empty() {
            return Ok(per_item);
        }
        let found = self
            .scanner
            .scan(&texts, subject)
            .map_err(PipelineError::Scrubber)?;
        for ((i, path), spans) in owners.into_iter().zip(found) {
            per_item[i].insert(path.clone(), spans);
        }
        Ok(per_item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Marks `email` and `notes` by name.
    struct ByName;

    impl FieldMap for ByName {
        fn classify(&self, _: &str, items: &[FlatItem]) -> Result<Vec<Vec<Mark>>, PluginFailure> {
            Ok(items
                .iter()
                .map(|item| {
                    item.scalars()
                        .filter_map(|(path, _)| {
                            let category = match path.to_string().as_str() {
                                "email" => Category::Email,
                                "notes" => Category::FreeText,
                                _ => return None,
                            };
                            Some(Mark {
                                path: path.clone(),
                                category,
                            })
                        })
                        .collect()
                })
                .collect())
        }
    }

    /// Finds the word "Ada" wherever it is.
    struct FindsAda;

    impl TextScanner for FindsAda {
        fn scan(
            &self,
            texts: &[&str],
            _: Option<&Subject>,
        ) -> Result<Vec<Vec<Span>>, PluginFailure> {
            Ok(texts
                .iter()
                .map(|t| {
                    t.match_indices("Ada")
                        .map(|(at, m)| Span::new(at, at + m.len(), Category::Name))
                        .collect()
                })
                .collect())
        }
    }

    struct Fails;

    impl TextScanner for Fails {
        fn scan(&self, _: &[&str], _: Option<&Subject>) -> Result<Vec<Vec<Span>>, PluginFailure> {
            Err(PluginFailure("the plugin ran past its time budget".into()))
        }
    }

    fn key() -> PseudonymKey {
        PseudonymKey::from_bytes([7; 32])
    }

    #[test]
    fn a_batch_is_classified_scrubbed_and_redacted() {
        let items = [
            json!({"email": "ada@example.com", "notes": "Ada called", "plan": "pro"}),
            json!({"plan": "free"}),
        ];
        let (policy, key) = (Policy::default(), key());
        let out = Redactor::new(&ByName, &FindsAda, &policy, &key)
            .redact_batch("profile", &items, None)
            .unwrap();
        assert_eq!(
            out[0].value,
            json!({"email": null, "notes": "[NAME] called", "plan": "pro"})
        );
        assert_eq!(out[1].value, items[1]);
        assert_eq!(out[0].changes.len(), 2);
    }

    #[test]
    fn a_failing_plugin_fails_the_batch_with_its_reason() {
        let items = [json!({"notes": "Ada"})];
        let (policy, key) = (Policy::default(), key());
        let err = Redactor::new(&ByName, &Fails, &policy, &key)
            .redact_batch("profile", &items, None)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "scrubber failed: the plugin ran past its time budget"
        );
    }

    #[test]
    fn free_text_is_not_scanned_when_the_policy_erases_it_whole() {
        let items = [json!({"notes": "Ada called"})];
        let policy = Policy::default()
            .with(Category::FreeText, Action::Erase)
            .unwrap();
        let key = key();
        let out = Redactor::new(&ByName, &Fails, &policy, &key)
            .redact_batch("profile", &items, None)
            .unwrap();
        assert_eq!(out[0].value, json!({"notes": null}));
    }
}
