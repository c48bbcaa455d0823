//! Checksums and range rules, on values already cut out of the text.
//!
//! The scanners in `text::*` find candidate spans; the functions here decide
//! whether a candidate is a real value. They are public because the host and
//! the field-map plugins validate single attributes with them too (a
//! `card_number` column, an `iban` field).
//!
//! All of them are pure, allocation-free and total: any input, including
//! non-ASCII or empty, gives `false` rather than a panic. Digit inputs are
//! ASCII digit bytes (`b"4111111111111111"`), without separators.

/// The Luhn (mod-10) check used by payment cards and the Swedish
/// personnummer. `digits` must be at least two ASCII digits, the last one
/// being the check digit.
///
/// ```
/// assert!(lethe_detectors::validate::luhn(b"79927398713"));
/// assert!(!lethe_detectors::validate::luhn(b"79927398710"));
/// ```
pub fn luhn(digits: &[u8]) -> bool {
    if digits.len() < 2 || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    luhn_sum(digits).is_multiple_of(10)
}

/// The Luhn sum of ASCII digits, doubling every second digit from the right.
fn luhn_sum(digits: &[u8]) -> u32 {
    digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let d = u32::from(d - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum()
}

/// The digit that completes `payload` (ASCII digits) to a valid Luhn number.
pub fn luhn_check_digit(payload: &[u8]) -> Option<u8> {
    if payload.is_empty() || !payload.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // Appending a 0 puts the payload's digits at their final positions.
    let sum = payload
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let d = u32::from(d - b'0');
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum::<u32>();
    Some(b'0' + ((10 - sum % 10) % 10) as u8)
}

/// Whether `digits` (13 to 19 ASCII digits) is a payment card number: a
/// known issuer prefix, a length that issuer uses, and a valid Luhn check.
///
/// Issuers: Visa `4` (13, 16, 19), Mastercard `51-55`/`2221-2720` (16),
/// Amex `34`/`37` (15), Discover `6011`/`644-649`/`65` (16-19), JCB
/// `3528-3589` (16-19), Diners `300-305`/`36`/`38`/`39`/`3095` (14-19),
/// UnionPay `62` (16-19), Maestro `50`/`56-69` (13-19).
pub fn payment_card(digits: &[u8]) -> bool {
    let n = digits.len();
    if !(13..=19).contains(&n) || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let p = |k: usize| -> u32 {
        digits[..k]
            .iter()
            .fold(0, |acc, d| acc * 10 + u32::from(d - b'0'))
    };
    let (p2, p3, p4) = (p(2), p(3), p(4));
    let length_ok = match p2 {
        40..=49 => matches!(n, 13 | 16 | 19),
        34 | 37 => n == 15,
        51..=55 => n == 16,
        22..=27 => (2221..=2720).contains(&p4) && n == 16,
        35 => (3528..=3589).contains(&p4) && n >= 16,
        30 => (300..=305).contains(&p3) || p4 == 3095,
        36 | 38 | 39 => n >= 14,
        50 | 56..=69 => true,
        _ => false,
    };
    length_ok && luhn_sum(digits).is_multiple_of(10)
}

/// Country code to IBAN length, from the SWIFT IBAN registry.
const IBAN_LENGTHS: &str = "AD24AE23AL28AT20AZ28BA20BE16BG22BH22BI27BR29BY28CH21CR22CY28CZ24DE22DJ27\
DK18DO28EE20EG29ES24FI18FK18FO18FR27GB22GE22GI23GL18GR27GT28HR21HU28IE22IL23IQ23IS26IT27JO30KW30\
KZ20LB28LC32LI21LT20LU20LV21LY25MC27MD24ME22MK19MN20MR27MT31MU30NI28NL18NO15OM23PK24PL28PS29PT25\
QA29RO24RS22RU33SA24SC31SD18SE24SI19SK24SM27SO23ST25SV28TL23TN24TR26UA29VA22VG24XK20YE30";

/// [`IBAN_LENGTHS`] as a 26×26 table indexed by the two letters.
const IBAN_TABLE: [u8; 676] = {
    let src = IBAN_LENGTHS.as_bytes();
    let mut t = [0u8; 676];
    let mut i = 0;
    while i + 4 <= src.len() {
        let idx = (src[i] - b'A') as usize * 26 + (src[i + 1] - b'A') as usize;
        t[idx] = (src[i + 2] - b'0') * 10 + (src[i + 3] - b'0');
        i += 4;
    }
    t
};

/// The IBAN length of a country (`b"SE"` gives 24), if it issues IBANs.
pub fn iban_length(country: [u8; 2]) -> Option<usize> {
    let [a, b] = country;
    if !a.is_ascii_uppercase() || !b.is_ascii_uppercase() {
        return None;
    }
    match IBAN_TABLE[(a - b'A') as usize * 26 + (b - b'A') as usize] {
        0 => None,
        n => Some(usize::from(n)),
    }
}

/// Whether `s` is an IBAN, compact (`SE4550000000058398257466`) or in
/// groups separated by spaces (`SE45 5000 0000 0583 9825 7466`). Letters may
/// be lowercase. Checks the country's length, check digits `02..=98` and
/// the ISO 7064 mod-97 remainder.
pub fn iban(s: &str) -> bool {
    let mut buf = [0u8; 34];
    let mut n = 0;
    for &b in s.as_bytes() {
        if b == b' ' {
            continue;
        }
        if n == buf.len() || !b.is_ascii_alphanumeric() {
            return false;
        }
        buf[n] = b.to_ascii_uppercase();
        n += 1;
    }
    iban_compact(&buf[..n])
}

/// [`iban`] on uppercase ASCII alphanumerics without separators.
pub(crate) fn iban_compact(c: &[u8]) -> bool {
    if c.len() < 5 || iban_length([c[0], c[1]]) != Some(c.len()) {
        return false;
    }
    let check_ok = c[2].is_ascii_digit()
        && c[3].is_ascii_digit()
        && (2..=98).contains(&((c[2] - b'0') * 10 + (c[3] - b'0')));
    check_ok && iban_mod97(&c[4..], &c[..4]) == Some(1)
}

/// The mod-97 remainder of `bban` followed by `head` (country + check), with
/// letters as 10..=35, or `None` on a character that is not `[0-9A-Z]`.
pub(crate) fn iban_mod97(bban: &[u8], head: &[u8]) -> Option<u32> {
    let mut r = 0u32;
    for &b in bban.iter().chain(head) {
        r = match b {
            b'0'..=b'9' => (r * 10 + u32::from(b - b'0')) % 97,
            b'A'..=b'Z' => (r * 100 + u32::from(b - b'A') + 10) % 97,
            _ => return None,
        };
    }
    Some(r)
}

/// Whether a US Social Security number is in an issuable range: area not
/// `000`, `666` or `900-999`; group not `00`; serial not `0000`; and not a
/// number known from advertising (`078-05-1120`, `219-09-9999`,
/// `123-45-6789`).
pub fn us_ssn(area: u16, group: u8, serial: u16) -> bool {
    let in_range = matches!(area, 1..=665 | 667..=899)
        && (1..=99).contains(&group)
        && (1..=9999).contains(&serial);
    let advertised = matches!(
        (area, group, serial),
        (78, 5, 1120) | (219, 9, 9999) | (123, 45, 6789)
    );
    in_range && !advertised
}

/// Whether `digits` is a Swedish personnummer or samordningsnummer: 10
/// ASCII digits `YYMMDDNNNC` or 12 digits `YYYYMMDDNNNC` (century 18-20),
/// without the separator. The date must exist (leap years included; with a
/// two-digit year, 29 February is accepted in years divisible by four), the
/// day may be raised by 60 (samordningsnummer), and the Luhn check runs over
/// the 10-digit form.
pub fn personnummer(digits: &[u8]) -> bool {
    if !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let num = |s: &[u8]| s.iter().fold(0u16, |a, d| a * 10 + u16::from(d - b'0'));
    let (year, short) = match digits.len() {
        10 => (None, digits),
        12 if (18..=20).contains(&num(&digits[..2])) => (Some(num(&digits[..4])), &digits[2..]),
        _ => return false,
    };
    let month = num(&short[2..4]) as u8;
    let mut day = num(&short[4..6]) as u8;
    if day > 60 {
        day -= 60;
    }
    let leap = match year {
        Some(y) => y % 4 == 0 && (y % 100 != 0 || y % 400 == 0),
        None => num(&short[..2]) % 4 == 0,
    };
    day >= 1 && day <= days_in_month(month, leap) && luhn_sum(short).is_multiple_of(10)
}

/// Days in `month` (1-12), or 0 for a month that does not exist.
const fn days_in_month(month: u8, leap: bool) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    }
}

