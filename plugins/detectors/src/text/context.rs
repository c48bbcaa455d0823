//! Words next to a bare number that say what it is.
//!
//! A bare digit run (`0701234567`, `8112289874`) is ambiguous: it may be a
//! phone number or an order number. The scanners call these checks only for
//! such bare forms; a number written with its usual separators is trusted.
//!
//! - [`reference_before`]: `Order #`, `order no.`, `invoice`, `ref`,
//!   `tracking`, `id`, `ärende`, ... or a currency (`$`, `SEK`, `kr`) right
//!   before the number, or a currency right after it: suppress.
//! - [`ssn_before`]: `SSN`, `social security` within a few words before a
//!   bare 9-digit run: required for a bare SSN.
//! - [`version_before`]: `version`, `ver`, `build` before a dotted quad:
//!   suppress the IPv4 reading.
//! - [`phone_before`]: `phone`, `tel`, `mobile`, `call`, ... within three
//!   words before a bare run: lets a bare run that no plan takes alone be
//!   a phone number (`Phone: 2025550143`, `call me at 0812345678`).
//! - [`birth_before`]: `born`, `date of birth`, `DOB`, `född`, `geboren`,
//!   ... before a date in the same sentence: required for a date of birth.
//!
//! The look-behind is bounded (two words, or three for [`phone_before`];
//! 48 bytes for [`ssn_before`] and [`birth_before`]) and case-insensitive.

/// Words that mark the next number as a reference, not personal data.
const REFERENCE_WORDS: &[&[u8]] = &[
    b"order",
    b"orders",
    b"ordernr",
    b"ordernummer",
    b"invoice",
    b"inv",
    b"faktura",
    b"fakturanr",
    b"fakturanummer",
    b"ref",
    b"reference",
    b"referens",
    b"refnr",
    b"tracking",
    b"shipment",
    b"parcel",
    b"ticket",
    b"case",
    b"id",
    b"txn",
    b"transaction",
    b"receipt",
    b"kvitto",
    b"booking",
    b"bokning",
    b"confirmation",
    b"\xc3\xa4rende",
    b"\xc3\x84rende",
    b"sku",
    b"serial",
    b"batch",
    b"timestamp",
    b"ts",
    b"epoch",
];

/// Words that, with `#`, name a Social Security number (`SSN#`).
const SSN_WORDS: &[&[u8]] = &[b"ssn", b"ss"];

/// Words that stand between a reference word and the number (`order no.`).
const NUMBER_WORDS: &[&[u8]] = &[b"no", b"nr", b"num", b"number", b"nummer", b"n\xc2\xba"];

/// Currency words and symbols.
const CURRENCIES: &[&[u8]] = &[
    b"$",
    b"\xe2\x82\xac",
    b"\xc2\xa3",
    b"kr",
    b"sek",
    b"usd",
    b"eur",
    b"gbp",
    b"nok",
    b"dkk",
    b"chf",
    b"isk",
];

/// Words that make a bare dotted quad a version, not an address.
const VERSION_WORDS: &[&[u8]] = &[b"version", b"ver", b"v", b"build", b"release", b"firmware"];

/// Words that say the number after them (within three words) is a phone
/// number, in the languages of the numbering plans the scanner knows.
const PHONE_WORDS: &[&[u8]] = &[
    b"phone",
    b"ph",
    b"tel",
    b"tele",
    b"telephone",
    b"telefon",
    b"telefonnummer",
    b"telnr",
    b"tfn",
    b"mobile",
    b"mobil",
    b"mobilnummer",
    b"mob",
    b"cell",
    b"cellphone",
    b"fax",
    b"call",
    b"text",
    b"sms",
    b"whatsapp",
    b"ring",
    b"handy",
    b"portable",
    b"t\xc3\xa9l",
    b"t\xc3\xa9l\xc3\xa9phone",
];

/// Words that say a date near them is a date of birth, as (lower-case
/// start of the word, whether it must be the whole word). English,
/// Swedish, German, French and Spanish.
const BIRTH_WORDS: &[(&[u8], bool)] = &[
    (b"birth", false),
    (b"born", true),
    (b"dob", true),
    (b"d.o.b", false),
    (b"bday", true),
    (b"b-day", true),
    (b"f\xc3\xb6d", false),
    (b"fodd", true),
    (b"fodelse", false),
    (b"geboren", true),
    (b"geb.", false),
    (b"geburt", false),
    (b"naissance", true),
    (b"n\xc3\xa9 le", false),
    (b"n\xc3\xa9e le", false),
    (b"anniversaire", true),
    (b"nacid", false),
    (b"nacimiento", true),
    (b"cumplea\xc3\xb1os", true),
];

