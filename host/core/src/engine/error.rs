//! The engine's errors: each says what was wrong and what to do, and none
//! contains personal data.

use crate::ports::PortError;

/// Why an engine operation did not happen.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The named thing does not exist (for this tenant).
    #[error("{what} not found")]
    NotFound {
        /// What: "tenant", "request", "job", "item".
        what: &'static str,
    },
    /// The input was invalid; the message says how to fix it.
    #[error("{0}")]
    Invalid(String),
    /// The action does not apply in the current state.
    #[error("cannot {action} a {what} that is {state}")]
    InvalidTransition {
        /// "request" or "job".
        what: &'static str,
        /// What was attempted.
        action: &'static str,
        /// The current state.
        state: &'static str,
    },
    /// The verification link is not valid (wrong, used or expired).
    #[error("this verification link is {0}; ask for a new request if you still want it")]
    Link(&'static str),
    /// Ingest refused data about an erased subject.
    #[error(
        "refused: this data concerns a subject who was erased (suppression); \
         stop sending it, or set suppression to \"strip\" to store it without personal data"
    )]
    Suppressed,
    /// A record could not be decoded (a bug or tampering, not user input).
    #[error("a stored {what} could not be read: {reason}")]
    Corrupt {
        /// What kind of record.
        what: &'static str,
        /// The decoder's explanation.
        reason: String,
    },
    /// A plugin failed.
    #[error("plugin failed: {0}")]
    Plugin(String),
    /// Another writer kept changing the same record; try again.
    #[error("the {0} was changed concurrently too many times; try again")]
    Contention(&'static str),
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

impl EngineError {
    /// Whether retrying later may succeed (ports unavailable, contention).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            EngineError::Contention(_) | EngineError::Port(PortError::Unavailable { .. })
        )
    }
}
