//! Numbering plans: which digit strings are phone numbers.
//!
//! [`classify`] judges the first `k` groups of a [`Run`]:
//!
//! - **International** (`+CC …`, or `00CC …`): the country code is cut by
//!   the ITU zone table ([`country_code_len`]); one trunk `0` after it is
//!   dropped (`+44 (0)20 …`, `+46 070 …`); the national significant number
//!   (NSN) must have the country's length ([`nsn_len`]; NANP rules for
//!   `+1`). The first group is the country code, or the code run on into
//!   the area code (`+4670-123 45 67`). Scores: `+` with the code as its
//!   own group 0.9, compact `+` or the code run on 0.85, `00` with groups
//!   0.85, compact `00` 0.7 (bare).
//! - **Trunk `0` national** (SE, UK, DE, FR, ...): `0` then a non-zero
//!   digit, 9-12 digits, written in groups whose first (the area code) has
//!   2-5 digits: 0.8. Stockholm's eight-digit numbers (`08-12 34 56`,
//!   `08 123 456`) are the one shorter form accepted, in those shapes
//!   only. Without separators only the distinctive lengths 10 and 11 (and
//!   12 for German mobiles `015x`-`017x`): 0.6, bare.
//! - **NANP national**: `NPA NXX XXXX` in groups of 3-3-4, optionally after
//!   a `1` group (`1-800-555-0199`); area and exchange start with 2-9 and
//!   are not N11: 0.8. Written with the area code in parentheses, or with
//!   dashes or dots throughout, digits that break those rules are taken
//!   too (`(555) 123-4567`, `111-555-0143`): 0.65, vetoed by a reference
//!   word like a bare run. A bare 10-digit run is not accepted: it is as
//!   likely an order number.
//! - **Labelled runs** ([`labelled`]): right after a word that says
//!   "phone" (`Phone: 2025550143`, `call me at 0812345678`), a bare run is
//!   also taken when it is a NANP number (10 digits, or 11 with the
//!   leading `1`) or a trunk-`0` national number of 9-12 digits, and so is
//!   a US local number `NXX-XXXX` (`call 555-0143`): 0.6, bare.
//!
//! A number in any of these forms may end in an extension after a dash
//! (`+49 89 1234567-0`, [`with_extension`]).
//!
//! In every form, the separators after the first one (and after the
//! country code) must all be the same, which keeps dates and lists
//! (`05/01/2024 10`) out while allowing `070-123 45 67`. The SSN shape
//! `0AA-GG-SSSS` is left to the SSN detector.

use crate::text::num;
use crate::text::phone::{Group, Run, Sep};

/// How a plan judged a candidate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Verdict {
    /// The finding's score.
    pub score: f32,
    /// Whether the candidate is a bare digit run (context may veto it).
    pub bare: bool,
}

/// Length of the country code at the start of `d`, by ITU zone: `1` and
/// `7` are one digit, the two-digit codes are listed, the rest have three.
pub(crate) fn country_code_len(d: &[u8]) -> Option<usize> {
    match d {
        [b'1' | b'7', ..] => Some(1),
        [b'0', ..] | [] | [_] => None,
        [a, b, ..] => {
            let two = num(&[*a, *b]);
            let is_two = matches!(
                two,
                20 | 27 | 30..=34 | 36 | 39 | 40 | 41 | 43..=49 | 51..=58 | 60..=66 | 81 | 82
                    | 84 | 86 | 90..=95 | 98
            );
            Some(if is_two { 2 } else { 3 })
        }
    }
}

/// The allowed lengths of national significant numbers under a country
/// code; 6-12 for countries not listed.
pub(crate) fn nsn_len(cc: u16) -> (usize, usize) {
    match cc {
        1 | 7 | 30 | 52 | 90 | 91 => (10, 10),
        27 | 31 | 33 | 34 | 40 | 41 | 48 | 61 | 351 | 420 | 421 => (9, 9),
        45 | 47 | 370 | 371 | 386 => (8, 8),
        20 => (9, 10),
        32 | 36 => (8, 9),
        39 => (6, 11),
        43 => (4, 13),
        44 | 81 => (9, 10),
        46 => (7, 9),
        49 => (6, 11),
        55 | 86 => (10, 11),
        64 => (8, 10),
        352 => (4, 11),
        353 => (7, 9),
        354 => (7, 7),
        358 => (5, 12),
        372 => (7, 8),
        _ => (6, 12),
    }
}

