//! Ingest: storing a tenant's customer items, with the head record, the
//! indexes and suppression.

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::customers::{head_record, is_valid_id, is_valid_kind};
use super::model::{CustomerHead, ItemEnvelope, ItemMeta, LookupEntry};
use super::{Engine, EngineError, decode, encode};
use crate::item::{FlatItem, Scalar, flatten};
use crate::keys;
use crate::lookup::{IdentifierKind, identifier_hash};
use crate::policy::{Action, Policy};
use crate::ports::{Condition, Record, RecordKey, TenantPlugins, Write};
use crate::pseudonym::PseudonymKey;
use crate::redact::{Mark, redact_item};
use crate::tenant::{SuppressionMode, Tenant};
use crate::{Category, Span};

/// One item to store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IngestItem {
    /// The tenant's customer id (1 to 256 characters, no control characters).
    pub customer: String,
    /// The entity kind: `profile`, `order`, `conversation`, `log`, ...
    /// (1 to 40 of `a-z`, `0-9`, `_`, `-`).
    pub kind: String,
    /// The item's id within the customer and kind.
    pub id: String,
    /// The tenant's attributes (a JSON object).
    pub data: Value,
    /// When the customer was last active, if this item says so.
    #[serde(default)]
    pub active_at: Option<Timestamp>,
}

/// What ingest did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestOutcome {
    /// Items stored.
    pub stored: u64,
    /// Items stored with their personal data redacted, because they concern
    /// an erased subject and the tenant's suppression mode is `strip`.
    pub stripped: u64,
    /// Positions (0-based) of items refused because they concern an erased
    /// subject.
    pub refused: Vec<usize>,
}

impl Engine {
    /// Stores items for `tenant`.
    ///
    /// Each item is classified by the tenant's field map, so its e-mails,
    /// phones and names become lookup hashes and its customer's head record
    /// learns them; retention kinds get a deadline. Items about an erased
    /// subject are refused or stripped, per the tenant's suppression mode.
    ///
    /// # Errors
    /// [`EngineError::Invalid`] naming the first invalid item by position
    /// (nothing is stored then), a plugin failure, or a port failure.
    pub async fn ingest(
        &self,
        tenant_id: &str,
        items: Vec<IngestItem>,
    ) -> Result<IngestOutcome, EngineError> {
        for (i, item) in items.iter().enumerate() {
            check_item(i, item)?;
        }
        let tenant = self.tenant(tenant_id).await?;
        let plugins = self.ports.plugins.plugins(tenant_id).await?;
        let keys = tenant.keys();
        let now = self.now();

        let marks = classify_all(&plugins, &items)?;
        let mut outcome = IngestOutcome::default();
        let mut writes = Vec::with_capacity(items.len() * 2);
        let mut heads: BTreeMap<&str, HeadUpdate> = BTreeMap::new();
        let mut suppressed_cache: HashMap<String, bool> = HashMap::new();

        for (i, (item, marks)) in items.iter().zip(&marks).enumerate() {
            let flat = flatten(&item.data);
            let ids = identifiers(&keys.lookup, item, &flat, marks);
            let mut suppressed = false;
            for (hash, _) in &ids {
                if self
                    .is_suppressed(tenant_id, hash, &mut suppressed_cache)
                    .await?
                {
                    suppressed = true;
                    break;
                }
            }
            let mut data = item.data.clone();
            if suppressed {
                match tenant.settings.suppression {
                    SuppressionMode::Refuse => {
                        outcome.refused.push(i);
                        continue;
                    }
                    SuppressionMode::Strip => {
                        data = strip(&plugins, &tenant, &keys.pseudonym, &item.data, &flat, marks)?;
                        outcome.stripped += 1;
                    }
                }
            }
            writes.push(item_write(&tenant, item, data, now));
            outcome.stored += 1;
            if suppressed {
                continue;
            }
            let head = heads.entry(&item.customer).or_default();
            if let Some(at) = item.active_at {
                head.active = Some(head.active.map_or(at, |a: Timestamp| a.max(at)));
            }
            for (hash, kind) in ids {
                let entry = LookupEntry {
                    customer: item.customer.clone(),
                    kind,
                    item: (kind == IdentifierKind::Ip)
                        .then(|| keys::item(tenant_id, &item.customer, &item.kind, &item.id).sk),
                };
                let sk = match &entry.item {
                    Some(item_sk) => format!("I#{}#{item_sk}", item.customer),
                    None => format!("C#{}", item.customer),
                };
                writes.push(Write::Put {
                    record: Record::new(
                        RecordKey::new(keys::lookup(tenant_id, &hash), sk),
                        encode(&entry),
                    ),
                    condition: Condition::None,
                });
                head.lookups.insert(hash, kind);
            }
        }
        for result in self.ports.data.write_batch(writes).await? {
            result?;
        }
        self.merge_heads(tenant_id, heads).await?;
        Ok(outcome)
    }

