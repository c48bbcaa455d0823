//! Dates of birth: a valid calendar date that a nearby word calls one.
//!
//! A date alone is not personal data: chats are full of order dates,
//! delivery days and deadlines. A date of birth is, and chats carry those
//! too (`DOB: 12/03/1985`, `I was born on 12 March 1985`). So a date is
//! reported only after a birth word ([`context::birth_before`]: `born`,
//! `birth`, `DOB`, `född`, `geboren`, `né le`, `nacido`, ...) in the same
//! sentence, with no other number between the two.
//!
//! | form                 | examples                                        |
//! |----------------------|-------------------------------------------------|
//! | year first           | `1985-03-12`, `1985/03/12`, `1985.03.12`        |
//! | day or month first   | `12/03/1985`, `3.12.1985`, `12-03-85`           |
//! | compact              | `19850312`                                      |
//! | day, month name      | `12 March 1985`, `12th of March`, `12. März 1985`, `1er mars 1985`, `12 de marzo de 1985` |
//! | month name, day      | `March 12, 1985`, `Mar. 12 1985`                |
//!
//! Month names are English, Swedish, German, French and Spanish, full or
//! abbreviated, in any case. The date must exist (`31/04/1985` does not);
//! for `12/03/1985` either reading (day or month first) may. A four-digit
//! year is 1900-2099. A year may be left out only after a month name
//! (`born on 12 March`); a day and month in digits alone (`12/03`) are not
//! taken, as that is as likely a fraction or a score.

use crate::text::{boundary, context, digit_run_end};
use crate::{Detector, Finding};

/// The score of a date after a birth word: a plausible format, not a
/// checksum.
const SCORE: f32 = 0.8;

/// Whether a date may start at the digit run `i..run_end`, judged from a
/// few bytes around it: the scanner asks this at every digit run nothing
/// else was found at, and calls [`at`] only when it holds.
///
/// It holds for eight digits (`19850312`), four digits and a date
/// separator (`1985-`), and one or two digits that are followed by a
/// separator and a digit (`12/0`), or that may stand next to a month name
/// (`12 M`, `12th`, `12.`, `March 12`). It fails at once for most numbers
/// of ordinary text (`1 2 3`, `at 14:05`, `$129.99`).
#[inline(always)]
pub(crate) fn may_start(b: &[u8], i: usize, run_end: usize) -> bool {
    let after = b.get(run_end).copied();
    let separator = matches!(after, Some(b'-' | b'/' | b'.'));
    match run_end - i {
        8 => true,
        4 => separator,
        1 | 2 => {
            let name_after = match after {
                Some(b' ') => b.get(run_end + 1).is_some_and(|&c| starts_month_name(c)),
                Some(c) => separator || c.is_ascii_alphabetic() || c == 0xC2,
                None => false,
            };
            let name_before =
                i >= 2 && b[i - 1] == b' ' && (b[i - 2].is_ascii_alphabetic() || b[i - 2] == b'.');
            name_after || name_before
        }
        _ => false,
    }
}

/// The date of birth whose first digit is at `i` (a digit the caller has
/// checked may start a number), or `None`.
///
/// The shape of the date is read first; the birth word (a look back over
/// at most [`context::BIRTH_WINDOW`] bytes) is looked for only before a
/// date that exists.
pub(crate) fn at(text: &str, i: usize) -> Option<Finding> {
    let b = text.as_bytes();
    let run = digit_run_end(b, i) - i;
    let (start, end) = match run {
        8 => compact(b, i)?,
        4 => year_first(b, i)?,
        1 | 2 => match b.get(i + run) {
            Some(b'-' | b'/' | b'.') if b.get(i + run + 1).is_some_and(u8::is_ascii_digit) => {
                day_or_month_first(b, i, run)?
            }
            _ => with_month_name(b, i, run)?,
        },
        _ => return None,
    };
    let glued = matches!(b.get(end), Some(b'-' | b'+' | b'/' | b'.'))
        && b.get(end + 1).is_some_and(u8::is_ascii_digit);
    if glued || !boundary::ends_free(text, end, false) || !context::birth_before(text, start) {
        return None;
    }
    Some(Finding {
        start,
        end,
        detector: Detector::DateOfBirth,
        score: SCORE,
    })
}

