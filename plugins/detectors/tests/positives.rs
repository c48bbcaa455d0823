//! Every value the detectors must find, at exact byte offsets.

mod common;

use common::spans;
use lethe_detectors::validate::luhn_check_digit;
use lethe_detectors::{Detector, Scanner};

/// Asserts `value` is found alone, by `detector`, inside `template` (`{}`
/// marks the value).
fn finds(template: &str, value: &str, detector: Detector) {
    let text = template.replace("{}", value);
    let start = template.find("{}").expect("template has {}");
    let found = Scanner::new().scan(&text, None);
    let got: Vec<_> = found.iter().map(|f| (f.start, f.end, f.detector)).collect();
    assert_eq!(got, [(start, start + value.len(), detector)], "{text:?}");
}

#[test]
fn offsets_are_bytes_in_utf8_text() {
    let text = "Hej Åsa, ring 070-123 45 67 ☎ tack";
    let found = Scanner::new().scan(text, None);
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].start, found[0].end, found[0].detector),
        (15, 28, Detector::Phone)
    );
    assert_eq!(&text[15..28], "070-123 45 67");

    let text = "Ärendet gäller kort 4111 1111 1111 1111 och ÅÄÖ@x";
    let found = Scanner::new().scan(text, None);
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].start, found[0].end), (22, 41));
}

#[test]
fn emails() {
    for (template, value) in [
        ("mail me at {}.", "a.b@example.com"),
        ("{}", "John.Smith+news@mail.example.org"),
        ("<{}>", "UPPER@EXAMPLE.COM"),
        (
            "skriv till {}, tack",
            "åsa_90@example.se".trim_start_matches('å'),
        ),
        ("(see {})", "x-y%z@sub.example.co.uk"),
        ("from {} today", "o'brien@example.com"),
        ("'{}'", "Mary.O'Neill@example.ie"),
        ("GET /unsubscribe?email={}&id=7", "anna.berg%40example.com"),
        ("reach me on {} (no spam)", "anna.berg[at]example[dot]com"),
        ("mail {}.", "anna (at) example dot se"),
    ] {
        finds(template, value, Detector::Email);
    }
}

#[test]
fn phones() {
    for value in [
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
        "(555) 123-4567",
        "(+46) 70-123 45 67",
        "(+44) 20 7946 0958",
        "111-555-0143",
        "020 7946 0958",
        "07700 900123",
        "070-123 45 67",
        "08-123 456 78",
        "08-12 34 56",
        "08 123 456",
        "0701234567",
        "030 12345678",
        "0151 23456789",
        "030/1234567",
        "06 12 34 56 78",
        "01.23.45.67.89",
        "+46 70-123 45 67",
        "06\u{a0}12\u{a0}34\u{a0}56\u{a0}78",
        "030 / 1234567",
        "+49 89 1234567-0",
        "030 1234567-89",
        "070\u{2011}123 45 67",
        "070\u{2013}123 45 67",
        "+1 415\u{2010}555\u{2010}2671",
        "+4670-123 45 67",
        "+4670-1234567",
    ] {
        finds("Ring {} i morgon.", value, Detector::Phone);
        finds("{}", value, Detector::Phone);
    }
    // Followed by more digits: the longest valid prefix.
    let t = "070-123 45 67 2 gånger";
    assert_eq!(spans(t), [("070-123 45 67", Detector::Phone)]);
    // Brackets around a number are not part of it.
    finds("({})", "0701234567", Detector::Phone);
    finds("({})", "070-123 45 67", Detector::Phone);
    // Bare runs no plan takes alone, after a word that says "phone".
    for (template, value) in [
        ("Phone: {}", "2025550143"),
        ("call me at {} after six", "12025550143"),
        ("my cell is {}.", "4155552671"),
        ("Tel. {}", "081234567"),
        ("Mobil: {}", "015123456789"),
        ("Tél : {}", "0123456789"),
        ("Phone number {} (local)", "555-0143"),
        ("call me at {}", "555 0143"),
    ] {
        finds(template, value, Detector::Phone);
    }
    let bare = Scanner::new().scan("tel 0701234567", None);
    assert!(bare[0].score < Scanner::new().scan("tel 070-123 45 67", None)[0].score);
}

#[test]
fn cards() {
    for value in [
        "4111111111111111",
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "5555555555554444",
        "2223 0031 2200 3222",
        "378282246310005",
        "3782 822463 10005",
        "6011111111111117",
        "3530111333300000",
        "30569309025904",
        "6200000000000005",
        "4222222222222",
    ] {
        finds("card: {}, exp 12/29", value, Detector::PaymentCard);
    }
}

#[test]
fn ibans() {
    for value in [
        "SE45 5000 0000 0583 9825 7466",
        "SE4550000000058398257466",
        "DE89370400440532013000",
        "DE89 3704 0044 0532 0130 00",
        "GB82 WEST 1234 5698 7654 32",
        "FR1420041010050500013M02606",
        "NL91ABNA0417164300",
        "ES9121000418450200051332",
        "IT60X0542811101000000123456",
        "NO9386011117947",
        "BE68539007547034",
        "CH9300762011623852957",
        "se45 5000 0000 0583 9825 7466",
        "Gb82 west 1234 5698 7654 32",
    ] {
        finds("IBAN: {}.", value, Detector::Iban);
    }
}

