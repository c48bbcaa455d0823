//! proptest strategies for valid values, with checksums computed here, and
//! for the prose they are embedded in.

use std::net::{Ipv4Addr, Ipv6Addr};

use lethe_detectors::validate::luhn_check_digit;
use proptest::prelude::*;
use proptest::sample::select;

/// Filler words: letters, punctuation and non-ASCII, but no digits and no
/// word that gives a number a meaning (order, ref, id, version, SSN, ...).
const VOCAB: &[&str] = &[
    "hej",
    "tack",
    "ring",
    "mig",
    "please",
    "call",
    "the",
    "customer",
    "said",
    "Åsa",
    "över",
    "ärlig",
    "ok",
    "😀",
    "☎",
    "naïve",
    "café",
    "straße",
    "日本語",
    "—",
    "«hello»",
    "a",
    "I",
    "Thanks!",
    "well,",
    "so;",
    "Ünal",
    "Ørsted",
    "x",
    "ÅÄÖ",
    "здравствуйте",
];

/// A few words of prose (possibly none).
pub fn prose() -> impl Strategy<Value = String> {
    prop::collection::vec(select(VOCAB), 0..6).prop_map(|w| w.join(" "))
}

/// `value` between two pieces of prose, with optional punctuation around
/// it; returns the text and the byte offset of the value.
pub fn embedded(value: String) -> impl Strategy<Value = (String, usize, String)> {
    let open = select(&["", "(", "\"", "« "][..]);
    let close = select(&["", ".", ",", "!", "?", ")", "\"", " ☎"][..]);
    (prose(), open, close, prose()).prop_map(move |(pre, open, close, post)| {
        let mut text = pre;
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(open);
        let start = text.len();
        text.push_str(&value);
        text.push_str(close);
        if !post.is_empty() {
            text.push(' ');
            text.push_str(&post);
        }
        (text, start, value.clone())
    })
}

/// `n` random ASCII digits.
pub fn digits(n: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(0u8..10, n).prop_map(|d| d.iter().map(|x| char::from(b'0' + x)).collect())
}

/// Appends the Luhn check digit.
pub fn with_luhn(payload: &str) -> String {
    let check = luhn_check_digit(payload.as_bytes()).expect("digits");
    format!("{payload}{}", char::from(check))
}

/// Replaces the last char (a digit) with a different digit.
pub fn corrupt_last(s: &str, by: u8) -> String {
    let last = s.as_bytes()[s.len() - 1] - b'0';
    let new = (last + 1 + by % 9) % 10;
    format!("{}{}", &s[..s.len() - 1], char::from(b'0' + new))
}

/// Groups digits: `sizes` lengths joined by `sep`.
pub fn group(d: &str, sizes: &[usize], sep: &str) -> String {
    let mut out = Vec::new();
    let mut at = 0;
    for &n in sizes {
        out.push(&d[at..at + n]);
        at += n;
    }
    out.join(sep)
}

/// Issuer prefixes with a length each issuer uses.
const ISSUERS: &[(&str, usize)] = &[
    ("4", 16),
    ("4", 13),
    ("4", 19),
    ("51", 16),
    ("55", 16),
    ("2221", 16),
    ("2720", 16),
    ("34", 15),
    ("37", 15),
    ("6011", 16),
    ("644", 16),
    ("649", 16),
    ("65", 19),
    ("3528", 16),
    ("3589", 19),
    ("300", 14),
    ("305", 14),
    ("36", 14),
    ("38", 16),
    ("62", 16),
    ("50", 16),
    ("56", 18),
    ("69", 13),
];

/// A valid card number, compact (digits only).
pub fn card_digits() -> impl Strategy<Value = String> {
    select(ISSUERS).prop_flat_map(|(prefix, len)| {
        digits(len - prefix.len() - 1).prop_map(move |mid| with_luhn(&format!("{prefix}{mid}")))
    })
}

/// A card number as written: compact, or grouped with spaces or dashes.
pub fn card_written(d: String, style: u8) -> String {
    let sep = if style.is_multiple_of(2) { " " } else { "-" };
    match (style % 3, d.len()) {
        (0, _) | (_, 13) => d,
        (_, 14) => group(&d, &[4, 6, 4], sep),
        (_, 15) => group(&d, &[4, 6, 5], sep),
        (_, n) => {
            let mut sizes = vec![4; n / 4];
            if n % 4 > 0 {
                sizes.push(n % 4);
            }
            group(&d, &sizes, sep)
        }
    }
}

