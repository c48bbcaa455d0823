//! Tests of [`rewrite_dataset`](super::rewrite_dataset): both formats and
//! modes, subjects in other spellings, untouched files and line endings
//! kept, malformed input reported by line without values, failing
//! scrubbers, and streaming.

use std::io::Cursor;

use super::*;
use crate::{Action, Category};

/// The standard detectors, natively: the same code the std-scrubber
/// plugin runs.
struct Native;

impl TextScanner for Native {
    fn scan(
        &self,
        texts: &[&str],
        subject: Option<&Subject>,
    ) -> Result<Vec<Vec<Span>>, PluginFailure> {
        let matcher = subject.map(SubjectMatcher::new);
        let scanner = Scanner::new();
        Ok(texts
            .iter()
            .map(|text| {
                scanner
                    .scan(text, matcher.as_ref())
                    .into_iter()
                    .map(|f| Span {
                        start: f.start,
                        end: f.end,
                        category: f.category(),
                        score: f.score,
                    })
                    .collect()
            })
            .collect())
    }
}

/// A scrubber that finds nothing.
struct Blind;

impl TextScanner for Blind {
    fn scan(&self, texts: &[&str], _: Option<&Subject>) -> Result<Vec<Vec<Span>>, PluginFailure> {
        Ok(vec![Vec::new(); texts.len()])
    }
}

/// A scrubber that fails, or answers for the wrong number of texts.
struct Broken(bool);

impl TextScanner for Broken {
    fn scan(&self, _: &[&str], _: Option<&Subject>) -> Result<Vec<Vec<Span>>, PluginFailure> {
        if self.0 {
            Err(PluginFailure("the plugin ran past its time budget".into()))
        } else {
            Ok(Vec::new())
        }
    }
}

fn subject() -> Subject {
    Subject {
        names: vec!["Jöns Åberg".into()],
        emails: vec!["jons.aberg@example.com".into()],
        phones: vec!["0701234567".into()],
        ids: vec!["cust-42".into()],
    }
}

fn other() -> Subject {
    Subject {
        names: vec!["Ada Lovelace".into()],
        emails: vec!["ada@example.com".into()],
        ..Subject::default()
    }
}

fn key() -> PseudonymKey {
    PseudonymKey::from_bytes([3; 32])
}

fn run_with(
    format: DatasetFormat,
    mode: DatasetMode,
    input: &[u8],
    subjects: &[Subject],
    scanner: &dyn TextScanner,
    policy: &Policy,
) -> Result<(String, DatasetOutcome), DatasetError> {
    let mut out = Vec::new();
    let outcome = rewrite_dataset(
        format,
        mode,
        Cursor::new(input),
        &mut out,
        subjects,
        scanner,
        policy,
        &key(),
    )?;
    Ok((String::from_utf8(out).unwrap(), outcome))
}

fn run(format: DatasetFormat, mode: DatasetMode, input: &str) -> (String, DatasetOutcome) {
    run_with(
        format,
        mode,
        input.as_bytes(),
        &[subject()],
        &Native,
        &Policy::default(),
    )
    .unwrap()
}

/// Rows 1, 3, 4, 5 and 8 concern the subject, each in another spelling;
/// 2, 6 and 7 do not (7 has a single name part only).
const PEOPLE: &str = "id,name,email,notes\n\
    1,Jöns Åberg,jons.aberg@example.com,pro\n\
    2,Ada Lovelace,ada@example.com,free\n\
    3,JONS ABERG,,called twice\n\
    4,Someone,JONS.ABERG@EXAMPLE.COM,x\n\
    5,\"Lund, Eva\",,\"ring +46 70-123 45 67, not Eva's\"\n\
    6,\"Quoted, \"\"name\"\"\",eva@example.org,\"two\nlines\"\n\
    7,Åberg,,surname only\n\
    8,x,,CUST-42\n";

#[test]
fn rows_concerning_the_subject_are_removed_in_any_spelling() {
    let (out, outcome) = run(DatasetFormat::Csv, DatasetMode::RemoveRows, PEOPLE);
    assert_eq!(
        out,
        "id,name,email,notes\n\
         2,Ada Lovelace,ada@example.com,free\n\
         6,\"Quoted, \"\"name\"\"\",eva@example.org,\"two\nlines\"\n\
         7,Åberg,,surname only\n"
    );
    assert_eq!(
        outcome,
        DatasetOutcome {
            rows: 8,
            removed: 5,
            scrubbed: 0
        }
    );
    assert!(outcome.changed());
}

