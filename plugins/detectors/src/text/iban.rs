//! IBANs.
//!
//! The main loop calls [`at`] at a letter pair followed by two digits, at
//! a word start (`SE45…`, or `se45…` as typed in a chat). The country's IBAN length comes from
//! the registry table in [`validate`]; exactly that many characters are
//! read, either compact (`SE4550000000058398257466`) or in groups of four
//! separated by single spaces with a shorter last group (`GB82 WEST 1234
//! 5698 7654 32`). Any letter may be lower-case. The mod-97 check
//! ([`validate::iban`]) makes false positives rare, so one score: 0.95.

use crate::text::boundary;
use crate::{Detector, Finding, validate};

/// The end of the IBAN-like run at `start`: as many ASCII letters and
/// digits as the country's IBAN has (34 if unknown),
/// possibly in groups joined by single spaces. The scanner skips it
/// when it is not a valid IBAN, so the digit groups of a mistyped IBAN are
/// not read as a phone or card number.
pub(crate) fn run_end(b: &[u8], start: usize) -> usize {
    let max = validate::iban_length(country(b, start)).unwrap_or(34);
    let mut i = start;
    let mut n = 0;
    while n < max {
        match b.get(i) {
            Some(c) if c.is_ascii_alphanumeric() => n += 1,
            Some(b' ') if b.get(i + 1).is_some_and(u8::is_ascii_alphanumeric) && n % 4 == 0 => {}
            _ => break,
        }
        i += 1;
    }
    i
}

/// The country code of the IBAN-like run at `start` (two letters), in
/// upper case.
fn country(b: &[u8], start: usize) -> [u8; 2] {
    [
        b[start].to_ascii_uppercase(),
        b[start + 1].to_ascii_uppercase(),
    ]
}

/// The IBAN starting at byte `start`.
pub(crate) fn at(text: &str, start: usize) -> Option<Finding> {
    let b = text.as_bytes();
    b.get(start + 1)?;
    let len = validate::iban_length(country(b, start))?;
    let mut buf = [0u8; 34];
    // Compact first, then grouped by four.
    for grouped in [false, true] {
        let mut i = start;
        let mut n = 0;
        while n < len {
            if grouped && n > 0 && n % 4 == 0 {
                if b.get(i) != Some(&b' ') {
                    break;
                }
                i += 1;
            }
            match b.get(i) {
                Some(c) if c.is_ascii_alphanumeric() => buf[n] = c.to_ascii_uppercase(),
                _ => break,
            }
            n += 1;
            i += 1;
        }
        if n == len && boundary::ends_free(text, i, false) && validate::iban_compact(&buf[..len]) {
            return Some(Finding {
                start,
                end: i,
                detector: Detector::Iban,
                score: 0.95,
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(s: &str) -> Option<&str> {
        at(s, 0).map(|f| &s[f.start..f.end])
    }

    #[test]
    fn forms() {
        let se = "SE45 5000 0000 0583 9825 7466";
        assert_eq!(find(se), Some(se));
        assert_eq!(
            find("SE4550000000058398257466."),
            Some("SE4550000000058398257466")
        );
        assert_eq!(
            find("GB82 WEST 1234 5698 7654 32 is it"),
            Some("GB82 WEST 1234 5698 7654 32")
        );
        assert_eq!(
            find("GB82west12345698765432"),
            Some("GB82west12345698765432")
        );
        assert_eq!(find("NL91ABNA0417164300"), Some("NL91ABNA0417164300"));
        let typed = "se45 5000 0000 0583 9825 7466";
        assert_eq!(find(typed), Some(typed));
        assert_eq!(
            find("Gb82west12345698765432"),
            Some("Gb82west12345698765432")
        );
        let bad = b"SE45 5000 0000 0583 9825 7467 ok";
        assert_eq!(run_end(bad, 0), 29);
    }

    #[test]
    fn rejects() {
        for s in [
            "SE45 5000 0000 0583 9825 7467",
            "SE4550000000058398257466X",
            "SE45 50000000 0583 9825 7466",
            "SE45  5000 0000 0583 9825 7466",
            "XX45 5000",
            "SE45",
            "DE89 3704 0044 0532 0130 0",
        ] {
            assert_eq!(find(s), None, "{s}");
        }
    }
}
