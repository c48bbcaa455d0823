//! A tenant's plugin loop, end to end, with the real `lethe` binary:
//! `lethe plugin new` scaffolds a field map, the test gives it one rule of
//! its own (the tenant's `locker_code` attribute is an identifier, which
//! the standard field map does not know), `lethe plugin build` compiles
//! it, `lethe plugin test` dry-runs it (and the standard map, for
//! contrast), then against a real `lethe serve`: `lethe plugin push
//! --activate`, a redaction job that runs it (the job names its SHA-256;
//! the attribute is erased), `lethe plugin rollback`, and a second job
//! back on the standard plugin (the attribute retained).
//!
//! The scaffolded crate is built in a target directory shared across runs
//! (`target/plugin-loop` at the workspace root), offline: its `Cargo.lock`
//! is the plugins workspace's, whose dependencies the host build has
//! already fetched. Binds 127.0.0.1 port 0 only; every wait has a
//! deadline; the server is stopped by its PID.

#[path = "support/server.rs"]
mod server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use server::Server;

const TENANT: &str = "acme";
const PLUGIN: &str = "acme-lockers";
/// Customers ingested; the first half are erased with the tenant's
/// plugin active, the second half after the roll-back.
const CUSTOMERS: usize = 6;

fn lethe() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lethe"));
    // The outer build's settings are for the host, not for wasm; and the
    // plugin's dependencies are in cargo's cache already.
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_BUILD_TARGET",
        "LETHE_API_KEY",
        "LETHE_ENDPOINT",
    ] {
        command.env_remove(var);
    }
    command
        .env("CARGO_TARGET_DIR", shared_target_dir())
        .env("CARGO_NET_OFFLINE", "true")
        .env("LETHE_LOG", "warn")
        .stdin(Stdio::null());
    command
}

/// Where scaffolded plugins are built, kept across runs.
fn shared_target_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/plugin-loop")
}

