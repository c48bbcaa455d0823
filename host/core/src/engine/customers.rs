//! Customers: head records, id rules, and finding a subject.

use super::model::{CustomerHead, ItemEnvelope};
use super::{Engine, EngineError, decode, encode};
use crate::keys;
use crate::lookup::{IdentifierKind, identifier_hash};
use crate::ports::{KeyRange, Record, RecordKey, query_all};

/// Whether a customer or item id is acceptable: 1 to 256 characters, no
/// control characters.
pub(super) fn is_valid_id(id: &str) -> bool {
    !id.is_empty() && id.chars().count() <= 256 && !id.chars().any(char::is_control)
}

/// Whether an entity kind is acceptable: 1 to 40 of `a-z`, `0-9`, `_`, `-`.
pub(super) fn is_valid_kind(kind: &str) -> bool {
    !kind.is_empty()
        && kind.len() <= 40
        && kind
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// A head record, in the inactivity index while the customer has activity
/// and is not redacted.
pub(super) fn head_record(tenant: &str, customer: &str, head: &CustomerHead) -> Record {
    let record = Record::new(keys::head(tenant, customer), encode(head));
    match (head.last_active_at, head.redacted_at) {
        (Some(at), None) => record.indexed(RecordKey::new(
            keys::inactivity_index(tenant, keys::shard_of(customer)),
            format!("{:012}#{customer}", at.as_second().max(0)),
        )),
        _ => record,
    }
}

/// A customer's stored state: head and items, as read.
#[derive(Debug, Default)]
pub(super) struct CustomerState {
    pub(super) head: Option<(CustomerHead, u64)>,
    pub(super) items: Vec<(Record, ItemEnvelope)>,
}

impl Engine {
    /// Reads a customer's head and items.
    pub(super) async fn load_customer(
        &self,
        tenant: &str,
        customer: &str,
    ) -> Result<CustomerState, EngineError> {
        let records = query_all(
            self.ports.data.as_ref(),
            &keys::customer(tenant, customer),
            &KeyRange::All,
        )
        .await?;
        let mut state = CustomerState::default();
        for mut record in records {
            if record.key.sk == keys::HEAD_SK {
                state.head = Some((decode(&record)?, record.version));
            } else {
                // Moved out of the record, not copied: items are the bulk
                // of every chunk's memory and time.
                let body = std::mem::take(&mut record.body);
                let envelope: ItemEnvelope =
                    serde_json::from_value(body).map_err(|e| EngineError::Corrupt {
                        what: "item",
                        reason: e.to_string(),
                    })?;
                state.items.push((record, envelope));
            }
        }
        Ok(state)
    }

    /// The customers an identifier names, through the lookup index (a
    /// customer id names itself if the customer exists).
    ///
    /// # Errors
    /// A port failure.
    pub async fn resolve(
        &self,
        tenant: &str,
        kind: IdentifierKind,
        value: &str,
    ) -> Result<Vec<String>, EngineError> {
        let t = self.tenant(tenant).await?;
        let hash = identifier_hash(&t.keys().lookup, kind, value);
        self.resolve_hash(tenant, &hash).await
    }

    /// The customers a lookup hash points at.
    pub(super) async fn resolve_hash(
        &self,
        tenant: &str,
        hash: &str,
    ) -> Result<Vec<String>, EngineError> {
        let records = query_all(
            self.ports.data.as_ref(),
            &keys::lookup(tenant, hash),
            &KeyRange::Prefix("C#".into()),
        )
        .await?;
        let mut customers: Vec<String> = records
            .iter()
            .filter_map(|r| decode::<super::model::LookupEntry>(r).ok())
            .map(|e| e.customer)
            .collect();
        customers.dedup();
        Ok(customers)
    }
}
