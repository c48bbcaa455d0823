//! A bulk redaction killed with SIGKILL half-way, then resumed with
//! `lethe work`: every customer ends redacted exactly once, by that job,
//! and no item keeps its original e-mail address.
//!
//! Runs the real `lethe` binary as child processes over one data directory
//! and kills only the child it spawned, by its PID.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use lethe_core::engine::model::{CustomerHead, ItemEnvelope};
use lethe_core::ports::SystemClock;
use lethe_local::{Local, LocalOptions};
use lethe_synth::Synth;
use serde_json::Value;

const CUSTOMERS: u64 = 50_000;
const TENANT: &str = "acme";

fn lethe(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lethe"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("lethe runs")
}

fn ok(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "lethe failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The ids and e-mails `lethe seed` gave customers 0..n (same generator,
/// same seed; ids and e-mails do not depend on the item count).
fn synthetic(n: u64) -> (Vec<String>, HashSet<String>) {
    let synth = Synth::new(42);
    let at = jiff::Timestamp::UNIX_EPOCH;
    let mut ids = Vec::new();
    let mut emails = HashSet::new();
    for i in 0..n {
        let c = synth.customer(i, at);
        ids.push(c.id);
        emails.insert(c.email.to_lowercase());
    }
    (ids, emails)
}

/// Spawns `lethe redact` and SIGKILLs it once some chunks are done; returns
/// the job id and how many subjects were done when it was killed.
fn redact_and_kill(dir: &Path, csv: &Path) -> (String, u64) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lethe"))
        .args(["redact", "--data-dir"])
        .arg(dir)
        .args(["--tenant", TENANT, "--csv"])
        .arg(csv)
        .arg("--yes")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("lethe redact starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(240);
    let mut job: Option<String> = None;
    let mut done_at_kill = None;
    while Instant::now() < deadline {
        let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) else {
            if let Some(status) = child.try_wait().expect("child status") {
                panic!("lethe redact ended ({status}) before it could be killed");
            }
            continue;
        };
        if let Some(rest) = line.strip_prefix("Job ")
            && line.contains(" confirmed:")
        {
            job = rest.split_whitespace().next().map(str::to_owned);
        }
        // "progress: N/50000 subjects", at most once a second.
        if let Some(done) = line
            .strip_prefix("progress: ")
            .and_then(|p| p.split('/').next())
            .and_then(|n| n.parse::<u64>().ok())
            && done >= 1_000
        {
            child.kill().expect("SIGKILL the child we spawned");
            done_at_kill = Some(done);
            break;
        }
    }
    let done = done_at_kill.expect("some chunks were done before the deadline");
    let status = child.wait().expect("the killed child is reaped");
    assert!(!status.success(), "lethe redact was killed, not finished");
    drop(rx);
    reader.join().expect("reader thread ends");
    assert!(done < CUSTOMERS, "the job was still running when killed");
    (job.expect("the job id was printed"), done)
}

#[test]
fn a_killed_bulk_redaction_resumes_and_redacts_everyone_once() {
    let started = Instant::now();
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path().join("data");
    let dir_arg = dir.to_str().expect("utf-8 temp path");
    let n = CUSTOMERS.to_string();

    ok(&lethe(&[
        "seed",
        "--data-dir",
        dir_arg,
        "--tenant",
        TENANT,
        "--customers",
        &n,
        "--items-per-customer",
        "2",
        "--quiet",
    ]));
    let seeded = started.elapsed();

    let (ids, emails) = synthetic(CUSTOMERS);
    let csv = temp.path().join("all.csv");
    let mut text = String::from("customer_id\n");
    for id in &ids {
        text.push_str(id);
        text.push('\n');
    }
    std::fs::write(&csv, text).expect("csv written");

    let (job, done_at_kill) = redact_and_kill(&dir, &csv);
    let killed = started.elapsed();

    let work = ok(&lethe(&["work", "--data-dir", dir_arg, "--quiet"]));
    assert!(work.contains(&job), "lethe work shows the job:\n{work}");

    let shown: Value = serde_json::from_str(&ok(&lethe(&[
        "job",
        "--data-dir",
        dir_arg,
        "--tenant",
        TENANT,
        &job,
    ])))
    .expect("lethe job prints JSON");
    assert_eq!(shown["job"]["status"], "completed", "{shown:#}");
    assert_eq!(shown["job"]["counts"]["succeeded"], CUSTOMERS);
    assert_eq!(shown["job"]["counts"]["failed"], 0);
    assert_eq!(shown["job"]["counts"]["skipped"], 0);
    assert_eq!(shown["failures"].as_array().map(Vec::len), Some(0));

    // Every process has ended: read the store directly.
    let local = Local::open(&dir, Arc::new(SystemClock), LocalOptions::default())
        .expect("the data directory opens");
    let prefix = format!("T#{TENANT}#C#");
    let (mut heads, mut items) = (0u64, 0u64);
    for record in local.data.scan_all().expect("scan") {
        if !record.key.pk.starts_with(&prefix) {
            continue;
        }
        if record.key.sk == lethe_core::keys::HEAD_SK {
            let head: CustomerHead = serde_json::from_value(record.body).expect("a head");
            assert_eq!(head.redactions, 1, "a customer redacted other than once");
            assert_eq!(head.redacted_by.as_deref(), Some(job.as_str()));
            heads += 1;
        } else {
            let item: ItemEnvelope = serde_json::from_value(record.body).expect("an item");
            assert_eq!(item.meta.redacted_by.as_deref(), Some(job.as_str()));
            let text = item.data.to_string().to_lowercase();
            for token in text.split(|c: char| !(c.is_alphanumeric() || "@._-+'".contains(c))) {
                assert!(
                    !emails.contains(token.trim_matches('.')),
                    "an item still holds its customer's original e-mail address"
                );
            }
            items += 1;
        }
    }
    assert_eq!(heads, CUSTOMERS, "one head per customer");
    assert_eq!(items, 2 * CUSTOMERS, "every item is still there, redacted");
    eprintln!(
        "crash test: seeded in {:.1} s, killed at {done_at_kill} subjects after {:.1} s, \
         resumed and checked in {:.1} s total",
        seeded.as_secs_f64(),
        killed.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
}
