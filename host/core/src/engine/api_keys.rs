//! API keys: who may call the HTTP API, for which tenant, with which role.
//!
//! A key is shown once, when it is made, and stored only as its SHA-256
//! (control table, `T#{tenant}#KEY`, sort key = the key's id). Its text is
//! `lth_{tenant}_{key id}_{secret}`: the tenant and the id say where the
//! record is, so checking a key is one read and one constant-time
//! comparison of digests ([`Engine::authenticate`]), and a key can never
//! authenticate for another tenant (the tenant is part of the hashed text
//! and of the record's partition).
//!
//! # Roles
//!
//! `admin > operator > support` are hierarchical: a higher role may do
//! everything a lower one may. `intake`, for consumer channels (a web form,
//! a chatbot), sits below them all and may only submit privacy requests.
//! [`Role::allows`] is the one rule, checked per route by the API.
//!
//! A key's label (`ops-desk`, `web-form`) is what jobs record as
//! `created_by` and audit events as the actor, so it must not be personal
//! data: it is restricted to a short slug.

use crate::digest::{constant_time_eq, sha256_hex};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{Engine, EngineError, decode, get_typed, put_typed};
use crate::keys;
use crate::ports::{Condition, KeyRange, query_all};
use crate::tenant::{Settings, Tenant, check_tenant_id};

/// Every API key starts with this.
pub const API_KEY_PREFIX: &str = "lth_";

/// Longest key label, in characters.
pub const MAX_LABEL_LEN: usize = 64;

/// What a key may do. Ordered: `Intake < Support < Operator < Admin`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// May only submit privacy requests (consumer channels).
    Intake,
    /// May read requests, jobs and customers (personal data masked).
    Support,
    /// May also act: ingest, approve, reject, delete records, start bulk jobs.
    Operator,
    /// May also confirm bulk jobs, change settings, plugins and keys.
    Admin,
}

impl Role {
    /// Every role, lowest first.
    pub const ALL: [Role; 4] = [Role::Intake, Role::Support, Role::Operator, Role::Admin];

    /// Whether a key with this role may do what needs `required`.
    ///
    /// ```
    /// use lethe_core::engine::Role;
    /// assert!(Role::Admin.allows(Role::Operator));
    /// assert!(!Role::Support.allows(Role::Operator));
    /// assert!(!Role::Intake.allows(Role::Support));
    /// assert!(Role::Support.allows(Role::Intake));
    /// ```
    pub fn allows(self, required: Role) -> bool {
        self >= required
    }

    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Intake => "intake",
            Role::Support => "support",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| "a role is one of intake, support, operator, admin".into())
    }
}

/// An API key as stored: never the key itself, only its SHA-256.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRecord {
    /// The key's id (`key_` and 16 hex digits), part of the key's text.
    pub id: String,
    /// What it is for; the actor in audit events and jobs.
    pub label: String,
    /// What it may do.
    pub role: Role,
    /// SHA-256 of the whole key text, lowercase hex.
    pub sha256: String,
    /// When it was made.
    pub created_at: Timestamp,
    /// Who made it (a key's label, or `bootstrap`).
    pub created_by: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Timestamp>,
}

/// A key just made: the only time its text is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedKey {
    /// The stored record.
    pub record: ApiKeyRecord,
    /// The key's text, `lth_{tenant}_{id}_{secret}`; show it once.
    pub key: String,
}

/// Who is calling: what [`Engine::authenticate`] found for a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The key's tenant: every call is scoped to it.
    pub tenant: String,
    /// The key's id.
    pub key_id: String,
    /// The key's label (the actor).
    pub label: String,
    /// The key's role.
    pub role: Role,
}

impl Engine {
    /// Creates a tenant and its first admin key, and returns the key once
    /// (what `lethe serve --bootstrap` prints).
    ///
    /// # Errors
    /// [`EngineError::Invalid`] for a bad or taken tenant id, or a bad label.
    pub async fn bootstrap_tenant(
        &self,
        id: &str,
        name: &str,
        settings: Settings,
        label: &str,
    ) -> Result<(Tenant, IssuedKey), EngineError> {
        check_label(label)?;
        let tenant = self.create_tenant(id, name, settings).await?;
        let key = self
            .create_api_key(id, label, Role::Admin, "bootstrap")
            .await?;
        Ok((tenant, key))
    }

    /// Makes a key for `tenant`; its text is returned once and never stored.
    ///
    /// # Errors
    /// [`EngineError::Invalid`] for a bad label; [`EngineError::NotFound`]
    /// for an unknown tenant.
    pub async fn create_api_key(
        &self,
        tenant_id: &str,
        label: &str,
        role: Role,
        actor: &str,
    ) -> Result<IssuedKey, EngineError> {
        check_label(label)?;
        self.tenant(tenant_id).await?;
        let mut id_bytes = [0u8; 8];
        let mut secret = [0u8; 32];
        getrandom::fill(&mut id_bytes).expect("the OS random source is available");
        getrandom::fill(&mut secret).expect("the OS random source is available");
        let id = format!("key_{}", hex::encode(id_bytes));
        let key = format!("{API_KEY_PREFIX}{tenant_id}_{id}_{}", hex::encode(secret));
        let record = ApiKeyRecord {
            id: id.clone(),
            label: label.to_string(),
            role,
            sha256: sha256_hex(&key),
            created_at: self.now(),
            created_by: actor.to_string(),
            revoked_at: None,
        };
        put_typed(
            self.ports.control.as_ref(),
            keys::api_key(tenant_id, &id),
            &record,
            Condition::Absent,
        )
        .await?;
        self.audit(
            tenant_id,
            actor,
            "api-key.created",
            &id,
            json!({"role": role, "label": label}),
        )
        .await?;
        Ok(IssuedKey { record, key })
    }

