//! [`SesMailer`]: the `Notifier` port on SESv2.
//!
//! | port call | SESv2 call | how |
//! |-----------|------------|-----|
//! | `send` | `SendEmail` | simple content (UTF-8 subject and text body) from the configured, verified sender, tagged `kind=<notification kind>` so SES metrics split by kind; an optional configuration set |
//!
//! A message SES refuses (an unverified sender or recipient in the
//! sandbox, a suppressed address: `MessageRejected`,
//! `MailFromDomainNotVerifiedException`, `BadRequestException`) is
//! `PortError::Invalid`; throttling and sending pauses
//! (`TooManyRequestsException`, `SendingPausedException`,
//! `LimitExceededException`), after the SDK's retries, are
//! `PortError::Unavailable`. Addresses and contents never appear in errors.

use async_trait::async_trait;
use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message, MessageTag};
use lethe_core::ports::{Notification, NotificationKind, Notifier, PortError};

use crate::error::{failure, unavailable};

const PORT: &str = "notifier";

/// The `Notifier` port on SESv2, sending from one verified address.
#[derive(Clone)]
pub struct SesMailer {
    client: Client,
    from: String,
    configuration_set: Option<String>,
}

impl std::fmt::Debug for SesMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SesMailer")
            .field("configuration_set", &self.configuration_set)
            .finish_non_exhaustive()
    }
}

/// The tag value of a kind (SES tags allow `[A-Za-z0-9_-]`).
fn kind_tag(kind: NotificationKind) -> &'static str {
    match kind {
        NotificationKind::Verification => "verification",
        NotificationKind::Acknowledgement => "acknowledgement",
        NotificationKind::RequestCompleted => "request-completed",
        NotificationKind::DeadlineReminder => "deadline-reminder",
        NotificationKind::JobCompleted => "job-completed",
    }
}

fn utf8(text: &str) -> Result<Content, PortError> {
    Content::builder()
        .data(text)
        .charset("UTF-8")
        .build()
        .map_err(|_| PortError::invalid(PORT, "the message could not be built"))
}

impl SesMailer {
    /// The adapter sending from `from` (an identity verified in SES).
    pub fn new(client: Client, from: impl Into<String>) -> SesMailer {
        SesMailer {
            client,
            from: from.into(),
            configuration_set: None,
        }
    }

    /// Sends through this SES configuration set (event destinations,
    /// suppression settings).
    #[must_use]
    pub fn with_configuration_set(mut self, name: impl Into<String>) -> SesMailer {
        self.configuration_set = Some(name.into());
        self
    }
}

#[async_trait]
impl Notifier for SesMailer {
    async fn send(&self, notification: &Notification) -> Result<(), PortError> {
        let message = Message::builder()
            .subject(utf8(&notification.subject)?)
            .body(Body::builder().text(utf8(&notification.body)?).build())
            .build();
        let tag = MessageTag::builder()
            .name("kind")
            .value(kind_tag(notification.kind))
            .build()
            .map_err(|_| PortError::invalid(PORT, "the message could not be built"))?;
        let out = self
            .client
            .send_email()
            .from_email_address(&self.from)
            .destination(
                Destination::builder()
                    .to_addresses(&notification.to)
                    .build(),
            )
            .content(EmailContent::builder().simple(message).build())
            .email_tags(tag)
            .set_configuration_set_name(self.configuration_set.clone())
            .send()
            .await;
        match out {
            Ok(_) => Ok(()),
            Err(e) => {
                let f = failure(&e);
                let refused = e.as_service_error().is_some_and(|se| {
                    se.is_message_rejected()
                        || se.is_mail_from_domain_not_verified_exception()
                        || se.is_bad_request_exception()
                        || se.is_account_suspended_exception()
                });
                if refused {
                    Err(PortError::invalid(
                        PORT,
                        format!("SES refused the message ({})", f.detail),
                    ))
                } else {
                    Err(unavailable(PORT, "SendEmail", &f))
                }
            }
        }
    }
}

/// Verifies `address` as a sending identity (`CreateEmailIdentity`); an
/// identity that already exists is fine. On real SES this starts the
/// verification e-mail; emulators accept it at once.
///
/// # Errors
/// [`AwsError`](crate::AwsError) if the call fails.
pub async fn create_email_identity(client: &Client, address: &str) -> Result<(), crate::AwsError> {
    let out = client
        .create_email_identity()
        .email_identity(address)
        .send()
        .await;
    match out {
        Ok(_) => Ok(()),
        Err(e)
            if e.as_service_error()
                .is_some_and(|se| se.is_already_exists_exception()) =>
        {
            Ok(())
        }
        Err(e) => Err(crate::error::setup("SESv2 CreateEmailIdentity", &e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_tags_are_valid_ses_tag_values() {
        for kind in [
            NotificationKind::Verification,
            NotificationKind::Acknowledgement,
            NotificationKind::RequestCompleted,
            NotificationKind::DeadlineReminder,
            NotificationKind::JobCompleted,
        ] {
            let tag = kind_tag(kind);
            assert!(
                tag.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            );
            // The same spelling as the kind's serde name.
            assert_eq!(serde_json::to_value(kind).expect("serialises"), tag);
        }
    }
}
