//! Identifier hashes: how Lethe finds a subject by e-mail or phone, spots
//! duplicates, and remembers erased subjects, without storing plaintext.
//!
//! Every identifier is normalized ([`normalize_identifier`]) and hashed with
//! HMAC-SHA256 under the tenant's lookup key ([`identifier_hash`]). The same
//! value always gives the same hash within a tenant, and nothing without the
//! key can test a guess against it. Lookup entries in the data table and
//! suppression entries in the control table hold only these hashes.
//!
//! A [`SubjectRef`] is the short, keyed name of a customer for records that
//! must point at one without naming it (failures, audit events).

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::Category;

/// Which kind of identifier a hash is of. Part of the hash input, so an
/// e-mail and a name with the same text never collide.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdentifierKind {
    /// The tenant's customer id.
    CustomerId,
    /// An e-mail address.
    Email,
    /// A phone number.
    Phone,
    /// A person's name.
    Name,
    /// An IP address (log items).
    Ip,
}

impl IdentifierKind {
    /// The identifier kind of a category, for the categories that are
    /// looked up.
    pub fn of(category: Category) -> Option<Self> {
        match category {
            Category::Email => Some(IdentifierKind::Email),
            Category::Phone => Some(IdentifierKind::Phone),
            Category::Name => Some(IdentifierKind::Name),
            Category::Ip => Some(IdentifierKind::Ip),
            _ => None,
        }
    }

    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            IdentifierKind::CustomerId => "customer-id",
            IdentifierKind::Email => "email",
            IdentifierKind::Phone => "phone",
            IdentifierKind::Name => "name",
            IdentifierKind::Ip => "ip",
        }
    }
}

/// The normal form of an identifier: e-mails lowercased; phones reduced to
/// their last nine digits (so `+46 70-123 45 67` and `0701234567` agree, as
/// do `+1 212 555 0100` and `(212) 555-0100`); names lowercased with spaces
/// collapsed; IPs in their canonical form (`2001:DB8::1` is `2001:db8::1`);
/// customer ids trimmed.
pub fn normalize_identifier(kind: IdentifierKind, value: &str) -> String {
    let value = value.trim();
    match kind {
        IdentifierKind::Email => value.to_lowercase(),
        IdentifierKind::Phone => {
            let digits: Vec<char> = value.chars().filter(char::is_ascii_digit).collect();
            let from = digits.len().saturating_sub(9);
            digits[from..].iter().collect()
        }
        IdentifierKind::Name => value
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase(),
        IdentifierKind::Ip => value
            .parse::<std::net::IpAddr>()
            .map_or_else(|_| value.to_lowercase(), |ip| ip.to_string()),
        IdentifierKind::CustomerId => value.to_string(),
    }
}

/// The keyed hash of an identifier, 64 hex digits.
pub fn identifier_hash(key: &[u8; 32], kind: IdentifierKind, value: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(kind.as_str().as_bytes());
    mac.update(&[0]);
    mac.update(normalize_identifier(kind, value).as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// A customer's keyed short name, `sub_` and 16 hex digits: safe in job
/// records, audit events and logs.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SubjectRef(pub String);

impl SubjectRef {
    /// The reference of customer `customer_id` under the tenant's lookup key.
    pub fn of(key: &[u8; 32], customer_id: &str) -> Self {
        let hash = identifier_hash(key, IdentifierKind::CustomerId, customer_id);
        SubjectRef(format!("sub_{}", &hash[..16]))
    }
}

impl std::fmt::Display for SubjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [3; 32];

    #[test]
    fn equal_identifiers_in_other_formats_hash_alike() {
        let h = |k, v| identifier_hash(&KEY, k, v);
        assert_eq!(
            h(IdentifierKind::Email, "John.Smith@Example.com "),
            h(IdentifierKind::Email, "john.smith@example.com")
        );
        assert_eq!(
            h(IdentifierKind::Phone, "+46 70-123 45 67"),
            h(IdentifierKind::Phone, "0701234567")
        );
        assert_eq!(
            h(IdentifierKind::Phone, "+1 (212) 555-0100"),
            h(IdentifierKind::Phone, "212.555.0100")
        );
        assert_ne!(
            h(IdentifierKind::Name, "ada"),
            h(IdentifierKind::CustomerId, "ada")
        );
        assert_ne!(
            identifier_hash(&[4; 32], IdentifierKind::Email, "a@b.se"),
            h(IdentifierKind::Email, "a@b.se")
        );
    }

    #[test]
    fn subject_refs_are_short_and_opaque() {
        let r = SubjectRef::of(&KEY, "ada@example.com");
        assert!(r.0.starts_with("sub_") && r.0.len() == 20);
        assert!(!r.0.contains("ada"));
    }
}
