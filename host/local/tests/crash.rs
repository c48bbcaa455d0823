//! A real crash: a child process (this test binary, re-run on one test)
//! writes records and queue messages, reporting each one after its call
//! returned; the parent kills it with SIGKILL mid-stream, reopens the data
//! directory and checks that nothing the child was told had happened is
//! lost.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lethe_core::ports::{Condition, ItemStore, JobQueue, Record, RecordKey, SystemClock};
use lethe_local::{Local, LocalOptions};
use serde_json::json;

const CHILD_ENV: &str = "LETHE_LOCAL_CRASH_CHILD_DIR";

/// The child's work; does nothing unless run by [`killed_writer_loses_nothing_acknowledged`].
#[tokio::test]
async fn crash_child() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let local =
        Local::open(dir.as_ref(), Arc::new(SystemClock), LocalOptions::default()).expect("open");
    let started = Instant::now();
    for i in 0..100_000u32 {
        if started.elapsed() > Duration::from_secs(60) {
            break;
        }
        let key = RecordKey::new("T#crash#C#1", format!("item#{i:06}"));
        let record = Record::new(key, json!({"i": i}))
            .indexed(RecordKey::new("T#crash#X#0", format!("{i:06}")));
        local
            .data
            .put(record, Condition::Absent)
            .await
            .expect("put");
        println!("put {i}");
        local.queue.send(vec![format!("m{i}")]).await.expect("send");
        println!("sent m{i}");
        if i % 3 == 0 {
            // Visibility zero: unacknowledged deliveries are visible again at once.
            for d in local
                .queue
                .receive(1, Duration::ZERO)
                .await
                .expect("receive")
            {
                local.queue.ack(&d.receipt).await.expect("ack");
                println!("acked {}", d.body);
            }
        }
    }
}

#[test]
fn killed_writer_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = std::env::current_exe().expect("this test binary");
    let mut child = Command::new(exe)
        .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the child");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut puts = Vec::new();
    let mut sent = HashSet::new();
    let mut acked = HashSet::new();
    while let Some(Ok(line)) = lines.next() {
        if let Some(i) = line.strip_prefix("put ") {
            puts.push(i.parse::<u32>().expect("a number"));
        } else if let Some(m) = line.strip_prefix("sent ") {
            sent.insert(m.to_owned());
        } else if let Some(m) = line.strip_prefix("acked ") {
            acked.insert(m.to_owned());
        }
        if puts.len() >= 150 {
            break;
        }
    }
    // SIGKILL, to this child's PID only.
    child.kill().expect("kill the child");
    child.wait().expect("reap the child");
    // Whatever it printed after our last read was also committed; read it.
    for line in lines.map_while(Result::ok) {
        if let Some(i) = line.strip_prefix("put ") {
            puts.push(i.parse::<u32>().expect("a number"));
        } else if let Some(m) = line.strip_prefix("sent ") {
            sent.insert(m.to_owned());
        } else if let Some(m) = line.strip_prefix("acked ") {
            acked.insert(m.to_owned());
        }
    }
    assert!(
        puts.len() >= 150,
        "the child stopped early after {} puts",
        puts.len()
    );
    assert!(
        sent.len() >= 149 && acked.len() >= 40,
        "sent {}, acked {}",
        sent.len(),
        acked.len()
    );

    let local = Local::open(dir.path(), Arc::new(SystemClock), LocalOptions::default())
        .expect("reopen after the crash");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        for i in &puts {
            let key = RecordKey::new("T#crash#C#1", format!("item#{i:06}"));
            let record = local
                .data
                .get(&key)
                .await
                .expect("get")
                .unwrap_or_else(|| panic!("item {i} lost"));
            assert_eq!(record.body, json!({"i": i}));
        }
        let index = lethe_core::ports::KeyRange::All;
        let mut cursor = None;
        let mut indexed = 0;
        loop {
            let page = local
                .data
                .query_index("T#crash#X#0", &index, cursor.as_deref(), 1000)
                .await
                .expect("index");
            indexed += page.records.len();
            match page.next {
                Some(n) => cursor = Some(n),
                None => break,
            }
        }
        assert!(indexed >= puts.len(), "index entries lost");
        let mut pending = HashSet::new();
        for _ in 0..1000 {
            let got = local
                .queue
                .receive(100, Duration::from_secs(600))
                .await
                .expect("receive");
            if got.is_empty() {
                break;
            }
            pending.extend(got.into_iter().map(|d| d.body));
        }
        for m in &acked {
            assert!(!pending.contains(m), "acknowledged message {m} came back");
        }
        for m in sent.difference(&acked) {
            assert!(pending.contains(m), "sent message {m} lost");
        }
    });
}
