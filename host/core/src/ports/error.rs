//! The one error type of every port.

/// Why a port operation did not do what was asked.
///
/// Messages name keys and operations, never record values: a key can hold a
/// tenant's customer id, so adapters put only the *kind* of thing in the
/// message (`"item store: condition failed"`), and the engine adds context
/// it knows is free of personal data.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PortError {
    /// A conditional write found the record (or object) not as expected:
    /// another writer got there first, or it was already done.
    #[error("the {what} changed since it was read (condition failed)")]
    ConditionFailed {
        /// What was being written: "record", "object", "message".
        what: &'static str,
    },
    /// The named thing does not exist.
    #[error("{what} not found")]
    NotFound {
        /// What was looked for: "object", "message".
        what: &'static str,
    },
    /// The request itself was invalid (too large, a bad key, a bad cursor).
    #[error("invalid request to the {port}: {reason}")]
    Invalid {
        /// Which port refused.
        port: &'static str,
        /// Why, without record values.
        reason: String,
    },
    /// The backend failed (I/O, network, throttling after retries). Worth
    /// retrying later; the operation may or may not have happened, so the
    /// caller relies on conditions to find out.
    #[error("{port} unavailable: {reason}")]
    Unavailable {
        /// Which port failed.
        port: &'static str,
        /// The backend's own explanation (free of record values).
        reason: String,
    },
}

impl PortError {
    /// Shorthand for [`PortError::Unavailable`].
    pub fn unavailable(port: &'static str, reason: impl std::fmt::Display) -> Self {
        PortError::Unavailable {
            port,
            reason: reason.to_string(),
        }
    }

    /// Shorthand for [`PortError::Invalid`].
    pub fn invalid(port: &'static str, reason: impl std::fmt::Display) -> Self {
        PortError::Invalid {
            port,
            reason: reason.to_string(),
        }
    }

    /// Whether this is [`PortError::ConditionFailed`].
    pub fn is_condition_failed(&self) -> bool {
        matches!(self, PortError::ConditionFailed { .. })
    }
}