fn run(command: &mut Command, what: &str) -> Output {
    let out = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A `lethe` command talking to `server` with its admin key.
fn remote(server: &Server) -> Command {
    let mut command = lethe();
    command.env("LETHE_API_KEY", admin_key(server));
    command.env("LETHE_ENDPOINT", &server.base);
    command
}

/// The key the bootstrap printed.
fn admin_key(server: &Server) -> &str {
    server
        .admin_key
        .as_deref()
        .expect("the bootstrap printed a key")
}

/// `POST` or `GET` with the admin key; the status and the JSON body.
async fn call(
    http: &reqwest::Client,
    server: &Server,
    request: reqwest::RequestBuilder,
) -> (StatusCode, Value) {
    let response = request
        .bearer_auth(admin_key(server))
        .send()
        .await
        .expect("the server answers");
    let _ = http;
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

/// Runs a bulk redaction of `customers` to its end (at most 60 s) and
/// returns the finished job.
async fn redact(http: &reqwest::Client, server: &Server, customers: &[String]) -> Value {
    let csv = format!("customer_id\n{}\n", customers.join("\n"));
    let (status, job) = call(
        http,
        server,
        http.post(server.url("/v1/redactions"))
            .header("content-type", "text/csv")
            .body(csv),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{job}");
    let id = job["id"].as_str().unwrap().to_string();
    let (status, confirmed) = call(
        http,
        server,
        http.post(server.url(&format!("/v1/jobs/{id}/confirm"))),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, job) = call(
            http,
            server,
            http.get(server.url(&format!("/v1/jobs/{id}"))),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{job}");
        if matches!(
            job["status"].as_str(),
            Some("completed" | "completed_with_errors" | "failed" | "cancelled")
        ) {
            assert_eq!(job["status"], "completed", "{job}");
            assert_eq!(job["counts"]["succeeded"], customers.len(), "{job}");
            return job;
        }
        assert!(
            Instant::now() < deadline,
            "job {id} not done within 60 s: {job}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The profile item of `customer`, as an admin reads it.
async fn profile(http: &reqwest::Client, server: &Server, customer: &str) -> Value {
    let (status, body) = call(
        http,
        server,
        http.get(server.url(&format!("/v1/customers/{customer}/items"))),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["kind"] == "profile"))
        .map(|i| i["data"].clone())
        .unwrap_or_else(|| panic!("{customer} has a profile: {body}"))
}

/// The action `lethe plugin test --json` reports for `path` of item 1.
fn action_of(report: &Value, path: &str) -> (Value, String) {
    let field = report["items"][0]["fields"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["path"] == path))
        .unwrap_or_else(|| panic!("{path} in {report}"));
    (
        field["category"].clone(),
        field["action"].as_str().unwrap().to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_field_map_is_scaffolded_built_tested_pushed_used_and_rolled_back() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("temp dir");

    // 1. Scaffold, and teach the map the tenant's own attribute.
    let out = run(
        lethe()
            .args(["plugin", "new", PLUGIN, "--kind", "field-map", "--dir"])
            .arg(dir.path()),
        "lethe plugin new",
    );
    let crate_dir = dir.path().join(PLUGIN);
    assert!(
        stdout(&out).contains("Created field map plugin"),
        "{}",
        stdout(&out)
    );
    for file in [
        "Cargo.toml",
        "Cargo.lock",
        "src/lib.rs",
        "items.jsonl",
        "README.md",
    ] {
        assert!(crate_dir.join(file).is_file(), "{file} scaffolded");
    }
    let lib = crate_dir.join("src/lib.rs");
    let source = std::fs::read_to_string(&lib).unwrap();
    let anchor = "    (\"gamer_tag\", Category::Identifier),\n";
    assert!(
        source.contains(anchor),
        "the template's OWN_KEYS:\n{source}"
    );
    std::fs::write(
        &lib,
        source.replace(
            anchor,
            &format!("{anchor}    (\"locker_code\", Category::Identifier),\n"),
        ),
    )
    .unwrap();

    // The template's own unit tests pass natively, with the change.
    run(
        &mut cargo_test(&crate_dir),
        "cargo test in the scaffolded crate",
    );

    // 2. Build: the component's path, size and SHA-256.
    let building = Instant::now();
    let out = run(
        lethe().args(["plugin", "build"]).arg(&crate_dir),
        "lethe plugin build",
    );
    let built = stdout(&out);
    let field = |name: &str| {
        built
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_string())
            .unwrap_or_else(|| panic!("{name} in {built}"))
    };
    let wasm = PathBuf::from(field("component"));
    let sha256 = field("sha256");
    let bytes = std::fs::read(&wasm).expect("the component exists");
    assert_eq!(hex::encode(Sha256::digest(&bytes)), sha256);
    assert_eq!(field("size"), format!("{} bytes", bytes.len()));
    eprintln!("plugin build: {:.1} s", building.elapsed().as_secs_f64());

    // 3. Dry run: the tenant's map erases locker_code, the standard one
    //    keeps it; no value is printed.
    let sample = dir.path().join("sample.jsonl");
    std::fs::write(
        &sample,
        r#"{"kind":"profile","item":{"name":"Ada Example","locker_code":"LK-5521-Q","plan":"platinum-tier"}}"#,
    )
    .unwrap();
    let out = run(
        lethe()
            .args(["plugin", "test"])
            .arg(&crate_dir)
            .arg("--items")
            .arg(&sample)
            .arg("--json"),
        "lethe plugin test (crate)",
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("--json prints JSON");
    assert_eq!(report["plugin"]["sha256"], sha256.as_str());
    assert_eq!(report["field_map"], "this plugin");
    assert_eq!(
        action_of(&report, "locker_code"),
        (json!("identifier"), "erase".into())
    );
    assert_eq!(action_of(&report, "name"), (json!("name"), "erase".into()));
    assert_eq!(action_of(&report, "plan"), (Value::Null, "keep".into()));
    let out = run(
        lethe()
            .args(["plugin", "test", "builtin:fieldmap-generic", "--items"])
            .arg(&sample)
            .arg("--json"),
        "lethe plugin test (standard map)",
    );
    let standard: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        action_of(&standard, "locker_code"),
        (Value::Null, "keep".into())
    );
    let out = run(
        lethe()
            .args(["plugin", "test"])
            .arg(&wasm)
            .arg("--items")
            .arg(&sample),
        "lethe plugin test (table)",
    );
    let table = stdout(&out);
    assert!(
        table.contains("valid lethe:plugin@0.2.0 field map"),
        "{table}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.contains("locker_code") && l.contains("identifier") && l.contains("erase")),
        "{table}"
    );
    for value in ["Ada Example", "LK-5521-Q", "platinum-tier"] {
        assert!(!table.contains(value), "no value is printed: {value}");
    }

    // 4. A server, and customers whose profiles have a locker code.
    let data = dir.path().join("data");
    let mut server = Server::start({
        let mut command = lethe();
        command
            .arg("serve")
            .arg("--data-dir")
            .arg(&data)
            .args(["--listen", "127.0.0.1:0", "--workers", "2"])
            .args(["--bootstrap-tenant", TENANT]);
        command
    });
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let customers: Vec<String> = (0..CUSTOMERS).map(|n| format!("cust-{n:06}")).collect();
    let items: Vec<Value> = customers
        .iter()
        .enumerate()
        .map(|(n, id)| {
            json!({
                "customer": id,
                "kind": "profile",
                "id": "main",
                "data": {
                    "name": format!("Person {n}"),
                    "email": format!("person{n}@example.com"),
                    "locker_code": format!("LK-{n:04}-Q"),
                    "plan": "pro",
                },
            })
        })
        .collect();
    let (status, stored) = call(
        &http,
        &server,
        http.post(server.url("/v1/items"))
            .json(&json!({ "items": items })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    assert_eq!(stored["stored"], CUSTOMERS);

    // 5. Push and activate.
    let out = run(
        remote(&server)
            .args(["plugin", "push"])
            .arg(&wasm)
            .args(["--name", PLUGIN, "--activate"]),
        "lethe plugin push",
    );
    let pushed = stdout(&out);
    assert!(
        pushed.contains(&format!("Uploaded {PLUGIN} version {sha256}")),
        "{pushed}"
    );
    assert!(
        pushed.contains(&format!("{PLUGIN}: active version {sha256}")),
        "{pushed}"
    );
    let out = run(
        remote(&server).args(["plugin", "versions", PLUGIN]),
        "lethe plugin versions",
    );
    let listed = stdout(&out);
    assert!(
        listed
            .lines()
            .any(|l| l.contains(&sha256[..12]) && l.contains("active")),
        "{listed}"
    );
    let out = run(
        remote(&server).args(["remote", "plugins"]),
        "lethe remote plugins",
    );
    assert!(stdout(&out).contains(PLUGIN), "{}", stdout(&out));

    // 6. A job runs the tenant's map: its SHA-256 is on the job, and the
    //    locker code is erased while the plan is kept.
    let half = CUSTOMERS / 2;
    let job = redact(&http, &server, &customers[..half]).await;
    let versions = job["plugin_versions"].to_string();
    assert!(
        versions.contains(&format!("{PLUGIN}@{}", &sha256[..12])),
        "{job}"
    );
    let erased = profile(&http, &server, &customers[0]).await;
    assert_eq!(erased["locker_code"], Value::Null, "{erased}");
    assert_eq!(erased["email"], Value::Null, "{erased}");
    assert_eq!(erased["plan"], "pro", "{erased}");

    // 7. Roll back: the standard map serves the next job, and it keeps
    //    the locker code (it does not know it).
    let out = run(
        remote(&server).args(["plugin", "rollback", PLUGIN]),
        "lethe plugin rollback",
    );
    assert!(
        stdout(&out).contains("no version active; Lethe's standard plugins serve"),
        "{}",
        stdout(&out)
    );
    let job = redact(&http, &server, &customers[half..]).await;
    let versions = job["plugin_versions"].to_string();
    assert!(versions.contains("fieldmap-generic@"), "{job}");
    assert!(!versions.contains(PLUGIN), "{job}");
    let kept = profile(&http, &server, &customers[half]).await;
    assert_eq!(kept["locker_code"], format!("LK-{half:04}-Q"), "{kept}");
    assert_eq!(kept["email"], Value::Null, "{kept}");

    let status = server.terminate(Duration::from_secs(60));
    assert!(
        status.success(),
        "lethe serve exits 0: {status}\n{}",
        server.stderr()
    );
    eprintln!("plugin loop: {:.1} s", started.elapsed().as_secs_f64());
}

/// `cargo test` in a scaffolded crate, offline, in the shared target dir.
fn cargo_test(crate_dir: &Path) -> Command {
    let mut command = Command::new("cargo");
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_BUILD_TARGET",
    ] {
        command.env_remove(var);
    }
    command
        .current_dir(crate_dir)
        .args(["test", "--quiet"])
        .env("CARGO_TARGET_DIR", shared_target_dir())
        .env("CARGO_NET_OFFLINE", "true")
        .stdin(Stdio::null());
    command
}

#[test]
fn a_scaffolded_scrubber_passes_its_tests_and_finds_its_own_values() {
    let dir = tempfile::tempdir().expect("temp dir");
    run(
        lethe()
            .args(["plugin", "new", "acme-scrub", "--kind", "scrubber", "--dir"])
            .arg(dir.path()),
        "lethe plugin new --kind scrubber",
    );
    let crate_dir = dir.path().join("acme-scrub");
    run(
        &mut cargo_test(&crate_dir),
        "cargo test in the scaffolded scrubber",
    );
    let out = run(
        lethe()
            .current_dir(&crate_dir)
            .args(["plugin", "test", ".", "--texts", "texts.jsonl"])
            .args(["--items", "items.jsonl", "--json"]),
        "lethe plugin test (scrubber)",
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("--json prints JSON");
    assert_eq!(report["scrubber"], "this plugin");
    assert_eq!(report["field_map"], "builtin:fieldmap-generic");
    let spans: Vec<(u64, u64, &str)> = report["texts"][0]["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["start"].as_u64().unwrap(),
                s["end"].as_u64().unwrap(),
                s["category"].as_str().unwrap(),
            )
        })
        .collect();
    // "LOY-00042137" and "ada@example.com" in the template's first text.
    assert_eq!(
        spans,
        [(29, 41, "identifier"), (72, 87, "email")],
        "{report}"
    );
    let transcript = &report["items"][0]["fields"][2];
    assert_eq!(transcript["path"], "transcript");
    assert_eq!(transcript["action"], "scrub");
    assert_eq!(transcript["spans"].as_array().unwrap().len(), 2, "{report}");
}

#[test]
fn build_and_test_explain_what_is_wrong() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = lethe()
        .args(["plugin", "build"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("is not a plugin crate") && err.contains("lethe plugin new"),
        "{err}"
    );

    let out = lethe()
        .args(["plugin", "test", "builtin:std-scrubber"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--items FILE and/or --texts FILE"), "{err}");

    let texts = dir.path().join("texts.jsonl");
    std::fs::write(&texts, "{\"text\": \"x\"}\n").unwrap();
    let out = lethe()
        .args(["plugin", "test", "builtin:fieldmap-generic", "--texts"])
        .arg(&texts)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("does not scan texts"), "{err}");

    let out = lethe()
        .args(["plugin", "new", "Bad_Name", "--kind", "scrubber", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("a-z, 0-9 and '-'"), "{err}");

    let out = lethe()
        .args(["plugin", "push", "builtin:std-scrubber", "--name", "x"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("LETHE_API_KEY"), "{err}");
}
