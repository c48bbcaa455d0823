//! Subject-aware matching: the subject's values in other spellings.

mod common;

use common::spans_with;
use lethe_detectors::{Detector, Scanner, Subject, SubjectMatcher};

fn matcher(names: &[&str], emails: &[&str], phones: &[&str], ids: &[&str]) -> SubjectMatcher {
    let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
    SubjectMatcher::new(&Subject {
        names: owned(names),
        emails: owned(emails),
        phones: owned(phones),
        ids: owned(ids),
    })
}

fn found<'t>(m: &SubjectMatcher, text: &'t str) -> Vec<(&'t str, Detector)> {
    spans_with(text, Some(m))
}

#[test]
fn names_in_any_case_and_without_diacritics() {
    let m = matcher(&["Jöns Åberg"], &[], &[], &[]);
    for text in [
        "jons aberg",
        "JÖNS ÅBERG",
        "Jöns Åberg",
        "JONS ABERG",
        "Åberg, Jöns",
        "J. Åberg",
    ] {
        assert_eq!(found(&m, text), [(text, Detector::SubjectName)], "{text}");
    }
    let t = "Hej Jöns! / ÅBERG";
    assert_eq!(
        found(&m, t),
        [
            ("Jöns", Detector::SubjectName),
            ("ÅBERG", Detector::SubjectName)
        ]
    );
}

#[test]
fn name_forms_and_scores() {
    let m = matcher(&["John Smith"], &[], &[], &[]);
    let score = |text: &'static str| {
        let f = Scanner::new().scan(text, Some(&m));
        assert_eq!(f.len(), 1, "{text}");
        assert_eq!(f[0].detector, Detector::SubjectName);
        (&text[f[0].start..f[0].end], f[0].score)
    };
    let full = score("Dear John Smith,");
    let reversed = score("Smith, John wrote");
    let initial = score("signed J. Smith");
    let bare_initial = score("signed J Smith");
    let single = score("ask Smith about it");
    let lower = score("ask smith about it");
    assert_eq!(full.0, "John Smith");
    assert_eq!(reversed.0, "Smith, John");
    assert_eq!((initial.0, bare_initial.0), ("J. Smith", "J Smith"));
    assert_eq!((single.0, lower.0), ("Smith", "smith"));
    assert!(full.1 > reversed.1 && reversed.1 > initial.1 && initial.1 > single.1);
    assert!(single.1 > lower.1 && lower.1 >= 0.6);
}

#[test]
fn names_are_whole_words_and_parts_need_two_chars() {
    let m = matcher(&["Li Smith", "A B"], &[], &[], &[]);
    assert_eq!(found(&m, "Smithson Blacksmith smithy"), []);
    assert_eq!(found(&m, "A or B"), []);
    assert_eq!(found(&m, "li"), [("li", Detector::SubjectName)]);
    assert_eq!(found(&m, "J.S."), []);
    assert_eq!(found(&m, "Lis"), [], "no genitive `s` on a two-char part");
}

#[test]
fn a_part_matched_alone_may_carry_a_genitive_or_plural_s() {
    let m = matcher(&["Jöns Åberg"], &[], &[], &[]);
    assert_eq!(
        found(&m, "Åbergs bil, the Abergs"),
        [
            ("Åbergs", Detector::SubjectName),
            ("Abergs", Detector::SubjectName)
        ]
    );
    assert_eq!(found(&m, "Jönsson Åbergsson Åbergss"), []);
}

#[test]
fn names_that_are_everyday_words_count_alone_only_capitalised() {
    let m = matcher(&["Will Smith", "Per Berg"], &[], &[], &[]);
    assert_eq!(found(&m, "I will call, 2 per day, in the berg"), []);
    assert_eq!(
        found(&m, "Will called. Per wrote"),
        [
            ("Will", Detector::SubjectName),
            ("Per", Detector::SubjectName)
        ]
    );
    assert_eq!(
        found(&m, "this is will smith"),
        [("will smith", Detector::SubjectName)]
    );
    assert_eq!(found(&m, "smith"), [("smith", Detector::SubjectName)]);
}

