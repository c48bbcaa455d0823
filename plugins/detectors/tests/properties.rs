//! Property tests: generated valid values embedded in prose are found at
//! their exact offsets with the right detector; corrupted ones are not;
//! prose alone yields nothing; arbitrary input never breaks the output
//! invariants.

mod common;

use common::assert_well_formed;
use common::generate::{self, embedded};
use lethe_detectors::{Detector, Finding, Scanner, Subject, SubjectMatcher, validate};
use proptest::prelude::*;

/// The single finding of `text`, if there is exactly one.
fn only(text: &str) -> Option<Finding> {
    match Scanner::new().scan(text, None)[..] {
        [f] => Some(f),
        _ => None,
    }
}

/// Asserts `value` at `start` is found, alone, by one of `detectors`.
fn assert_found(
    text: &str,
    start: usize,
    value: &str,
    detectors: &[Detector],
) -> Result<(), TestCaseError> {
    let found = Scanner::new().scan(text, None);
    assert_well_formed(text, &found);
    prop_assert_eq!(found.len(), 1, "expected one finding, got {}", found.len());
    let f = found[0];
    prop_assert_eq!((f.start, f.end), (start, start + value.len()));
    prop_assert!(detectors.contains(&f.detector), "found by {}", f.detector);
    Ok(())
}

/// Asserts nothing overlapping `start..start+len` is found by `detector`.
fn assert_not_found(
    text: &str,
    start: usize,
    len: usize,
    detector: Detector,
) -> Result<(), TestCaseError> {
    let found = Scanner::new().scan(text, None);
    let hit = found
        .iter()
        .any(|f| f.detector == detector && f.start < start + len && start < f.end);
    prop_assert!(!hit, "corrupted value still found by {}", detector);
    Ok(())
}

