//! The mailbox's `.eml` files: headers, encoding, names and refusals.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use lethe_core::ports::{ManualClock, Notification, NotificationKind, Notifier, PortError};
use lethe_local::{DEFAULT_SENDER, Mailbox};

fn note(kind: NotificationKind, subject: &str, body: &str) -> Notification {
    Notification {
        kind,
        to: "ada@example.com".into(),
        subject: subject.into(),
        body: body.into(),
    }
}

fn mailbox(dir: &std::path::Path, clock: Arc<ManualClock>) -> Mailbox {
    Mailbox::new(dir).expect("mailbox").with_clock(clock)
}

#[tokio::test]
async fn messages_are_rfc_5322_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(ManualClock::new(
        "2025-06-01T12:30:05Z".parse::<Timestamp>().expect("time"),
    ));
    let mb = mailbox(dir.path(), clock).with_sender("Acme Privacy <privacy@acme.example>");
    mb.send(&note(
        NotificationKind::Verification,
        "Confirm your request",
        "Hello,\nclick the link.\n",
    ))
    .await
    .expect("send");
    let messages = mb.messages();
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    let raw = std::fs::read_to_string(&m.path).expect("read");
    let (head, body) = raw.split_once("\r\n\r\n").expect("a header block");
    for line in [
        "From: Acme Privacy <privacy@acme.example>",
        "To: ada@example.com",
        "Subject: Confirm your request",
        "Date: Sun, 1 Jun 2025 12:30:05 +0000",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "X-Lethe-Kind: verification",
    ] {
        assert!(
            head.split("\r\n").any(|l| l == line),
            "missing {line:?} in\n{head}"
        );
    }
    assert!(
        head.split("\r\n")
            .any(|l| l.starts_with("Message-ID: <") && l.ends_with(">"))
    );
    assert!(
        !raw.replace("\r\n", "").contains('\n'),
        "every line ends in CRLF"
    );
    assert_eq!(body, "Hello,\r\nclick the link.\r\n\r\n");
    assert_eq!(m.body, "Hello,\nclick the link.\n");
    assert_eq!(m.kind, Some(NotificationKind::Verification));
    assert_eq!(m.subject, "Confirm your request");
    assert_eq!(m.from, "Acme Privacy <privacy@acme.example>");
    let name = m
        .path
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    assert!(
        name.starts_with("20250601T123005.000000Z-") && name.ends_with(".eml"),
        "{name}"
    );
}

#[tokio::test]
async fn files_sort_in_sending_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(ManualClock::new(
        Timestamp::from_second(1_750_000_000).expect("valid"),
    ));
    let mb = mailbox(dir.path(), clock.clone());
    for i in 0..12 {
        if i % 4 == 0 {
            clock.advance(SignedDuration::from_millis(1500));
        }
        mb.send(&note(
            NotificationKind::JobCompleted,
            &format!("job {i}"),
            "done",
        ))
        .await
        .expect("send");
    }
    let subjects: Vec<String> = mb.messages().into_iter().map(|m| m.subject).collect();
    let want: Vec<String> = (0..12).map(|i| format!("job {i}")).collect();
    assert_eq!(subjects, want);
    assert_eq!(mb.messages()[0].from, DEFAULT_SENDER);
}

#[tokio::test]
async fn non_ascii_subjects_and_long_lines_are_encoded() {
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(ManualClock::new(
        Timestamp::from_second(1_750_000_000).expect("valid"),
    ));
    let mb = mailbox(dir.path(), clock);
    let subject = "Ihre Anfrage ist abgeschlossen – Grüße aus Malmö, 東京 ".repeat(3);
    let long_body = format!("Download: https://example.com/{}\nBye\n", "x".repeat(2000));
    mb.send(&note(
        NotificationKind::RequestCompleted,
        &subject,
        &long_body,
    ))
    .await
    .expect("send");
    let m = &mb.messages()[0];
    assert_eq!(m.subject, subject);
    assert_eq!(m.body, long_body);
    let raw = std::fs::read_to_string(&m.path).expect("read");
    assert!(raw.is_ascii(), "headers and body are 7-bit when encoded");
    assert!(
        raw.split("\r\n").all(|l| l.len() <= 998),
        "no over-long line"
    );
    assert!(raw.contains("Subject: =?utf-8?B?"));
    assert!(raw.contains("Content-Transfer-Encoding: base64"));
}

#[tokio::test]
async fn header_injection_and_bad_addresses_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(ManualClock::new(
        Timestamp::from_second(1_750_000_000).expect("valid"),
    ));
    let mb = mailbox(dir.path(), clock);
    let mut evil = note(
        NotificationKind::Verification,
        "Hi\r\nBcc: all@example.com",
        "x",
    );
    assert!(matches!(
        mb.send(&evil).await,
        Err(PortError::Invalid { .. })
    ));
    evil.subject = "Hi".into();
    for to in [
        "ada@example.com\r\nBcc: x@y",
        "",
        "no-at-sign",
        "a@b@c",
        "Ada <ada@example.com>",
        "a b@c",
    ] {
        evil.to = to.into();
        assert!(
            matches!(mb.send(&evil).await, Err(PortError::Invalid { .. })),
            "{to:?} accepted"
        );
    }
    assert!(mb.messages().is_empty());
}