/// Whether 10 digits are a NANP number: `NPA NXX XXXX`, with NPA and NXX
/// starting 2-9 and not of the form N11.
pub(crate) fn nanp(d: &[u8]) -> bool {
    let n11 = |x: &[u8]| x[1] == b'1' && x[2] == b'1';
    d.len() == 10
        && (b'2'..=b'9').contains(&d[0])
        && (b'2'..=b'9').contains(&d[3])
        && !n11(&d[..3])
        && !n11(&d[3..6])
}

/// The national significant number of an international number `d` (the
/// digits after `+` or `00`), or `None` if no plan accepts it.
pub(crate) fn international_nsn(d: &[u8]) -> Option<(u16, &[u8])> {
    let cc_len = country_code_len(d)?;
    let cc = num(&d[..cc_len]);
    let mut nsn = &d[cc_len..];
    if cc != 39 && nsn.first() == Some(&b'0') {
        nsn = &nsn[1..];
    }
    let (min, max) = nsn_len(cc);
    let ok = (min..=max).contains(&nsn.len())
        && (cc == 39 || nsn[0] != b'0')
        && cc_len + nsn.len() <= 15
        && (cc != 1 || nanp(nsn))
        && (cc != 44 || !matches!(nsn[0], b'4' | b'6'));
    ok.then_some((cc, nsn))
}

/// How many digits a country code has.
fn cc_digits(cc: u16) -> usize {
    match cc {
        0..=9 => 1,
        10..=99 => 2,
        _ => 3,
    }
}

/// Whether the separators of `groups` are all the same, parentheses aside,
/// except the first one (and the one after the country code, when
/// `skip_first`): `070-123 45 67`, `+46 70-123 45 67`.
fn consistent(groups: &[Group], skip_first: bool) -> bool {
    let mut seps = groups
        .iter()
        .skip(1 + usize::from(skip_first))
        .map(|g| g.sep)
        .filter(|&s| s != Sep::Paren);
    seps.next();
    let first = seps.next();
    seps.all(|s| Some(s) == first)
}

/// Whether 8 digits in `groups` are a Stockholm number with a six-digit
/// subscriber part, the one trunk-`0` form shorter than nine digits in
/// common use: `08` alone as the area code, then `12 34 56` or `123 456`
/// after a space, dash or parenthesis (`08-12 34 56`, `(08) 123 456`).
/// Dots and slashes are left out, since `08.12.20 24` or `08/12/2024` are
/// dates.
fn stockholm_short(groups: &[Group], d: &[u8]) -> bool {
    let lens: [u8; 4] = core::array::from_fn(|i| groups.get(i).map_or(0, |g| g.len));
    let area_sep = groups.get(1).map(|g| g.sep);
    d.len() == 8
        && d.starts_with(b"08")
        && matches!(lens, [2, 2, 2, 2] | [2, 3, 3, 0])
        && matches!(area_sep, Some(Sep::Space | Sep::Dash | Sep::Paren))
        && groups[2..]
            .iter()
            .all(|g| matches!(g.sep, Sep::Space | Sep::Dash))
}

/// Whether the first `k` groups of `run` are a number with an extension,
/// as German business letters write them (DIN 5008: `+49 89 1234567-0`,
/// `030 1234567-89`): the first `k - 1` groups, separated by spaces, are a
/// number of their own, and the last group is 1-5 digits after a `-`.
/// Judged as that number.
///
/// Kept out of line: the phone detector tries it only where
/// [`ends_in_extension`] holds, so the common case pays one test.
#[inline(never)]
pub(crate) fn with_extension(run: &Run, k: usize) -> Option<Verdict> {
    let spaced = || {
        run.groups(k)[1..k - 1]
            .iter()
            .all(|g| matches!(g.sep, Sep::Space | Sep::Paren))
    };
    if ends_in_extension(run, k) && spaced() {
        classify(run, k - 1)
    } else {
        None
    }
}

/// Whether the `k`th group of `run` could be an extension (see
/// [`with_extension`]): at least two groups before it, and 1-5 digits
/// after a `-`.
#[inline]
pub(crate) fn ends_in_extension(run: &Run, k: usize) -> bool {
    let last = run.groups(k)[k - 1];
    k >= 3 && last.sep == Sep::Dash && last.len <= 5
}

