//! The plugin registry: a tenant's uploaded plugin versions and which one
//! of each is active.
//!
//! ```text
//!  upload (validated by the sandbox, outside this crate)
//!     └─► blob plugins/{tenant}/{name}/{sha256}.wasm  +  version record (T#t#PLUGIN#{name}, {sha256})
//!  activate {sha256} ─► entry (T#t#PLUGIN, {name}): active = sha256, previous active pushed on history
//!  roll back         ─► entry: active = history.pop()  (none left: back to the standard plugins)
//! ```
//!
//! A version is named by the SHA-256 of its bytes, so uploading the same
//! component twice stores it once, and the blob a version names cannot be
//! swapped without the digest changing (the runtime checks it on load).
//!
//! This crate knows nothing of wasmtime: the caller validates the bytes
//! (`lethe_sandbox::Sandbox::validate`) and says which worlds the component
//! implements. The runtime that runs plugins (`lethe_sandbox::SandboxRuntime`)
//! reads the active versions through [`active_plugins`], a free function over
//! the control table, because it sits *under* the engine (the engine holds
//! it as a port).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{Engine, EngineError, decode, get_typed, put_typed};
use crate::keys;
use crate::ports::{Condition, ItemStore, KeyRange, PortError, PutCondition, RecordKey, query_all};

/// How many previously active versions a plugin remembers for roll-back.
pub const MAX_PLUGIN_HISTORY: usize = 32;

/// One uploaded version of a tenant's plugin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginVersion {
    /// The plugin's name (`[a-z0-9-]`, 1 to 40).
    pub name: String,
    /// SHA-256 of the component's bytes, lowercase hex: the version's id.
    pub sha256: String,
    /// Size of the component in bytes.
    pub size: u64,
    /// Whether it exports the field-map interface.
    pub field_map: bool,
    /// Whether it exports the scrubber interface.
    pub scrubber: bool,
    /// When it was uploaded.
    pub uploaded_at: Timestamp,
    /// Who uploaded it (a key's label).
    pub uploaded_by: String,
    /// Where its bytes are.
    pub blob_key: String,
}

/// A plugin of a tenant: its active version and what was active before.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginEntry {
    /// The plugin's name.
    pub name: String,
    /// The SHA-256 of the active version; `None` while none is (the
    /// standard plugins serve then).
    pub active: Option<String>,
    /// When the active version was activated.
    pub activated_at: Option<Timestamp>,
    /// Versions active before, oldest first; roll-back pops the last.
    pub history: Vec<String>,
}

/// A plugin with its versions, as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginListing {
    /// The entry.
    pub entry: PluginEntry,
    /// Its versions, in upload order.
    pub versions: Vec<PluginVersion>,
}

/// An active plugin version, as the runtime loads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActivePlugin {
    /// The version.
    pub version: PluginVersion,
    /// When it was activated (the latest activation serves a world that
    /// two active plugins both implement).
    pub activated_at: Option<Timestamp>,
}

/// Checks a plugin name: 1 to 40 of `a-z`, `0-9`, `-`.
///
/// # Errors
/// A message saying what is allowed.
pub fn check_plugin_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 40
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err("a plugin name is 1 to 40 characters of a-z, 0-9 and '-'".into())
    }
}

/// The tenant's active plugin versions, in no particular order.
///
/// # Errors
/// A port failure, or a record that is not a registry record.
pub async fn active_plugins(
    control: &dyn ItemStore,
    tenant: &str,
) -> Result<Vec<ActivePlugin>, PortError> {
    let corrupt = |e: serde_json::Error| PortError::invalid("plugin registry", e.to_string());
    let mut out = Vec::new();
    for record in query_all(control, &keys::plugins(tenant), &KeyRange::All).await? {
        let entry: PluginEntry = serde_json::from_value(record.body).map_err(corrupt)?;
        let Some(sha) = &entry.active else { continue };
        let Some(version) = control.get(&version_key(tenant, &entry.name, sha)).await? else {
            return Err(PortError::invalid(
                "plugin registry",
                "an active plugin version has no record",
            ));
        };
        out.push(ActivePlugin {
            version: serde_json::from_value(version.body).map_err(corrupt)?,
            activated_at: entry.activated_at,
        });
    }
    Ok(out)
}

