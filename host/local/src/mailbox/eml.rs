//! Writing and reading the RFC 5322 messages of the mailbox.

use lethe_core::ports::{Notification, NotificationKind, PortError};

use super::base64;

/// The parts of a message the mailbox writes.
pub(crate) struct Parts<'a> {
    pub(crate) from: &'a str,
    pub(crate) date: &'a str,
    pub(crate) message_id: &'a str,
    pub(crate) notification: &'a Notification,
}

/// The kind's name in the `X-Lethe-Kind` header (`request-completed`).
pub(crate) fn kind_name(kind: NotificationKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The kind a `X-Lethe-Kind` header names.
pub(crate) fn parse_kind(name: &str) -> Option<NotificationKind> {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
}

/// Refuses what would break the header block (header injection) or is not
/// an address.
pub(crate) fn check(n: &Notification) -> Result<(), PortError> {
    let bad = |why: &str| Err(PortError::invalid("notifier", why.to_owned()));
    if n.subject.chars().any(char::is_control) {
        return bad("the subject contains a control character");
    }
    let to = n.to.as_str();
    if to.is_empty()
        || to.len() > 254
        || to.matches('@').count() != 1
        || to.starts_with('@')
        || to.ends_with('@')
        || to.chars().any(|c| {
            c.is_control() || c.is_whitespace() || matches!(c, '<' | '>' | ',' | ';' | '"')
        })
    {
        return bad("the recipient is not an e-mail address");
    }
    Ok(())
}

/// `text` as a header value: as is if printable ASCII, else as RFC 2047
/// encoded words (UTF-8, base64), folded so no line is too long.
fn header_text(text: &str) -> String {
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) && !text.contains("=?") {
        return text.to_owned();
    }
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in text.chars() {
        if chunk.len() + c.len_utf8() > 45 {
            words.push(format!("=?utf-8?B?{}?=", base64::encode(chunk.as_bytes())));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(format!("=?utf-8?B?{}?=", base64::encode(chunk.as_bytes())));
    }
    words.join("\r\n ")
}

/// Decodes the encoded words of a header value (as [`header_text`] writes
/// them); other text is kept.
fn decode_header(value: &str) -> String {
    let mut out = String::new();
    let mut last_was_word = false;
    for (i, token) in value.split(' ').enumerate() {
        let word = token
            .strip_prefix("=?utf-8?B?")
            .or_else(|| token.strip_prefix("=?UTF-8?B?"))
            .and_then(|t| t.strip_suffix("?="))
            .and_then(base64::decode)
            .and_then(|b| String::from_utf8(b).ok());
        match word {
            Some(w) => {
                if i > 0 && !last_was_word {
                    out.push(' ');
                }
                out.push_str(&w);
                last_was_word = true;
            }
            None => {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(token);
                last_was_word = false;
            }
        }
    }
    out
}

/// The whole message, CRLF line ends.
pub(crate) fn render(p: &Parts<'_>) -> String {
    let n = p.notification;
    let body = n.body.replace("\r\n", "\n");
    let long_lines = body.lines().any(|l| l.len() > 998);
    let (encoding, body) = if long_lines {
        let encoded = base64::encode(body.as_bytes());
        let lines: Vec<&str> = encoded
            .as_bytes()
            .chunks(76)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect();
        ("base64", lines.join("\r\n"))
    } else {
        let enc = if body.is_ascii() { "7bit" } else { "8bit" };
        (enc, body.replace('\n', "\r\n"))
    };
    let headers = [
        ("From", p.from.to_owned()),
        ("To", n.to.clone()),
        ("Subject", header_text(&n.subject)),
        ("Date", p.date.to_owned()),
        ("Message-ID", p.message_id.to_owned()),
        ("MIME-Version", "1.0".to_owned()),
        ("Content-Type", "text/plain; charset=utf-8".to_owned()),
        ("Content-Transfer-Encoding", encoding.to_owned()),
        ("X-Lethe-Kind", kind_name(n.kind)),
    ];
    let mut out = String::new();
    for (name, value) in headers {
        out.push_str(name);
        out.push_str(": ");
        out.push_str(&value);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    out.push_str(&body);
    out.push_str("\r\n");
    out
}

/// A message split into unfolded, decoded headers and its decoded body
/// (LF line ends). `None` if it has no header block.
pub(crate) fn parse(text: &str) -> Option<(Vec<(String, String)>, String)> {
    let (head, body) = text.split_once("\r\n\r\n")?;
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(line.trim_start());
            }
            continue;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.to_owned(), value.trim_start().to_owned()));
    }
    for (_, value) in &mut headers {
        *value = decode_header(value);
    }
    let encoding = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("Content-Transfer-Encoding"))
        .map(|(_, v)| v.to_ascii_lowercase());
    let body = if encoding.as_deref() == Some("base64") {
        String::from_utf8(base64::decode(body)?).ok()?
    } else {
        body.strip_suffix("\r\n")
            .unwrap_or(body)
            .replace("\r\n", "\n")
    };
    Some((headers, body))
}
