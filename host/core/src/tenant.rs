//! Tenants, their settings and their keys.
//!
//! A tenant is one customer of Lethe (a platform with its own customers).
//! Its [`Settings`] say how its data is treated; its secret, 32 random bytes
//! kept in the control table (a KMS-encrypted table on AWS), derives every
//! key Lethe uses for it ([`TenantKeys`]), so one secret rotates them all and
//! no key is shared between tenants.

use std::collections::BTreeMap;

use hmac::{Hmac, Mac};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::dataset::DatasetMode;
use crate::policy::Policy;
use crate::pseudonym::PseudonymKey;

/// A tenant's auto-redact setting: off, or the days of inactivity after
/// which a customer is redacted by the nightly run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "AutoRedactRepr", into = "AutoRedactRepr")]
pub enum AutoRedact {
    /// No automatic redaction.
    #[default]
    Off,
    /// Redact customers inactive for this many days (30, 60 or 90).
    AfterDays(u32),
}

impl AutoRedact {
    /// The allowed day counts (the seed's product offers exactly these).
    pub const ALLOWED_DAYS: [u32; 3] = [30, 60, 90];

    /// The setting for `days`, if it is one of [`Self::ALLOWED_DAYS`].
    pub fn after_days(days: u32) -> Option<Self> {
        Self::ALLOWED_DAYS
            .contains(&days)
            .then_some(AutoRedact::AfterDays(days))
    }
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum AutoRedactRepr {
    Off(String),
    Days(u32),
}

impl TryFrom<AutoRedactRepr> for AutoRedact {
    type Error = String;
    fn try_from(value: AutoRedactRepr) -> Result<Self, String> {
        match value {
            AutoRedactRepr::Off(s) if s == "off" => Ok(AutoRedact::Off),
            AutoRedactRepr::Days(d) => AutoRedact::after_days(d).ok_or_else(|| {
                format!("auto-redact must be \"off\", 30, 60 or 90 (days); got {d}")
            }),
            AutoRedactRepr::Off(_) => {
                Err("auto-redact must be \"off\", 30, 60 or 90 (days)".to_string())
            }
        }
    }
}

impl From<AutoRedact> for AutoRedactRepr {
    fn from(value: AutoRedact) -> Self {
        match value {
            AutoRedact::Off => AutoRedactRepr::Off("off".into()),
            AutoRedact::AfterDays(d) => AutoRedactRepr::Days(d),
        }
    }
}

/// Where a tenant's nightly runs happen (and its data lives).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Region {
    /// The EU instance: the night starts at 00:00 Europe/Paris (the seed's CET).
    #[default]
    Eu,
    /// The US instance: the night starts at 00:00 UTC.
    Us,
}

impl Region {
    /// Every region.
    pub const ALL: [Region; 2] = [Region::Eu, Region::Us];

    /// The lowercase name used in keys and schedules.
    pub fn as_str(self) -> &'static str {
        match self {
            Region::Eu => "eu",
            Region::Us => "us",
        }
    }

    /// The time zone whose midnight starts the region's nightly window.
    pub fn time_zone(self) -> &'static str {
        match self {
            Region::Eu => "Europe/Paris",
            Region::Us => "UTC",
        }
    }
}

impl std::str::FromStr for Region {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "eu" => Ok(Region::Eu),
            "us" => Ok(Region::Us),
            _ => Err("region must be \"eu\" or \"us\"".into()),
        }
    }
}

/// Whether verified requests are processed at once or wait for an operator.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Handling {
    /// `pending` requests are processed at once.
    #[default]
    Automatic,
    /// `pending` requests wait for an operator to approve them.
    Manual,
}

/// What ingest does with data about a subject who was erased.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SuppressionMode {
    /// Refuse the item.
    #[default]
    Refuse,
    /// Store the item with its personal data redacted by the policy.
    Strip,
}

