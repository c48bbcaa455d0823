//! What a scan reports: a [`Finding`] is a byte span of the scanned text, the
//! [`Detector`] that recognised it, and a score in `0.0..=1.0`.
//!
//! Detectors are finer than [`Category`]: the host's policy acts on the
//! category (`Detector::category`), while the detector name is kept for
//! audits, tests and tuning. The subject-aware detectors (`Subject*`) are
//! separate variants so that an erasure can tell "an e-mail address" from
//! "this subject's e-mail address".
//!
//! Scores are fixed per detector and form; the bands are documented on
//! [`Finding`].

use crate::Category;

/// One detected span of personal data in a scanned text.
///
/// `start..end` are UTF-8 byte offsets into the scanned `&str`, always on
/// char boundaries, so `&text[f.start..f.end]` never panics.
///
/// # Scores
///
/// Scores are fixed per detector and form, not learned. They order
/// overlapping candidates (the higher score wins) and let the host drop weak
/// ones ([`Scanner::with_min_score`](crate::Scanner::with_min_score), 0.5 by
/// default). The bands are:
///
/// | band      | meaning                                                       |
/// |-----------|---------------------------------------------------------------|
/// | 0.97-0.99 | a value of the subject being processed                        |
/// | 0.85-0.95 | a checksum or a distinctive format (Luhn, mod-97, `+46 …`)     |
/// | 0.70-0.85 | a plausible national format without a checksum                |
/// | 0.60-0.70 | bare digit runs, single name parts: kept, but first to go     |
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Finding {
    /// Byte offset of the first byte of the span.
    pub start: usize,
    /// Byte offset one past the last byte of the span.
    pub end: usize,
    /// Which detector recognised the span.
    pub detector: Detector,
    /// Confidence in `0.0..=1.0`; see [Scores](Finding#scores) for the bands.
    pub score: f32,
}

impl Finding {
    /// The category of personal data the span holds, as the host's policy
    /// names it.
    pub fn category(&self) -> Category {
        self.detector.category()
    }

    /// The span's length in bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// Whether the span is empty (never true for a finding a scan returns).
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// The detector that produced a [`Finding`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Detector {
    /// An e-mail address (`local@domain.tld`).
    Email,
    /// A telephone number, international or in a national format.
    Phone,
    /// A payment card number: issuer prefix, length and Luhn checked.
    PaymentCard,
    /// An IBAN: per-country length and mod-97 checked.
    Iban,
    /// A US Social Security number in a valid range.
    UsSsn,
    /// A Swedish personnummer or samordningsnummer: date and Luhn checked.
    SePersonnummer,
    /// An IPv4 address.
    IpV4,
    /// An IPv6 address.
    IpV6,
    /// A calendar date after a word that calls it a date of birth.
    DateOfBirth,
    /// The subject's name, or part of it, in any case or spelling.
    SubjectName,
    /// The subject's e-mail address, or its local part alone.
    SubjectEmail,
    /// The subject's phone number, in any grouping or prefix form.
    SubjectPhone,
    /// One of the subject's identifiers (customer id, login, ...).
    SubjectId,
}

impl Detector {
    /// Every detector, generic ones first.
    pub const ALL: [Detector; 13] = [
        Detector::Email,
        Detector::Phone,
        Detector::PaymentCard,
        Detector::Iban,
        Detector::UsSsn,
        Detector::SePersonnummer,
        Detector::IpV4,
        Detector::IpV6,
        Detector::DateOfBirth,
        Detector::SubjectName,
        Detector::SubjectEmail,
        Detector::SubjectPhone,
        Detector::SubjectId,
    ];

    /// The category of personal data this detector finds.
    pub const fn category(self) -> Category {
        match self {
            Detector::Email | Detector::SubjectEmail => Category::Email,
            Detector::Phone | Detector::SubjectPhone => Category::Phone,
            Detector::PaymentCard | Detector::Iban => Category::Payment,
            Detector::UsSsn | Detector::SePersonnummer => Category::NationalId,
            Detector::IpV4 | Detector::IpV6 => Category::Ip,
            Detector::DateOfBirth => Category::DateOfBirth,
            Detector::SubjectName => Category::Name,
            Detector::SubjectId => Category::Identifier,
        }
    }

    /// A stable kebab-case name for logs and audits (`payment-card`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            Detector::Email => "email",
            Detector::Phone => "phone",
            Detector::PaymentCard => "payment-card",
            Detector::Iban => "iban",
            Detector::UsSsn => "us-ssn",
            Detector::SePersonnummer => "se-personnummer",
            Detector::IpV4 => "ipv4",
            Detector::IpV6 => "ipv6",
            Detector::DateOfBirth => "date-of-birth",
            Detector::SubjectName => "subject-name",
            Detector::SubjectEmail => "subject-email",
            Detector::SubjectPhone => "subject-phone",
            Detector::SubjectId => "subject-id",
        }
    }
}

impl core::fmt::Display for Detector {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_follow_the_contract() {
        use Category as C;
        use Detector as D;
        let expected = [
            (D::Email, C::Email),
            (D::SubjectEmail, C::Email),
            (D::Phone, C::Phone),
            (D::SubjectPhone, C::Phone),
            (D::PaymentCard, C::Payment),
            (D::Iban, C::Payment),
            (D::UsSsn, C::NationalId),
            (D::SePersonnummer, C::NationalId),
            (D::IpV4, C::Ip),
            (D::IpV6, C::Ip),
            (D::DateOfBirth, C::DateOfBirth),
            (D::SubjectName, C::Name),
            (D::SubjectId, C::Identifier),
        ];
        for (d, c) in expected {
            assert_eq!(d.category(), c, "{d}");
        }
        let f = Finding {
            start: 2,
            end: 5,
            detector: D::Iban,
            score: 0.9,
        };
        assert_eq!(
            (f.category(), f.len(), f.is_empty()),
            (C::Payment, 3, false)
        );
    }

    #[test]
    fn names_are_distinct() {
        for (i, a) in Detector::ALL.iter().enumerate() {
            for b in &Detector::ALL[i + 1..] {
                assert_ne!(a.as_str(), b.as_str());
            }
        }
    }
}
