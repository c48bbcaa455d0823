//! IPv4 and IPv6 addresses, parsed with [`core::net`].
//!
//! **IPv4** ([`v4_at`]): four dot-separated runs of 1-3 digits, no octet
//! with a leading zero (`010.0.0.1` is ambiguous octal in some parsers), then
//! parsed as [`Ipv4Addr`]. A port (`:8080`) or prefix (`/24`) may follow;
//! another `.digit` may not (`1.2.3.4.5`). After `version`/`v`/`build` the
//! dotted quad is taken for a version number. Score 0.85.
//!
//! **IPv6** ([`v6_at`]): found from its first `:`. The scanner reads back
//! over hex digits and colons to the token start and forward over hex
//! digits, colons and dots (embedded IPv4), at most 45 bytes, drops a
//! trailing `.` or single `:`, and parses the token as [`Ipv6Addr`]. Times
//! (`12:30:45`) fail the parse; MAC-like tokens (every group two hex digits,
//! no `::`) and the bare unspecified `::` are rejected. Score 0.85.

use core::net::{Ipv4Addr, Ipv6Addr};

use crate::text::boundary::{self, char_at, char_before, is_word_char};
use crate::text::{context, digit_run_end};
use crate::{Detector, Finding};

/// Score of an address that parsed.
const SCORE: f32 = 0.85;

/// Longest textual IPv6 address (`ffff:…:255.255.255.255`).
const MAX_V6: usize = 45;

/// The IPv4 address starting at byte `start` (a digit whose left side the
/// caller has checked).
pub(crate) fn v4_at(text: &str, start: usize) -> Option<Finding> {
    let b = text.as_bytes();
    let mut i = start;
    for part in 0..4 {
        let j = digit_run_end(b, i);
        if j == i || j - i > 3 || (j - i > 1 && b[i] == b'0') {
            return None;
        }
        i = j;
        if part < 3 {
            if b.get(i) != Some(&b'.') {
                return None;
            }
            i += 1;
        }
    }
    text[start..i].parse::<Ipv4Addr>().ok()?;
    if !boundary::ends_free(text, i, true) || context::version_before(text, start) {
        return None;
    }
    Some(Finding {
        start,
        end: i,
        detector: Detector::IpV4,
        score: SCORE,
    })
}

/// The IPv6 address around the `:` at byte `colon`. Returns the finding, if
/// any, and the offset the main loop may continue from, always past
/// `colon`.
pub(crate) fn v6_at(text: &str, colon: usize) -> (Option<Finding>, usize) {
    let b = text.as_bytes();
    let mut s = colon;
    let floor = colon.saturating_sub(MAX_V6);
    while s > floor && (b[s - 1].is_ascii_hexdigit() || b[s - 1] == b':') {
        s -= 1;
    }
    let glued = char_before(text, s).is_some_and(|c| is_word_char(c) || c == '.' || c == ':');
    if glued {
        return (None, colon + 1);
    }
    let mut e = colon;
    while e < b.len()
        && e - s <= MAX_V6
        && (b[e].is_ascii_hexdigit() || b[e] == b':' || b[e] == b'.')
    {
        e += 1;
    }
    if e - s > MAX_V6 {
        return (None, colon + 1);
    }
    while b[e - 1] == b'.' {
        e -= 1;
    }
    if e - s >= 2 && b[e - 1] == b':' && b[e - 2] != b':' {
        e -= 1;
    }
    if e <= colon {
        // The token ends before this colon (`2f::A:x` seen from its last
        // `:`): it was tried from its first colon already.
        return (None, colon + 1);
    }
    let token = &text[s..e];
    let after_ok = match char_at(text, e) {
        None => true,
        Some(c) if is_word_char(c) => false,
        Some('.' | ':') => !b.get(e + 1).is_some_and(u8::is_ascii_hexdigit),
        Some(_) => true,
    };
    if !after_ok || token == "::" || token.parse::<Ipv6Addr>().is_err() || mac_like(token) {
        return (None, colon + 1);
    }
    let finding = Finding {
        start: s,
        end: e,
        detector: Detector::IpV6,
        score: SCORE,
    };
    (Some(finding), e)
}

/// The end of the unbroken run of hex digits and colons starting at `i`.
///
/// Every colon of such a run reads the same candidate address as the run's
/// first colon (same start, same end), so once [`v6_at`] rejects one colon
/// the scanner may pass over the rest of the run.
pub(crate) fn hex_colon_run_end(b: &[u8], mut i: usize) -> usize {
    while b
        .get(i)
        .is_some_and(|c| c.is_ascii_hexdigit() || *c == b':')
    {
        i += 1;
    }
    i
}

/// Whether an address-like token is rather a MAC (EUI-48/64) address: no
/// `::` and every group exactly two hex digits.
fn mac_like(token: &str) -> bool {
    !token.contains("::") && token.split(':').all(|g| g.len() == 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(s: &str) -> Option<&str> {
        v4_at(s, 0).map(|f| &s[f.start..f.end])
    }

    fn v6(s: &str) -> Option<&str> {
        let colon = s.find(':')?;
        v6_at(s, colon).0.map(|f| &s[f.start..f.end])
    }

    #[test]
    fn ipv4() {
        assert_eq!(v4("192.168.1.1"), Some("192.168.1.1"));
        assert_eq!(v4("10.0.0.1."), Some("10.0.0.1"));
        assert_eq!(v4("10.0.0.1:8080"), Some("10.0.0.1"));
        assert_eq!(v4("10.0.0.0/8"), Some("10.0.0.0"));
        for s in [
            "1.2.3",
            "1.2.3.4.5",
            "256.1.1.1",
            "01.2.3.4",
            "1.2.3.04",
            "1.2.3.4a",
            "1..2.3",
        ] {
            assert_eq!(v4(s), None, "{s}");
        }
        assert_eq!(v4_at("version 1.2.3.4", 8), None);
    }

    #[test]
    fn ipv6() {
        for s in [
            "2001:db8::1",
            "fe80::1ff:fe23:4567:890a",
            "::1",
            "::ffff:192.0.2.128",
            "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
        ] {
            assert_eq!(v6(s), Some(s), "{s}");
        }
        assert_eq!(v6("[2001:db8::1]:443"), Some("2001:db8::1"));
        assert_eq!(v6("at 2001:db8::1."), Some("2001:db8::1"));
        assert_eq!(v6("fe80::1: up"), Some("fe80::1"));
        // Seen from a colon after its end, an address is not found again,
        // and the scan always moves on.
        let t = "2f::A:x";
        assert_eq!(v6_at(t, 2).0.map(|f| f.end), Some(5));
        assert_eq!(v6_at(t, 5), (None, 6));
        for s in [
            "12:30:45",
            "12:30",
            "00:1A:2B:3C:4D:5E",
            "00:1a:2b:3c:4d:5e:6f:70",
            "::",
            "x2001:db8::1",
            "2001:db8::1g",
            "Note: hello",
            "1:2:3",
        ] {
            assert_eq!(v6(s), None, "{s}");
        }
    }
}