/// Countries with their BBAN shape: leading letters, then digits.
const IBAN_SHAPES: &[(&str, usize, usize)] = &[
    ("SE", 0, 20),
    ("DE", 0, 18),
    ("GB", 4, 14),
    ("FR", 0, 23),
    ("NL", 4, 10),
    ("ES", 0, 20),
    ("IT", 1, 22),
    ("NO", 0, 11),
    ("BE", 0, 12),
    ("CH", 0, 17),
    ("PL", 0, 24),
    ("FI", 0, 14),
    ("DK", 0, 14),
    ("AT", 0, 16),
    ("IE", 4, 14),
];

/// ISO 7064 mod-97 of an IBAN in check order (BBAN, country, check).
pub fn mod97(s: &str) -> u32 {
    s.bytes().fold(0, |r, b| match b {
        b'0'..=b'9' => (r * 10 + u32::from(b - b'0')) % 97,
        _ => (r * 100 + u32::from(b - b'A') + 10) % 97,
    })
}

/// A valid compact IBAN with computed check digits.
pub fn iban() -> impl Strategy<Value = String> {
    select(IBAN_SHAPES).prop_flat_map(|(cc, letters, n)| {
        let bank = prop::collection::vec(b'A'..=b'Z', letters)
            .prop_map(|l| String::from_utf8(l).expect("ASCII"));
        (bank, digits(n)).prop_map(move |(bank, rest)| {
            let bban = format!("{bank}{rest}");
            let check = 98 - mod97(&format!("{bban}{cc}00"));
            format!("{cc}{check:02}{bban}")
        })
    })
}