#[test]
fn rows_concerning_the_subject_are_scrubbed_under_the_policy() {
    let (out, outcome) = run(DatasetFormat::Csv, DatasetMode::ScrubRows, PEOPLE);
    let lines: Vec<&str> = out.split('\n').collect();
    assert_eq!(lines[0], "id,name,email,notes");
    assert_eq!(lines[1], "1,[NAME],[EMAIL],pro");
    assert_eq!(lines[2], "2,Ada Lovelace,ada@example.com,free");
    assert_eq!(lines[3], "3,[NAME],,called twice");
    assert_eq!(lines[4], "4,Someone,[EMAIL],x");
    // Other cells of a scrubbed row keep everything but personal data.
    assert_eq!(lines[5], "5,\"Lund, Eva\",,\"ring [PHONE], not Eva's\"");
    assert_eq!(lines[6], "6,\"Quoted, \"\"name\"\"\",eva@example.org,\"two");
    assert_eq!(lines[9], "8,x,,[ID]");
    assert_eq!(
        outcome,
        DatasetOutcome {
            rows: 8,
            removed: 0,
            scrubbed: 5
        }
    );

    // Under pseudonymize, the subject's e-mail becomes its pseudonym.
    let policy = Policy::default()
        .with(Category::Email, Action::Pseudonymize)
        .unwrap();
    let (out, _) = run_with(
        DatasetFormat::Csv,
        DatasetMode::ScrubRows,
        PEOPLE.as_bytes(),
        &[subject()],
        &Native,
        &policy,
    )
    .unwrap();
    let psn = crate::pseudonymize(&key(), Category::Email, "JONS.ABERG@EXAMPLE.COM");
    assert!(
        out.contains(&format!("4,Someone,[EMAIL:{psn}],x\n")),
        "{out}"
    );
    assert!(!out.to_lowercase().contains("jons.aberg"), "{out}");
}

#[test]
fn a_blind_scrubber_still_cannot_leave_the_subject_behind() {
    let (out, outcome) = run_with(
        DatasetFormat::Csv,
        DatasetMode::ScrubRows,
        PEOPLE.as_bytes(),
        &[subject()],
        &Blind,
        &Policy::default(),
    )
    .unwrap();
    assert_eq!(outcome.scrubbed, 5);
    let lower = out.to_lowercase();
    for gone in ["jöns", "jons", "70-123", "cust-42"] {
        assert!(!lower.contains(gone), "{gone} in {out}");
    }
}

#[test]
fn untouched_files_are_copied_byte_for_byte() {
    let input = "\u{feff}id;x,name\r\n\r\n1,\"a \"\"b\"\"\"\r\n2,  spaced  \r\n\r\n3,\"multi\r\nline\",\r\n";
    let input = input.replace(",\r\n", "\r\n"); // keep two columns everywhere
    let (out, outcome) = run(DatasetFormat::Csv, DatasetMode::RemoveRows, &input);
    assert_eq!(out, input);
    assert_eq!(outcome.rows, 3);
    assert!(!outcome.changed());

    for input in ["a,b\n1,2", "a,b\r\n1,2\r\n\r\n", "a\n", ""] {
        let (out, _) = run(DatasetFormat::Csv, DatasetMode::ScrubRows, input);
        assert_eq!(out, input);
    }
}

#[test]
fn crlf_files_keep_their_line_endings_around_changed_rows() {
    let input = "\u{feff}name,email\r\nAda,ada@example.com\r\nJöns Åberg,x\r\n\r\nEva,jons.aberg@example.com\r\nBo,bo@example.com";
    let (out, outcome) = run(DatasetFormat::Csv, DatasetMode::RemoveRows, input);
    assert_eq!(
        out,
        "\u{feff}name,email\r\nAda,ada@example.com\r\nBo,bo@example.com"
    );
    assert_eq!(outcome.removed, 2);

    let (out, _) = run(DatasetFormat::Csv, DatasetMode::ScrubRows, input);
    assert_eq!(
        out,
        "\u{feff}name,email\r\nAda,ada@example.com\r\n[NAME],x\r\n\r\nEva,[EMAIL]\r\nBo,bo@example.com"
    );

    // The last row, without a line ending, removed.
    let input = "name\r\nAda\r\nJöns Åberg";
    let (out, _) = run(DatasetFormat::Csv, DatasetMode::RemoveRows, input);
    assert_eq!(out, "name\r\nAda\r\n");
}

