//! [`Mailbox`]: outgoing e-mail as `.eml` files in a directory.
//!
//! Each message is one RFC 5322 file, named
//! `{UTC time}-{sequence}-{random}.eml` so that a directory listing is in
//! sending order; it is written to a hidden partial file and renamed, so a
//! reader never sees half a message. Open them with any mail client, or
//! read them back with [`Mailbox::messages`].

mod base64;
mod eml;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use jiff::tz::TimeZone;
use lethe_core::ports::{Clock, Notification, NotificationKind, Notifier, PortError, SystemClock};

use crate::error::LocalError;

const PORT: &str = "notifier";

/// The `From:` of messages unless [`Mailbox::with_sender`] says otherwise.
pub const DEFAULT_SENDER: &str = "Lethe <no-reply@lethe.localhost>";

/// A notifier that writes each message as an `.eml` file.
pub struct Mailbox {
    dir: PathBuf,
    sender: String,
    clock: Arc<dyn Clock>,
    sequence: AtomicU64,
}

impl std::fmt::Debug for Mailbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailbox")
            .field("dir", &self.dir)
            .field("sender", &self.sender)
            .finish_non_exhaustive()
    }
}

/// One message read back from the mailbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredMessage {
    /// The `.eml` file.
    pub path: PathBuf,
    /// The `From:` header.
    pub from: String,
    /// The `To:` header.
    pub to: String,
    /// The `Subject:` header, decoded.
    pub subject: String,
    /// The `Date:` header (RFC 5322 form).
    pub date: String,
    /// The `Message-ID:` header.
    pub message_id: String,
    /// The `X-Lethe-Kind:` header, if it names a known kind.
    pub kind: Option<NotificationKind>,
    /// The plain-text body, decoded, with `\n` line ends.
    pub body: String,
}

impl Mailbox {
    /// A mailbox writing into `dir` (created if missing), dating messages by
    /// the system clock and sending from [`DEFAULT_SENDER`].
    ///
    /// # Errors
    /// [`LocalError::Directory`] if `dir` cannot be created.
    pub fn new(dir: &Path) -> Result<Mailbox, LocalError> {
        std::fs::create_dir_all(dir).map_err(|source| LocalError::Directory {
            path: dir.to_path_buf(),
            source,
        })?;
        Ok(Mailbox {
            dir: dir.to_path_buf(),
            sender: DEFAULT_SENDER.to_owned(),
            clock: Arc::new(SystemClock),
            sequence: AtomicU64::new(0),
        })
    }

    /// The same mailbox sending from `sender` (a `From:` value such as
    /// `Acme Privacy <privacy@acme.example>`).
    #[must_use]
    pub fn with_sender(mut self, sender: impl Into<String>) -> Self {
        self.sender = sender.into();
        self
    }

    /// The same mailbox dating messages (and naming files) by `clock`.
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The directory the messages are written to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every message in the mailbox, oldest first. Files that are not
    /// readable messages are skipped.
    pub fn messages(&self) -> Vec<StoredMessage> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut paths: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        paths.sort();
        paths.into_iter().filter_map(read_message).collect()
    }

    fn write(&self, n: &Notification) -> Result<PathBuf, PortError> {
        eml::check(n)?;
        let now = self.clock.now();
        let date = jiff::fmt::rfc2822::to_string(&now.to_zoned(TimeZone::UTC))
            .map_err(|e| PortError::unavailable(PORT, format!("cannot format the date: {e}")))?;
        let message_id = format!("<{}@lethe.localhost>", uuid::Uuid::now_v7());
        let text = eml::render(&eml::Parts {
            from: &self.sender,
            date: &date,
            message_id: &message_id,
            notification: n,
        });
        let seq = self.sequence.fetch_add(1, Ordering::Relaxed);
        let mut suffix = [0u8; 4];
        getrandom::fill(&mut suffix)
            .map_err(|e| PortError::unavailable(PORT, format!("no randomness: {e}")))?;
        let stamp = now.strftime("%Y%m%dT%H%M%S%.6fZ");
        let name = format!("{stamp}-{seq:06}-{}.eml", hex::encode(suffix));
        let path = self.dir.join(&name);
        let partial = self.dir.join(format!(".{name}.part"));
        let io =
            |e: std::io::Error| PortError::unavailable(PORT, format!("file system: {}", e.kind()));
        std::fs::write(&partial, text.as_bytes()).map_err(io)?;
        std::fs::rename(&partial, &path).map_err(io)?;
        Ok(path)
    }
}

fn read_message(path: PathBuf) -> Option<StoredMessage> {
    let text = std::fs::read_to_string(&path).ok()?;
    let (headers, body) = eml::parse(&text)?;
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    Some(StoredMessage {
        from: header("From"),
        to: header("To"),
        subject: header("Subject"),
        date: header("Date"),
        message_id: header("Message-ID"),
        kind: eml::parse_kind(&header("X-Lethe-Kind")),
        body,
        path,
    })
}

#[async_trait]
impl Notifier for Mailbox {
    async fn send(&self, notification: &Notification) -> Result<(), PortError> {
        self.write(notification).map(|_| ())
    }
}