    /// The tenant's keys (revoked ones included), oldest id first.
    ///
    /// # Errors
    /// A port failure.
    pub async fn list_api_keys(&self, tenant_id: &str) -> Result<Vec<ApiKeyRecord>, EngineError> {
        let records = query_all(
            self.ports.control.as_ref(),
            &keys::api_keys(tenant_id),
            &KeyRange::All,
        )
        .await?;
        let mut out: Vec<ApiKeyRecord> = records
            .iter()
            .map(decode::<ApiKeyRecord>)
            .collect::<Result<_, _>>()?;
        out.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    /// Revokes a key: it stops working at once. Revoking twice is not an
    /// error.
    ///
    /// # Errors
    /// [`EngineError::NotFound`] for a key the tenant does not have.
    pub async fn revoke_api_key(
        &self,
        tenant_id: &str,
        key_id: &str,
        actor: &str,
    ) -> Result<ApiKeyRecord, EngineError> {
        for _ in 0..16 {
            let Some((mut record, version)) = get_typed::<ApiKeyRecord>(
                self.ports.control.as_ref(),
                &keys::api_key(tenant_id, key_id),
            )
            .await?
            else {
                return Err(EngineError::NotFound { what: "api key" });
            };
            if record.revoked_at.is_some() {
                return Ok(record);
            }
            record.revoked_at = Some(self.now());
            match put_typed(
                self.ports.control.as_ref(),
                keys::api_key(tenant_id, key_id),
                &record,
                Condition::Version(version),
            )
            .await
            {
                Ok(_) => {
                    self.audit(tenant_id, actor, "api-key.revoked", key_id, json!({}))
                        .await?;
                    return Ok(record);
                }
                Err(EngineError::Port(e)) if e.is_condition_failed() => continue,
                Err(e) => return Err(e),
            }
        }
        Err(EngineError::Contention("api key"))
    }

    /// Who a key is, or `None` for a key that is malformed, unknown,
    /// revoked or wrong. The stored digest is compared in constant time.
    ///
    /// # Errors
    /// A port failure, or a stored record that cannot be read.
    pub async fn authenticate(&self, key: &str) -> Result<Option<Principal>, EngineError> {
        let Some((tenant, key_id)) = parse_key(key) else {
            return Ok(None);
        };
        let Some((record, _)) =
            get_typed::<ApiKeyRecord>(self.ports.control.as_ref(), &keys::api_key(tenant, key_id))
                .await?
        else {
            return Ok(None);
        };
        let given: [u8; 32] = Sha256::digest(key.as_bytes()).into();
        let Ok(stored) = hex::decode(&record.sha256) else {
            return Ok(None);
        };
        if !constant_time_eq(&given, &stored) || record.revoked_at.is_some() {
            return Ok(None);
        }
        Ok(Some(Principal {
            tenant: tenant.to_string(),
            key_id: record.id,
            label: record.label,
            role: record.role,
        }))
    }
}

/// `(tenant, key id)` of a well-formed key text.
fn parse_key(key: &str) -> Option<(&str, &str)> {
    let rest = key.strip_prefix(API_KEY_PREFIX)?;
    let (tenant, rest) = rest.split_once('_')?;
    let (key_id_tail, secret) = rest.strip_prefix("key_")?.split_once('_')?;
    check_tenant_id(tenant).ok()?;
    let hex_ok = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit());
    if !hex_ok(key_id_tail, 16) || !hex_ok(secret, 64) {
        return None;
    }
    // `key_` + 16 hex digits, as stored.
    let id_start = API_KEY_PREFIX.len() + tenant.len() + 1;
    Some((tenant, &key[id_start..id_start + 4 + 16]))
}

/// Checks a key label: 1 to 64 of `a-z`, `A-Z`, `0-9`, `.`, `_`, `-`, `:`.
fn check_label(label: &str) -> Result<(), EngineError> {
    let ok = !label.is_empty()
        && label.len() <= MAX_LABEL_LEN
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b':'));
    if ok {
        Ok(())
    } else {
        Err(EngineError::Invalid(format!(
            "a key label is 1 to {MAX_LABEL_LEN} characters of a-z, A-Z, 0-9, '.', '_', '-' and ':' \
             (a team or channel name, not a person's e-mail)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_only_in_their_exact_shape() {
        let key = format!("lth_acme-1_key_{}_{}", "a".repeat(16), "b".repeat(64));
        assert_eq!(
            parse_key(&key),
            Some(("acme-1", format!("key_{}", "a".repeat(16)).as_str()))
        );
        assert_eq!(parse_key("lth_acme_key_00_11"), None);
        assert_eq!(parse_key(&key.replace("lth_", "xyz_")), None);
        assert_eq!(parse_key(&format!("{key}0")), None);
        assert_eq!(parse_key(&key.replace("acme-1", "Acme")), None);
    }

    #[test]
    fn roles_are_ordered() {
        assert!(Role::Admin.allows(Role::Admin));
        assert!(Role::Operator.allows(Role::Support));
        assert!(!Role::Operator.allows(Role::Admin));
        assert!(!Role::Intake.allows(Role::Support));
        assert_eq!("operator".parse::<Role>(), Ok(Role::Operator));
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn labels_are_slugs() {
        assert!(check_label("ops-desk").is_ok());
        assert!(check_label("ada@example.com").is_err());
        assert!(check_label("").is_err());
        assert!(check_label(&"a".repeat(65)).is_err());
    }
}
