//! The blob directory's local behaviour: keys that would leave the root
//! are refused, objects are plain files, and metadata survives files
//! changed behind its back.

use bytes::Bytes;
use lethe_core::ports::{BlobStore, PortError, PutCondition, read_all};
use lethe_local::BlobDir;
use sha2::{Digest, Sha256};

fn store() -> (tempfile::TempDir, BlobDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let blobs =
        BlobDir::new(&dir.path().join("blobs"), "http://x".into(), [1; 32]).expect("blob dir");
    (dir, blobs)
}

const BAD_KEYS: &[&str] = &[
    "",
    "../escape",
    "a/../../escape",
    "/etc/passwd",
    "a//b",
    "a/",
    "./a",
    "a/./b",
    "..",
    "a\0b",
    "a\\..\\b",
    ".lethe/meta/x.meta",
];

fn invalid<T>(r: &Result<T, PortError>) -> bool {
    matches!(r, Err(PortError::Invalid { .. }))
}

#[tokio::test]
async fn keys_that_leave_the_root_are_invalid() {
    let (dir, blobs) = store();
    let file = dir.path().join("source");
    std::fs::write(&file, b"x").expect("write");
    for key in BAD_KEYS {
        let put = blobs
            .put(
                key,
                Bytes::from_static(b"x"),
                "text/plain",
                PutCondition::Any,
            )
            .await;
        assert!(invalid(&put), "put {key:?}: {put:?}");
        let put_file = blobs
            .put_file(key, &file, "text/plain", PutCondition::Any)
            .await;
        assert!(invalid(&put_file), "put_file {key:?}");
        assert!(
            matches!(blobs.get(key).await, Err(PortError::Invalid { .. })),
            "get {key:?}"
        );
        assert!(invalid(&blobs.head(key).await), "head {key:?}");
        assert!(invalid(&blobs.delete(key).await), "delete {key:?}");
    }
    // Nothing was written beside the root.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("read")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["blobs", "source"]);
    // Error messages do not repeat the key.
    let err = blobs
        .head("../customer@example.com")
        .await
        .expect_err("invalid");
    assert!(!err.to_string().contains("customer"), "{err}");
}

#[tokio::test]
async fn a_prefix_that_leaves_the_root_lists_nothing() {
    let (dir, blobs) = store();
    std::fs::write(dir.path().join("outside"), b"x").expect("write");
    assert!(blobs.list("../").await.expect("list").is_empty());
    assert!(blobs.list("/").await.expect("list").is_empty());
}

#[tokio::test]
async fn objects_are_plain_files_and_internals_stay_hidden() {
    let (dir, blobs) = store();
    blobs
        .put(
            "exports/a/r1/x.json",
            Bytes::from_static(b"{}"),
            "application/json",
            PutCondition::Any,
        )
        .await
        .expect("put");
    assert_eq!(
        std::fs::read(dir.path().join("blobs/exports/a/r1/x.json")).expect("plain file"),
        b"{}"
    );
    let all = blobs.list("").await.expect("list");
    assert_eq!(
        all.iter().map(|m| m.key.as_str()).collect::<Vec<_>>(),
        ["exports/a/r1/x.json"]
    );
    blobs.delete("exports/a/r1/x.json").await.expect("delete");
    assert!(
        !dir.path().join("blobs/exports").exists(),
        "empty folders are pruned"
    );
}

#[tokio::test]
async fn a_file_changed_by_hand_is_rehashed() {
    let (dir, blobs) = store();
    let first = blobs
        .put(
            "d/x.txt",
            Bytes::from_static(b"before"),
            "text/plain",
            PutCondition::Any,
        )
        .await
        .expect("put");
    let path = dir.path().join("blobs/d/x.txt");
    std::fs::write(&path, b"after, and longer").expect("edit by hand");
    let meta = blobs.head("d/x.txt").await.expect("head").expect("present");
    assert_eq!(
        meta.sha256,
        hex::encode(Sha256::digest(b"after, and longer"))
    );
    assert_ne!(meta.etag, first.etag);
    let stale = blobs
        .put(
            "d/x.txt",
            Bytes::from_static(b"lost"),
            "text/plain",
            PutCondition::Matches(first.etag),
        )
        .await;
    assert!(stale.is_err_and(|e| e.is_condition_failed()));
    // Files dropped in by hand are objects too.
    std::fs::write(dir.path().join("blobs/d/new.txt"), b"hand").expect("write");
    let (meta, content) = read_all(&blobs, "d/new.txt").await.expect("get");
    assert_eq!(content, b"hand");
    assert_eq!(meta.sha256, hex::encode(Sha256::digest(b"hand")));
}

#[tokio::test]
async fn a_key_and_its_folder_cannot_both_exist() {
    let (_dir, blobs) = store();
    blobs
        .put(
            "a/b",
            Bytes::from_static(b"x"),
            "text/plain",
            PutCondition::Any,
        )
        .await
        .expect("put");
    let clash = blobs
        .put(
            "a",
            Bytes::from_static(b"y"),
            "text/plain",
            PutCondition::Any,
        )
        .await;
    assert!(matches!(clash, Err(PortError::Invalid { .. })), "{clash:?}");
    let clash = blobs
        .put(
            "a/b/c",
            Bytes::from_static(b"y"),
            "text/plain",
            PutCondition::Any,
        )
        .await;
    assert!(matches!(clash, Err(PortError::Invalid { .. })), "{clash:?}");
    assert_eq!(read_all(&blobs, "a/b").await.expect("get").1, b"x");
    assert!(matches!(
        blobs.get("a").await,
        Err(PortError::NotFound { .. })
    ));
}

#[tokio::test]
async fn racing_absent_puts_have_one_winner() {
    let (_dir, blobs) = store();
    let mut tasks = Vec::new();
    for i in 0..16u8 {
        let blobs = blobs.clone();
        tasks.push(tokio::spawn(async move {
            blobs
                .put(
                    "race/one",
                    Bytes::from(vec![i; 1000]),
                    "application/octet-stream",
                    PutCondition::Absent,
                )
                .await
        }));
    }
    let mut winners = 0;
    for t in tasks {
        match t.await.expect("task") {
            Ok(_) => winners += 1,
            Err(e) => assert!(e.is_condition_failed(), "{e}"),
        }
    }
    assert_eq!(winners, 1);
}

#[tokio::test]
async fn put_file_of_a_missing_file_is_invalid() {
    let (dir, blobs) = store();
    let missing = dir.path().join("nope");
    let r = blobs
        .put_file("x", &missing, "text/plain", PutCondition::Any)
        .await;
    assert!(matches!(r, Err(PortError::Invalid { .. })), "{r:?}");
}
