//! The audit trail: one hash chain of events per tenant, and signed erasure
//! certificates that pin a point of it.
//!
//! # The chain
//!
//! Every event a tenant's data goes through (a request received, an erasure
//! done, a setting changed) is an [`AuditEvent`] with a sequence number,
//! 1, 2, 3, … without gaps. Each event carries the hash of the one before it
//! (`prev_hash`; the first carries [`GENESIS`]) and its own hash, SHA-256
//! over an unambiguous encoding of all its other fields ([`event_hash`]).
//! Changing, removing or reordering any stored event therefore breaks a link
//! that [`verify`] finds and names by sequence number.
//!
//! The hash has no key: it proves *consistency*, not *authorship*. Someone
//! able to rewrite the store could recompute a whole forged chain. What pins
//! the chain against that is a [`Certificate`]: it records the
//! [`ChainHead`] (sequence number and hash) at the moment it was issued and
//! is signed with a key the store never sees, so a rewritten past no longer
//! matches the certificates issued over it ([`verify_certificate`]).
//!
//! # Storage
//!
//! Events live in the *control* table, under
//! [`keys::audit_event`](crate::keys::audit_event) (`T#{tenant}#AUDIT`,
//! sort key = the sequence number in 12 digits), their JSON as the record
//! body. A separate head record ([`keys::audit_head`](crate::keys::audit_head))
//! holds the latest [`ChainHead`] so an append need not scan the chain.
//!
//! # Appending, concurrently and across crashes
//!
//! [`append`] never takes a lock. It reads the head (record version `v`),
//! writes event `seq + 1` under [`Condition::Absent`](crate::ports::Condition)
//! and then moves the head under `Condition::Version(v)`. The event write is
//! the commit point: two appenders cannot both create `seq + 1`, and the one
//! that loses finds the event there, moves the head forward over it (a
//! *repair*) and tries again with the next number. A crash between the two
//! writes leaves the head one event behind, which the next append repairs in
//! the same way. So the head may lag the events, but never leads them:
//!
//! - [`head`] reads the head record and follows any events after it;
//! - [`verify`] accepts a head that lags, and reports one that names an
//!   event that is missing or different.
//!
//! # No personal data
//!
//! Events are kept for years and shown to auditors, so an event never holds
//! personal data: actors are operator or system names, targets are request,
//! job or tenant ids, customers are named by their keyed
//! [`SubjectRef`](crate::lookup::SubjectRef), and details hold counts,
//! categories and plugin versions. The callers of [`append`] keep to that;
//! this module's own errors never repeat a record's content.

mod canonical;
mod certificate;
mod chain;
#[cfg(test)]
pub(crate) mod test_store;
#[cfg(test)]
mod tests;

pub use canonical::canonical_json;
pub use certificate::{Certificate, CertificateBody, CertificateScope};
pub use chain::{
    AuditEvent, ChainHead, GENESIS, MAX_APPEND_ATTEMPTS, append, event_hash, head, list, verify,
    verify_certificate,
};

use crate::ports::PortError;

/// Why the audit trail could not be verified.
///
/// No message repeats an event's content: they name sequence numbers.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// The chain does not hold together at event `seq`: its content does not
    /// match its hash, it does not link to the event before it, it is
    /// missing, or the head record names it wrongly. Someone or something
    /// changed the store outside Lethe; restore the audit partition from a
    /// backup and compare.
    #[error(
        "the audit chain is broken at event {seq}: {reason}; the store was changed outside \
         Lethe, so restore the audit records from a backup and compare"
    )]
    Broken {
        /// The sequence number of the first event found wrong.
        seq: u64,
        /// What is wrong with it, without its content.
        reason: String,
    },
    /// A certificate's signature does not match its content under the key:
    /// it was altered, or it was issued under another key.
    #[error(
        "the certificate's signature is not valid: its content was changed after it was \
         issued, or it was signed with another key; ask the issuing tenant for the original"
    )]
    InvalidSignature,
    /// A certificate names chain event `seq`, which exists and is sound, but
    /// with another hash than the certificate records.
    #[error(
        "the certificate names audit event {seq} with a hash the chain does not have there; \
         the certificate does not belong to this chain"
    )]
    HeadMismatch {
        /// The sequence number the certificate names.
        seq: u64,
    },
    /// The store could not be read.
    #[error(transparent)]
    Port(#[from] PortError),
}