/// Whether the first `k` groups of `run` are a phone number once a word
/// before them says so
/// ([`context::phone_before`](crate::text::context::phone_before)): a bare
/// run that is NANP (with or without its `1`) or a trunk-`0` national
/// number of 9-12 digits, or a US local number `NXX-XXXX` (`555-0143`).
/// [`classify`] alone takes none of these: without the word they are as
/// likely order numbers or counts.
pub(crate) fn labelled(run: &Run, k: usize) -> bool {
    let d = run.digits(k);
    match run.groups(k) {
        [_] => {
            let trunk = d.len() >= 9 && d.len() <= 12 && d[0] == b'0' && d[1] != b'0';
            nanp(d) || (d.len() == 11 && d[0] == b'1' && nanp(&d[1..])) || trunk
        }
        [first, second] => {
            let local = first.len == 3 && second.len == 4;
            let sep = matches!(second.sep, Sep::Dash | Sep::Space | Sep::Dot);
            let n11 = d[1] == b'1' && d[2] == b'1';
            local && sep && (b'2'..=b'9').contains(&d[0]) && !n11
        }
        _ => false,
    }
}

/// Whether the first `k` groups of `run` are a phone number, and how sure.
pub(crate) fn classify(run: &Run, k: usize) -> Option<Verdict> {
    let groups = run.groups(k);
    let d = run.digits(k);
    let separated = k > 1;
    if separated && groups[k - 1].len < 2 {
        return None; // `070-123 45 67 2 gånger`: no plan ends in one digit
    }
    let verdict = |score, bare| Some(Verdict { score, bare });
    if run.plus {
        let (cc, _) = international_nsn(d)?;
        // The first group is the country code (`+46 70-…`), or the code
        // run on into the area code (`+4670-123 45 67`, as often typed).
        let first = usize::from(groups[0].len);
        if separated && (first < cc_digits(cc) || !consistent(groups, true)) {
            return None;
        }
        let grouped_by_code = separated && first == cc_digits(cc);
        return verdict(if grouped_by_code { 0.9 } else { 0.85 }, false);
    }
    if d.len() > 2 && d.starts_with(b"00") && d[2] != b'0' {
        let (cc, _) = international_nsn(&d[2..])?;
        if separated
            && (usize::from(groups[0].len) != 2 + cc_digits(cc) || !consistent(groups, true))
        {
            return None;
        }
        return if separated {
            verdict(0.85, false)
        } else {
            verdict(0.7, true)
        };
    }
    if d[0] == b'0' {
        if d.len() < 2 || d[1] == b'0' {
            return None;
        }
        if !separated {
            let mobile_de = d.len() == 12 && matches!(d[2], b'5'..=b'7') && d[1] == b'1';
            return (matches!(d.len(), 10 | 11) || mobile_de).then_some(Verdict {
                score: 0.6,
                bare: true,
            });
        }
        let ssn_shape = k == 3 && groups[0].len == 3 && groups[1].len == 2 && groups[2].len == 4;
        let area_ok = (2..=5).contains(&groups[0].len);
        let long_enough = (9..=12).contains(&d.len()) || stockholm_short(groups, d);
        let ok = long_enough && area_ok && !ssn_shape && consistent(groups, false);
        return if ok { verdict(0.8, false) } else { None };
    }
    let lens: [usize; 4] =
        core::array::from_fn(|i| groups.get(i).map_or(0, |g| usize::from(g.len)));
    let nanp_groups = match (k, lens) {
        (3, [3, 3, 4, _]) => Some(d),
        (4, [1, 3, 3, 4]) if d[0] == b'1' => Some(&d[1..]),
        _ => None,
    };
    match nanp_groups {
        Some(nsn) if consistent(groups, false) && nanp(nsn) => verdict(0.8, false),
        Some(_) if consistent(groups, false) && us_written(groups) => verdict(0.65, true),
        _ => None,
    }
}

