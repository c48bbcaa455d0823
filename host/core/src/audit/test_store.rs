//! A small in-memory [`ItemStore`] for this crate's tests: conditions,
//! versions, ranges and paging as the port defines them, plus raw access
//! for tests that play a crash or an attacker.
//!
//! Every operation yields to the runtime first, so concurrent tasks really
//! interleave between a read and the write that depends on it.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;

use crate::ports::{Condition, ItemStore, KeyRange, Page, PortError, Record, RecordKey, Write};

/// An in-memory table.
#[derive(Debug, Default)]
pub(crate) struct MemoryStore {
    records: Mutex<BTreeMap<(String, String), Record>>,
}

impl MemoryStore {
    pub(crate) fn new() -> Self {
        MemoryStore::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<(String, String), Record>> {
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Replaces a record's body behind the engine's back (bumps its version).
    pub(crate) fn tamper(&self, key: &RecordKey, change: impl FnOnce(&mut serde_json::Value)) {
        let mut records = self.lock();
        let record = records
            .get_mut(&(key.pk.clone(), key.sk.clone()))
            .expect("the record to tamper with exists");
        change(&mut record.body);
        record.version += 1;
    }

    /// Removes a record behind the engine's back.
    pub(crate) fn remove(&self, key: &RecordKey) -> Option<Record> {
        self.lock().remove(&(key.pk.clone(), key.sk.clone()))
    }

    /// Writes a record behind the engine's back, keeping the version given.
    pub(crate) fn insert_raw(&self, record: Record) {
        self.lock()
            .insert((record.key.pk.clone(), record.key.sk.clone()), record);
    }

    fn apply_put(&self, mut record: Record, condition: Condition) -> Result<u64, PortError> {
        let mut records = self.lock();
        let slot = (record.key.pk.clone(), record.key.sk.clone());
        let existing = records.get(&slot);
        check(existing, condition)?;
        let version = existing.map_or(1, |r| r.version + 1);
        record.version = version;
        records.insert(slot, record);
        Ok(version)
    }

    fn apply_delete(&self, key: &RecordKey, condition: Condition) -> Result<(), PortError> {
        let mut records = self.lock();
        let slot = (key.pk.clone(), key.sk.clone());
        check(records.get(&slot), condition)?;
        records.remove(&slot);
        Ok(())
    }
}

fn check(existing: Option<&Record>, condition: Condition) -> Result<(), PortError> {
    let holds = match condition {
        Condition::None => true,
        Condition::Absent => existing.is_none(),
        Condition::Exists => existing.is_some(),
        Condition::Version(v) => existing.is_some_and(|r| r.version == v),
    };
    if holds {
        Ok(())
    } else {
        Err(PortError::ConditionFailed { what: "record" })
    }
}

#[async_trait]
impl ItemStore for MemoryStore {
    async fn get(&self, key: &RecordKey) -> Result<Option<Record>, PortError> {
        tokio::task::yield_now().await;
        Ok(self.lock().get(&(key.pk.clone(), key.sk.clone())).cloned())
    }

    async fn put(&self, record: Record, condition: Condition) -> Result<u64, PortError> {
        tokio::task::yield_now().await;
        self.apply_put(record, condition)
    }

    async fn delete(&self, key: &RecordKey, condition: Condition) -> Result<(), PortError> {
        tokio::task::yield_now().await;
        self.apply_delete(key, condition)
    }

    async fn query(
        &self,
        pk: &str,
        range: &KeyRange,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page, PortError> {
        tokio::task::yield_now().await;
        let records = self.lock();
        let mut matching = records
            .range((pk.to_owned(), String::new())..)
            .take_while(|((p, _), _)| p == pk)
            .filter(|((_, sk), _)| range.contains(sk))
            .filter(|((_, sk), _)| cursor.is_none_or(|c| sk.as_str() > c))
            .map(|(_, r)| r.clone());
        let page: Vec<Record> = matching.by_ref().take(limit.max(1)).collect();
        let next = if matching.next().is_some() {
            page.last().map(|r| r.key.sk.clone())
        } else {
            None
        };
        Ok(Page {
            records: page,
            next,
        })
    }

    async fn query_index(
        &self,
        pk: &str,
        range: &KeyRange,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page, PortError> {
        tokio::task::yield_now().await;
        let records = self.lock();
        let mut entries: Vec<(String, &Record)> = records
            .values()
            .filter_map(|r| {
                let index = r.index.as_ref()?;
                (index.pk == pk && range.contains(&index.sk)).then(|| {
                    (
                        format!("{}\u{1f}{}\u{1f}{}", index.sk, r.key.pk, r.key.sk),
                        r,
                    )
                })
            })
            .collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut matching = entries
            .into_iter()
            .filter(|(c, _)| cursor.is_none_or(|cur| c.as_str() > cur));
        let page: Vec<(String, &Record)> = matching.by_ref().take(limit.max(1)).collect();
        let next = if matching.next().is_some() {
            page.last().map(|(c, _)| c.clone())
        } else {
            None
        };
        Ok(Page {
            records: page.into_iter().map(|(_, r)| r.clone()).collect(),
            next,
        })
    }

    async fn write_batch(
        &self,
        writes: Vec<Write>,
    ) -> Result<Vec<Result<u64, PortError>>, PortError> {
        tokio::task::yield_now().await;
        Ok(writes
            .into_iter()
            .map(|write| match write {
                Write::Put { record, condition } => self.apply_put(record, condition),
                Write::Delete { key, condition } => self.apply_delete(&key, condition).map(|()| 0),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[tokio::test]
    async fn conditions_versions_and_pages() {
        let store = MemoryStore::new();
        let key = RecordKey::new("p", "a");
        let put = |c| store.put(Record::new(key.clone(), json!({})), c);
        assert_eq!(put(Condition::Absent).await.unwrap(), 1);
        assert!(
            put(Condition::Absent)
                .await
                .unwrap_err()
                .is_condition_failed()
        );
        assert!(
            put(Condition::Version(2))
                .await
                .unwrap_err()
                .is_condition_failed()
        );
        assert_eq!(put(Condition::Version(1)).await.unwrap(), 2);
        assert_eq!(put(Condition::Exists).await.unwrap(), 3);
        assert!(
            store
                .delete(&RecordKey::new("p", "zz"), Condition::Exists)
                .await
                .unwrap_err()
                .is_condition_failed()
        );
        for sk in ["b", "c", "d"] {
            store
                .put(
                    Record::new(RecordKey::new("p", sk), json!({})),
                    Condition::None,
                )
                .await
                .unwrap();
        }
        store
            .put(
                Record::new(RecordKey::new("q", "a"), json!({})),
                Condition::None,
            )
            .await
            .unwrap();
        let first = store.query("p", &KeyRange::All, None, 3).await.unwrap();
        assert_eq!(first.records.len(), 3);
        assert_eq!(first.next.as_deref(), Some("c"));
        let second = store
            .query("p", &KeyRange::All, first.next.as_deref(), 3)
            .await
            .unwrap();
        assert_eq!(second.records.len(), 1);
        assert_eq!(second.next, None);
        let ranged = store
            .query("p", &KeyRange::Between("b".into(), "c".into()), None, 10)
            .await
            .unwrap();
        assert_eq!(ranged.records.len(), 2);
    }
}
