//! Payment card numbers.
//!
//! A candidate is 13-19 digits, compact or in groups joined by one kind of
//! separator (a single space or `-`). Groups must have a card's shape:
//! fours with a shorter last group (`4111 1111 1111 1111`, `6011 1111 1111
//! 1111 117`), or Amex/Diners `4-6-5`/`4-6-4`. Like phones, the longest
//! prefix of groups that validates wins, so a card followed by more
//! numbers is still found. [`validate::payment_card`] checks issuer,
//! length and Luhn.
//!
//! Scores: grouped 0.95, compact 0.9. A compact run after `Order #`,
//! `invoice` or a currency is not reported.

use crate::text::{boundary, context, digit_run_end, read_digits};
use crate::{Detector, Finding, validate};

/// Most groups read (`4-4-4-4-3` has five).
const MAX_GROUPS: usize = 5;

/// Whether group lengths have the shape of a written card number.
fn shape_ok(lens: &[usize]) -> bool {
    match lens {
        [_] => true,
        [4, 6, 4] | [4, 6, 5] => true,
        [4, middle @ .., last] => middle.iter().all(|&l| l == 4) && (1..=4).contains(last),
        _ => false,
    }
}

/// The end of a card-shaped run at `start` (three or more groups of four
/// digits joined by one kind of separator, a last group of 1-4), whether or
/// not it validates. The scanner skips such a run when no card is found in
/// it, so `4111 0111 1111 1112` does not turn into a phone `0111 1111 1112`.
pub(crate) fn grouped_run_end(b: &[u8], start: usize) -> Option<usize> {
    let sep = *b.get(start + 4)?;
    let mut i = start;
    let mut groups = 0;
    loop {
        let j = digit_run_end(b, i);
        let len = j - i;
        if len == 0 || len > 4 {
            return None;
        }
        groups += 1;
        if len < 4 || b.get(j) != Some(&sep) || !b.get(j + 1).is_some_and(u8::is_ascii_digit) {
            return (groups >= 3).then_some(j);
        }
        i = j + 1;
    }
}

/// The payment card number starting at byte `start` (a digit whose left
/// side the caller has checked).
pub(crate) fn at(text: &str, start: usize) -> Option<Finding> {
    let b = text.as_bytes();
    let mut digits = [0u8; 19];
    let mut nd = 0;
    let mut lens = [0usize; MAX_GROUPS];
    let mut ends = [0usize; MAX_GROUPS];
    let mut ng = 0;
    let mut sep = None;
    let mut i = start;
    loop {
        let (j, total) = read_digits(b, i, &mut digits, nd);
        let len = j - i;
        if len == 0 || total > digits.len() {
            break;
        }
        nd = total;
        lens[ng] = len;
        ends[ng] = j;
        ng += 1;
        match b.get(j) {
            Some(&c @ (b' ' | b'-'))
                if ng < MAX_GROUPS
                    && sep.is_none_or(|s| s == c)
                    && b.get(j + 1).is_some_and(u8::is_ascii_digit) =>
            {
                sep = Some(c);
                i = j + 1;
            }
            _ => break,
        }
    }
    let mut total = nd;
    for k in (1..=ng).rev() {
        if k < ng {
            total -= lens[k];
        }
        if total < 13 {
            break;
        }
        let end = ends[k - 1];
        if !shape_ok(&lens[..k])
            || !boundary::ends_free(text, end, false)
            || !validate::payment_card(&digits[..total])
        {
            continue;
        }
        let compact = k == 1;
        if compact && context::reference_before(text, start) {
            return None;
        }
        return Some(Finding {
            start,
            end,
            detector: Detector::PaymentCard,
            score: if compact { 0.9 } else { 0.95 },
        });
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
        assert_eq!(find("4111111111111111"), Some("4111111111111111"));
        assert_eq!(
            find("4111 1111 1111 1111 2024"),
            Some("4111 1111 1111 1111")
        );
        assert_eq!(find("4111-1111-1111-1111."), Some("4111-1111-1111-1111"));
        assert_eq!(find("3782 822463 10005"), Some("3782 822463 10005"));
        assert_eq!(find("6011 1111 1111 1117"), Some("6011 1111 1111 1117"));
    }

    #[test]
    fn rejects() {
        for s in [
            "4111111111111112",
            "4111 1111-1111 1111",
            "41 11111111111111",
            "4111111111111111x",
            "1700000000000",
            "1732406400123",
            "4111 1111 1111 1111-5",
            "411111111111111",
        ] {
            assert_eq!(find(s), None, "{s}");
        }
        assert_eq!(grouped_run_end(b"4111 0111 1111 1112 x", 0), Some(19));
        assert_eq!(grouped_run_end(b"4111-0111-1", 0), Some(11));
        assert_eq!(grouped_run_end(b"4111 0111", 0), None);
        assert_eq!(grouped_run_end(b"4111 01111 1111", 0), None);
        assert!(shape_ok(&[4, 4, 4, 4]) && !shape_ok(&[4, 4, 5]) && !shape_ok(&[3, 4, 4, 4]));
    }
}
