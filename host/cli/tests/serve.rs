//! `lethe serve` as a real process on a free loopback port, driven over
//! HTTP as a client would: synthetic customers ingested, an access request
//! and its export downloaded through the signed link, an erasure confirmed
//! through the link in the mailbox and its certificate, a CSV bulk job
//! (preview, confirm, counts), `lethe remote` against it, then SIGTERM:
//! the server exits 0, and a job confirmed just before the signal is
//! finished by the next start.
//!
//! Binds 127.0.0.1 port 0 only; every wait has a deadline; the server is
//! stopped by its PID (SIGTERM, or SIGKILL from the guard if the test
//! fails).

#[path = "support/server.rs"]
mod server;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lethe_synth::Synth;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use server::Server;

const TENANT: &str = "acme";
/// Synthetic customers ingested.
const CUSTOMERS: u64 = 40;

/// `lethe serve` on `dir` on a free loopback port, bootstrapping `acme`
/// if asked.
fn serve_command(dir: &Path, bootstrap: bool) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lethe"));
    command
        .arg("serve")
        .arg("--data-dir")
        .arg(dir)
        .args(["--listen", "127.0.0.1:0", "--workers", "2"])
        .env("LETHE_LOG", "warn")
        .stdin(Stdio::null());
    if bootstrap {
        command.args(["--bootstrap-tenant", TENANT, "--tenant-name", "Acme"]);
    }
    command
}

/// One answer, read whole.
struct Answer {
    status: StatusCode,
    content_type: String,
    location: Option<String>,
    body: Value,
    raw: Vec<u8>,
}

async fn send(request: reqwest::RequestBuilder) -> Answer {
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    let header = |name: reqwest::header::HeaderName| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = header(reqwest::header::CONTENT_TYPE).unwrap_or_default();
    let location = header(reqwest::header::LOCATION);
    let raw = response.bytes().await.expect("a body").to_vec();
    let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
    Answer {
        status,
        content_type,
        location,
        body,
        raw,
    }
}