#[test]
fn particles_are_never_matched_alone() {
    let m = matcher(&["María de la Cruz", "Jan van der Berg"], &[], &[], &[]);
    assert_eq!(found(&m, "La part de la poste, then the van left."), []);
    assert_eq!(
        found(&m, "Maria de la Cruz"),
        [("Maria de la Cruz", Detector::SubjectName)]
    );
    assert_eq!(
        found(&m, "Mr Van Der Berg"),
        [("Berg", Detector::SubjectName)]
    );
    assert_eq!(
        found(&m, "María Cruz"),
        [("María Cruz", Detector::SubjectName)]
    );
}

#[test]
fn names_written_with_an_apostrophe_are_found_whole() {
    let m = matcher(&["Mary-Ann O'Neill"], &[], &[], &[]);
    for text in ["O'Neill", "O’Neill", "ONeill", "oneill"] {
        let t = format!("Mrs {text} wrote");
        assert_eq!(found(&m, &t), [(text, Detector::SubjectName)], "{t}");
    }
    assert_eq!(
        found(&m, "Mary-Ann O'Neill"),
        [("Mary-Ann O'Neill", Detector::SubjectName)]
    );
    assert_eq!(found(&m, "O'Brien or D'Arcy or Oneil"), []);
    let m = matcher(&["Luca D’Angelo"], &[], &[], &[]);
    assert_eq!(
        found(&m, "ask d'angelo"),
        [("d'angelo", Detector::SubjectName)]
    );
}

#[test]
fn emails_case_insensitive_and_local_part() {
    let m = matcher(&[], &["john.smith@example.com"], &[], &[]);
    let t = "From: JOHN.SMITH@EXAMPLE.COM.";
    assert_eq!(
        found(&m, t),
        [("JOHN.SMITH@EXAMPLE.COM", Detector::SubjectEmail)]
    );
    let t = "login john.smith failed";
    assert_eq!(found(&m, t), [("john.smith", Detector::SubjectEmail)]);
    // Another address with the same local part is a generic e-mail.
    let t = "john.smith@example.org";
    assert_eq!(found(&m, t), [("john.smith@example.org", Detector::Email)]);
    // A short local part is not matched alone.
    let m = matcher(&[], &["abc@example.com"], &[], &[]);
    assert_eq!(found(&m, "abc def"), []);
}

#[test]
fn emails_with_diacritics_in_any_case_or_spelled_without_them() {
    let m = matcher(&[], &["jörg.müller@example.com"], &[], &[]);
    for (text, want) in [
        ("an JÖRG.MÜLLER@EXAMPLE.COM.", "JÖRG.MÜLLER@EXAMPLE.COM"),
        ("an jorg.muller@example.com", "jorg.muller@example.com"),
        ("an Jörg.Müller@Example.com!", "Jörg.Müller@Example.com"),
        (
            "an jo\u{308}rg.mu\u{308}ller@example.com",
            "jo\u{308}rg.mu\u{308}ller@example.com",
        ),
        ("login JORG.MULLER failed", "JORG.MULLER"),
    ] {
        assert_eq!(found(&m, text), [(want, Detector::SubjectEmail)], "{text}");
    }
    // Stored without diacritics, written with them.
    let m = matcher(&[], &["asa.oberg@example.com"], &[], &[]);
    assert_eq!(
        found(&m, "från Åsa.Öberg@example.com"),
        [("Åsa.Öberg@example.com", Detector::SubjectEmail)]
    );
    // Another address is a generic e-mail, glued text is nothing.
    assert_eq!(
        found(&m, "asa.oberg@example.org"),
        [("asa.oberg@example.org", Detector::Email)]
    );
    assert_eq!(found(&m, "xåsa.oberg"), []);
}