/// `19850312`: year, month and day without separators.
fn compact(b: &[u8], i: usize) -> Option<(usize, usize)> {
    let d = &b[i..i + 8];
    let year = number(&d[..4]);
    valid(year, number(&d[4..6]), number(&d[6..8])).then_some((i, i + 8))
}

/// `1985-03-12`, `1985/3/12`, `1985.03.12`.
fn year_first(b: &[u8], i: usize) -> Option<(usize, usize)> {
    let year = number(&b[i..i + 4]);
    let sep = *b.get(i + 4).filter(|c| matches!(c, b'-' | b'/' | b'.'))?;
    let (month, j) = small_number(b, i + 5)?;
    if b.get(j) != Some(&sep) {
        return None;
    }
    let (day, end) = small_number(b, j + 1)?;
    valid(year, month, day).then_some((i, end))
}

/// `12/03/1985`, `3.12.1985`, `12-03-85`: day and month in either order,
/// then a year of two or four digits.
fn day_or_month_first(b: &[u8], i: usize, run: usize) -> Option<(usize, usize)> {
    let first = number(&b[i..i + run]);
    let sep = *b.get(i + run).filter(|c| matches!(c, b'-' | b'/' | b'.'))?;
    let (second, j) = small_number(b, i + run + 1)?;
    if b.get(j) != Some(&sep) {
        return None;
    }
    let year_len = digit_run_end(b, j + 1) - (j + 1);
    let year = match year_len {
        4 => number(&b[j + 1..j + 5]),
        // Two-digit years: 1900 + yy keeps the leap rule right for every
        // birth year but 2000, which the `yy = 00` case then treats as
        // 1900 (no 29 February): a rare miss, never a false date.
        2 => 1900 + number(&b[j + 1..j + 3]),
        _ => return None,
    };
    let exists = valid(year, second, first) || valid(year, first, second);
    exists.then_some((i, j + 1 + year_len))
}

/// `12 March 1985`, `12th of March`, `12. März 1985`, `1er mars`,
/// `12 de marzo de 1985`; or, with the month name before the digits,
/// `March 12, 1985`.
fn with_month_name(b: &[u8], i: usize, run: usize) -> Option<(usize, usize)> {
    let day = number(&b[i..i + run]);
    let (start, month, after, after_month) = match month_after_day(b, i + run) {
        Some((month, after_month)) => (i, month, after_month, true),
        None => {
            let (month, start) = month_before(b, i)?;
            (start, month, skip_ordinal(b, i + run), false)
        }
    };
    match year_after(b, after, after_month) {
        Some((year, end)) => valid(year, month, day).then_some((start, end)),
        // No year: the day must exist in some year (29 February does).
        None => valid(2000, month, day).then_some((start, after)),
    }
}

/// After a day's digits at `j`: an optional ordinal (`th`, `er`, `.`),
/// spaces, an optional `of` / `de`, then a month name. Returns the month
/// and the offset after its name (an abbreviation's dot is left to
/// [`year_after`]: without a year it may end the sentence).
fn month_after_day(b: &[u8], j: usize) -> Option<(u16, usize)> {
    let mut k = skip_ordinal(b, j);
    let spaces = count_spaces(b, k);
    if spaces == 0 {
        return None;
    }
    k += spaces;
    for filler in [&b"of"[..], b"de"] {
        let word_end = k + filler.len();
        if b.get(k..word_end)
            .is_some_and(|w| w.eq_ignore_ascii_case(filler))
            && count_spaces(b, word_end) > 0
        {
            k = word_end + count_spaces(b, word_end);
            break;
        }
    }
    let end = word_end(b, k);
    Some((month_number(&b[k..end])?, end))
}

