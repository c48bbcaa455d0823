//! Swedish personnummer and samordningsnummer.
//!
//! | form            | example          | score |
//! |-----------------|------------------|-------|
//! | `YYMMDD-NNNN`   | `811228-9874`    | 0.9   |
//! | `YYMMDD+NNNN`   | `811228+9874`    | 0.9   |
//! | `YYYYMMDD-NNNN` | `19811228-9874`  | 0.9   |
//! | `YYYYMMDDNNNN`  | `198112289874`   | 0.85  |
//! | `YYMMDDNNNN`    | `8112289874`     | 0.65  |
//!
//! The `+` marks a holder aged 100 or more; it changes the century, not the
//! check. [`validate::personnummer`] checks the date (day + 60 for a
//! samordningsnummer) and the Luhn digit. The compact forms are skipped
//! after an order/invoice word or next to a currency. A valid bare form
//! scores above a bare trunk-`0` phone number (0.6), since it passed a
//! checksum.

use crate::text::{boundary, context, digit_run_end};
use crate::{Detector, Finding, validate};

/// The personnummer starting at byte `start` (a digit whose left side the
/// caller has checked).
pub(crate) fn at(text: &str, start: usize) -> Option<Finding> {
    let b = text.as_bytes();
    let j = digit_run_end(b, start);
    let mut digits = [0u8; 12];
    let head = &b[start..j];
    let (end, n, score, compact) = match head.len() {
        6 | 8 => {
            let sep = *b.get(j)?;
            if !(sep == b'-' || (sep == b'+' && head.len() == 6)) {
                return None;
            }
            let tail_end = digit_run_end(b, j + 1);
            if tail_end - (j + 1) != 4 {
                return None;
            }
            digits[..head.len()].copy_from_slice(head);
            digits[head.len()..head.len() + 4].copy_from_slice(&b[j + 1..tail_end]);
            (tail_end, head.len() + 4, 0.9, false)
        }
        10 => {
            digits[..10].copy_from_slice(head);
            (j, 10, 0.65, true)
        }
        12 => {
            digits.copy_from_slice(head);
            (j, 12, 0.85, true)
        }
        _ => return None,
    };
    if !boundary::ends_free(text, end, false) || !validate::personnummer(&digits[..n]) {
        return None;
    }
    if compact && (context::reference_before(text, start) || context::currency_after(text, end)) {
        return None;
    }
    Some(Finding {
        start,
        end,
        detector: Detector::SePersonnummer,
        score,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(s: &str) -> Option<&str> {
        at(s, 0).map(|f| &s[f.start..f.end])
    }

    #[test]
    fn forms() {
        for s in [
            "811228-9874",
            "811228+9874",
            "19811228-9874",
            "198112289874",
            "8112289874",
        ] {
            assert_eq!(find(s), Some(s));
        }
        assert_eq!(find("811228-9874."), Some("811228-9874"));
    }

    #[test]
    fn rejects() {
        for s in [
            "811228-9875",
            "811228 9874",
            "19811228+9874",
            "811228-98745",
            "8112289874x",
            "21811228-9874",
            "1811228-9874",
            "811228-9874-1",
        ] {
            assert_eq!(find(s), None, "{s}");
        }
        assert_eq!(at("order 8112289874", 6), None);
    }
}
