//! US Social Security numbers.
//!
//! `AAA-GG-SSSS` (0.85) or `AAA GG SSSS` (0.7), with the same separator
//! twice and each part exactly that long. A bare 9-digit run is an SSN
//! only when `SSN`/`social security` comes shortly before it (0.6), and not
//! after an order or invoice word. [`validate::us_ssn`] checks the ranges
//! and the advertising numbers.

use crate::text::{boundary, context, digit_run_end, num};
use crate::{Detector, Finding, validate};

/// The SSN starting at byte `start` (a digit whose left side the caller has
/// checked).
pub(crate) fn at(text: &str, start: usize) -> Option<Finding> {
    let b = text.as_bytes();
    let j = digit_run_end(b, start);
    let (end, parts, score) = match j - start {
        3 => {
            let sep = *b.get(j).filter(|&&c| c == b'-' || c == b' ')?;
            let g = j + 1;
            let g_end = digit_run_end(b, g);
            if g_end - g != 2 || b.get(g_end) != Some(&sep) {
                return None;
            }
            let s = g_end + 1;
            let s_end = digit_run_end(b, s);
            if s_end - s != 4 {
                return None;
            }
            let score = if sep == b'-' { 0.85 } else { 0.7 };
            (
                s_end,
                [num(&b[start..j]), num(&b[g..g_end]), num(&b[s..s_end])],
                score,
            )
        }
        9 => {
            if !context::ssn_before(text, start) || context::reference_before(text, start) {
                return None;
            }
            let d = &b[start..j];
            (j, [num(&d[..3]), num(&d[3..5]), num(&d[5..])], 0.6)
        }
        _ => return None,
    };
    let [area, group, serial] = parts;
    if !boundary::ends_free(text, end, false) || !validate::us_ssn(area, group as u8, serial) {
        return None;
    }
    Some(Finding {
        start,
        end,
        detector: Detector::UsSsn,
        score,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(s: &str, start: usize) -> Option<(&str, f32)> {
        at(s, start).map(|f| (&s[f.start..f.end], f.score))
    }

    #[test]
    fn forms() {
        assert_eq!(find("123-45-6788", 0), Some(("123-45-6788", 0.85)));
        assert_eq!(find("123 45 6788, ok", 0), Some(("123 45 6788", 0.7)));
        assert_eq!(find("SSN: 123456788", 5), Some(("123456788", 0.6)));
    }

    #[test]
    fn rejects() {
        for s in [
            "123-45 6788",
            "123-456-788",
            "123-45-67889",
            "000-12-3456",
            "666-12-3456",
            "900-12-3456",
            "123-00-4567",
            "123-45-0000",
            "078-05-1120",
            "219-09-9999",
            "123456788",
            "123-45-6788-1",
        ] {
            assert_eq!(find(s, 0), None, "{s}");
        }
        assert_eq!(find("SSN order 123456788", 10), None);
    }
}