/// Polls `GET path` until `done(body)` holds, at most `within`.
async fn wait_for(
    http: &reqwest::Client,
    server: &Server,
    key: &str,
    path: &str,
    within: Duration,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let answer = send(http.get(server.url(path)).bearer_auth(key)).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.body);
        if done(&answer.body) {
            return answer.body;
        }
        assert!(
            Instant::now() < deadline,
            "{path} not done within {within:?}: {}",
            answer.body
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn terminal_job(body: &Value) -> bool {
    matches!(
        body["status"].as_str(),
        Some("completed" | "completed_with_errors" | "failed" | "cancelled")
    )
}

fn lethe_remote(server: &Server, key: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_lethe"))
        .arg("remote")
        .args(["--endpoint", &server.base])
        .args(args)
        .env("LETHE_API_KEY", key)
        .stdin(Stdio::null())
        .output()
        .expect("lethe remote runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_runs_access_erasure_and_bulk_jobs_over_http_and_stops_cleanly() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let mut server = Server::start(serve_command(&data, true));
    assert!(
        server.base.starts_with("http://127.0.0.1:"),
        "{}",
        server.base
    );
    let admin = server
        .admin_key
        .clone()
        .expect("the bootstrap printed a key");
    assert!(admin.starts_with("lth_acme_"));
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let no_redirect = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let health = send(http.get(server.url("/healthz"))).await;
    assert_eq!(health.status, StatusCode::OK);

    // Keys for the other roles, made by the admin.
    let mut keys = std::collections::BTreeMap::new();
    for role in ["intake", "operator"] {
        let made = send(
            http.post(server.url("/v1/api-keys"))
                .bearer_auth(&admin)
                .json(&json!({"label": format!("{role}-desk"), "role": role})),
        )
        .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        keys.insert(role, made.body["key"].as_str().unwrap().to_string());
    }

    // Ingest synthetic customers, 10 items each, 200 items a call.
    let synth = Synth::new(42);
    let now = jiff::Timestamp::now();
    let customers: Vec<_> = (0..CUSTOMERS).map(|n| synth.customer(n, now)).collect();
    let items: Vec<_> = customers.iter().flat_map(|c| c.items.clone()).collect();
    for batch in items.chunks(200) {
        let stored = send(
            http.post(server.url("/v1/items"))
                .bearer_auth(&keys["operator"])
                .json(&json!({ "items": batch })),
        )
        .await;
        assert_eq!(stored.status, StatusCode::OK, "{}", stored.body);
        assert_eq!(stored.body["stored"], batch.len() as u64);
    }

    // Access request (intake key) -> completed at once -> export through
    // the redirect and the signed link, checked against its SHA-256.
    let subject = &customers[3];
    let access = send(
        http.post(server.url("/v1/requests"))
            .bearer_auth(&keys["intake"])
            .json(&json!({
                "kind": "access",
                "subject": {"by": "customer-id", "value": subject.id},
                "contact": subject.email,
            })),
    )
    .await;
    assert_eq!(access.status, StatusCode::CREATED, "{}", access.body);
    let access_id = access.body["id"].as_str().unwrap().to_string();
    let request = wait_for(
        &http,
        &server,
        &admin,
        &format!("/v1/requests/{access_id}"),
        Duration::from_secs(30),
        |r| r["status"] == "completed",
    )
    .await;
    let json_sha256 = request["export"]["json_sha256"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(request["export"]["items"].as_u64().unwrap() >= 10);
    let redirect = send(
        no_redirect
            .get(server.url(&format!("/v1/requests/{access_id}/export")))
            .bearer_auth(&admin),
    )
    .await;
    assert_eq!(redirect.status, StatusCode::FOUND);
    let link = redirect.location.expect("a Location");
    assert!(
        link.starts_with(&format!("{}/blobs/", server.base)),
        "{link}"
    );
    let download = send(http.get(&link)).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.content_type, "application/json");
    assert_eq!(hex::encode(Sha256::digest(&download.raw)), json_sha256);
    // The same through the API's redirect, followed by the client.
    let followed = send(
        http.get(server.url(&format!("/v1/requests/{access_id}/export")))
            .bearer_auth(&admin),
    )
    .await;
    assert_eq!(followed.status, StatusCode::OK);
    assert_eq!(hex::encode(Sha256::digest(&followed.raw)), json_sha256);
    // A changed signature or expiry is refused with a problem.
    let (path, query) = link.split_once('?').unwrap();
    let tampered = query.replace("sig=", "sig=00");
    for bad in [
        format!("{path}?{tampered}"),
        format!("{path}?expires=1&sig=00"),
        path.to_string(),
    ] {
        let refused = send(http.get(&bad)).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{bad}");
        assert_eq!(refused.content_type, "application/problem+json");
        assert_eq!(refused.body["code"], "link_invalid");
    }
    let expired_sig = send(http.get(format!(
        "{}/blobs/exports/x.json?expires=1&sig={}",
        server.base,
        "0".repeat(64)
    )))
    .await;
    assert_eq!(expired_sig.status, StatusCode::FORBIDDEN);
    // The subject's mailed link, opened without a key: through the API's
    // redirect to the signed file link, the same file.
    let mailbox = lethe_local::Mailbox::new(&data.join("mailbox")).expect("mailbox");
    let download_url = mailbox
        .messages()
        .into_iter()
        .find(|m| m.body.contains(&access_id) && m.body.contains("/v1/downloads/"))
        .expect("the export was mailed")
        .body
        .lines()
        .find(|l| l.contains("/v1/downloads/"))
        .expect("the mail holds the download link")
        .trim()
        .to_string();
    assert!(download_url.starts_with(&server.base), "{download_url}");
    let mailed = send(http.get(&download_url)).await;
    assert_eq!(mailed.status, StatusCode::OK, "{}", mailed.body);
    assert_eq!(hex::encode(Sha256::digest(&mailed.raw)), json_sha256);

    // Erasure -> the link in the mailbox -> completed -> certificate.
    let erased = &customers[5];
    let erasure = send(
        http.post(server.url("/v1/requests"))
            .bearer_auth(&keys["intake"])
            .json(&json!({
                "kind": "erasure",
                "subject": {"by": "customer-id", "value": erased.id},
                "contact": erased.email,
            })),
    )
    .await;
    assert_eq!(erasure.status, StatusCode::CREATED, "{}", erasure.body);
    assert_eq!(erasure.body["status"], "unverified");
    let erasure_id = erasure.body["id"].as_str().unwrap().to_string();
    let message = mailbox
        .messages()
        .into_iter()
        .find(|m| m.body.contains(&erasure_id))
        .expect("the verification link was mailed");
    let verify_url = message
        .body
        .lines()
        .find(|l| l.contains("/v1/verify/"))
        .expect("the mail holds the link")
        .trim()
        .to_string();
    assert!(verify_url.starts_with(&server.base), "{verify_url}");
    let verified = send(http.get(&verify_url)).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    let done = wait_for(
        &http,
        &server,
        &admin,
        &format!("/v1/requests/{erasure_id}"),
        Duration::from_secs(60),
        |r| r["status"] == "completed",
    )
    .await;
    assert_eq!(done["has_certificate"], true);
    let certificate = send(
        http.get(server.url(&format!("/v1/requests/{erasure_id}/certificate")))
            .bearer_auth(&admin),
    )
    .await;
    assert_eq!(certificate.status, StatusCode::OK);
    assert!(certificate.body["signature"].is_string());

    // CSV bulk job: preview -> confirm (admin only) -> counts.
    let csv: String = std::iter::once("customer_id".to_string())
        .chain(customers[10..20].iter().map(|c| c.id.clone()))
        .chain(["nobody-here".to_string()])
        .collect::<Vec<_>>()
        .join("\n");
    let created = send(
        http.post(server.url("/v1/redactions"))
            .bearer_auth(&keys["operator"])
            .header("content-type", "text/csv")
            .body(csv),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["status"], "awaiting_confirmation");
    assert_eq!(created.body["preview"]["matched"], 10);
    assert_eq!(created.body["preview"]["unknown_rows"], json!([11]));
    let job_id = created.body["id"].as_str().unwrap().to_string();
    let denied = send(
        http.post(server.url(&format!("/v1/jobs/{job_id}/confirm")))
            .bearer_auth(&keys["operator"]),
    )
    .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let confirmed = send(
        http.post(server.url(&format!("/v1/jobs/{job_id}/confirm")))
            .bearer_auth(&admin),
    )
    .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let job = wait_for(
        &http,
        &server,
        &admin,
        &format!("/v1/jobs/{job_id}"),
        Duration::from_secs(60),
        terminal_job,
    )
    .await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["counts"]["succeeded"], 10);
    assert_eq!(job["counts"]["failed"], 0);
    assert_eq!(job["counts"]["skipped"], 1);

    // The CLI client against the same server.
    let csv_file = dir.path().join("remote.csv");
    let ids: Vec<String> = customers[20..25].iter().map(|c| c.id.clone()).collect();
    std::fs::write(&csv_file, format!("customer_id\n{}\n", ids.join("\n"))).unwrap();
    let out = lethe_remote(
        &server,
        &admin,
        &["redact", "--csv", csv_file.to_str().unwrap(), "--yes"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "lethe remote redact failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("5 distinct ids: 5 known customers"),
        "{stdout}"
    );
    assert!(stdout.contains("status: completed"), "{stdout}");
    for id in &ids {
        assert!(!stdout.contains(id.as_str()), "no customer id is printed");
    }
    let listed = lethe_remote(&server, &admin, &["jobs"]);
    let table = String::from_utf8_lossy(&listed.stdout).into_owned();
    assert!(listed.status.success());
    assert!(table.contains(&job_id), "{table}");
    let shown = lethe_remote(&server, &admin, &["request", &access_id]);
    let shown_text = String::from_utf8_lossy(&shown.stdout).into_owned();
    assert!(shown.status.success());
    assert!(shown_text.contains("completed"), "{shown_text}");
    assert!(shown_text.contains(&json_sha256), "{shown_text}");
    // A server refusal is shown as its detail.
    let refused = lethe_remote(&server, &keys["intake"], &["jobs"]);
    assert!(!refused.status.success());
    let refused_err = String::from_utf8_lossy(&refused.stderr).into_owned();
    assert!(
        refused_err.contains("support role or higher") && refused_err.contains("HTTP 403"),
        "{refused_err}"
    );

    // A job confirmed just before SIGTERM: the server exits 0 ...
    let csv: String = std::iter::once("customer_id".to_string())
        .chain(customers[25..40].iter().map(|c| c.id.clone()))
        .collect::<Vec<_>>()
        .join("\n");
    let late = send(
        http.post(server.url("/v1/redactions"))
            .bearer_auth(&admin)
            .header("content-type", "text/csv")
            .body(csv),
    )
    .await;
    assert_eq!(late.status, StatusCode::CREATED, "{}", late.body);
    let late_id = late.body["id"].as_str().unwrap().to_string();
    let queued = send(
        http.post(server.url(&format!("/v1/jobs/{late_id}/confirm")))
            .bearer_auth(&admin),
    )
    .await;
    assert_eq!(queued.status, StatusCode::OK);
    let status = server.terminate(Duration::from_secs(60));
    assert!(
        status.success(),
        "lethe serve exits 0 on SIGTERM, got {status}:\n{}",
        server.stderr()
    );
    let lines = server.stdout();
    assert!(lines.iter().any(|l| l == "stopped"), "{lines:?}");
    assert!(
        !lines
            .iter()
            .any(|l| l.contains(&subject.email) || l.contains(&erased.email)),
        "no personal data in the server's output"
    );
    drop(server);

    // ... a second bootstrap of the same tenant is refused ...
    let again = Command::new(env!("CARGO_BIN_EXE_lethe"))
        .arg("serve")
        .arg("--data-dir")
        .arg(&data)
        .args(["--listen", "127.0.0.1:0", "--bootstrap-tenant", TENANT])
        .stdin(Stdio::null())
        .output()
        .expect("lethe serve runs");
    assert!(!again.status.success());
    let why = String::from_utf8_lossy(&again.stderr);
    assert!(why.contains("already exists"), "{why}");
    assert!(!String::from_utf8_lossy(&again.stdout).contains("lth_"));

    // ... and the next start finishes the job with every subject once.
    let mut server = Server::start(serve_command(&data, false));
    assert!(server.admin_key.is_none());
    let job = wait_for(
        &http,
        &server,
        &admin,
        &format!("/v1/jobs/{late_id}"),
        Duration::from_secs(60),
        terminal_job,
    )
    .await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["counts"]["succeeded"], 15, "{job}");
    let status = server.terminate(Duration::from_secs(60));
    assert!(status.success(), "{status}");
    eprintln!("serve end to end: {:.1} s", started.elapsed().as_secs_f64());
}