/// A month name ending just before the day's digits at `i` (`March 12`,
/// `Mar. 12`), as (month, where the name starts).
fn month_before(b: &[u8], i: usize) -> Option<(u16, usize)> {
    let mut end = i;
    while end > 0 && b[end - 1] == b' ' {
        end -= 1;
    }
    if end == i {
        return None;
    }
    if end > 0 && b[end - 1] == b'.' {
        end -= 1;
    }
    let mut start = end;
    while start > 0 && is_word_byte(b[start - 1]) && end - start < 12 {
        start -= 1;
    }
    let word = &b[start..end];
    let own_word = start == 0 || !is_word_byte(b[start - 1]);
    (own_word && !word.is_empty())
        .then(|| month_number(word))
        .flatten()
        .map(|m| (m, start))
}

/// A year after a month name or a day at `k`: an optional `,` (after a
/// month, also an abbreviation's `.`), spaces (after a month, also an
/// optional `de`), then four digits.
/// Returns (year, end).
fn year_after(b: &[u8], k: usize, after_month: bool) -> Option<(u16, usize)> {
    let dot = after_month && b.get(k) == Some(&b'.');
    let mut j = k + usize::from(dot);
    j += usize::from(b.get(j) == Some(&b','));
    let spaces = count_spaces(b, j);
    if spaces == 0 {
        return None;
    }
    j += spaces;
    if after_month
        && b.get(j..j + 2)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"de"))
        && count_spaces(b, j + 2) > 0
    {
        j += 2 + count_spaces(b, j + 2);
    }
    (digit_run_end(b, j) - j == 4).then(|| (number(&b[j..j + 4]), j + 4))
}

/// Past an ordinal suffix after a day (`st`, `nd`, `rd`, `th`, `er`, or
/// a German `.`), if there is one at `j`.
fn skip_ordinal(b: &[u8], j: usize) -> usize {
    if b.get(j) == Some(&b'.') {
        return j + 1;
    }
    let ordinal = match b.get(j..j + 2) {
        Some(&[x, y]) => matches!(
            [x | 0x20, y | 0x20],
            [b's', b't'] | [b'n', b'd'] | [b'r', b'd'] | [b't', b'h'] | [b'e', b'r']
        ),
        _ => false,
    };
    if ordinal && !b.get(j + 2).copied().is_some_and(is_word_byte) {
        j + 2
    } else {
        j
    }
}

/// Spaces (ASCII or a no-break space) at `j`, in bytes.
fn count_spaces(b: &[u8], mut j: usize) -> usize {
    let start = j;
    loop {
        match b.get(j..) {
            Some([b' ', ..]) => j += 1,
            Some([0xC2, 0xA0, ..]) => j += 2,
            _ => return j - start,
        }
    }
}

/// The end of the word (ASCII letters and non-ASCII bytes) at `k`.
fn word_end(b: &[u8], mut k: usize) -> usize {
    let start = k;
    while k < b.len() && is_word_byte(b[k]) && k - start < 12 {
        k += 1;
    }
    k
}

fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphabetic() || c >= 0x80
}

