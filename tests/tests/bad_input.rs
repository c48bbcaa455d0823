//! Bad input to the engine: each a clear error or a reported row, nothing
//! written, and no value of the input repeated back.

use lethe_core::bulk_input::{BulkInputError, MAX_BULK_IDS, RowProblem, from_csv, from_ids};
use lethe_core::engine::model::{RequestKind, SubjectBy};
use lethe_core::engine::{EngineError, IngestItem, NewRequest};
use lethe_core::tenant::Settings;
use lethe_e2e::engine::Fixture;
use serde_json::json;

#[test]
fn bulk_lists_that_cannot_be_used_say_why_without_repeating_values() {
    let secret = "ada.lovelace@example.com";
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"".to_vec(), "no usable customer id"),
        (b"customer_id\n\n  \n".to_vec(), "no usable customer id"),
        (
            [format!("customer_id\n{secret}\n").as_bytes(), b"\xff\xfe\n"].concat(),
            "line 3",
        ),
        (
            format!("customer_id,name\n{secret},x,extra\n").into_bytes(),
            "line 2",
        ),
        (
            format!("email,name\n{secret},Ada\n").into_bytes(),
            "no column",
        ),
    ];
    for (bytes, expected) in cases {
        let err = from_csv(&bytes).unwrap_err();
        let message = err.to_string();
        assert!(
            message.to_lowercase().contains(expected),
            "{message:?} should mention {expected:?}"
        );
        assert!(!message.contains(secret), "{message}");
        assert!(!message.contains("Ada"), "{message}");
    }
    let too_many: Vec<String> = (0..=MAX_BULK_IDS).map(|n| format!("cust-{n}")).collect();
    let err = from_ids(too_many).unwrap_err();
    assert!(matches!(
        err,
        BulkInputError::TooMany {
            count: 50_001,
            max: 50_000
        }
    ));
    assert!(err.to_string().contains("split"), "{err}");
    let huge = vec![b'a'; lethe_core::bulk_input::MAX_CSV_BYTES + 1];
    assert!(matches!(
        from_csv(&huge),
        Err(BulkInputError::TooLarge { .. })
    ));

    // Rows that cannot be used are reported, and the rest go ahead.
    let list = from_csv(b"id\ncust-1\ncust-1\n\ncust-2\ncust-\x013\n").unwrap();
    assert_eq!(list.ids, ["cust-1", "cust-2"]);
    let problems: Vec<_> = list
        .issues
        .iter()
        .map(|i| (i.row, i.problem.clone()))
        .collect();
    assert!(
        problems.contains(&(3, RowProblem::Duplicate { first_row: 2 })),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|(_, p)| *p == RowProblem::ControlCharacters),
        "{problems:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_items_and_requests_are_refused_and_nothing_is_written() {
    let f = Fixture::new(Settings::default()).await;
    let before = f.node.local.data.scan_all().unwrap().len();
    let item = |customer: &str, kind: &str, data| IngestItem {
        customer: customer.into(),
        kind: kind.into(),
        id: "1".into(),
        data,
        active_at: None,
    };
    for (items, expected) in [
        (
            vec![
                item("c1", "profile", json!({"a": 1})),
                item("", "profile", json!({})),
            ],
            "item 1: its customer id",
        ),
        (vec![item("c1", "Profile!", json!({}))], "item 0: its kind"),
        (
            vec![item("c1", "profile", json!([1, 2]))],
            "must be a JSON object",
        ),
        (
            vec![item("c1\u{7}", "profile", json!({}))],
            "control characters",
        ),
    ] {
        let err = f.engine().ingest(&f.tenant, items).await.unwrap_err();
        assert!(err.to_string().contains(expected), "{err}");
    }
    assert_eq!(
        f.node.local.data.scan_all().unwrap().len(),
        before,
        "nothing stored"
    );

    let err = f
        .engine()
        .create_request(
            &f.tenant,
            NewRequest {
                kind: RequestKind::Erasure,
                subject: SubjectBy::CustomerId("c1".into()),
                contact: None,
            },
            "intake",
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("needs a contact e-mail"), "{err}");
    let err = f
        .engine()
        .create_request(
            &f.tenant,
            NewRequest {
                kind: RequestKind::Access,
                subject: SubjectBy::Phone("0701234567".into()),
                contact: Some("not an address".into()),
            },
            "intake",
        )
        .await
        .unwrap_err();
    assert!(matches!(err, EngineError::Invalid(_)));
    assert!(!err.to_string().contains("not an address"));
    assert!(
        f.engine()
            .list_requests(&f.tenant, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        f.engine().tenant("nobody").await,
        Err(EngineError::NotFound { what: "tenant" })
    ));
    assert!(matches!(
        f.engine().job(&f.tenant, "job_nope").await,
        Err(EngineError::NotFound { what: "job" })
    ));
}