#[test]
fn phones_in_any_grouping_and_prefix() {
    let m = matcher(&[], &[], &["0701234567"], &[]);
    for text in [
        "+46 70-123 45 67",
        "070 123 45 67",
        "0046701234567",
        "070-1234567",
        "+46701234567",
        "46 70 123 45 67",
    ] {
        assert_eq!(found(&m, text), [(text, Detector::SubjectPhone)], "{text}");
    }
    let m = matcher(&[], &[], &["+1 202 555 0143"], &[]);
    for text in [
        "(202) 555-0143",
        "202-555-0143",
        "1-202-555-0143",
        "2025550143",
    ] {
        assert_eq!(found(&m, text), [(text, Detector::SubjectPhone)], "{text}");
    }
    // Other numbers stay generic; short stored numbers are ignored.
    let m = matcher(&[], &[], &["0701234567", "12345"], &[]);
    assert_eq!(
        found(&m, "070-765 43 21"),
        [("070-765 43 21", Detector::Phone)]
    );
    assert_eq!(found(&m, "12345"), []);
}

#[test]
fn ids_whole_token_case_insensitive() {
    let m = matcher(&[], &[], &[], &["CUST-00123", "u_42x", "ab"]);
    assert_eq!(
        found(&m, "kund cust-00123."),
        [("cust-00123", Detector::SubjectId)]
    );
    assert_eq!(
        found(&m, "user U_42X logged in"),
        [("U_42X", Detector::SubjectId)]
    );
    assert_eq!(found(&m, "CUST-001234 xcust-00123 cust-00123-2"), []);
    assert_eq!(found(&m, "ab"), [], "ids under three chars are ignored");
    let m = matcher(&[], &[], &[], &["#A-17"]);
    assert_eq!(found(&m, "see #a-17."), [("#a-17", Detector::SubjectId)]);
    assert_eq!(found(&m, "x#a-17"), []);
}

#[test]
fn ids_with_separators_retyped() {
    let m = matcher(&[], &[], &[], &["CUST-00123", "AB12", "123-456"]);
    for text in [
        "CUST00123",
        "cust 00123",
        "cust_00123",
        "Cust.00123",
        "AB-12",
        "ab 12",
        "123456",
        "123 456",
    ] {
        let t = format!("id {text}.");
        assert_eq!(found(&m, &t), [(text, Detector::SubjectId)], "{t}");
    }
    for text in [
        "CUST-0-0123",
        "CUS-T00123",
        "CUST--00123",
        "-CUST-00123x",
        "A-B12",
        "12-3456",
        "123-4567",
    ] {
        assert_eq!(found(&m, text), [], "{text}");
    }
    let m = matcher(&[], &[], &[], &["20240312"]);
    assert_eq!(found(&m, "on 2024-03-12"), [], "digits are never split");
}

#[test]
fn subject_findings_win_overlaps() {
    let m = matcher(
        &["John Smith"],
        &["john.smith@example.com"],
        &["0701234567"],
        &["4111111111111111"],
    );
    let t = "John Smith <john.smith@example.com>, 070-123 45 67, card 4111111111111111";
    assert_eq!(
        found(&m, t),
        [
            ("John Smith", Detector::SubjectName),
            ("john.smith@example.com", Detector::SubjectEmail),
            ("070-123 45 67", Detector::SubjectPhone),
            ("4111111111111111", Detector::SubjectId),
        ]
    );
}

#[test]
fn empty_subjects() {
    assert!(matcher(&[], &[], &[], &[]).is_empty());
    assert!(matcher(&[" "], &["no-at-sign"], &["12"], &["x"]).is_empty());
    assert!(!matcher(&["Åsa"], &[], &[], &[]).is_empty());
    let m = matcher(&[], &[], &[], &[]);
    assert_eq!(
        found(&m, "call 070-123 45 67"),
        [("070-123 45 67", Detector::Phone)]
    );
}

#[test]
fn subject_and_generic_in_multibyte_text() {
    let m = matcher(&["Åsa Öberg"], &[], &["+46 70 123 45 67"], &[]);
    let t = "Hej ÅSA ÖBERG, ring 0701234567 ☎ tack";
    let f = Scanner::new().scan(t, Some(&m));
    let got: Vec<_> = f.iter().map(|f| (f.start, f.end, f.detector)).collect();
    assert_eq!(
        got,
        [
            (4, 15, Detector::SubjectName),
            (22, 32, Detector::SubjectPhone)
        ]
    );
}