/// Month names and abbreviations (English, Swedish, German, French,
/// Spanish), lower case, with their month, by first letter.
const MONTHS_A: &[(&[u8], u16)] = &[
    (b"april", 4),
    (b"apr", 4),
    (b"avril", 4),
    (b"avr", 4),
    (b"abril", 4),
    (b"abr", 4),
    (b"august", 8),
    (b"aug", 8),
    (b"augusti", 8),
    (b"ao\xc3\xbbt", 8),
    (b"aout", 8),
    (b"agosto", 8),
    (b"ago", 8),
];
const MONTHS_D: &[(&[u8], u16)] = &[
    (b"december", 12),
    (b"dec", 12),
    (b"dezember", 12),
    (b"dez", 12),
    (b"d\xc3\xa9cembre", 12),
    (b"decembre", 12),
    (b"d\xc3\xa9c", 12),
    (b"diciembre", 12),
    (b"dic", 12),
];
const MONTHS_E: &[(&[u8], u16)] = &[(b"enero", 1), (b"ene", 1)];
const MONTHS_F: &[(&[u8], u16)] = &[
    (b"february", 2),
    (b"feb", 2),
    (b"februari", 2),
    (b"februar", 2),
    (b"f\xc3\xa9vrier", 2),
    (b"fevrier", 2),
    (b"f\xc3\xa9vr", 2),
    (b"fevr", 2),
    (b"febrero", 2),
];
const MONTHS_J: &[(&[u8], u16)] = &[
    (b"january", 1),
    (b"jan", 1),
    (b"januari", 1),
    (b"januar", 1),
    (b"j\xc3\xa4nner", 1),
    (b"janvier", 1),
    (b"janv", 1),
    (b"june", 6),
    (b"jun", 6),
    (b"juni", 6),
    (b"juin", 6),
    (b"junio", 6),
    (b"july", 7),
    (b"jul", 7),
    (b"juli", 7),
    (b"juillet", 7),
    (b"juil", 7),
    (b"julio", 7),
];
const MONTHS_M: &[(&[u8], u16)] = &[
    (b"march", 3),
    (b"mar", 3),
    (b"mars", 3),
    (b"m\xc3\xa4rz", 3),
    (b"maerz", 3),
    (b"mrz", 3),
    (b"m\xc3\xa4r", 3),
    (b"marzo", 3),
    (b"may", 5),
    (b"maj", 5),
    (b"mai", 5),
    (b"mayo", 5),
];
const MONTHS_N: &[(&[u8], u16)] = &[
    (b"november", 11),
    (b"nov", 11),
    (b"novembre", 11),
    (b"noviembre", 11),
];
const MONTHS_O: &[(&[u8], u16)] = &[
    (b"october", 10),
    (b"oct", 10),
    (b"oktober", 10),
    (b"okt", 10),
    (b"octobre", 10),
    (b"octubre", 10),
];
const MONTHS_S: &[(&[u8], u16)] = &[
    (b"september", 9),
    (b"sep", 9),
    (b"sept", 9),
    (b"septembre", 9),
    (b"septiembre", 9),
    (b"setiembre", 9),
];

/// The month names starting with `c` (in any ASCII case).
fn months_starting(c: u8) -> &'static [(&'static [u8], u16)] {
    match c | 0x20 {
        b'a' => MONTHS_A,
        b'd' => MONTHS_D,
        b'e' => MONTHS_E,
        b'f' => MONTHS_F,
        b'j' => MONTHS_J,
        b'm' => MONTHS_M,
        b'n' => MONTHS_N,
        b'o' => MONTHS_O,
        b's' => MONTHS_S,
        _ => &[],
    }
}

/// Whether `c` (in any ASCII case) starts a month name.
fn starts_month_name(c: u8) -> bool {
    !months_starting(c).is_empty()
}

/// The month (1-12) a word names, in any ASCII case.
fn month_number(word: &[u8]) -> Option<u16> {
    if !(3..=10).contains(&word.len()) {
        return None;
    }
    // Upper-case non-ASCII letters (`DÉCEMBRE`) are not folded: rare
    // enough in month names to leave out.
    months_starting(word[0])
        .iter()
        .find(|(name, _)| name.len() == word.len() && name.eq_ignore_ascii_case(word))
        .map(|&(_, month)| month)
}

/// One or two digits at `j`, as (value, end).
fn small_number(b: &[u8], j: usize) -> Option<(u16, usize)> {
    let len = digit_run_end(b, j) - j;
    (1..=2)
        .contains(&len)
        .then(|| (number(&b[j..j + len]), j + len))
}

fn number(d: &[u8]) -> u16 {
    crate::text::num(d)
}

