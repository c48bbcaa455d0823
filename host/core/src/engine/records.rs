//! Targeted deletions: one attribute of an item, a conversation, and the
//! log items tied to an IP address.

use serde_json::json;

use super::model::{ItemEnvelope, LookupEntry};
use super::{Engine, EngineError, decode, encode};
use crate::item::Path;
use crate::keys;
use crate::lookup::{IdentifierKind, identifier_hash};
use crate::ports::{Condition, KeyRange, PortError, Record, RecordKey, query_all};

impl Engine {
    /// Deletes one attribute (by path, such as `address.street`) of an item.
    ///
    /// # Errors
    /// [`EngineError::NotFound`] for a missing item or attribute;
    /// [`EngineError::Invalid`] for a malformed path.
    pub async fn delete_attribute(
        &self,
        tenant_id: &str,
        customer: &str,
        kind: &str,
        id: &str,
        path: &str,
        actor: &str,
    ) -> Result<(), EngineError> {
        let tenant = self.tenant(tenant_id).await?;
        let path: Path = path.parse().map_err(|_| {
            EngineError::Invalid(
                "the attribute path is malformed; write it like address.street or tags[1]".into(),
            )
        })?;
        let key = keys::item(tenant_id, customer, kind, id);
        for _ in 0..16 {
            let record = self
                .ports
                .data
                .get(&key)
                .await?
                .ok_or(EngineError::NotFound { what: "item" })?;
            let mut envelope: ItemEnvelope = decode(&record)?;
            if !remove_path(&mut envelope.data, &path) {
                return Err(EngineError::NotFound { what: "attribute" });
            }
            let updated = Record {
                body: encode(&envelope),
                version: 0,
                ..record.clone()
            };
            match self
                .ports
                .data
                .put(updated, Condition::Version(record.version))
                .await
            {
                Ok(_) => {
                    let subject = crate::lookup::SubjectRef::of(&tenant.keys().lookup, customer);
                    self.audit(
                        tenant_id,
                        actor,
                        "attribute.deleted",
                        &subject.0,
                        json!({"kind": kind, "path": path.to_string()}),
                    )
                    .await?;
                    return Ok(());
                }
                Err(e) if e.is_condition_failed() => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(EngineError::Contention("item"))
    }

    /// Deletes one item (a conversation, say) of a customer.
    ///
    /// # Errors
    /// [`EngineError::NotFound`] if there is no such item.
    pub async fn delete_item(
        &self,
        tenant_id: &str,
        customer: &str,
        kind: &str,
        id: &str,
        actor: &str,
    ) -> Result<(), EngineError> {
        let tenant = self.tenant(tenant_id).await?;
        let key = keys::item(tenant_id, customer, kind, id);
        if !self.delete_present(&key).await? {
            return Err(EngineError::NotFound { what: "item" });
        }
        let subject = crate::lookup::SubjectRef::of(&tenant.keys().lookup, customer);
        self.audit(
            tenant_id,
            actor,
            "item.deleted",
            &subject.0,
            json!({"kind": kind}),
        )
        .await?;
        Ok(())
    }

    /// Deletes every item tied to an IP address through the lookup index
    /// (log items, per the Puzzel seed). Returns how many were deleted.
    ///
    /// A call that fails part-way (a store error on one item) audits what
    /// it deleted and can be repeated: the failed item is still listed.
    ///
    /// # Errors
    /// [`EngineError::Invalid`] if `ip` is not an IP address; a store error
    /// if an item could not be deleted.
    pub async fn delete_by_ip(
        &self,
        tenant_id: &str,
        ip: &str,
        actor: &str,
    ) -> Result<u64, EngineError> {
        if ip.trim().parse::<std::net::IpAddr>().is_err() {
            return Err(EngineError::Invalid(
                "not an IP address; give an IPv4 or IPv6 address".into(),
            ));
        }
        let tenant = self.tenant(tenant_id).await?;
        let hash = identifier_hash(&tenant.keys().lookup, IdentifierKind::Ip, ip.trim());
        let partition = keys::lookup(tenant_id, &hash);
        let mut deleted = 0;
        let outcome = self
            .delete_lookup_items(tenant_id, &partition, &mut deleted)
            .await;
        // What was deleted is audited even when a later item failed: the
        // repeated call counts only what is left.
        if outcome.is_ok() || deleted > 0 {
            self.audit(
                tenant_id,
                actor,
                "ip-items.deleted",
                "ip",
                json!({"deleted": deleted}),
            )
            .await?;
        }
        outcome.map(|()| deleted)
    }

    /// Deletes the items listed in the lookup `partition`, counting them in
    /// `deleted`, and then each one's lookup entry. An entry is removed
    /// only once its item is gone, so a call that fails part-way can be
    /// repeated and finds what is left.
    async fn delete_lookup_items(
        &self,
        tenant_id: &str,
        partition: &str,
        deleted: &mut u64,
    ) -> Result<(), EngineError> {
        let entries = query_all(
            self.ports.data.as_ref(),
            partition,
            &KeyRange::Prefix("I#".into()),
        )
        .await?;
        for entry_record in entries {
            let entry: LookupEntry = decode(&entry_record)?;
            if let Some(sk) = &entry.item {
                let key = RecordKey::new(keys::customer(tenant_id, &entry.customer), sk.clone());
                if self.delete_present(&key).await? {
                    *deleted += 1;
                }
            }
            self.ports
                .data
                .delete(&entry_record.key, Condition::None)
                .await?;
        }
        Ok(())
    }

    /// Deletes the data record at `key` if it is there; whether it was.
    ///
    /// Reads first: a conditional delete that fails its condition does not
    /// say whether the record never existed or this very delete removed it
    /// and its answer was lost (the store's retry then finds nothing). Only
    /// the first is "not there"; the second is a deletion like any other,
    /// which the caller counts and audits. A record present a moment ago
    /// and gone now was deleted, by this call's retry or a concurrent one.
    async fn delete_present(&self, key: &RecordKey) -> Result<bool, EngineError> {
        if self.ports.data.get(key).await?.is_none() {
            return Ok(false);
        }
        match self.ports.data.delete(key, Condition::Exists).await {
            Ok(()) | Err(PortError::ConditionFailed { .. }) => Ok(true),
            Err(e) => Err(e.into()),
        }
    }
}

/// Removes the value at `path`; false if there is none.
fn remove_path(value: &mut serde_json::Value, path: &Path) -> bool {
    use crate::item::Segment;
    let segments: Vec<&Segment> = path.segments().iter().collect();
    let Some((last, parents)) = segments.split_last() else {
        return false;
    };
    let mut cursor = value;
    for segment in parents {
        let next = match (segment, cursor) {
            (Segment::Key(k), serde_json::Value::Object(map)) => map.get_mut(k.as_str()),
            (Segment::Index(i), serde_json::Value::Array(items)) => items.get_mut(*i),
            _ => None,
        };
        match next {
            Some(v) => cursor = v,
            None => return false,
        }
    }
    match (last, cursor) {
        (Segment::Key(k), serde_json::Value::Object(map)) => map.remove(k.as_str()).is_some(),
        (Segment::Index(i), serde_json::Value::Array(items)) if *i < items.len() => {
            items[*i] = serde_json::Value::Null;
            true
        }
        _ => false,
    }
}