#[test]
fn lower_case_letters_before_digits_that_are_no_iban_are_read_as_before() {
    let t = "spelade mp34 gånger, ring sedan 070-123 45 67";
    assert_eq!(spans(t), [("070-123 45 67", Detector::Phone)]);
    let t = "kod se45 5000 0000 0583 9825 7467 (fel), ring 070-123 45 67";
    assert_eq!(spans(t), [("070-123 45 67", Detector::Phone)]);
}

#[test]
fn us_ssns() {
    finds("SSN {} on file", "123-45-6788", Detector::UsSsn);
    finds("SSN {} on file", "123 45 6788", Detector::UsSsn);
    finds(
        "my social security number is {}",
        "123456788",
        Detector::UsSsn,
    );
    finds("ssn: {}", "536901234", Detector::UsSsn);
    finds("SSN#{}", "536901234", Detector::UsSsn);
    finds("ss# {}", "536901234", Detector::UsSsn);
    let dashed = Scanner::new().scan("x 123-45-6788", None)[0].score;
    let bare = Scanner::new().scan("SSN 123456788", None)[0].score;
    assert!(bare < dashed);
}

#[test]
fn personnummer() {
    for value in [
        "811228-9874",
        "811228+9874",
        "198112289874",
        "19811228-9874",
        "8112289874",
    ] {
        finds("pnr {} tack", value, Detector::SePersonnummer);
    }
    // Samordningsnummer: day 28 + 60 = 88.
    let check = luhn_check_digit(b"811288987").unwrap();
    let coordination = format!("811288-987{}", char::from(check));
    finds(
        "samordningsnummer {}",
        &coordination,
        Detector::SePersonnummer,
    );
    // 29 February in a leap year.
    let check = luhn_check_digit(b"000229123").unwrap();
    let leap = format!("20000229-123{}", char::from(check));
    finds("född {}", &leap, Detector::SePersonnummer);
}

#[test]
fn ip_addresses() {
    for value in ["192.168.1.20", "10.0.0.1", "8.8.8.8", "255.255.255.255"] {
        finds("from {} at noon", value, Detector::IpV4);
    }
    finds("listen {}:8080", "127.0.0.1", Detector::IpV4);
    for value in [
        "2001:db8::1",
        "fe80::1ff:fe23:4567:890a",
        "::1",
        "::ffff:192.0.2.128",
        "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
        "2001:DB8::8:800:200C:417A",
    ] {
        finds("from {} at noon", value, Detector::IpV6);
    }
    finds("url http://[{}]:443/", "2001:db8::7", Detector::IpV6);
    finds("ssh root@{} -p 22", "192.0.2.7", Detector::IpV4);
    finds("http://admin@{}:8080/", "10.0.0.1", Detector::IpV4);
    finds("ssh root@{}", "fe80::1", Detector::IpV6);
}

#[test]
fn dates_of_birth() {
    for (template, value) in [
        ("DOB: {}", "1985-03-12"),
        ("Date of birth (DD/MM/YYYY): {}.", "31/12/1979"),
        ("I was born on {} in Leeds", "3rd of June 1992"),
        ("Födelsedatum: {}", "1992-06-03"),
        ("Jag är född {}.", "3 juni 1992"),
        ("Geburtsdatum {}", "03.06.1992"),
        ("Né le {} à Lyon", "3 juin 1992"),
        ("Fecha de nacimiento: {}", "03/06/1992"),
        ("birthday: {}!", "March 12, 1985"),
        ("birthdate {}", "06/03/92"),
    ] {
        finds(template, value, Detector::DateOfBirth);
    }
}

#[test]
fn chat_transcript() {
    let text = "[12:30:45] Kund: Hej! Jag heter Åsa och mitt nummer är 073 123 45 67.\n\
        [12:31:02] Agent: Tack! Order #100234567 från 2024-01-15 kostade 1 299,00 kr.\n\
        [12:31:40] Customer: UK office +44 (0)20 7946 0958, email First.Last@Example.COM;\n\
        [12:32:05] Agent: Login from 192.168.0.1 (app v1.2.3.4), refund to SE45 5000 0000 0583 9825 7466.\n\
        [12:33:10] Kund: pnr 811228-9874, kort 4111-1111-1111-1111. Mac 3c:22:fb:12:34:56, ip fe80::1.";
    assert_eq!(
        spans(text),
        [
            ("073 123 45 67", Detector::Phone),
            ("+44 (0)20 7946 0958", Detector::Phone),
            ("First.Last@Example.COM", Detector::Email),
            ("192.168.0.1", Detector::IpV4),
            ("SE45 5000 0000 0583 9825 7466", Detector::Iban),
            ("811228-9874", Detector::SePersonnummer),
            ("4111-1111-1111-1111", Detector::PaymentCard),
            ("fe80::1", Detector::IpV6),
        ]
    );
}