/// How far before a date [`birth_before`] looks for a birth word, in bytes.
pub(crate) const BIRTH_WINDOW: usize = 48;

/// Separators skipped between a context word and the number.
#[inline]
fn is_gap(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b':' | b'.' | b'-' | b'=' | b'(')
}

/// The word (ASCII letters or non-ASCII bytes) ending before `i`, after
/// skipping gap bytes, as `(start, end, saw_hash)`. `$`, `€`, `£` and `#`
/// count as one-symbol words.
fn word_before(b: &[u8], mut i: usize) -> Option<(usize, usize)> {
    let floor = i.saturating_sub(24);
    while i > floor && is_gap(b[i - 1]) {
        i -= 1;
    }
    let end = i;
    if i > 0 && matches!(b[i - 1], b'$' | b'#') {
        return Some((i - 1, end));
    }
    while i > floor && (b[i - 1].is_ascii_alphabetic() || b[i - 1] >= 0x80) {
        i -= 1;
    }
    (i < end).then_some((i, end))
}

fn is_one_of(word: &[u8], list: &[&[u8]]) -> bool {
    list.iter().any(|w| w.eq_ignore_ascii_case(word))
}

/// Whether the number at `start` follows a reference word or `#`
/// (`Order #`, `order no.`, `ref:`), or a currency.
pub(crate) fn reference_before(text: &str, start: usize) -> bool {
    let b = text.as_bytes();
    let Some((s1, e1)) = word_before(b, start) else {
        return false;
    };
    let w1 = &b[s1..e1];
    if w1 == b"#" {
        // `Order #…` is a reference; `SSN#…` / `SS#…` says what follows.
        let marker = word_before(b, s1).is_some_and(|(s, e)| is_one_of(&b[s..e], SSN_WORDS));
        return !marker;
    }
    if is_one_of(w1, REFERENCE_WORDS) || is_one_of(w1, CURRENCIES) {
        return true;
    }
    if !is_one_of(w1, NUMBER_WORDS) {
        return false;
    }
    word_before(b, s1).is_some_and(|(s2, e2)| is_one_of(&b[s2..e2], REFERENCE_WORDS))
}

/// Whether a currency word follows the number ending at `end` (`12 500 kr`).
pub(crate) fn currency_after(text: &str, end: usize) -> bool {
    let b = &text.as_bytes()[end..];
    let b = &b[b.iter().take_while(|&&c| c == b' ').count()..];
    let n = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    (n > 0 && is_one_of(&b[..n], CURRENCIES)) || b.starts_with(b":-")
}

/// Whether `SSN`, `SS#` or `social security` occurs in the 48 bytes before
/// `start`.
pub(crate) fn ssn_before(text: &str, start: usize) -> bool {
    const NEEDLES: [&[u8]; 4] = [b"ssn", b"ss#", b"social security", b"soc. sec"];
    let b = text.as_bytes();
    let window = &b[start.saturating_sub(48)..start];
    // Every needle starts with `s` (or `S`), so only those bytes start a
    // comparison: a few per window instead of four per byte.
    (0..window.len())
        .filter(|&i| window[i] | 0x20 == b's')
        .any(|i| {
            let rest = &window[i..];
            NEEDLES.iter().any(|n| {
                rest.get(..n.len())
                    .is_some_and(|w| w.eq_ignore_ascii_case(n))
            })
        })
}

/// Whether a phone word is one of the three words before the number at
/// `start` (`Phone: `, `call me at `, `my cell is `), with no reference
/// word or currency nearer to the number.
pub(crate) fn phone_before(text: &str, start: usize) -> bool {
    let b = text.as_bytes();
    let mut at = start;
    for _ in 0..3 {
        let Some((s, e)) = word_before(b, at) else {
            return false;
        };
        let word = &b[s..e];
        if is_one_of(word, PHONE_WORDS) {
            return true;
        }
        if word == b"#" || is_one_of(word, REFERENCE_WORDS) || is_one_of(word, CURRENCIES) {
            return false;
        }
        at = s;
    }
    false
}

