//! Redacting subjects: the heart of every erasure, bulk job and auto-redact
//! night.
//!
//! A chunk of customers is redacted in six steps, ordered so that a crash
//! anywhere leaves a state the same chunk, run again, finishes exactly once:
//!
//! 1. **Read** each customer's head and items; a head already marked by
//!    this job means the customer is done (counted, not redone).
//! 2. **Classify** every item of a kind across the chunk in one field-map
//!    call; collect each customer's own values (names, e-mails, phones, ids)
//!    as its [`Subject`].
//! 3. **Datasets** are rewritten for the chunk's subjects (before the items,
//!    while the subjects' values are still known; a second pass finds
//!    nothing left to change).
//! 4. **Scrub and redact** each customer's items under the tenant policy,
//!    the scrubber seeing the customer's own values; write every changed
//!    item conditionally on the version read. A customer id that is itself
//!    personal data (an e-mail) moves the items to a pseudonymous id.
//! 5. **Forget**: destroy the customer's access exports, delete its lookup
//!    entries, record its identifier hashes for suppression.
//! 6. **Mark** the head: redacted by this job, out of the inactivity index.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use serde_json::json;

use super::customers::{CustomerState, head_record};
use super::model::{ChunkResult, CustomerHead, Failure, ItemMeta};
use super::{Engine, EngineError, encode};
use crate::item::{FlatItem, Path, Scalar, flatten};
use crate::keys;
use crate::lookup::{IdentifierKind, SubjectRef, identifier_hash};
use crate::policy::Action;
use crate::ports::{Condition, KeyRange, Record, RecordKey, TenantPlugins, Write, query_all};
use crate::pseudonym::pseudonymize;
use crate::redact::{Mark, redact_item};
use crate::tenant::Tenant;
use crate::{Category, Span, Subject};

/// One customer to redact, and its row in the job's list.
#[derive(Clone, Debug)]
pub(super) struct SubjectTask {
    pub(super) row: usize,
    pub(super) customer: String,
}

/// A customer whose items are redacted, to forget and mark.
struct Forget<'a> {
    original: &'a str,
    final_id: String,
    pending: &'a Pending,
}

/// A customer of the chunk that still needs work.
struct Pending {
    task: usize,
    state: CustomerState,
    /// The partition the customer's state was read from (its own id, or
    /// the pseudonymous id a previous, interrupted run moved it to).
    customer: String,
    subject: Subject,
    /// Each item flattened once, by the classification step.
    flats: Vec<FlatItem>,
    marks: Vec<Vec<Mark>>,
}

/// Categories whose values identify a person in a customer id.
const KEY_PII: [Category; 5] = [
    Category::Email,
    Category::Phone,
    Category::NationalId,
    Category::Payment,
    Category::Ip,
];