/// Whether `s` is, as a whole, an e-mail address the scanner would report:
/// a dot-atom local part of `[A-Za-z0-9._%+-]` and accented letters (no
/// leading, trailing or doubled dot, at most 64 bytes), `@`, and a domain
/// of at least two labels of `[A-Za-z0-9-]` and accented letters whose
/// last label (the TLD) is alphabetic and at least two letters long, or a
/// punycode `xn--` label. "Accented letters" are those of the alphabets
/// written with spaces between words (Latin with diacritics, Greek,
/// Cyrillic, Armenian): `jörg.müller@example.com` is an address.
pub fn email(s: &str) -> bool {
    crate::text::email::is_email(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_known_values() {
        assert!(luhn(b"4111111111111111"));
        assert!(!luhn(b"4111111111111112"));
        assert!(!luhn(b"4"));
        assert!(!luhn(b"41x1"));
        for payload in [&b"7992739871"[..], b"411111111111111", b"811228987"] {
            let mut v = payload.to_vec();
            v.push(luhn_check_digit(payload).unwrap());
            assert!(luhn(&v));
        }
    }

    #[test]
    fn cards_need_issuer_length_and_luhn() {
        for ok in [
            &b"4111111111111111"[..],
            b"4222222222222",
            b"5555555555554444",
            b"2223003122003222",
            b"378282246310005",
            b"6011111111111117",
            b"3530111333300000",
            b"30569309025904",
            b"6200000000000005",
        ] {
            assert!(payment_card(ok), "{}", String::from_utf8_lossy(ok));
        }
        // Luhn-valid but no issuer, or the wrong length for the issuer.
        assert!(!payment_card(b"1234567812345670"));
        assert!(!payment_card(b"3782822463100050"));
        assert!(!payment_card(b"5555555555554440"));
        assert!(!payment_card(b"8111111111111113"));
    }

    #[test]
    fn iban_rules() {
        assert_eq!(iban_length(*b"SE"), Some(24));
        assert_eq!(iban_length(*b"NO"), Some(15));
        assert_eq!(iban_length(*b"XX"), None);
        assert_eq!(iban_length(*b"se"), None);
        assert!(iban("SE4550000000058398257466"));
        assert!(iban("SE45 5000 0000 0583 9825 7466"));
        assert!(iban("gb82 west 1234 5698 7654 32"));
        assert!(iban("DE89370400440532013000"));
        assert!(!iban("SE4550000000058398257467"));
        assert!(!iban("SE455000000005839825746"));
        assert!(!iban("XX4550000000058398257466"));
        assert!(!iban("SE45-5000"));
    }

    #[test]
    fn ssn_ranges() {
        assert!(us_ssn(123, 45, 6788));
        assert!(us_ssn(899, 99, 9999));
        for (a, g, s) in [(0, 1, 1), (666, 1, 1), (900, 1, 1), (1, 0, 1), (1, 1, 0)] {
            assert!(!us_ssn(a, g, s));
        }
        assert!(!us_ssn(78, 5, 1120));
        assert!(!us_ssn(219, 9, 9999));
    }

    #[test]
    fn personnummer_dates_and_checksums() {
        assert!(personnummer(b"8112289874"));
        assert!(personnummer(b"198112289874"));
        assert!(!personnummer(b"8112289875"));
        assert!(!personnummer(b"218112289874"));
        let with_check = |s: &[u8]| {
            let mut v = s.to_vec();
            v.push(luhn_check_digit(s).unwrap());
            v
        };
        // Samordningsnummer: day 28 + 60; day 92 is still out of range.
        assert!(personnummer(&with_check(b"811288987")));
        assert!(!personnummer(&with_check(b"811292987")));
        // Month 13, day 32, 30 February, day 00.
        for bad in [&b"811328987"[..], b"811232987", b"810230987", b"810000987"] {
            assert!(!personnummer(&with_check(bad)));
        }
        // Leap years: 2000 was one, 1900 was not; two-digit years guess.
        let mut v = b"20".to_vec();
        v.extend(with_check(b"000229123"));
        assert!(personnummer(&v));
        v[..2].copy_from_slice(b"19");
        assert!(!personnummer(&v));
        assert!(personnummer(&with_check(b"040229123")));
        assert!(!personnummer(&with_check(b"050229123")));
    }

    #[test]
    fn email_whole_string() {
        assert!(email("a.b+tag@mail.example.com"));
        assert!(email("X@EXAMPLE.ORG"));
        for bad in [
            "a@b",
            "a@example.c",
            ".a@example.com",
            "a..b@example.com",
            "a@-x.com",
        ] {
            assert!(!email(bad), "{bad}");
        }
    }
}
