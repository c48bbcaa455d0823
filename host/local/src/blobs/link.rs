//! Signed download links: `{base}/blobs/{key}?expires={unix}&sig={hex}`,
//! where `sig` is HMAC-SHA256 under the link key of `key + "\n" + expires`.

use hmac::{Hmac, Mac};
use jiff::Timestamp;
use sha2::Sha256;

use super::key::url_encode;

/// Why a download link was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// Its expiry time has passed.
    #[error("the download link has expired")]
    Expired,
    /// Its signature does not match the key and expiry (tampered with, or
    /// signed under another link key).
    #[error("the download link's signature is not valid")]
    BadSignature,
}

fn mac(link_key: &[u8; 32], key: &str, expires: i64) -> Hmac<Sha256> {
    // HMAC takes a key of any length; 32 bytes cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(link_key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(key.as_bytes());
    mac.update(b"\n");
    mac.update(expires.to_string().as_bytes());
    mac
}

/// The signed link to `key`, valid until `expires` (unix seconds).
pub(crate) fn sign(base: &str, link_key: &[u8; 32], key: &str, expires: i64) -> String {
    let sig = hex::encode(mac(link_key, key, expires).finalize().into_bytes());
    format!(
        "{}/blobs/{}?expires={expires}&sig={sig}",
        base.trim_end_matches('/'),
        url_encode(key)
    )
}

/// Checks a link's signature (in constant time) and expiry.
pub(crate) fn verify(
    link_key: &[u8; 32],
    key: &str,
    expires: i64,
    sig: &str,
    now: Timestamp,
) -> Result<(), LinkError> {
    let sig = hex::decode(sig).map_err(|_| LinkError::BadSignature)?;
    mac(link_key, key, expires)
        .verify_slice(&sig)
        .map_err(|_| LinkError::BadSignature)?;
    if now.as_second() > expires {
        return Err(LinkError::Expired);
    }
    Ok(())
}