/// Whether a birth word ([`BIRTH_WORDS`]) starts a word in the
/// [`BIRTH_WINDOW`] bytes before the date at `start`, in the same sentence
/// and with no digit between (`DOB: `, `date of birth (DD/MM/YYYY): `,
/// `I was born in Lund on `; not `born in 1985, ordered on `).
pub(crate) fn birth_before(text: &str, start: usize) -> bool {
    let b = text.as_bytes();
    let word_byte = |c: u8| c.is_ascii_alphabetic() || c >= 0x80;
    // Every birth word starts with one of these letters.
    let may_start = |c: u8| matches!(c | 0x20, b'a' | b'b' | b'c' | b'd' | b'f' | b'g' | b'n');
    let floor = start.saturating_sub(BIRTH_WINDOW);
    // Backwards, a word at a time, up to the sentence's start.
    let mut k = start;
    while k > floor {
        let c = b[k - 1];
        if word_byte(c) {
            while k > floor && word_byte(b[k - 1]) {
                k -= 1;
            }
            let whole_word = k == 0 || !word_byte(b[k - 1]);
            if whole_word && may_start(b[k]) && birth_word_at(b, k, start) {
                return true;
            }
            continue;
        }
        let sentence_end = matches!(c, b'\n' | b'!' | b'?')
            || (c == b'.'
                && b.get(k) == Some(&b' ')
                && b.get(k + 1).is_some_and(u8::is_ascii_uppercase));
        if sentence_end || c.is_ascii_digit() {
            return false;
        }
        k -= 1;
    }
    false
}

/// Whether a [`BIRTH_WORDS`] word starts at `k` and ends by `limit`.
fn birth_word_at(b: &[u8], k: usize, limit: usize) -> bool {
    let first = b[k] | 0x20;
    BIRTH_WORDS.iter().any(|&(word, whole)| {
        let end = k + word.len();
        word[0] == first
            && end <= limit
            && b[k..end].eq_ignore_ascii_case(word)
            && !(whole
                && b.get(end)
                    .is_some_and(|&c| c.is_ascii_alphabetic() || c >= 0x80))
    })
}

/// Whether a version word comes right before the number at `start`.
pub(crate) fn version_before(text: &str, start: usize) -> bool {
    let b = text.as_bytes();
    word_before(b, start).is_some_and(|(s, e)| is_one_of(&b[s..e], VERSION_WORDS))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn before(s: &str) -> bool {
        reference_before(s, s.len())
    }

    #[test]
    fn reference_words() {
        for s in [
            "Order #",
            "order no. ",
            "Order No: ",
            "invoice ",
            "Ref: ",
            "ordernr ",
            "tracking: ",
            "order-nr ",
            "ID ",
            "Ärende ",
            "ärende ",
            "$",
            "SEK ",
            "€",
        ] {
            assert!(before(s), "{s:?}");
        }
        for s in [
            "",
            "call me on ",
            "phone no. ",
            "Tel: ",
            "nummer ",
            "ring ",
            "SSN#",
            "ss# ",
        ] {
            assert!(!before(s), "{s:?}");
        }
    }

    #[test]
    fn currency_and_ssn_and_version() {
        assert!(currency_after("12 500 kr", 6));
        assert!(currency_after("12 500 SEK.", 6));
        assert!(currency_after("500:-", 3));
        assert!(!currency_after("500 kronor", 3));
        assert!(ssn_before("my SSN is ", 10));
        assert!(ssn_before("Social Security number: ", 24));
        assert!(!ssn_before("my number is ", 13));
        assert!(version_before("version ", 8));
        for s in [
            "Phone: ",
            "tel. ",
            "call me at ",
            "my cell is ",
            "Mobil: ",
            "Tél : ",
            "phone no. ",
        ] {
            assert!(phone_before(s, s.len()), "{s:?}");
        }
        for s in [
            "",
            "order ",
            "phone order ",
            "call ID ",
            "on the phone we said, ",
            "text me about this thing at ",
            "telephones ",
        ] {
            assert!(!phone_before(s, s.len()), "{s:?}");
        }
        assert!(version_before("v. ", 3));
        assert!(!version_before("server ", 7));
    }
}
