//! Tests of the bulk input: ID lists and CSV uploads parsed, refused with
//! row numbers and without values, and their properties.

use proptest::prelude::*;

use super::*;

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn issue(row: usize, problem: RowProblem) -> RowIssue {
    RowIssue { row, problem }
}

#[test]
fn ids_are_trimmed_checked_and_deduplicated_in_order() {
    let long = "x".repeat(MAX_ID_LEN + 1);
    let list = from_ids(ids(&[
        " c-1 ", "c-2", "", "  ", &long, "c\t3", "c-1", "C-1", "c-2", "é",
    ]))
    .unwrap();
    assert_eq!(list.ids, ids(&["c-1", "c-2", "C-1", "é"]));
    assert_eq!(
        list.issues,
        [
            issue(3, RowProblem::Empty),
            issue(4, RowProblem::Empty),
            issue(5, RowProblem::TooLong),
            issue(6, RowProblem::ControlCharacters),
            issue(7, RowProblem::Duplicate { first_row: 1 }),
            issue(9, RowProblem::Duplicate { first_row: 2 }),
        ]
    );
    // Exactly MAX_ID_LEN characters is fine, even when multi-byte.
    let ok = "é".repeat(MAX_ID_LEN);
    assert_eq!(from_ids(vec![ok.clone()]).unwrap().ids, [ok]);
}

#[test]
fn a_list_without_usable_ids_is_empty() {
    assert!(matches!(from_ids(vec![]), Err(BulkInputError::Empty)));
    let err = from_ids(ids(&["", " ", "a\u{0}b"])).unwrap_err();
    assert!(matches!(err, BulkInputError::Empty));
    assert!(err.to_string().contains("at least one id"), "{err}");
}

#[test]
fn too_many_ids_are_counted_and_refused() {
    let many: Vec<String> = (0..MAX_BULK_IDS + 10).map(|i| format!("c-{i}")).collect();
    let mut with_dups = many.clone();
    with_dups.extend(many.iter().take(100).cloned());
    let err = from_ids(with_dups).unwrap_err();
    assert!(matches!(
        err,
        BulkInputError::TooMany {
            count,
            max: MAX_BULK_IDS
        } if count == MAX_BULK_IDS + 10
    ));
    let msg = err.to_string();
    assert!(msg.contains("split the list into several jobs"), "{msg}");
    assert!(msg.contains("50010") && msg.contains("50000"), "{msg}");

    let exactly: Vec<String> = many[..MAX_BULK_IDS].to_vec();
    assert_eq!(from_ids(exactly).unwrap().ids.len(), MAX_BULK_IDS);
}

#[test]
fn csv_with_a_recognised_header_uses_that_column() {
    for header in [
        "customer_id",
        " Customer ID ",
        "CUSTOMERID",
        "Id",
        "customer",
    ] {
        let csv = format!("name,{header},plan\nAda,c-1,pro\nBo, c-2 ,free\n");
        let list = from_csv(csv.as_bytes()).unwrap();
        assert_eq!(list.ids, ids(&["c-1", "c-2"]), "{header}");
    }
    // `customer_id` wins over `id`, wherever it is.
    let list = from_csv(b"id,customer_id\nrow-1,c-1\n").unwrap();
    assert_eq!(list.ids, ids(&["c-1"]));
    // A one-column file with a header.
    let list = from_csv(b"customer_id\nc-1\n").unwrap();
    assert_eq!(list.ids, ids(&["c-1"]));
}

#[test]
fn a_single_column_without_header_is_a_plain_list() {
    let list = from_csv(b"c-1\nc-2\n\nc-1\n").unwrap();
    assert_eq!(list.ids, ids(&["c-1", "c-2"]));
    assert_eq!(
        list.issues,
        [issue(4, RowProblem::Duplicate { first_row: 1 })]
    );
}

#[test]
fn csv_details_bom_crlf_quotes_and_line_numbers() {
    let csv = "\u{feff}Customer_ID,Note\r\n\
               c-1,\"a, b\"\r\n\
               \r\n\
               \"c,2\",\"multi\r\nline\"\r\n\
               \"  \",x\r\n\
               c-1,y\r\n\
               \"c\t4\",z";
    let list = from_csv(csv.as_bytes()).unwrap();
    assert_eq!(list.ids, ids(&["c-1", "c,2"]));
    assert_eq!(
        list.issues,
        [
            issue(6, RowProblem::Empty),
            issue(7, RowProblem::Duplicate { first_row: 2 }),
            issue(8, RowProblem::ControlCharacters),
        ]
    );
    // A BOM on a plain list is not part of the first id.
    let list = from_csv("\u{feff}c-1\nc-2".as_bytes()).unwrap();
    assert_eq!(list.ids, ids(&["c-1", "c-2"]));
}