/// Whether NANP-sized groups (`3-3-4`, or `1-3-3-4`) are written the way
/// only US phone numbers are: the area code in parentheses
/// (`(555) 123-4567`), or dashes or dots throughout (`555-123-4567`,
/// `555.123.4567`). Such a number is taken even where its digits break the
/// plan's rules (an area code or exchange starting with `0` or `1`):
/// placeholder and mistyped numbers are still someone's number as they
/// wrote it. Spaces alone (`555 123 4567`) are as likely a list of numbers.
fn us_written(groups: &[Group]) -> bool {
    let area = groups.len() - 3;
    let paren = groups[area].sep == Sep::Paren || groups[area + 1].sep == Sep::Paren;
    let marks = |sep: Sep| groups[area + 1..].iter().all(|g| g.sep == sep);
    paren || marks(Sep::Dash) || marks(Sep::Dot)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge(s: &str) -> Option<f32> {
        let run = Run::parse(s.as_bytes(), 0)?;
        classify(&run, run.len()).map(|v| v.score)
    }

    #[test]
    fn country_codes() {
        assert_eq!(country_code_len(b"46701234567"), Some(2));
        assert_eq!(country_code_len(b"12025550143"), Some(1));
        assert_eq!(country_code_len(b"358401234567"), Some(3));
        assert_eq!(country_code_len(b"0046"), None);
        assert_eq!(
            international_nsn(b"46701234567"),
            Some((46, &b"701234567"[..]))
        );
        assert_eq!(international_nsn(b"442079460958").map(|x| x.0), Some(44));
        assert_eq!(international_nsn(b"4407946"), None);
        assert_eq!(international_nsn(b"12021550143"), None);
    }

    #[test]
    fn plans_accept() {
        for s in [
            "+46701234567",
            "+1 202-555-0143",
            "+44 20 7946 0958",
            "0046 70 123 45 67",
            "+33 6 12 34 56 78",
            "+49 30 12345678",
            "+44 (0)20 7946 0958",
            "(202) 555-0143",
            "202-555-0143",
            "202.555.0143",
            "1-800-555-0199",
            "020 7946 0958",
            "07700 900123",
            "070-123 45 67",
            "08-123 456 78",
            "08-12 34 56",
            "08 123 456",
            "(08) 12 34 56",
            "08-123 45 67",
            "0701234567",
            "030 12345678",
            "0151 23456789",
            "030/1234567",
            "06 12 34 56 78",
            "01.23.45.67.89",
            "+46 70-123 45 67",
            "+4670-123 45 67",
            "+4670 123 45 67",
            "+44207 946 0958",
            "+1 (202) 555-0143",
            "(08) 123 45 67",
            "015123456789",
        ] {
            assert!(judge(s).is_some(), "{s}");
        }
    }

    #[test]
    fn us_shapes_are_taken_with_digits_the_plan_refuses() {
        for s in [
            "(555) 123-4567",
            "(123) 456-7890",
            "111-555-0143",
            "202-155-0143",
            "202.911.0143",
            "1-111-555-0143",
        ] {
            assert_eq!(judge(s), Some(0.65), "{s}");
        }
        assert_eq!(
            judge("202-555-0143"),
            Some(0.8),
            "a valid number scores higher"
        );
        for s in ["111 555 0143", "111-555 0143", "111.555-0143"] {
            assert_eq!(judge(s), None, "{s}");
        }
    }

    #[test]
    fn extensions_follow_a_spaced_number() {
        let judge_ext = |s: &str| {
            let run = Run::parse(s.as_bytes(), 0).expect("a run");
            with_extension(&run, run.len()).map(|v| v.score)
        };
        for s in ["+49 89 1234567-0", "+49 (0)89 1234567-12345"] {
            assert!(judge_ext(s).is_some(), "{s}");
            assert!(judge(s).is_none(), "{s} is not a plain number");
        }
        // Twelve digits after a trunk `0` are a plain number too.
        assert!(judge_ext("030 1234567-89").is_some());
        for s in [
            "+49 89 1234567-123456",
            "030-1234567-0",
            "2024 01 15-3",
            "+49 89-0",
            "030 12-0",
        ] {
            assert!(judge_ext(s).is_none(), "{s}");
        }
    }

    #[test]
    fn plans_reject() {
        for s in [
            "2025550143",
            "4500123456",
            "100234567",
            "1700000000000",
            "111 555 0143",
            "202 155 0143",
            "2024-01-15",
            "05/01/2024 10",
            "078-05-1120",
            "050101-1234",
            "0 70 123 45 67",
            "00000000000",
            "+0701234567",
            "+46 70",
            "202 555-01-43",
            "1 299",
            "0701234",
            "+44 4 1234 5678",
            "+4 670 123 45 67",
            "004-33-8420",
            "08/12/2024",
            "08.12.20.24",
            "08-12-2024",
            "08 1234 56",
            "07-12 34 56",
            "08-12 34 5",
            "08 12.34.56",
        ] {
            assert!(judge(s).is_none(), "{s}");
        }
    }
}