/// A tenant's settings. Every field has a default, and unknown fields are
/// refused so a typo never silently keeps a default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "snake_case")]
pub struct Settings {
    /// Auto-redact of inactive customers.
    pub auto_redact: AutoRedact,
    /// The instance (and nightly window).
    pub region: Region,
    /// Automatic or manual request handling.
    pub handling: Handling,
    /// Retention in days per entity kind (`conversation: 14`, `log: 7`);
    /// kinds not listed are kept until erased.
    pub retention: BTreeMap<String, u32>,
    /// What happens to each category of personal data.
    pub policy: Policy,
    /// What ingest does with an erased subject's data.
    pub suppression: SuppressionMode,
    /// Whether erasure removes or scrubs the subject's rows in datasets.
    pub datasets: DatasetMode,
    /// Where operator notices (job completion, deadline reminders) go.
    pub operator_email: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            auto_redact: AutoRedact::Off,
            region: Region::Eu,
            handling: Handling::Automatic,
            retention: BTreeMap::from([("conversation".into(), 14), ("log".into(), 7)]),
            policy: Policy::default(),
            suppression: SuppressionMode::Refuse,
            datasets: DatasetMode::default(),
            operator_email: None,
        }
    }
}

/// A tenant as stored in the control table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tenant {
    /// Its id: 1 to 40 of `a-z`, `0-9` and `-`.
    pub id: String,
    /// A display name.
    pub name: String,
    /// Its settings.
    pub settings: Settings,
    /// When it was created.
    pub created_at: Timestamp,
    /// The secret every key derives from, 64 hex digits. Never logged.
    pub secret: String,
}

impl Tenant {
    /// The keys derived from the tenant's secret.
    ///
    /// # Panics
    /// Never for a tenant created by the engine (whose secret is 32 bytes of
    /// hex); a corrupted secret derives keys from its raw text instead, which
    /// is still tenant-specific.
    pub fn keys(&self) -> TenantKeys {
        TenantKeys::derive(self.secret.as_bytes())
    }
}

/// Checks a tenant id: 1 to 40 of `a-z`, `0-9`, `-`.
///
/// # Errors
/// A message saying what is allowed.
pub fn check_tenant_id(id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id.len() <= 40
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err("a tenant id is 1 to 40 characters of a-z, 0-9 and '-'".into())
    }
}

/// The keys of one tenant, each for one purpose.
#[derive(Clone)]
pub struct TenantKeys {
    /// Pseudonyms in redacted data.
    pub pseudonym: PseudonymKey,
    /// Lookup and suppression hashes of identifiers.
    pub lookup: [u8; 32],
    /// Signed verification links.
    pub link: [u8; 32],
    /// Erasure certificates.
    pub certificate: [u8; 32],
}

impl std::fmt::Debug for TenantKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TenantKeys(..)")
    }
}

impl TenantKeys {
    /// Derives the keys from a secret: HMAC-SHA256(secret, purpose).
    pub fn derive(secret: &[u8]) -> Self {
        let derive = |purpose: &str| -> [u8; 32] {
            let mut mac =
                Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts any key length");
            mac.update(b"lethe/v1/");
            mac.update(purpose.as_bytes());
            mac.finalize().into_bytes().into()
        };
        TenantKeys {
            pseudonym: PseudonymKey::from_bytes(derive("pseudonym")),
            lookup: derive("lookup"),
            link: derive("link"),
            certificate: derive("certificate"),
        }
    }
}

/// A fresh random tenant secret, as 64 hex digits.
///
/// # Panics
/// If the operating system has no random source.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS random source is available");
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse_with_defaults_and_refuse_typos() {
        let s: Settings =
            serde_json::from_str(r#"{"auto_redact": 60, "region": "us", "retention": {"log": 3}}"#)
                .unwrap();
        assert_eq!(s.auto_redact, AutoRedact::AfterDays(60));
        assert_eq!(s.region, Region::Us);
        assert_eq!(s.retention["log"], 3);
        assert!(serde_json::from_str::<Settings>(r#"{"auto_redact": 45}"#).is_err());
        assert!(serde_json::from_str::<Settings>(r#"{"auto_redakt": 30}"#).is_err());
        let off: Settings = serde_json::from_str(r#"{"auto_redact": "off"}"#).unwrap();
        assert_eq!(off.auto_redact, AutoRedact::Off);
        let round = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<Settings>(&round).unwrap(), s);
    }

    #[test]
    fn keys_differ_by_purpose_and_tenant() {
        let a = TenantKeys::derive(b"one");
        let b = TenantKeys::derive(b"two");
        assert_ne!(a.lookup, a.link);
        assert_ne!(a.lookup, b.lookup);
    }

    #[test]
    fn tenant_ids() {
        assert!(check_tenant_id("acme-eu-1").is_ok());
        assert!(check_tenant_id("Acme").is_err());
        assert!(check_tenant_id("").is_err());
        assert!(check_tenant_id("a#b").is_err());
    }
}