#[test]
fn several_columns_without_a_header_are_refused_naming_columns_only() {
    let err = from_csv(b"name,email\nAda,ada@example.com\n").unwrap_err();
    match &err {
        BulkInputError::NoIdColumn { columns } => assert_eq!(columns, &ids(&["name", "email"])),
        other => panic!("{other}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains("found: name, email") && msg.contains("customer_id"),
        "{msg}"
    );

    // A first row that is data, not names, is not repeated.
    let err = from_csv(b"ada@example.com,0701234567,\nb@x.com,1,\n").unwrap_err();
    let msg = err.to_string();
    assert!(!msg.contains("ada") && !msg.contains("0701"), "{msg}");
    assert!(
        msg.contains("column 1, column 2, column 3 (unnamed)"),
        "{msg}"
    );
}

#[test]
fn ragged_rows_are_malformed_with_their_line() {
    let err = from_csv(b"customer_id,plan\r\nc-1,pro\r\n\r\nsecret@example.com\r\n").unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(err, BulkInputError::MalformedCsv { line: 4, .. }),
        "{msg}"
    );
    assert!(!msg.contains("secret"), "{msg}");
    assert!(msg.contains("1 cells where the first row has 2"), "{msg}");

    let err = from_csv(b"a-1\na-2\n\"b,1\"\nsecret,x\n").unwrap_err();
    assert!(
        matches!(err, BulkInputError::MalformedCsv { line: 4, .. }),
        "{err}"
    );
}

#[test]
fn invalid_utf8_names_its_line() {
    let err = from_csv(b"customer_id\nc-1\n\"two\nlines\"\nc-\xff\n").unwrap_err();
    assert!(
        matches!(err, BulkInputError::InvalidUtf8 { line: 5 }),
        "{err}"
    );
    assert!(err.to_string().contains("UTF-8"));
}

#[test]
fn empty_and_oversized_files() {
    assert!(matches!(from_csv(b""), Err(BulkInputError::Empty)));
    assert!(matches!(
        from_csv(b"customer_id\n"),
        Err(BulkInputError::Empty)
    ));
    assert!(matches!(from_csv(b"\n\n\r\n"), Err(BulkInputError::Empty)));
    let big = vec![b'a'; MAX_CSV_BYTES + 1];
    let err = from_csv(&big).unwrap_err();
    assert!(matches!(
        err,
        BulkInputError::TooLarge {
            max: MAX_CSV_BYTES,
            ..
        }
    ));
    assert!(err.to_string().contains("split it"), "{err}");
}

#[test]
fn issues_serialize_with_a_kind() {
    let v = serde_json::to_value(issue(3, RowProblem::Duplicate { first_row: 1 })).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"row": 3, "problem": {"kind": "duplicate", "first_row": 1}})
    );
    let v = serde_json::to_value(RowProblem::ControlCharacters).unwrap();
    assert_eq!(v, serde_json::json!({"kind": "control-characters"}));
    assert_eq!(
        RowProblem::Duplicate { first_row: 2 }.to_string(),
        "the same id as row 2, which is kept"
    );
}

#[test]
fn stored_form() {
    let list = from_ids(ids(&["c-1", "a b", "é"])).unwrap();
    assert_eq!(list.to_lines(), "c-1\na b\né\n");
    assert_eq!(IdList::from_lines("c-1\r\n\n a b \né\nc-1").ids, list.ids);
}

fn render_csv(ids: &[String]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["customer_id"]).unwrap();
    for id in ids {
        writer.write_record([id]).unwrap();
    }
    writer.into_inner().unwrap()
}

proptest! {
    #[test]
    fn lists_round_trip(raw in prop::collection::vec("[ \\t]?[^\\x00-\\x1f]{0,12}[ ]?|\\PC{1,8}", 0..40)) {
        let rows = raw.len();
        match from_ids(raw) {
            Ok(list) => {
                prop_assert_eq!(list.ids.len() + list.issues.len(), rows);
                prop_assert_eq!(&IdList::from_lines(&list.to_lines()).ids, &list.ids);
                let from_file = from_csv(&render_csv(&list.ids)).unwrap();
                prop_assert_eq!(&from_file.ids, &list.ids);
                prop_assert!(from_file.issues.is_empty());
            }
            Err(BulkInputError::Empty) => {}
            Err(other) => prop_assert!(false, "{}", other),
        }
    }
}