    async fn is_suppressed(
        &self,
        tenant: &str,
        hash: &str,
        cache: &mut HashMap<String, bool>,
    ) -> Result<bool, EngineError> {
        if let Some(&known) = cache.get(hash) {
            return Ok(known);
        }
        let found = self
            .ports
            .control
            .get(&keys::suppression(tenant, hash))
            .await?
            .is_some();
        cache.insert(hash.to_string(), found);
        Ok(found)
    }

    /// Merges activity and lookups into customers' heads: one read each,
    /// one conditional batch write, and a retry for heads that changed
    /// meanwhile. A redacted customer's head is left alone.
    async fn merge_heads(
        &self,
        tenant: &str,
        mut updates: BTreeMap<&str, HeadUpdate>,
    ) -> Result<(), EngineError> {
        for _ in 0..16 {
            if updates.is_empty() {
                return Ok(());
            }
            let mut writes = Vec::with_capacity(updates.len());
            let mut order = Vec::with_capacity(updates.len());
            for (customer, update) in &updates {
                let existing = self.ports.data.get(&keys::head(tenant, customer)).await?;
                let (mut head, condition) = match &existing {
                    Some(record) => (
                        decode::<CustomerHead>(record)?,
                        Condition::Version(record.version),
                    ),
                    None => (CustomerHead::default(), Condition::Absent),
                };
                if head.redacted_at.is_some() {
                    continue;
                }
                if let Some(at) = update.active {
                    head.last_active_at = Some(head.last_active_at.map_or(at, |a| a.max(at)));
                }
                head.lookups.extend(update.lookups.clone());
                writes.push(Write::Put {
                    record: head_record(tenant, customer, &head),
                    condition,
                });
                order.push(*customer);
            }
            let results = self.ports.data.write_batch(writes).await?;
            let mut retry = BTreeMap::new();
            for (customer, result) in order.into_iter().zip(results) {
                match result {
                    Ok(_) => {}
                    Err(e) if e.is_condition_failed() => {
                        if let Some(update) = updates.remove(customer) {
                            retry.insert(customer, update);
                        }
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            updates = retry;
        }
        Err(EngineError::Contention("customer head"))
    }
}

#[derive(Default)]
struct HeadUpdate {
    active: Option<Timestamp>,
    lookups: BTreeMap<String, IdentifierKind>,
}

fn check_item(i: usize, item: &IngestItem) -> Result<(), EngineError> {
    let problem = if !is_valid_id(&item.customer) {
        Some("its customer id must be 1 to 256 characters without control characters")
    } else if !is_valid_kind(&item.kind) {
        Some("its kind must be 1 to 40 of a-z, 0-9, '_' and '-'")
    } else if !is_valid_id(&item.id) {
        Some("its id must be 1 to 256 characters without control characters")
    } else if !item.data.is_object() {
        Some("its data must be a JSON object")
    } else {
        None
    };
    match problem {
        Some(p) => Err(EngineError::Invalid(format!("item {i}: {p}"))),
        None => Ok(()),
    }
}

/// Classifies every item, one field-map call per kind.
pub(super) fn classify_all(
    plugins: &TenantPlugins,
    items: &[IngestItem],
) -> Result<Vec<Vec<Mark>>, EngineError> {
    let mut by_kind: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        by_kind.entry(&item.kind).or_default().push(i);
    }
    let mut marks = vec![Vec::new(); items.len()];
    for (kind, positions) in by_kind {
        let flat: Vec<FlatItem> = positions.iter().map(|&i| flatten(&items[i].data)).collect();
        let found = plugins
            .field_map
            .classify(kind, &flat)
            .map_err(|e| EngineError::Plugin(e.to_string()))?;
        for (i, m) in positions.into_iter().zip(found) {
            marks[i] = m;
        }
    }
    Ok(marks)
}

/// The identifier hashes an item carries: its customer id, and every
/// e-mail, phone, name and IP field.
fn identifiers(
    key: &[u8; 32],
    item: &IngestItem,
    flat: &FlatItem,
    marks: &[Mark],
) -> Vec<(String, IdentifierKind)> {
    let mut out = vec![(
        identifier_hash(key, IdentifierKind::CustomerId, &item.customer),
        IdentifierKind::CustomerId,
    )];
    let mut seen = HashSet::new();
    for mark in marks {
        let Some(kind) = IdentifierKind::of(mark.category) else {
            continue;
        };
        if let Some(Scalar::Text(text)) = flat.scalar(&mark.path)
            && !text.trim().is_empty()
            && seen.insert((kind, text.as_str()))
        {
            out.push((identifier_hash(key, kind, text), kind));
        }
    }
    out
}

/// An item's data with its personal data redacted by the policy (for
/// suppression mode `strip`).
fn strip(
    plugins: &TenantPlugins,
    tenant: &Tenant,
    key: &PseudonymKey,
    data: &Value,
    flat: &FlatItem,
    marks: &[Mark],
) -> Result<Value, EngineError> {
    let policy: &Policy = &tenant.settings.policy;
    let mut spans: HashMap<crate::Path, Vec<Span>> = HashMap::new();
    if matches!(policy.action(Category::FreeText), Action::Scrub) {
        let texts: Vec<(&crate::Path, &str)> = marks
            .iter()
            .filter(|m| m.category == Category::FreeText)
            .filter_map(|m| match flat.scalar(&m.path) {
                Some(Scalar::Text(t)) => Some((&m.path, t.as_str())),
                _ => None,
            })
            .collect();
        if !texts.is_empty() {
            let found = plugins
                .scrubber
                .scan(&texts.iter().map(|(_, t)| *t).collect::<Vec<_>>(), None)
                .map_err(|e| EngineError::Plugin(e.to_string()))?;
            for ((path, _), s) in texts.into_iter().zip(found) {
                spans.insert(path.clone(), s);
            }
        }
    }
    redact_item(data, marks, &spans, policy, key)
        .map(|r| r.value)
        .map_err(|e| EngineError::Plugin(e.to_string()))
}

fn item_write(tenant: &Tenant, item: &IngestItem, data: Value, now: Timestamp) -> Write {
    let key = keys::item(&tenant.id, &item.customer, &item.kind, &item.id);
    let envelope = ItemEnvelope {
        data,
        meta: ItemMeta {
            ingested_at: Some(now),
            ..ItemMeta::default()
        },
    };
    let mut record = Record::new(key.clone(), encode(&envelope));
    if let Some(&days) = tenant.settings.retention.get(&item.kind) {
        let expires = now.as_second() + i64::from(days) * 86_400;
        record = record.expiring(expires).indexed(RecordKey::new(
            keys::expiry_index(&tenant.id, keys::shard_of(&key.pk)),
            format!("{expires:012}#{}#{}", key.pk, key.sk),
        ));
    }
    Write::Put {
        record,
        condition: Condition::None,
    }
}
