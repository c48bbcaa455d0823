//! Cases for `Notifier`.

use lethe_core::ports::{Notification, NotificationKind};

use crate::Backend;
use crate::support::unique;

/// A message of every kind is accepted.
pub async fn send_every_kind(b: &Backend) {
    let run = unique("notify");
    for kind in [
        NotificationKind::Verification,
        NotificationKind::Acknowledgement,
        NotificationKind::RequestCompleted,
        NotificationKind::DeadlineReminder,
        NotificationKind::JobCompleted,
    ] {
        let n = Notification {
            kind,
            to: "subject@example.com".to_owned(),
            subject: format!("Conformance {run}: {kind:?}"),
            body: format!("Hello,\n\nthis is {kind:?} of run {run}.\n\nGrüße, Lethe\n"),
        };
        b.notifier
            .send(&n)
            .await
            .unwrap_or_else(|e| panic!("send {kind:?}: {e}"));
    }
}