impl Engine {
    /// Redacts a chunk of customers for job `job`. Idempotent: see the
    /// module docs.
    pub(super) async fn redact_chunk(
        &self,
        tenant: &Tenant,
        plugins: &TenantPlugins,
        job: &str,
        tasks: &[SubjectTask],
    ) -> Result<ChunkResult, EngineError> {
        let keys = tenant.keys();
        let now = self.now();
        let mut result = ChunkResult::default();
        let mut pending: Vec<Pending> = Vec::new();

        // 1. Read.
        for (t, task) in tasks.iter().enumerate() {
            let moved_id = pseudonymize(&keys.pseudonym, Category::Identifier, &task.customer);
            let mut customer = task.customer.clone();
            let mut state = self.load_customer(&tenant.id, &task.customer).await?;
            if state.head.is_none() && state.items.is_empty() && moved_id != task.customer {
                state = self.load_customer(&tenant.id, &moved_id).await?;
                customer = moved_id;
            }
            match &state.head {
                Some((head, _)) if head.redacted_by.as_deref() == Some(job) => {
                    result.counts.succeeded += 1;
                    continue;
                }
                Some((head, _))
                    if head.redacted_at.is_some()
                        && state
                            .items
                            .iter()
                            .all(|(_, e)| e.meta.redacted_at.is_some()) =>
                {
                    result.counts.skipped += 1;
                    continue;
                }
                None if state.items.is_empty() => {
                    result.counts.skipped += 1;
                    continue;
                }
                _ => {}
            }
            pending.push(Pending {
                task: t,
                state,
                customer,
                subject: Subject::default(),
                flats: Vec::new(),
                marks: Vec::new(),
            });
        }
        if pending.is_empty() {
            return Ok(result);
        }

        // 2. Classify, and learn each subject. A field map that fails fails
        // the chunk's subjects (with its reason), not the chunk.
        if let Err(e) = self.classify_pending(plugins, &mut pending) {
            for p in &pending {
                let task = &tasks[p.task];
                result.counts.failed += 1;
                result.failures.push(Failure {
                    row: task.row,
                    subject: SubjectRef::of(&keys.lookup, &task.customer),
                    reason: e.to_string(),
                });
            }
            return Ok(result);
        }
        for p in &mut pending {
            p.subject = subject_of(&tasks[p.task].customer, &p.flats, &p.marks);
        }

        // 3. Datasets.
        let subjects: Vec<Subject> = pending.iter().map(|p| p.subject.clone()).collect();
        result.dataset_rows = self.rewrite_datasets(tenant, plugins, &subjects).await?;

        // 4. Scrub, redact and write the items.
        let policy = &tenant.settings.policy;
        let scrub = matches!(policy.action(Category::FreeText), Action::Scrub);
        let mut writes: Vec<Write> = Vec::new();
        let mut owners: Vec<usize> = Vec::new();
        let mut failed: HashMap<usize, String> = HashMap::new();
        let mut moved: HashMap<usize, String> = HashMap::new();
        let ids: Vec<&str> = pending
            .iter()
            .map(|p| tasks[p.task].customer.as_str())
            .collect();
        let pii_ids = match ids_that_are_pii(plugins, &ids) {
            Ok(found) => found,
            Err(reason) => {
                // The scrubber fails this chunk's subjects, not the chunk:
                // retrying a plugin that fails would fail again.
                for p_index in 0..pending.len() {
                    failed.insert(p_index, reason.clone());
                }
                vec![false; pending.len()]
            }
        };
        for (p_index, p) in pending.iter().enumerate() {
            let original = &tasks[p.task].customer;
            if failed.contains_key(&p_index) {
                continue;
            }
            let id_is_pii = pii_ids[p_index];
            let spans = match scan_customer(plugins, &p.flats, &p.marks, &p.subject, scrub) {
                Ok(found) => found,
                Err(reason) => {
                    failed.insert(p_index, reason);
                    continue;
                }
            };
            let target = if id_is_pii {
                let to = pseudonymize(&keys.pseudonym, Category::Identifier, original);
                moved.insert(p_index, to.clone());
                Some(to)
            } else {
                None
            };
            for (i, (record, envelope)) in p.state.items.iter().enumerate() {
                let done = envelope.meta.redacted_by.as_deref() == Some(job);
                let redaction = if done {
                    None
                } else {
                    match redact_item(
                        &envelope.data,
                        &p.marks[i],
                        &spans[i],
                        policy,
                        &keys.pseudonym,
                    ) {
                        Ok(r) => Some(r),
                        Err(e) => {
                            failed.insert(
                                p_index,
                                format!(
                                    "an item of kind {:?} could not be redacted: {e}",
                                    kind_of(record)
                                ),
                            );
                            break;
                        }
                    }
                };
                if let Some(r) = &redaction {
                    for change in &r.changes {
                        *result
                            .categories
                            .entry(change.category.as_str().to_string())
                            .or_default() += 1;
                    }
                }
                let new_data = redaction.map(|r| r.value);
                let needs_move = target
                    .as_ref()
                    .is_some_and(|t| record.key.pk != keys::customer(&tenant.id, t));
                if new_data.is_none() && !needs_move {
                    continue;
                }
                let meta = ItemMeta {
                    ingested_at: envelope.meta.ingested_at,
                    redacted_at: Some(envelope.meta.redacted_at.unwrap_or(now)),
                    redacted_by: Some(job.to_string()),
                };
                // The body is built around the new value, not a copy of it.
                let mut body = serde_json::Map::with_capacity(2);
                body.insert(
                    "data".into(),
                    new_data.unwrap_or_else(|| envelope.data.clone()),
                );
                body.insert("meta".into(), encode(&meta));
                let mut new_record = Record {
                    key: record.key.clone(),
                    version: 0,
                    body: serde_json::Value::Object(body),
                    index: record.index.clone(),
                    expires_at: record.expires_at,
                };
                if let Some(to) = target.as_ref().filter(|_| needs_move) {
                    new_record.key.pk = keys::customer(&tenant.id, to);
                    new_record.index = None; // re-indexed below if it had a deadline
                    if let Some(expires) = record.expires_at {
                        new_record.index = Some(RecordKey::new(
                            keys::expiry_index(&tenant.id, keys::shard_of(&new_record.key.pk)),
                            format!("{expires:012}#{}#{}", new_record.key.pk, new_record.key.sk),
                        ));
                    }
                    writes.push(Write::Put {
                        record: new_record,
                        condition: Condition::None,
                    });
                    owners.push(p_index);
                    writes.push(Write::Delete {
                        key: record.key.clone(),
                        condition: Condition::Version(record.version),
                    });
                    owners.push(p_index);
                } else {
                    writes.push(Write::Put {
                        record: new_record,
                        condition: Condition::Version(record.version),
                    });
                    owners.push(p_index);
                }
                result.items += 1;
            }
        }
        let outcomes = self.ports.data.write_batch(writes).await?;
        for (owner, outcome) in owners.into_iter().zip(outcomes) {
            match outcome {
                Ok(_) => {}
                Err(e) if e.is_condition_failed() => {
                    failed.entry(owner).or_insert_with(|| {
                        "an item changed while it was being redacted; run the job for this customer again".into()
                    });
                }
                Err(e) => return Err(e.into()),
            }
        }

        // 5 and 6, for every customer that did not fail, in one batch each.
        let mut done: Vec<Forget<'_>> = Vec::new();
        for (p_index, p) in pending.iter().enumerate() {
            let task = &tasks[p.task];
            if let Some(reason) = failed.remove(&p_index) {
                result.counts.failed += 1;
                result.failures.push(Failure {
                    row: task.row,
                    subject: SubjectRef::of(&keys.lookup, &task.customer),
                    reason,
                });
                continue;
            }
            let final_id = moved
                .get(&p_index)
                .cloned()
                .unwrap_or_else(|| p.customer.clone());
            done.push(Forget {
                original: &task.customer,
                final_id,
                pending: p,
            });
        }
        result.counts.succeeded += done.len() as u64;
        self.forget(tenant, &done, job, now).await?;
        Ok(result)
    }