/// An IBAN in groups of four.
pub fn iban_grouped(compact: &str) -> String {
    compact
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).expect("ASCII"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn days_in(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A valid personnummer in one of its written forms, and its form index.
pub fn personnummer() -> impl Strategy<Value = String> {
    (
        1901u32..=2099,
        1u32..=12,
        0u32..31,
        any::<bool>(),
        0u32..1000,
        0u8..5,
    )
        .prop_map(|(year, month, day, coordination, serial, form)| {
            let day = day % days_in(year, month) + 1 + if coordination { 60 } else { 0 };
            let short = format!("{:02}{month:02}{day:02}{serial:03}", year % 100);
            let ten = with_luhn(&short);
            let century = year / 100;
            match form {
                0 => format!("{}-{}", &ten[..6], &ten[6..]),
                1 => format!("{}+{}", &ten[..6], &ten[6..]),
                2 => format!("{century}{ten}"),
                3 => format!("{century}{}-{}", &ten[..6], &ten[6..]),
                _ => ten,
            }
        })
}

/// A valid US SSN, with a dash or space separator.
pub fn ssn() -> impl Strategy<Value = String> {
    (1u16..900, 1u8..100, 1u16..10000, any::<bool>())
        .prop_filter("issuable", |&(a, g, s, _)| {
            a != 666 && !matches!((a, g, s), (78, 5, 1120) | (219, 9, 9999) | (123, 45, 6789))
        })
        .prop_map(|(a, g, s, dash)| {
            let sep = if dash { '-' } else { ' ' };
            format!("{a:03}{sep}{g:02}{sep}{s:04}")
        })
}

/// An IPv4 address.
pub fn ipv4() -> impl Strategy<Value = String> {
    any::<[u8; 4]>().prop_map(|o| Ipv4Addr::from(o).to_string())
}

/// An IPv6 address in its canonical text form (not `::`, not MAC-like).
pub fn ipv6() -> impl Strategy<Value = String> {
    any::<u128>()
        .prop_map(|x| Ipv6Addr::from(x).to_string())
        .prop_filter("address-like", |s| {
            s != "::" && (s.contains("::") || !s.split(':').all(|g| g.len() == 2))
        })
}

/// An e-mail address at an example domain, in mixed case.
pub fn email() -> impl Strategy<Value = String> {
    // Letters with diacritics and from Greek and Cyrillic too (RFC 6531).
    let local = "[a-zA-Z0-9äöüåéçñøłșÄÖÜÉαβγδабвгд]{1,8}([._+-][a-zA-Z0-9öüéжз]{1,6}){0,2}";
    let domain = select(
        &[
            "example.com",
            "example.org",
            "mail.example.com",
            "EXAMPLE.ORG",
            "bücher.example",
            "пример.испытание",
        ][..],
    );
    (local, domain).prop_map(|(l, d)| format!("{l}@{d}"))
}

/// A NANP area or exchange code: 2-9 first, not N11.
fn nanp3() -> impl Strategy<Value = String> {
    (2u16..10, 0u16..100)
        .prop_filter("not N11", |&(_, rest)| rest != 11)
        .prop_map(|(a, rest)| format!("{a}{rest:02}"))
}

/// A phone number in one of the national or international formats.
pub fn phone() -> impl Strategy<Value = String> {
    let us = (nanp3(), nanp3(), digits(4), 0u8..5).prop_map(|(npa, nxx, line, f)| match f {
        0 => format!("({npa}) {nxx}-{line}"),
        1 => format!("{npa}-{nxx}-{line}"),
        2 => format!("{npa}.{nxx}.{line}"),
        3 => format!("1-{npa}-{nxx}-{line}"),
        _ => format!("+1 {npa}-{nxx}-{line}"),
    });
    let uk = (digits(8), digits(6), 0u8..4).prop_map(|(l, m, f)| match f {
        0 => format!("020 {} {}", &l[..4], &l[4..]),
        1 => format!("07700 {m}"),
        2 => format!("+44 20 {} {}", &l[..4], &l[4..]),
        _ => format!("+44 (0)20 {} {}", &l[..4], &l[4..]),
    });
    let se = (
        select(&["70", "72", "73", "76", "79"][..]),
        digits(7),
        0u8..6,
    )
        .prop_map(|(m, d, f)| match f {
            0 => format!("0{m}-{} {} {}", &d[..3], &d[3..5], &d[5..]),
            1 => format!("08-{} {} {}", &d[..3], &d[3..5], &d[5..]),
            2 => format!("0{m}{d}"),
            3 => format!("+46 {m}-{} {} {}", &d[..3], &d[3..5], &d[5..]),
            4 => format!("0046 {m} {} {} {}", &d[..3], &d[3..5], &d[5..]),
            _ => format!("+46{m}{d}"),
        });
    let de = (digits(8), 0u8..4).prop_map(|(d, f)| match f {
        0 => format!("030 {d}"),
        1 => format!("0151 {d}"),
        2 => format!("030/{}", &d[..7]),
        _ => format!("+49 30 {d}"),
    });
    let fr = (1u8..10, digits(8), 0u8..3).prop_map(|(a, d, f)| {
        let g = |sep: &str| group(&d, &[2, 2, 2, 2], sep);
        match f {
            0 => format!("0{a} {}", g(" ")),
            1 => format!("0{a}.{}", g(".")),
            _ => format!("+33 {a} {}", g(" ")),
        }
    });
    prop_oneof![us, uk, se, de, fr]
}

/// Days in `month` of `year` (Gregorian).
pub fn days_in_month(year: u16, month: u8) -> u8 {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A date written in one of the common forms (`style` picks one), with
/// `day` as given: valid or not is the caller's choice.
pub fn date_written(year: u16, month: u8, day: u8, style: u8) -> String {
    let name = MONTH_NAMES[usize::from(month - 1)];
    match style % 7 {
        0 => format!("{year}-{month:02}-{day:02}"),
        1 => format!("{day:02}/{month:02}/{year}"),
        2 => format!("{day}.{month}.{year}"),
        3 => format!("{year}{month:02}{day:02}"),
        4 => format!("{day} {name} {year}"),
        5 => format!("{name} {day}, {year}"),
        _ => format!("{month:02}/{day:02}/{year}"),
    }
}

/// A valid date of 1900-2099, written in one of the common forms.
pub fn birth_date() -> impl Strategy<Value = String> {
    (
        1900u16..2100,
        1u8..=12,
        any::<prop::sample::Index>(),
        any::<u8>(),
    )
        .prop_map(|(year, month, day, style)| {
            let day = 1 + day.index(usize::from(days_in_month(year, month))) as u8;
            date_written(year, month, day, style)
        })
}

/// A lead-in that names the date after it a date of birth.
pub fn birth_lead() -> impl Strategy<Value = &'static str> {
    select(
        &[
            "DOB: ",
            "date of birth ",
            "I was born on ",
            "född ",
            "Geburtsdatum: ",
            "né le ",
            "Birthday: ",
        ][..],
    )
}
