//! Tenants and their settings.

use serde_json::json;

use super::{Engine, EngineError, decode, encode, get_typed};
use crate::audit;
use crate::keys;
use crate::ports::{Condition, KeyRange, Record, RecordKey};
use crate::tenant::{Region, Settings, Tenant, check_tenant_id, new_secret};

impl Engine {
    /// Creates a tenant with a fresh secret.
    ///
    /// # Errors
    /// [`EngineError::Invalid`] for a bad id or an id already taken.
    pub async fn create_tenant(
        &self,
        id: &str,
        name: &str,
        settings: Settings,
    ) -> Result<Tenant, EngineError> {
        check_tenant_id(id).map_err(EngineError::Invalid)?;
        let tenant = Tenant {
            id: id.to_string(),
            name: name.to_string(),
            settings,
            created_at: self.now(),
            secret: new_secret(),
        };
        self.ports
            .control
            .put(tenant_record(&tenant), Condition::Absent)
            .await
            .map_err(|e| {
                if e.is_condition_failed() {
                    EngineError::Invalid(format!(
                        "a tenant with id {id:?} already exists; choose another id"
                    ))
                } else {
                    e.into()
                }
            })?;
        self.audit(id, "system", "tenant.created", id, json!({}))
            .await?;
        Ok(tenant)
    }

    /// The tenant `id`.
    ///
    /// # Errors
    /// [`EngineError::NotFound`] if there is none.
    pub async fn tenant(&self, id: &str) -> Result<Tenant, EngineError> {
        check_tenant_id(id).map_err(|_| EngineError::NotFound { what: "tenant" })?;
        get_typed::<Tenant>(self.ports.control.as_ref(), &keys::tenant(id))
            .await?
            .map(|(t, _)| t)
            .ok_or(EngineError::NotFound { what: "tenant" })
    }

    /// Replaces a tenant's settings.
    ///
    /// # Errors
    /// [`EngineError::NotFound`], or contention after retries.
    pub async fn update_settings(
        &self,
        id: &str,
        settings: Settings,
        actor: &str,
    ) -> Result<Tenant, EngineError> {
        for _ in 0..16 {
            let Some((mut tenant, version)) =
                get_typed::<Tenant>(self.ports.control.as_ref(), &keys::tenant(id)).await?
            else {
                return Err(EngineError::NotFound { what: "tenant" });
            };
            tenant.settings = settings.clone();
            match self
                .ports
                .control
                .put(tenant_record(&tenant), Condition::Version(version))
                .await
            {
                Ok(_) => {
                    self.audit(id, actor, "settings.updated", id, encode(&settings))
                        .await?;
                    return Ok(tenant);
                }
                Err(e) if e.is_condition_failed() => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(EngineError::Contention("tenant settings"))
    }

    /// Every tenant of a region.
    ///
    /// # Errors
    /// A port failure.
    pub async fn tenants_in_region(&self, region: Region) -> Result<Vec<Tenant>, EngineError> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = self
                .ports
                .control
                .query_index(
                    &keys::region_index(region.as_str()),
                    &KeyRange::All,
                    cursor.as_deref(),
                    500,
                )
                .await?;
            for record in &page.records {
                out.push(decode::<Tenant>(record)?);
            }
            match page.next {
                Some(next) => cursor = Some(next),
                None => return Ok(out),
            }
        }
    }

    /// Appends an audit event (no personal data in any argument).
    pub(crate) async fn audit(
        &self,
        tenant: &str,
        actor: &str,
        action: &str,
        target: &str,
        details: serde_json::Value,
    ) -> Result<audit::AuditEvent, EngineError> {
        Ok(audit::append(
            self.ports.control.as_ref(),
            tenant,
            self.now(),
            actor,
            action,
            target,
            details,
        )
        .await?)
    }
}

fn tenant_record(tenant: &Tenant) -> Record {
    Record::new(keys::tenant(&tenant.id), encode(tenant)).indexed(RecordKey::new(
        keys::region_index(tenant.settings.region.as_str()),
        tenant.id.clone(),
    ))
}