proptest! {
    #[test]
    fn cards_are_found(
        (text, start, value) in (generate::card_digits(), any::<u8>())
            .prop_flat_map(|(d, style)| embedded(generate::card_written(d, style)))
    ) {
        assert_found(&text, start, &value, &[Detector::PaymentCard])?;
    }

    #[test]
    fn corrupted_cards_are_not(
        (text, start, value) in (generate::card_digits(), any::<u8>(), any::<u8>())
            .prop_flat_map(|(d, by, style)| {
                // Grouped 17-19 digit numbers have a 16-digit prefix that
                // may be a valid card of its own: corrupt those compact.
                let style = if d.len() > 16 { 0 } else { style };
                embedded(generate::card_written(generate::corrupt_last(&d, by), style))
            })
    ) {
        assert_not_found(&text, start, value.len(), Detector::PaymentCard)?;
    }

    #[test]
    fn ibans_are_found(
        (text, start, value) in (generate::iban(), any::<bool>())
            .prop_flat_map(|(i, grouped)| embedded(if grouped { generate::iban_grouped(&i) } else { i }))
    ) {
        prop_assert!(validate::iban(&value));
        assert_found(&text, start, &value, &[Detector::Iban])?;
    }

    #[test]
    fn corrupted_ibans_are_not(
        (text, start, value) in (generate::iban(), 1u8..10, any::<bool>()).prop_flat_map(|(i, by, grouped)| {
            let mut b = i.into_bytes();
            b[3] = b'0' + (b[3] - b'0' + by) % 10;
            let i = String::from_utf8(b).expect("ASCII");
            embedded(if grouped { generate::iban_grouped(&i) } else { i })
        })
    ) {
        assert_not_found(&text, start, value.len(), Detector::Iban)?;
    }

    #[test]
    fn personnummer_is_found((text, start, value) in generate::personnummer().prop_flat_map(embedded)) {
        assert_found(&text, start, &value, &[Detector::SePersonnummer])?;
    }

    #[test]
    fn corrupted_personnummer_is_not(
        (text, start, value) in (generate::personnummer(), any::<u8>())
            .prop_flat_map(|(p, by)| embedded(generate::corrupt_last(&p, by)))
    ) {
        assert_not_found(&text, start, value.len(), Detector::SePersonnummer)?;
    }

    #[test]
    fn ssns_are_found((text, start, value) in generate::ssn().prop_flat_map(embedded)) {
        assert_found(&text, start, &value, &[Detector::UsSsn])?;
    }

    #[test]
    fn out_of_range_ssns_are_not(
        (text, start, value) in (prop_oneof![Just(0u16), Just(666), 900u16..1000], 0u8..100, 0u16..10000)
            .prop_flat_map(|(a, g, s)| embedded(format!("{a:03}-{g:02}-{s:04}")))
    ) {
        assert_not_found(&text, start, value.len(), Detector::UsSsn)?;
    }

    #[test]
    fn dates_of_birth_are_found(
        (text, start, value) in (generate::birth_lead(), generate::birth_date(), generate::prose())
            .prop_map(|(lead, date, post)| (format!("{lead}{date} {post}"), lead.len(), date))
    ) {
        assert_found(&text, start, &value, &[Detector::DateOfBirth])?;
    }

    #[test]
    fn impossible_dates_and_dates_without_a_birth_word_are_not(
        (text, start, value) in (
            generate::birth_lead(), 1900u16..2100, 1u8..=12, any::<u8>(), any::<bool>(),
        ).prop_map(|(lead, year, month, style, has_lead)| {
            let (lead, day) = if has_lead {
                (lead, generate::days_in_month(year, month) + 1 + style % 3)
            } else {
                ("ordered on ", 1 + style % 28)
            };
            let date = generate::date_written(year, month, day, style);
            (format!("{lead}{date}."), lead.len(), date)
        })
    ) {
        assert_not_found(&text, start, value.len(), Detector::DateOfBirth)?;
    }

    #[test]
    fn ip_addresses_are_found(
        (text, start, value, v6) in prop_oneof![
            generate::ipv4().prop_map(|a| (a, false)),
            generate::ipv6().prop_map(|a| (a, true)),
        ].prop_flat_map(|(a, v6)| embedded(a).prop_map(move |(t, s, v)| (t, s, v, v6)))
    ) {
        let detector = if v6 { Detector::IpV6 } else { Detector::IpV4 };
        assert_found(&text, start, &value, &[detector])?;
    }

    #[test]
    fn emails_are_found((text, start, value) in generate::email().prop_flat_map(embedded)) {
        assert_found(&text, start, &value, &[Detector::Email])?;
    }

    #[test]
    fn phones_are_found((text, start, value) in generate::phone().prop_flat_map(embedded)) {
        // A bare 10-digit run that is also a valid personnummer is reported
        // as the personnummer (it passed a checksum); both are personal data.
        let digits: String = value.chars().filter(char::is_ascii_digit).collect();
        let also_pnr = digits == value && validate::personnummer(digits.as_bytes());
        let allowed: &[Detector] = if also_pnr {
            &[Detector::Phone, Detector::SePersonnummer]
        } else {
            &[Detector::Phone]
        };
        assert_found(&text, start, &value, allowed)?;
    }

    #[test]
    fn letters_and_spaces_yield_nothing(text in "[a-zA-ZåäöÅÄÖéü ]{0,200}") {
        prop_assert!(Scanner::new().scan(&text, None).is_empty());
    }

    #[test]
    fn prose_yields_nothing(text in generate::prose()) {
        prop_assert_eq!(only(&text), None);
        prop_assert!(Scanner::new().scan(&text, None).is_empty());
    }

    #[test]
    fn arbitrary_text_keeps_the_invariants(text in any::<String>()) {
        let found = Scanner::new().scan(&text, None);
        assert_well_formed(&text, &found);
    }

    #[test]
    fn number_soup_keeps_the_invariants(text in "[0-9 +()@:.,/#A-Fa-fSEx\u{a0}-]{0,80}") {
        let found = Scanner::new().with_min_score(0.0).scan(&text, None);
        assert_well_formed(&text, &found);
    }

    #[test]
    fn arbitrary_subjects_keep_the_invariants(
        text in any::<String>(),
        names in prop::collection::vec(any::<String>(), 0..3),
        emails in prop::collection::vec(any::<String>(), 0..2),
        phones in prop::collection::vec("[0-9 +()-]{0,16}", 0..2),
        ids in prop::collection::vec(any::<String>(), 0..2),
    ) {
        let subject = Subject { names, emails, phones, ids };
        let matcher = SubjectMatcher::new(&subject);
        let found = Scanner::new().scan(&text, Some(&matcher));
        assert_well_formed(&text, &found);
    }

    #[test]
    fn subject_values_in_their_own_text_keep_the_invariants(
        name in "[A-Za-zÅÄÖåäöé]{1,8}( [A-Za-zÅÄÖåäöé.-]{1,8}){0,2}",
        filler in generate::prose(),
    ) {
        let subject = Subject { names: vec![name.clone()], ..Subject::default() };
        let matcher = SubjectMatcher::new(&subject);
        let text = format!("{filler} {name}, {} {filler}", name.to_uppercase());
        let found = Scanner::new().scan(&text, Some(&matcher));
        assert_well_formed(&text, &found);
    }
}
