//! [`LocalTable`]: one DynamoDB-shaped table in the redb database.
//!
//! Each table is two redb tables: `items/{name}`, keyed by `(pk, sk)` so a
//! partition's records are one ascending range, and `index/{name}`, keyed
//! by `(index pk, index sk, pk, sk)` with no value: the sparse secondary
//! index, written in the same transaction as the record it points to.

mod codec;
mod write;

use std::ops::Bound;

use async_trait::async_trait;
use lethe_core::ports::{
    Condition, ItemStore, KeyRange, Page, PortError, Record, RecordKey, Write,
};
use redb::{ReadTransaction, ReadableTable, TableDefinition, TableError};

use crate::error::DbError;
use crate::store::LocalStore;
use codec::{Stored, decode_cursor, encode_cursor, page_size};

const PORT: &str = "item store";

/// Key of the records table: (partition key, sort key).
type ItemKey = (&'static str, &'static str);
/// Key of the index table: (index pk, index sk, pk, sk).
type IndexKey = (&'static str, &'static str, &'static str, &'static str);

/// One item table of a [`LocalStore`], implementing [`ItemStore`].
#[derive(Clone)]
pub struct LocalTable {
    store: LocalStore,
    name: &'static str,
    items_name: String,
    index_name: String,
}

impl std::fmt::Debug for LocalTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalTable")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl LocalTable {
    pub(crate) fn new(store: LocalStore, name: &'static str) -> Self {
        LocalTable {
            store,
            name,
            items_name: format!("items/{name}"),
            index_name: format!("index/{name}"),
        }
    }

    /// The table's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    fn items_def(&self) -> TableDefinition<'_, ItemKey, &'static [u8]> {
        TableDefinition::new(&self.items_name)
    }

    fn index_def(&self) -> TableDefinition<'_, IndexKey, ()> {
        TableDefinition::new(&self.index_name)
    }

    fn read(&self) -> Result<ReadTransaction, PortError> {
        self.store.begin_read().map_err(|e| e.port(PORT))
    }

    /// Applies `writes` in one transaction, each under its own condition.
    fn apply(&self, writes: &[Write]) -> Result<Vec<Result<u64, PortError>>, DbError> {
        let txn = self.store.begin_write()?;
        let results = {
            let mut items = txn.open_table(self.items_def())?;
            let mut index = txn.open_table(self.index_def())?;
            let mut results = Vec::with_capacity(writes.len());
            for w in writes {
                results.push(write::apply(&mut items, &mut index, w)?);
            }
            results
        };
        // A batch whose writes all failed their conditions changed nothing;
        // committing it anyway is harmless and keeps one path.
        txn.commit()?;
        Ok(results)
    }

    fn apply_one(&self, w: Write) -> Result<u64, PortError> {
        let mut results = self
            .apply(std::slice::from_ref(&w))
            .map_err(|e| e.port(PORT))?;
        results
            .pop()
            .unwrap_or_else(|| Err(PortError::unavailable(PORT, "no result")))
    }

    /// Every record of the table, in key order: for checkers, exports of
    /// the whole store and debugging (a DynamoDB `Scan`; the engine never
    /// needs one).
    ///
    /// # Errors
    /// [`PortError::Unavailable`] if the database cannot be read.
    pub fn scan_all(&self) -> Result<Vec<Record>, PortError> {
        let txn = self.read()?;
        let table = match txn.open_table(self.items_def()) {
            Ok(t) => t,
            Err(TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(DbError::from(e).port(PORT)),
        };
        let fail = |e: redb::StorageError| DbError::from(e).port(PORT);
        let mut out = Vec::new();
        for entry in table.iter().map_err(fail)? {
            let (k, v) = entry.map_err(fail)?;
            let (pk, sk) = k.value();
            let stored = Stored::decode(v.value()).map_err(|e| e.port(PORT))?;
            out.push(stored.into_record(RecordKey::new(pk, sk)));
        }
        Ok(out)
    }

    fn query_items(
        &self,
        pk: &str,
        range: &KeyRange,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page, PortError> {
        let limit = page_size(limit)?;
        let after = cursor.map(|c| decode_cursor(c, 1)).transpose()?;
        let txn = self.read()?;
        let table = match txn.open_table(self.items_def()) {
            Ok(t) => t,
            Err(TableError::TableDoesNotExist(_)) => return Ok(Page::default()),
            Err(e) => return Err(DbError::from(e).port(PORT)),
        };
        let lower = lower_bound(range);
        let start = match &after {
            Some(parts) if parts[0].as_str() >= lower => Bound::Excluded((pk, parts[0].as_str())),
            _ => Bound::Included((pk, lower)),
        };
        let fail = |e: redb::StorageError| DbError::from(e).port(PORT);
        let mut page = Page::default();
        for entry in table
            .range::<(&str, &str)>((start, Bound::Unbounded))
            .map_err(fail)?
        {
            let (k, v) = entry.map_err(fail)?;
            let (kpk, ksk) = k.value();
            if kpk != pk || !range.contains(ksk) {
                break;
            }
            if page.records.len() == limit {
                page.next = page.records.last().map(|r| encode_cursor(&[&r.key.sk]));
                break;
            }
            let stored = Stored::decode(v.value()).map_err(|e| e.port(PORT))?;
            page.records
                .push(stored.into_record(RecordKey::new(kpk, ksk)));
        }
        Ok(page)
    }

    fn query_index_entries(
        &self,
        ipk: &str,
        range: &KeyRange,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page, PortError> {
        let limit = page_size(limit)?;
        let after = cursor.map(|c| decode_cursor(c, 3)).transpose()?;
        let txn = self.read()?;
        let (index, items) = match (
            txn.open_table(self.index_def()),
            txn.open_table(self.items_def()),
        ) {
            (Ok(index), Ok(items)) => (index, items),
            (Err(TableError::TableDoesNotExist(_)), _)
            | (_, Err(TableError::TableDoesNotExist(_))) => {
                return Ok(Page::default());
            }
            (Err(e), _) | (_, Err(e)) => return Err(DbError::from(e).port(PORT)),
        };
        let lower = lower_bound(range);
        let start = match &after {
            Some(p) if p[0].as_str() >= lower => {
                Bound::Excluded((ipk, p[0].as_str(), p[1].as_str(), p[2].as_str()))
            }
            _ => Bound::Included((ipk, lower, "", "")),
        };
        let fail = |e: redb::StorageError| DbError::from(e).port(PORT);
        let mut page = Page::default();
        let mut last: Option<[String; 3]> = None;
        for entry in index
            .range::<(&str, &str, &str, &str)>((start, Bound::Unbounded))
            .map_err(fail)?
        {
            let (k, ()) = (entry.map_err(fail)?.0, ());
            let (kipk, kisk, kpk, ksk) = k.value();
            if kipk != ipk || !range.contains(kisk) {
                break;
            }
            if page.records.len() == limit {
                page.next = last.as_ref().map(|[a, b, c]| encode_cursor(&[a, b, c]));
                break;
            }
            // Written in the same transaction as the entry, so present.
            let Some(v) = items.get((kpk, ksk)).map_err(fail)? else {
                continue;
            };
            let stored = Stored::decode(v.value()).map_err(|e| e.port(PORT))?;
            page.records
                .push(stored.into_record(RecordKey::new(kpk, ksk)));
            last = Some([kisk.to_owned(), kpk.to_owned(), ksk.to_owned()]);
        }
        Ok(page)
    }
}

/// The smallest sort key `range` can hold.
fn lower_bound(range: &KeyRange) -> &str {
    match range {
        KeyRange::All | KeyRange::AtMost(_) => "",
        KeyRange::Prefix(p) => p,
        KeyRange::Between(from, _) => from,
    }
}

#[async_trait]
impl ItemStore for LocalTable {
    async fn get(&self, key: &RecordKey) -> Result<Option<Record>, PortError> {
        let txn = self.read()?;
        let table = match txn.open_table(self.items_def()) {
            Ok(t) => t,
            Err(TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(DbError::from(e).port(PORT)),
        };
        let found = table
            .get((key.pk.as_str(), key.sk.as_str()))
            .map_err(|e| DbError::from(e).port(PORT))?;
        match found {
            None => Ok(None),
            Some(v) => {
                let stored = Stored::decode(v.value()).map_err(|e| e.port(PORT))?;
                Ok(Some(stored.into_record(key.clone())))
            }
        }
    }

    async fn put(&self, record: Record, condition: Condition) -> Result<u64, PortError> {
        self.apply_one(Write::Put { record, condition })
    }

    async fn delete(&self, key: &RecordKey, condition: Condition) -> Result<(), PortError> {
        self.apply_one(Write::Delete {
            key: key.clone(),
            condition,
        })
        .map(|_| ())
    }

    async fn query(
        &self,
        pk: &str,
        range: &KeyRange,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page, PortError> {
        self.query_items(pk, range, cursor, limit)
    }

    async fn query_index(
        &self,
        pk: &str,
        range: &KeyRange,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page, PortError> {
        self.query_index_entries(pk, range, cursor, limit)
    }

    async fn write_batch(
        &self,
        writes: Vec<Write>,
    ) -> Result<Vec<Result<u64, PortError>>, PortError> {
        self.apply(&writes).map_err(|e| e.port(PORT))
    }
}
