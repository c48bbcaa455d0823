//! What a restart (or a crash) leaves: items, index entries, queue state
//! and the link key survive dropping and reopening the data directory, and
//! a second opener is refused while the first holds it.

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use lethe_core::ports::{
    BlobStore, Condition, ItemStore, JobQueue, KeyRange, ManualClock, Record, RecordKey,
};
use lethe_local::{Local, LocalError, LocalOptions};
use serde_json::json;

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(
        Timestamp::from_second(1_750_000_000).expect("valid"),
    ))
}

#[tokio::test]
async fn items_and_index_survive_reopening() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let local = Local::open(dir.path(), clock(), LocalOptions::default()).expect("open");
        for i in 0..10 {
            let record = Record::new(
                RecordKey::new("T#a#C#1", format!("order#{i}")),
                json!({"i": i}),
            )
            .indexed(RecordKey::new("T#a#X#0", format!("{i:03}")));
            local
                .data
                .put(record, Condition::Absent)
                .await
                .expect("put");
        }
        local
            .control
            .put(
                Record::new(RecordKey::new("T#a", "tenant"), json!({"name": "A"})),
                Condition::None,
            )
            .await
            .expect("put control");
    }
    let local = Local::open(dir.path(), clock(), LocalOptions::default()).expect("reopen");
    let page = local
        .data
        .query("T#a#C#1", &KeyRange::All, None, 100)
        .await
        .expect("query");
    assert_eq!(page.records.len(), 10);
    let index = local
        .data
        .query_index("T#a#X#0", &KeyRange::All, None, 100)
        .await
        .expect("index");
    assert_eq!(index.records.len(), 10);
    let tenant = local
        .control
        .get(&RecordKey::new("T#a", "tenant"))
        .await
        .expect("get");
    assert_eq!(tenant.expect("present").body, json!({"name": "A"}));
    // Tables are separate: the control table has no data records.
    assert!(
        local
            .control
            .get(&RecordKey::new("T#a#C#1", "order#1"))
            .await
            .expect("get")
            .is_none()
    );
    let v = local
        .data
        .put(
            Record::new(RecordKey::new("T#a#C#1", "order#1"), json!({})),
            Condition::Version(1),
        )
        .await
        .expect("versions continue");
    assert_eq!(v, 2);
}

#[tokio::test]
async fn queue_state_survives_reopening() {
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = clock();
    let (acked, in_flight) = {
        let local = Local::open(dir.path(), clock.clone(), LocalOptions::default()).expect("open");
        local
            .queue
            .send((0..5).map(|i| format!("m{i}")).collect())
            .await
            .expect("send");
        let got = local
            .queue
            .receive(2, Duration::from_secs(30))
            .await
            .expect("receive");
        local.queue.ack(&got[0].receipt).await.expect("ack");
        (got[0].body.clone(), got[1].clone())
    };
    let local = Local::open(dir.path(), clock.clone(), LocalOptions::default()).expect("reopen");
    // The in-flight message stays hidden across the restart...
    let now = local
        .queue
        .receive(10, Duration::from_secs(30))
        .await
        .expect("receive");
    let bodies: Vec<&str> = now.iter().map(|d| d.body.as_str()).collect();
    assert_eq!(bodies, ["m2", "m3", "m4"]);
    // ...and comes back after its timeout, counted.
    clock.advance(SignedDuration::from_secs(31));
    let later = local
        .queue
        .receive(10, Duration::from_secs(30))
        .await
        .expect("receive");
    assert!(
        later.iter().all(|d| d.body != acked),
        "an acknowledged message came back"
    );
    let again = later
        .iter()
        .find(|d| d.id == in_flight.id)
        .expect("the in-flight message");
    assert_eq!(again.receive_count, 2);
}

#[tokio::test]
async fn download_links_survive_reopening() {
    let dir = tempfile::tempdir().expect("temp dir");
    let expires = Timestamp::from_second(1_800_000_000).expect("valid");
    let link = {
        let local = Local::open(dir.path(), clock(), LocalOptions::default()).expect("open");
        local
            .blobs
            .download_link("exports/a/r1/x.json", expires)
            .await
            .expect("link")
    };
    let local = Local::open(dir.path(), clock(), LocalOptions::default()).expect("reopen");
    let again = local
        .blobs
        .download_link("exports/a/r1/x.json", expires)
        .await
        .expect("link");
    assert_eq!(link, again, "the link key is kept in the database");
    let other_dir = tempfile::tempdir().expect("temp dir");
    let other = Local::open(other_dir.path(), clock(), LocalOptions::default()).expect("open");
    let theirs = other
        .blobs
        .download_link("exports/a/r1/x.json", expires)
        .await
        .expect("link");
    assert_ne!(link, theirs, "each data directory has its own key");
}

#[test]
fn a_second_opener_is_refused_with_advice() {
    let dir = tempfile::tempdir().expect("temp dir");
    let _first = Local::open(dir.path(), clock(), LocalOptions::default()).expect("open");
    let err = Local::open(dir.path(), clock(), LocalOptions::default()).expect_err("locked");
    assert!(matches!(err, LocalError::Locked { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("locked by another lethe process"),
        "{message}"
    );
    assert!(message.contains("--data-dir"), "{message}");
}

#[test]
fn an_unusable_directory_is_explained() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"not a directory").expect("write");
    let err =
        Local::open(&file.join("data"), clock(), LocalOptions::default()).expect_err("unusable");
    assert!(matches!(err, LocalError::Directory { .. }), "{err:?}");
    assert!(err.to_string().contains("--data-dir"), "{err}");
}

#[tokio::test]
async fn blobs_survive_reopening() {
    let dir = tempfile::tempdir().expect("temp dir");
    let meta = {
        let local = Local::open(dir.path(), clock(), LocalOptions::default()).expect("open");
        local
            .blobs
            .put(
                "a/b.txt",
                bytes::Bytes::from_static(b"kept"),
                "text/plain",
                lethe_core::ports::PutCondition::Absent,
            )
            .await
            .expect("put")
    };
    let local = Local::open(dir.path(), clock(), LocalOptions::default()).expect("reopen");
    assert_eq!(local.blobs.head("a/b.txt").await.expect("head"), Some(meta));
    assert_eq!(
        std::fs::read(dir.path().join("blobs/a/b.txt")).expect("a plain file"),
        b"kept"
    );
}
