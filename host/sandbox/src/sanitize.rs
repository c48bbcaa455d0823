//! Scrubbing of text that a plugin hands the host (log lines, error
//! messages): plugin authors may put record values there, and nothing a
//! plugin says may carry PII into Lethe's logs or job records.
//!
//! Uses the same native detectors as the standard scrubber.

use lethe_detectors::Scanner;

/// Longest plugin message kept, in bytes.
const MAX_MESSAGE_BYTES: usize = 300;

/// Folds `text` onto one line, truncates it, and replaces every PII finding
/// with its category token.
pub(crate) fn scrub_plugin_text(text: &str) -> String {
    let text = crate::call::one_line(text);
    let text = crate::state::truncate_on_char_boundary(text, MAX_MESSAGE_BYTES);
    let findings = Scanner::new().scan(&text, None);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in findings {
        out.push_str(&text[at..f.start]);
        out.push_str(f.category().token());
        at = f.end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_in_plugin_messages_are_replaced() {
        let s = scrub_plugin_text("cannot parse value sample.person@example.com in row 3");
        assert!(!s.contains("example.com"), "{s}");
        assert!(s.contains("[EMAIL]"));
        assert!(s.contains("row 3"));
    }

    #[test]
    fn plugin_messages_stay_on_one_line() {
        assert_eq!(scrub_plugin_text("row 3:\nbad  value"), "row 3: bad value");
    }

    #[test]
    fn long_messages_are_cut() {
        assert!(scrub_plugin_text(&"x".repeat(10_000)).len() <= MAX_MESSAGE_BYTES);
    }
}