#[test]
fn a_header_holding_a_subject_value_is_a_data_row() {
    let input = "jons.aberg@example.com,1\nada@example.com,2\n";
    let (out, outcome) = run(DatasetFormat::Csv, DatasetMode::RemoveRows, input);
    assert_eq!(out, "ada@example.com,2\n");
    assert_eq!(outcome.rows, 1 + 1);
}

#[test]
fn several_subjects_are_screened_together_and_handled_each() {
    let input = "name,email\nAda Lovelace,x\nJöns Åberg,y\nEva,eva@example.org\nA. Lovelace,ADA@EXAMPLE.COM\n";
    let (out, outcome) = run_with(
        DatasetFormat::Csv,
        DatasetMode::RemoveRows,
        input.as_bytes(),
        &[subject(), other(), Subject::default()],
        &Native,
        &Policy::default(),
    )
    .unwrap();
    assert_eq!(out, "name,email\nEva,eva@example.org\n");
    assert_eq!(outcome.removed, 3);

    let (out, _) = run_with(
        DatasetFormat::Csv,
        DatasetMode::ScrubRows,
        "a,b\nJöns Åberg,ada@example.com\n".as_bytes(),
        &[subject(), other()],
        &Native,
        &Policy::default(),
    )
    .unwrap();
    assert_eq!(out, "a,b\n[NAME],[EMAIL]\n");
}

#[test]
fn no_subjects_change_nothing() {
    let (out, outcome) = run_with(
        DatasetFormat::Csv,
        DatasetMode::RemoveRows,
        PEOPLE.as_bytes(),
        &[],
        &Native,
        &Policy::default(),
    )
    .unwrap();
    assert_eq!(out, PEOPLE);
    assert_eq!(outcome.rows, 8);
}

const LINES: &str = "{\"id\":1,\"name\":\"Jöns Åberg\",\"email\":\"jons.aberg@example.com\",\"plan\":\"pro\"}\n\
    {\"id\": 2, \"name\": \"Ada\",  \"note\": \"spacing kept\"}\r\n\
    \n\
    {\"id\":3,\"contact\":{\"phone\":\"070 123 45 67\"},\"tags\":[\"vip\",true,null]}\n\
    {\"id\":4,\"phone\":46701234567,\"n\":1.50}\r\n\
    {\"id\":5,\"who\":\"JONS ABERG\",\"ok\":false}";

#[test]
fn json_lines_remove_rows() {
    let (out, outcome) = run(DatasetFormat::JsonLines, DatasetMode::RemoveRows, LINES);
    assert_eq!(
        out,
        "{\"id\": 2, \"name\": \"Ada\",  \"note\": \"spacing kept\"}\r\n\n"
    );
    assert_eq!(
        outcome,
        DatasetOutcome {
            rows: 5,
            removed: 4,
            scrubbed: 0
        }
    );
}

#[test]
fn json_lines_scrub_rows() {
    let (out, outcome) = run(DatasetFormat::JsonLines, DatasetMode::ScrubRows, LINES);
    assert_eq!(
        out,
        "{\"id\":1,\"name\":\"[NAME]\",\"email\":\"[EMAIL]\",\"plan\":\"pro\"}\n\
         {\"id\": 2, \"name\": \"Ada\",  \"note\": \"spacing kept\"}\r\n\
         \n\
         {\"id\":3,\"contact\":{\"phone\":\"[PHONE]\"},\"tags\":[\"vip\",true,null]}\n\
         {\"id\":4,\"phone\":\"[PHONE]\",\"n\":1.5}\r\n\
         {\"id\":5,\"who\":\"[NAME]\",\"ok\":false}"
    );
    assert_eq!(outcome.scrubbed, 4);

    // A BOM on the first line survives a rewrite.
    let input = "\u{feff}{\"e\":\"jons.aberg@example.com\"}\n";
    let (out, _) = run(DatasetFormat::JsonLines, DatasetMode::ScrubRows, input);
    assert_eq!(out, "\u{feff}{\"e\":\"[EMAIL]\"}\n");
}

