//! The tokens of the links e-mailed to a data subject: the erasure
//! confirmation (`/v1/verify/...`) and the export download
//! (`/v1/downloads/...`).
//!
//! A token is `{expires}.{nonce}.{signature}`. The signature is an
//! HMAC-SHA256 under the tenant's link key over the tenant, a *scope* and
//! the token's head (expiry and nonce), so a token works only for the
//! tenant and scope it was made for, and only until its own expiry:
//!
//! | link | scope |
//! |------|-------|
//! | erasure confirmation | the request id (`req_…`) |
//! | export download | `{request id}/export.{format}` |
//!
//! Scopes never collide (a request id has no `/`), so a confirmation token
//! cannot download an export, nor a JSON token the CSV. Nothing is stored
//! to check a token; single use, where wanted, is the caller's record
//! (the request keeps the confirmation token's SHA-256 until it is used).

use hmac::{Hmac, Mac};
use jiff::Timestamp;
use sha2::Sha256;

/// A fresh token for `scope` of `tenant`, valid until `expires`.
pub(super) fn sign(key: &[u8; 32], tenant: &str, scope: &str, expires: Timestamp) -> String {
    let mut nonce = [0u8; 16];
    getrandom::fill(&mut nonce).expect("the OS random source is available");
    let head = format!("{}.{}", expires.as_second(), hex::encode(nonce));
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(format!("{tenant}\n{scope}\n{head}").as_bytes());
    format!("{head}.{}", hex::encode(mac.finalize().into_bytes()))
}

/// The expiry of a token signed for `scope` of `tenant` under `key`, or
/// `None` if it was not (forged, changed, or made for something else).
pub(super) fn check(key: &[u8; 32], tenant: &str, scope: &str, token: &str) -> Option<Timestamp> {
    let (head, signature) = token.rsplit_once('.')?;
    let (expires, _nonce) = head.split_once('.')?;
    let signature = hex::decode(signature).ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(key).ok()?;
    mac.update(format!("{tenant}\n{scope}\n{head}").as_bytes());
    mac.verify_slice(&signature).ok()?;
    Timestamp::from_second(expires.parse().ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7; 32];

    #[test]
    fn a_token_checks_only_for_its_tenant_scope_and_key() {
        let expires = Timestamp::from_second(1_900_000_000).unwrap();
        let token = sign(&KEY, "acme", "req_1/export.json", expires);
        assert_eq!(
            check(&KEY, "acme", "req_1/export.json", &token),
            Some(expires)
        );
        assert_eq!(check(&KEY, "globex", "req_1/export.json", &token), None);
        assert_eq!(check(&KEY, "acme", "req_1/export.csv", &token), None);
        assert_eq!(check(&KEY, "acme", "req_1", &token), None);
        assert_eq!(check(&[8; 32], "acme", "req_1/export.json", &token), None);
    }

    #[test]
    fn a_changed_token_does_not_check() {
        let expires = Timestamp::from_second(1_900_000_000).unwrap();
        let token = sign(&KEY, "acme", "req_1", expires);
        let later = token.replacen("1900000000", "1900000001", 1);
        assert_eq!(check(&KEY, "acme", "req_1", &later), None);
        for cut in [0, 1, token.len() / 2, token.len() - 1] {
            assert_eq!(check(&KEY, "acme", "req_1", &token[..cut]), None);
        }
        assert_eq!(check(&KEY, "acme", "req_1", "a.b.c"), None);
    }

    #[test]
    fn two_tokens_for_the_same_link_differ() {
        let expires = Timestamp::from_second(1_900_000_000).unwrap();
        assert_ne!(
            sign(&KEY, "acme", "req_1", expires),
            sign(&KEY, "acme", "req_1", expires)
        );
    }
}