    fn classify_pending(
        &self,
        plugins: &TenantPlugins,
        pending: &mut [Pending],
    ) -> Result<(), EngineError> {
        let mut by_kind: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
        for (p, pend) in pending.iter_mut().enumerate() {
            pend.marks = vec![Vec::new(); pend.state.items.len()];
            pend.flats = vec![FlatItem::default(); pend.state.items.len()];
            for (i, (record, _)) in pend.state.items.iter().enumerate() {
                by_kind
                    .entry(kind_of(record).to_string())
                    .or_default()
                    .push((p, i));
            }
        }
        for (kind, owners) in by_kind {
            let flat: Vec<FlatItem> = owners
                .iter()
                .map(|&(p, i)| flatten(&pending[p].state.items[i].1.data))
                .collect();
            let marks = plugins
                .field_map
                .classify(&kind, &flat)
                .map_err(|e| EngineError::Plugin(e.to_string()))?;
            for (((p, i), m), f) in owners.into_iter().zip(marks).zip(flat) {
                pending[p].marks[i] = m;
                pending[p].flats[i] = f;
            }
        }
        Ok(())
    }

    /// Steps 5 and 6 for the customers of a chunk: exports destroyed,
    /// lookups deleted and suppression recorded (one batch each), then
    /// every head marked (one conditional batch), then the heads left
    /// behind by moved customers deleted.
    async fn forget(
        &self,
        tenant: &Tenant,
        customers: &[Forget<'_>],
        job: &str,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        let keys = tenant.keys();
        let mut data_writes = Vec::new();
        let mut control_writes = Vec::new();
        let mut head_writes = Vec::new();
        let mut old_heads = Vec::new();
        for c in customers {
            let previous = c
                .pending
                .state
                .head
                .as_ref()
                .map(|(h, _)| h.clone())
                .unwrap_or_default();
            for request in &previous.exports {
                self.destroy_export(&tenant.id, request).await?;
            }
            let subject = &c.pending.subject;
            let mut hashes = previous.lookups.clone();
            hashes.insert(
                identifier_hash(&keys.lookup, IdentifierKind::CustomerId, c.original),
                IdentifierKind::CustomerId,
            );
            for (kind, values) in [
                (IdentifierKind::Email, &subject.emails),
                (IdentifierKind::Phone, &subject.phones),
            ] {
                for value in values {
                    hashes.insert(identifier_hash(&keys.lookup, kind, value), kind);
                }
            }
            for (hash, kind) in &hashes {
                let partition = keys::lookup(&tenant.id, hash);
                data_writes.push(Write::Delete {
                    key: RecordKey::new(partition.clone(), format!("C#{}", c.original)),
                    condition: Condition::None,
                });
                if *kind == IdentifierKind::Ip {
                    let prefix = KeyRange::Prefix(format!("I#{}#", c.original));
                    for r in query_all(self.ports.data.as_ref(), &partition, &prefix).await? {
                        data_writes.push(Write::Delete {
                            key: r.key,
                            condition: Condition::None,
                        });
                    }
                }
                if matches!(
                    kind,
                    IdentifierKind::CustomerId | IdentifierKind::Email | IdentifierKind::Phone
                ) {
                    control_writes.push(Write::Put {
                        record: Record::new(
                            keys::suppression(&tenant.id, hash),
                            json!({"kind": kind, "since": now, "job": job}),
                        ),
                        condition: Condition::None,
                    });
                }
            }
            let head = CustomerHead {
                last_active_at: None,
                lookups: BTreeMap::new(),
                redacted_at: Some(now),
                redacted_by: Some(job.to_string()),
                redactions: previous.redactions + 1,
                moved_to: (c.final_id != c.original).then(|| c.final_id.clone()),
                exports: Vec::new(),
            };
            let stays = c.final_id == c.pending.customer;
            let condition = match (&c.pending.state.head, stays) {
                (Some((_, version)), true) => Condition::Version(*version),
                (None, true) => Condition::Absent,
                (_, false) => Condition::None,
            };
            head_writes.push(Write::Put {
                record: head_record(&tenant.id, &c.final_id, &head),
                condition,
            });
            if !stays && c.pending.state.head.is_some() {
                old_heads.push(Write::Delete {
                    key: keys::head(&tenant.id, &c.pending.customer),
                    condition: Condition::None,
                });
            }
        }
        for r in self.ports.data.write_batch(data_writes).await? {
            r?;
        }
        for r in self.ports.control.write_batch(control_writes).await? {
            r?;
        }
        // The heads: from here on each customer counts as done. One that
        // changed meanwhile fails the chunk, which is then redone.
        for r in self.ports.data.write_batch(head_writes).await? {
            match r {
                Ok(_) => {}
                Err(e) if e.is_condition_failed() => {
                    return Err(EngineError::Contention("customer head"));
                }
                Err(e) => return Err(e.into()),
            }
        }
        for r in self.ports.data.write_batch(old_heads).await? {
            r?;
        }
        Ok(())
    }
}

/// The entity kind of an item record.
pub(super) fn kind_of(record: &Record) -> &str {
    keys::split_item_sk(&record.key.sk).map_or("", |(kind, _)| kind)
}

/// A customer's own values, from its classified items.
pub(super) fn subject_of(customer: &str, flats: &[FlatItem], marks: &[Vec<Mark>]) -> Subject {
    let mut subject = Subject {
        ids: vec![customer.to_string()],
        ..Subject::default()
    };
    for (flat, marks) in flats.iter().zip(marks) {
        for mark in marks {
            let Some(Scalar::Text(text)) = flat.scalar(&mark.path) else {
                continue;
            };
            let text = text.trim();
            if text.is_empty() || crate::pseudonym::is_pseudonym(text) {
                continue;
            }
            let list = match mark.category {
                Category::Name => &mut subject.names,
                Category::Email => &mut subject.emails,
                Category::Phone => &mut subject.phones,
                Category::NationalId | Category::Identifier => &mut subject.ids,
                _ => continue,
            };
            if !list.iter().any(|v| v == text) {
                list.push(text.to_string());
            }
        }
    }
    subject
}

type ItemSpans = HashMap<Path, Vec<Span>>;

/// Scans a customer's free text in one scrubber call that knows the
/// subject; returns the spans per item.
fn scan_customer(
    plugins: &TenantPlugins,
    flats: &[FlatItem],
    marks: &[Vec<Mark>],
    subject: &Subject,
    scrub: bool,
) -> Result<Vec<ItemSpans>, String> {
    let mut per_item: Vec<ItemSpans> = vec![HashMap::new(); flats.len()];
    if !scrub {
        return Ok(per_item);
    }
    let mut texts: Vec<&str> = Vec::new();
    let mut owners: Vec<(usize, &Path)> = Vec::new();
    for (i, (flat, marks)) in flats.iter().zip(marks).enumerate() {
        for mark in marks.iter().filter(|m| m.category == Category::FreeText) {
            if let Some(Scalar::Text(text)) = flat.scalar(&mark.path) {
                texts.push(text);
                owners.push((i, &mark.path));
            }
        }
    }
    if texts.is_empty() {
        return Ok(per_item);
    }
    let found = plugins
        .scrubber
        .scan(&texts, Some(subject))
        .map_err(|e| format!("the scrubber failed: {e}"))?;
    for ((i, path), spans) in owners.into_iter().zip(found) {
        per_item[i].insert(path.clone(), spans);
    }
    Ok(per_item)
}

/// Which customer ids are themselves personal data (an e-mail, a phone
/// number...), in one scrubber call for the chunk: those customers move to
/// a pseudonymous id, so they cannot be traced by it.
fn ids_that_are_pii(plugins: &TenantPlugins, ids: &[&str]) -> Result<Vec<bool>, String> {
    let found = plugins
        .scrubber
        .scan(ids, None)
        .map_err(|e| format!("the scrubber failed: {e}"))?;
    Ok(ids
        .iter()
        .zip(found)
        .map(|(id, spans)| {
            spans
                .iter()
                .any(|s| KEY_PII.contains(&s.category) && (s.end - s.start) * 2 >= id.len())
        })
        .collect())
}