#[test]
fn malformed_csv_names_the_line_and_no_value() {
    let input = "a,b\r\n\r\nsecret-1,x\r\nsecret-2\r\n";
    let err = run_with(
        DatasetFormat::Csv,
        DatasetMode::RemoveRows,
        input.as_bytes(),
        &[subject()],
        &Native,
        &Policy::default(),
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(err, DatasetError::Malformed { line: 4, .. }),
        "{msg}"
    );
    assert!(!msg.contains("secret"), "{msg}");
    assert!(msg.contains("1 cells where the first row has 2"), "{msg}");

    let input = b"a,b\n\"two\nlines\",1\nok,\xff\xfe secret\n";
    let err = run_with(
        DatasetFormat::Csv,
        DatasetMode::RemoveRows,
        input,
        &[subject()],
        &Native,
        &Policy::default(),
    )
    .unwrap_err();
    assert!(
        matches!(err, DatasetError::Malformed { line: 4, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("UTF-8"), "{err}");
}

#[test]
fn malformed_json_lines_name_the_line_and_no_value() {
    let input = "{\"a\":1}\n\n{\"secret\": \"jons.aberg@example.com\" oops}\n";
    let err = run_with(
        DatasetFormat::JsonLines,
        DatasetMode::ScrubRows,
        input.as_bytes(),
        &[subject()],
        &Native,
        &Policy::default(),
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(err, DatasetError::Malformed { line: 3, .. }),
        "{msg}"
    );
    assert!(!msg.contains("secret") && !msg.contains("aberg"), "{msg}");

    let err = run_with(
        DatasetFormat::JsonLines,
        DatasetMode::ScrubRows,
        b"{\"a\":\"\xff\"}\n",
        &[subject()],
        &Native,
        &Policy::default(),
    )
    .unwrap_err();
    assert!(
        matches!(err, DatasetError::Malformed { line: 1, .. }),
        "{err}"
    );
}

#[test]
fn a_failing_scrubber_fails_the_rewrite() {
    for broken in [Broken(true), Broken(false)] {
        let err = run_with(
            DatasetFormat::Csv,
            DatasetMode::ScrubRows,
            PEOPLE.as_bytes(),
            &[subject()],
            &broken,
            &Policy::default(),
        )
        .unwrap_err();
        assert!(matches!(err, DatasetError::Scanner(_)), "{err}");
    }
    // Removing rows does not need the scrubber.
    run_with(
        DatasetFormat::Csv,
        DatasetMode::RemoveRows,
        PEOPLE.as_bytes(),
        &[subject()],
        &Broken(true),
        &Policy::default(),
    )
    .unwrap();
}

#[test]
fn large_files_stream() {
    let mut input = String::from("id,email,notes\n");
    let mut expected = input.clone();
    for i in 0..20_000 {
        let concerned = i % 1000 == 7;
        let email = if concerned {
            "Jons.Aberg@Example.com".to_owned()
        } else {
            format!("user{i}@example.com")
        };
        let row = format!("{i},{email},\"note, {i}\"\n");
        input.push_str(&row);
        if !concerned {
            expected.push_str(&row);
        }
    }
    let (out, outcome) = run(DatasetFormat::Csv, DatasetMode::RemoveRows, &input);
    assert_eq!(outcome.rows, 20_000);
    assert_eq!(outcome.removed, 20);
    assert!(out == expected);
}

#[test]
fn formats_by_key() {
    assert_eq!(
        DatasetFormat::from_key("datasets/acme/a.CSV"),
        Some(DatasetFormat::Csv)
    );
    assert_eq!(
        DatasetFormat::from_key("datasets/acme/b.jsonl"),
        Some(DatasetFormat::JsonLines)
    );
    assert_eq!(
        DatasetFormat::from_key("datasets/acme/c.NDJSON"),
        Some(DatasetFormat::JsonLines)
    );
    assert_eq!(DatasetFormat::from_key("datasets/acme/d.json"), None);
    assert_eq!(DatasetFormat::from_key("csv"), None);
    assert_eq!(
        serde_json::to_value(DatasetMode::ScrubRows).unwrap(),
        serde_json::json!("scrub-rows")
    );
    assert_eq!(DatasetMode::default(), DatasetMode::RemoveRows);
}