impl Engine {
    /// Stores an uploaded (and already validated) component as a version of
    /// plugin `name`. Returns the version and whether it is new (the same
    /// bytes uploaded again are stored once).
    ///
    /// # Errors
    /// [`EngineError::Invalid`] for a bad name or a component that
    /// implements neither world.
    pub async fn register_plugin_version(
        &self,
        tenant_id: &str,
        name: &str,
        bytes: bytes::Bytes,
        field_map: bool,
        scrubber: bool,
        actor: &str,
    ) -> Result<(PluginVersion, bool), EngineError> {
        check_plugin_name(name).map_err(EngineError::Invalid)?;
        if !field_map && !scrubber {
            return Err(EngineError::Invalid(
                "the component exports neither lethe:plugin/field-map nor lethe:plugin/scrubber"
                    .into(),
            ));
        }
        self.tenant(tenant_id).await?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let key = version_key(tenant_id, name, &sha256);
        if let Some((existing, _)) =
            get_typed::<PluginVersion>(self.ports.control.as_ref(), &key).await?
        {
            return Ok((existing, false));
        }
        let blob_key = keys::plugin_blob(tenant_id, name, &sha256);
        let size = bytes.len() as u64;
        self.ports
            .blobs
            .put(&blob_key, bytes, "application/wasm", PutCondition::Any)
            .await?;
        let version = PluginVersion {
            name: name.to_string(),
            sha256: sha256.clone(),
            size,
            field_map,
            scrubber,
            uploaded_at: self.now(),
            uploaded_by: actor.to_string(),
            blob_key,
        };
        match put_typed(
            self.ports.control.as_ref(),
            key.clone(),
            &version,
            Condition::Absent,
        )
        .await
        {
            Ok(_) => {}
            Err(EngineError::Port(e)) if e.is_condition_failed() => {
                let (existing, _) = get_typed::<PluginVersion>(self.ports.control.as_ref(), &key)
                    .await?
                    .ok_or(EngineError::Contention("plugin version"))?;
                return Ok((existing, false));
            }
            Err(e) => return Err(e),
        }
        let entry = PluginEntry {
            name: name.to_string(),
            ..PluginEntry::default()
        };
        match put_typed(
            self.ports.control.as_ref(),
            entry_key(tenant_id, name),
            &entry,
            Condition::Absent,
        )
        .await
        {
            Ok(_) => {}
            Err(EngineError::Port(e)) if e.is_condition_failed() => {}
            Err(e) => return Err(e),
        }
        self.audit(
            tenant_id,
            actor,
            "plugin.uploaded",
            name,
            json!({"sha256": sha256, "size": size, "field_map": field_map, "scrubber": scrubber}),
        )
        .await?;
        Ok((version, true))
    }

    /// Every plugin of the tenant with its versions, by name.
    ///
    /// # Errors
    /// A port failure.
    pub async fn plugin_listing(&self, tenant_id: &str) -> Result<Vec<PluginListing>, EngineError> {
        let mut out = Vec::new();
        for record in query_all(
            self.ports.control.as_ref(),
            &keys::plugins(tenant_id),
            &KeyRange::All,
        )
        .await?
        {
            let entry: PluginEntry = decode(&record)?;
            let mut versions: Vec<PluginVersion> = query_all(
                self.ports.control.as_ref(),
                &keys::plugin_versions(tenant_id, &entry.name),
                &KeyRange::All,
            )
            .await?
            .iter()
            .map(decode::<PluginVersion>)
            .collect::<Result<_, _>>()?;
            versions.sort_by(|a, b| {
                a.uploaded_at
                    .cmp(&b.uploaded_at)
                    .then(a.sha256.cmp(&b.sha256))
            });
            out.push(PluginListing { entry, versions });
        }
        Ok(out)
    }

