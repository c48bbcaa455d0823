//! The notifier: the e-mails Lethe sends.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::PortError;

/// Why a message is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NotificationKind {
    /// To a data subject: confirm your erasure request through this link.
    Verification,
    /// To a data subject: your access request was received (30 days).
    Acknowledgement,
    /// To a data subject: your request is done (with a download link for an
    /// access export).
    RequestCompleted,
    /// To the tenant's operators: a request is near its deadline.
    DeadlineReminder,
    /// To the tenant's operators: a redaction job finished.
    JobCompleted,
}

/// One outgoing message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    /// Why it is sent.
    pub kind: NotificationKind,
    /// The recipient's address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
}

/// Sends e-mail (SESv2 on AWS, `.eml` files in a mailbox directory locally).
#[async_trait]
pub trait Notifier: Send + Sync {
    /// Sends one message.
    async fn send(&self, notification: &Notification) -> Result<(), PortError>;
}