/// Whether `year-month-day` is a date of the Gregorian calendar, with the
/// year in 1900-2099.
fn valid(year: u16, month: u16, day: u16) -> bool {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=2099).contains(&year) && (1..=days).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dates of birth found in `text`, asking at every digit that
    /// starts a number, as the scanner does.
    fn found(text: &str) -> Vec<&str> {
        let b = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i].is_ascii_digit() && boundary::starts_free(text, i) {
                let run_end = digit_run_end(b, i);
                if let Some(f) = may_start(b, i, run_end).then(|| at(text, i)).flatten() {
                    out.push(&text[f.start..f.end]);
                    i = f.end;
                    continue;
                }
                i = digit_run_end(b, i);
            } else {
                i += 1;
            }
        }
        out
    }

    #[test]
    fn numeric_forms_after_a_birth_word() {
        for (text, date) in [
            ("DOB: 1985-03-12", "1985-03-12"),
            ("date of birth 12/03/1985.", "12/03/1985"),
            ("born 3.12.1985 in Lund", "3.12.1985"),
            ("Born: 12-03-85", "12-03-85"),
            ("född 19850312", "19850312"),
            ("Geburtsdatum: 29.02.1984", "29.02.1984"),
            ("D.O.B. 07/04/1990", "07/04/1990"),
            ("Date of birth (DD/MM/YYYY): 31/12/1979", "31/12/1979"),
            ("my birthday is 1990/7/4", "1990/7/4"),
            ("né le 04/07/1990", "04/07/1990"),
        ] {
            assert_eq!(found(text), [date], "{text:?}");
        }
    }

    #[test]
    fn month_name_forms_after_a_birth_word() {
        for (text, date) in [
            ("I was born on 12 March 1985", "12 March 1985"),
            ("born on the 12th of March, 1985", "12th of March, 1985"),
            ("geboren am 12. März 1985", "12. März 1985"),
            ("née le 1er mars 1985", "1er mars 1985"),
            ("nacido el 12 de marzo de 1985", "12 de marzo de 1985"),
            ("DOB: March 12, 1985", "March 12, 1985"),
            ("born Mar. 12 1985", "Mar. 12 1985"),
            ("my birthday is 4 July", "4 July"),
            ("född den 3 maj 1990", "3 maj 1990"),
            ("birthday: DECEMBER 24TH", "DECEMBER 24TH"),
            ("DOB 3 Jun. 1992", "3 Jun. 1992"),
            ("My birthday is next week, 3 June.", "3 June"),
        ] {
            assert_eq!(found(text), [date], "{text:?}");
        }
    }

    #[test]
    fn dates_without_a_birth_word_or_that_do_not_exist_are_left() {
        for text in [
            "shipped on 2024-03-02 at 14:05",
            "delivery 12 March 2024",
            "Born to run. Released 1975-08-25",
            "born in 1985, ordered 2024-03-02",
            "DOB 31/04/1985",
            "DOB 29.02.1985",
            "born 1985-13-01",
            "DOB 12/03",
            "DOB: 1885-03-12",
            "born 12 Marching 1985",
            "stubborn 12 March 1985",
            "I was born in Sweden. On 2 May 2024 I ordered",
            "birth certificate no. 12/03/1985-22",
            "född 19850312-9876",
        ] {
            assert_eq!(found(text), Vec::<&str>::new(), "{text:?}");
        }
    }

    #[test]
    fn calendar() {
        assert!(valid(2000, 2, 29));
        assert!(!valid(1900, 2, 29));
        assert!(valid(1984, 2, 29));
        assert!(!valid(1985, 4, 31));
        assert!(!valid(1985, 0, 1));
        assert!(!valid(1899, 1, 1));
        assert_eq!(month_number(b"Sept"), Some(9));
        assert_eq!(month_number("Décembre".as_bytes()), Some(12));
        assert_eq!(month_number(b"days"), None);
        assert_eq!(month_number(b"including"), None);
    }
}
