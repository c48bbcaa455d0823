//! The categories of personal data, as named by the `lethe:plugin` contract.

use core::fmt;
use core::str::FromStr;

/// What kind of personal data an attribute, or a span of text, holds.
///
/// The same twelve names as the WIT enum `lethe:plugin/types.category`; the
/// host and the guest SDK convert between the two with exhaustive matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// A person's name, or part of it.
    Name,
    /// An e-mail address.
    Email,
    /// A telephone number.
    Phone,
    /// A postal or street address, or part of it.
    Address,
    /// A national identity number (US SSN, Swedish personnummer, ...).
    NationalId,
    /// A payment card number, bank account or IBAN.
    Payment,
    /// An IPv4 or IPv6 address.
    Ip,
    /// A date of birth.
    DateOfBirth,
    /// Free text that may contain any of the above.
    FreeText,
    /// An identifier that points at the person (customer id, login).
    Identifier,
    /// Personal data of another kind.
    OtherPii,
    /// Not personal data.
    None,
}

impl Category {
    /// Every category, in contract order.
    pub const ALL: [Category; 12] = [
        Category::Name,
        Category::Email,
        Category::Phone,
        Category::Address,
        Category::NationalId,
        Category::Payment,
        Category::Ip,
        Category::DateOfBirth,
        Category::FreeText,
        Category::Identifier,
        Category::OtherPii,
        Category::None,
    ];

    /// The contract's kebab-case name (`national-id`, `other-pii`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            Category::Name => "name",
            Category::Email => "email",
            Category::Phone => "phone",
            Category::Address => "address",
            Category::NationalId => "national-id",
            Category::Payment => "payment",
            Category::Ip => "ip",
            Category::DateOfBirth => "date-of-birth",
            Category::FreeText => "free-text",
            Category::Identifier => "identifier",
            Category::OtherPii => "other-pii",
            Category::None => "none",
        }
    }

    /// Whether values of this category are personal data (all but `none`).
    pub const fn is_pii(self) -> bool {
        !matches!(self, Category::None)
    }

    /// The placeholder token that replaces a span of this category in
    /// scrubbed text: `[EMAIL]`, `[NATIONAL-ID]`, ...
    pub const fn token(self) -> &'static str {
        match self {
            Category::Name => "[NAME]",
            Category::Email => "[EMAIL]",
            Category::Phone => "[PHONE]",
            Category::Address => "[ADDRESS]",
            Category::NationalId => "[NATIONAL-ID]",
            Category::Payment => "[PAYMENT]",
            Category::Ip => "[IP]",
            Category::DateOfBirth => "[DATE-OF-BIRTH]",
            Category::FreeText => "[TEXT]",
            Category::Identifier => "[ID]",
            Category::OtherPii => "[PII]",
            Category::None => "",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing an unknown category name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownCategory;

impl fmt::Display for UnknownCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unknown category; expected one of name, email, phone, address, national-id, payment, ip, date-of-birth, free-text, identifier, other-pii, none")
    }
}

impl std::error::Error for UnknownCategory {}

impl FromStr for Category {
    type Err = UnknownCategory;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or(UnknownCategory)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in Category::ALL {
            assert_eq!(c.as_str().parse::<Category>(), Ok(c));
        }
        assert!("nope".parse::<Category>().is_err());
    }
}