    /// Makes version `sha256` of plugin `name` the active one; the version
    /// active before is remembered for [`Engine::rollback_plugin`].
    /// Activating the active version changes nothing.
    ///
    /// # Errors
    /// [`EngineError::NotFound`] for a version that was not uploaded.
    pub async fn activate_plugin(
        &self,
        tenant_id: &str,
        name: &str,
        sha256: &str,
        actor: &str,
    ) -> Result<PluginEntry, EngineError> {
        if check_plugin_name(name).is_err()
            || sha256.len() != 64
            || !sha256.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(EngineError::NotFound {
                what: "plugin version",
            });
        }
        if get_typed::<PluginVersion>(
            self.ports.control.as_ref(),
            &version_key(tenant_id, name, sha256),
        )
        .await?
        .is_none()
        {
            return Err(EngineError::NotFound {
                what: "plugin version",
            });
        }
        self.change_entry(tenant_id, name, actor, "plugin.activated", |entry, now| {
            if entry.active.as_deref() == Some(sha256) {
                return Ok(false);
            }
            if let Some(old) = entry.active.take() {
                entry.history.push(old);
                let excess = entry.history.len().saturating_sub(MAX_PLUGIN_HISTORY);
                entry.history.drain(..excess);
            }
            entry.active = Some(sha256.to_string());
            entry.activated_at = Some(now);
            Ok(true)
        })
        .await
    }

    /// Makes the previously active version of plugin `name` active again;
    /// with none left, the plugin is deactivated (the standard plugins
    /// serve).
    ///
    /// # Errors
    /// [`EngineError::NotFound`] for an unknown plugin;
    /// [`EngineError::InvalidTransition`] when no version is active.
    pub async fn rollback_plugin(
        &self,
        tenant_id: &str,
        name: &str,
        actor: &str,
    ) -> Result<PluginEntry, EngineError> {
        if check_plugin_name(name).is_err() {
            return Err(EngineError::NotFound { what: "plugin" });
        }
        self.change_entry(
            tenant_id,
            name,
            actor,
            "plugin.rolled-back",
            |entry, now| {
                if entry.active.is_none() {
                    return Err(EngineError::InvalidTransition {
                        what: "plugin",
                        action: "roll back",
                        state: "inactive",
                    });
                }
                entry.active = entry.history.pop();
                entry.activated_at = entry.active.as_ref().map(|_| now);
                Ok(true)
            },
        )
        .await
    }

    /// Reads, changes and writes back a plugin entry under a version
    /// condition; audits the change if `change` made one.
    async fn change_entry(
        &self,
        tenant_id: &str,
        name: &str,
        actor: &str,
        action: &str,
        change: impl Fn(&mut PluginEntry, Timestamp) -> Result<bool, EngineError>,
    ) -> Result<PluginEntry, EngineError> {
        for _ in 0..16 {
            let Some((mut entry, version)) =
                get_typed::<PluginEntry>(self.ports.control.as_ref(), &entry_key(tenant_id, name))
                    .await?
            else {
                return Err(EngineError::NotFound { what: "plugin" });
            };
            if !change(&mut entry, self.now())? {
                return Ok(entry);
            }
            match put_typed(
                self.ports.control.as_ref(),
                entry_key(tenant_id, name),
                &entry,
                Condition::Version(version),
            )
            .await
            {
                Ok(_) => {
                    self.audit(
                        tenant_id,
                        actor,
                        action,
                        name,
                        json!({"active": entry.active}),
                    )
                    .await?;
                    return Ok(entry);
                }
                Err(EngineError::Port(e)) if e.is_condition_failed() => continue,
                Err(e) => return Err(e),
            }
        }
        Err(EngineError::Contention("plugin"))
    }
}

fn entry_key(tenant: &str, name: &str) -> RecordKey {
    RecordKey::new(keys::plugins(tenant), name)
}

fn version_key(tenant: &str, name: &str, sha256: &str) -> RecordKey {
    RecordKey::new(keys::plugin_versions(tenant, name), sha256)
}

#[cfg(test)]
mod tests {
    use super::check_plugin_name;

    #[test]
    fn plugin_names() {
        assert!(check_plugin_name("crm-fieldmap").is_ok());
        assert!(check_plugin_name("CRM").is_err());
        assert!(check_plugin_name("a/b").is_err());
        assert!(check_plugin_name("").is_err());
    }
}
