//! Erasure certificates: a signed summary of what a request or job did,
//! pinned to the audit chain.

use std::collections::BTreeMap;

use hmac::{Hmac, Mac};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::{ChainHead, canonical_json};

/// Domain separation for the certificate MAC.
const CERTIFICATE_DOMAIN: &[u8] = b"lethe-certificate/1\0";

/// What a certificate is about. Serialized as
/// `{"kind": "request", "id": "…"}` or `{"kind": "job", "id": "…"}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum CertificateScope {
    /// A privacy request (an erasure).
    Request {
        /// The request's id.
        id: String,
    },
    /// A redaction job (bulk, scheduled, retention).
    Job {
        /// The job's id.
        id: String,
    },
}

/// Everything a [`Certificate`] states, before it is signed.
///
/// Build one, then [`sign`](CertificateBody::sign) it. Holds no personal
/// data: counts, category names, plugin versions and ids.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CertificateBody {
    /// The certificate's own id.
    pub id: String,
    /// The tenant whose chain it pins.
    pub tenant: String,
    /// The request or job it certifies.
    pub scope: CertificateScope,
    /// When it was issued.
    pub issued_at: Timestamp,
    /// What was done, counted: `items_redacted`, `items_deleted`,
    /// `dataset_rows_removed`, ….
    pub counts: BTreeMap<String, u64>,
    /// How many fields or spans of each category (kebab-case names) were
    /// acted on.
    pub categories: BTreeMap<String, u64>,
    /// The plugin versions that classified the data (`name@sha256-prefix`).
    pub plugin_versions: Vec<String>,
    /// The audit chain's head when the work was recorded: the certificate
    /// vouches for the chain up to this event.
    pub chain_head: ChainHead,
}

impl CertificateBody {
    /// This body signed with `key`: HMAC-SHA256 over the domain tag
    /// `lethe-certificate/1` and a zero byte, then the
    /// [canonical JSON](super::canonical_json) of the body.
    pub fn sign(self, key: &[u8; 32]) -> Certificate {
        let signature = hex::encode(mac(key, &self).finalize().into_bytes());
        let CertificateBody {
            id,
            tenant,
            scope,
            issued_at,
            counts,
            categories,
            plugin_versions,
            chain_head,
        } = self;
        Certificate {
            id,
            tenant,
            scope,
            issued_at,
            counts,
            categories,
            plugin_versions,
            chain_head,
            signature,
        }
    }
}

/// A signed statement that a request or job was carried out, with counts
/// and the audit chain head at that moment.
///
/// Anyone holding the tenant's certificate key can check that it was not
/// altered ([`signature_valid`](Self::signature_valid)) and, with the
/// store, that the chain still holds the events it pins
/// ([`verify_certificate`](super::verify_certificate)).
///
/// ```
/// use std::collections::BTreeMap;
///
/// use lethe_core::audit::{CertificateBody, CertificateScope, ChainHead};
///
/// let key = [9u8; 32];
/// let cert = CertificateBody {
///     id: "cert-1".into(),
///     tenant: "acme".into(),
///     scope: CertificateScope::Request { id: "req-1".into() },
///     issued_at: "2025-01-02T03:04:05Z".parse()?,
///     counts: BTreeMap::from([("items_redacted".into(), 3)]),
///     categories: BTreeMap::from([("email".into(), 2)]),
///     plugin_versions: vec!["std-scrubber@1a2b3c".into()],
///     chain_head: ChainHead::genesis(),
/// }
/// .sign(&key);
/// assert!(cert.signature_valid(&key));
///
/// let mut forged = cert.clone();
/// forged.counts.insert("items_redacted".into(), 4);
/// assert!(!forged.signature_valid(&key));
/// # Ok::<(), jiff::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Certificate {
    /// The certificate's own id.
    pub id: String,
    /// The tenant whose chain it pins.
    pub tenant: String,
    /// The request or job it certifies.
    pub scope: CertificateScope,
    /// When it was issued.
    pub issued_at: Timestamp,
    /// What was done, counted.
    pub counts: BTreeMap<String, u64>,
    /// How many fields or spans of each category were acted on.
    pub categories: BTreeMap<String, u64>,
    /// The plugin versions that classified the data.
    pub plugin_versions: Vec<String>,
    /// The audit chain's head the certificate pins.
    pub chain_head: ChainHead,
    /// HMAC-SHA256 of everything above, lowercase hex (see
    /// [`CertificateBody::sign`]).
    pub signature: String,
}

impl Certificate {
    /// Signs `body` with `key`; the same as [`CertificateBody::sign`].
    pub fn sign(body: CertificateBody, key: &[u8; 32]) -> Certificate {
        body.sign(key)
    }

    /// Everything the certificate states but its signature.
    pub fn body(&self) -> CertificateBody {
        CertificateBody {
            id: self.id.clone(),
            tenant: self.tenant.clone(),
            scope: self.scope.clone(),
            issued_at: self.issued_at,
            counts: self.counts.clone(),
            categories: self.categories.clone(),
            plugin_versions: self.plugin_versions.clone(),
            chain_head: self.chain_head.clone(),
        }
    }

    /// Whether the signature matches the content under `key`, compared in
    /// constant time.
    pub fn signature_valid(&self, key: &[u8; 32]) -> bool {
        let Ok(signature) = hex::decode(&self.signature) else {
            return false;
        };
        mac(key, &self.body()).verify_slice(&signature).is_ok()
    }
}

fn mac(key: &[u8; 32], body: &CertificateBody) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(CERTIFICATE_DOMAIN);
    // Serializing plain strings, numbers and maps cannot fail.
    let value = serde_json::to_value(body).unwrap_or_default();
    mac.update(canonical_json(&value).as_bytes());
    mac
}
