//! The generic detectors: one hand-written scanner per kind of value.
//!
//! Each scanner is a function `at(text, start) -> Option<Finding>` (or a
//! few candidates pushed onto a `Vec`) that the main loop in
//! [`scan`](crate::scan) calls only at bytes that can start its kind of
//! value: digits, `+`, `(`, `@`, `:` or an uppercase pair. A scanner reads
//! forward over a bounded number of bytes, validates with
//! [`validate`](crate::validate), and returns the longest valid span whose
//! ends pass the [`boundary`] rules. Nothing is allocated; the small
//! buffers are fixed arrays on the stack.
//!
//! | module           | finds                                              |
//! |------------------|----------------------------------------------------|
//! | [`birth`]        | dates of birth, after a birth word                 |
//! | [`boundary`]     | whether a span is glued to neighbouring text        |
//! | [`context`]      | order/invoice/currency/SSN/birth words near a number |
//! | [`email`]        | `local@domain.tld`, found from the `@`              |
//! | [`phone`]        | grouping of phone-like digit runs (shared)          |
//! | [`dialing`]      | numbering plans: country codes, NANP, trunk `0`     |
//! | [`card`]         | payment cards                                      |
//! | [`iban`]         | IBANs                                              |
//! | [`ssn`]          | US SSNs                                            |
//! | [`personnummer`] | Swedish personnummer                               |
//! | [`ip`]           | IPv4 and IPv6                                      |

pub(crate) mod birth;
pub(crate) mod boundary;
pub(crate) mod card;
pub(crate) mod context;
pub(crate) mod dialing;
pub(crate) mod email;
pub(crate) mod iban;
pub(crate) mod ip;
pub(crate) mod personnummer;
pub(crate) mod phone;
pub(crate) mod ssn;

/// The end of the run of ASCII digits starting at `i`.
#[inline]
pub(crate) fn digit_run_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    i
}

/// Reads the run of ASCII digits starting at `i` into `buf[n..]`, as far as
/// `buf` has room, and returns the run's end and `n` plus the run's length
/// (more than `buf.len()` when the run did not fit).
///
/// One loop both finds and copies the run. Copying after the fact with
/// `copy_from_slice` is a `memcpy` call for a length known only at run
/// time: cheap natively, but inside a plugin it leaves the guest for the
/// host (`memory.copy`), which for a group of two to four digits costs
/// more than the detector's own work.
#[inline]
pub(crate) fn read_digits(b: &[u8], mut i: usize, buf: &mut [u8], mut n: usize) -> (usize, usize) {
    while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
        if let Some(slot) = buf.get_mut(n) {
            *slot = c;
        }
        n += 1;
        i += 1;
    }
    (i, n)
}

/// The end of the run of ASCII letters, digits and `_` starting at `i`.
#[inline]
pub(crate) fn word_run_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
        i += 1;
    }
    i
}

/// The number formed by ASCII digits (no overflow check: callers pass at
/// most four digits).
#[inline]
pub(crate) fn num(digits: &[u8]) -> u16 {
    digits
        .iter()
        .fold(0, |acc, d| acc * 10 + u16::from(d.wrapping_sub(b'0')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_digits_copies_what_fits_and_measures_the_whole_run() {
        let mut buf = [0u8; 4];
        assert_eq!(read_digits(b"x12 3", 1, &mut buf, 0), (3, 2));
        assert_eq!(&buf[..2], b"12");
        assert_eq!(read_digits(b"345", 0, &mut buf, 2), (3, 5));
        assert_eq!(&buf, b"1234", "only what fits is written");
        assert_eq!(read_digits(b"abc", 0, &mut buf, 1), (0, 1));
    }
}
