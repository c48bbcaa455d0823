//! `lethe plugin push | versions | activate | rollback` and `lethe remote
//! plugins`: the API's plugin routes, over the `lethe remote` client.
//!
//! | command | call |
//! |---------|------|
//! | `push` | `POST /v1/plugins/{name}/versions` (application/wasm): validated by the server, stored as a version named by its SHA-256; `--activate` then |
//! | `activate` | `POST /v1/plugins/{name}/versions/{sha256}/activate` |
//! | `rollback` | `POST /v1/plugins/{name}/rollback`: the previously active version again (none left: the standard plugins) |
//! | `versions`, `remote plugins` | `GET /v1/plugins` |
//!
//! Every route needs an admin key (`LETHE_API_KEY`).

use std::process::ExitCode;

use anyhow::{Context, bail};
use jiff::Timestamp;
use lethe_core::engine::plugin_registry::check_plugin_name;
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::Value;

use crate::args::{PluginActivateArgs, PluginPushArgs, PluginRollbackArgs, PluginVersionsArgs};
use crate::client::{Body, Client};
use crate::{node, table};

/// A version as the API shows it.
#[derive(Debug, Deserialize)]
struct VersionView {
    sha256: String,
    size: u64,
    field_map: bool,
    scrubber: bool,
    uploaded_at: Timestamp,
    uploaded_by: String,
}

/// A plugin's active version and history, as the API shows them.
#[derive(Debug, Deserialize)]
struct StateView {
    name: String,
    active: Option<String>,
    activated_at: Option<Timestamp>,
    history: Vec<String>,
}

/// A plugin with its versions, as `GET /v1/plugins` lists it.
#[derive(Debug, Deserialize)]
struct PluginView {
    #[serde(flatten)]
    state: StateView,
    versions: Vec<VersionView>,
}

/// The first 12 hex digits of a version, as jobs name it (`name@short`).
fn short(sha256: &str) -> &str {
    sha256.get(..12).unwrap_or(sha256)
}

fn check_name(name: &str) -> anyhow::Result<()> {
    check_plugin_name(name).map_err(|m| anyhow::anyhow!("plugin name {name:?}: {m}"))
}

/// Runs `lethe plugin push`.
pub(crate) fn push(args: &PluginPushArgs) -> anyhow::Result<ExitCode> {
    check_name(&args.name)?;
    // The key is checked before a possibly long build.
    let client = Client::from_env(&args.endpoint.endpoint)?;
    let component = super::plugin::component(&args.plugin)?;
    node::runtime()?.block_on(async {
        let (status, version): (StatusCode, VersionView) = client
            .call_with_status(
                Method::POST,
                &format!("/v1/plugins/{}/versions", args.name),
                &[],
                Body::Bytes("application/wasm", component.bytes),
            )
            .await
            .with_context(|| {
                format!("{} was not uploaded to {}", component.label, client.base())
            })?;
        let what = match (version.field_map, version.scrubber) {
            (true, true) => "field map + scrubber",
            (true, false) => "field map",
            _ => "scrubber",
        };
        println!(
            "{} {} version {} ({} bytes, {what})",
            if status == StatusCode::CREATED {
                "Uploaded"
            } else {
                "Already uploaded:"
            },
            args.name,
            version.sha256,
            version.size
        );
        if args.activate {
            let state = activate_version(&client, &args.name, &version.sha256).await?;
            print_state(&state);
        } else {
            println!(
                "Not active yet; activate it with `lethe plugin activate {} {}`",
                args.name,
                short(&version.sha256)
            );
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// Runs `lethe plugin versions`.
pub(crate) fn versions(args: &PluginVersionsArgs) -> anyhow::Result<ExitCode> {
    if let Some(name) = &args.name {
        check_name(name)?;
    }
    let client = Client::from_env(&args.endpoint.endpoint)?;
    node::runtime()?.block_on(list(&client, args.name.as_deref(), args.json))
}

/// Lists the tenant's plugins (or one of them) with their versions.
pub(crate) async fn list(
    client: &Client,
    name: Option<&str>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let raw: Vec<Value> = client.get("/v1/plugins", &[]).await?;
    let raw: Vec<Value> = raw
        .into_iter()
        .filter(|p| name.is_none_or(|n| p.get("name").and_then(Value::as_str) == Some(n)))
        .collect();
    if let (Some(name), true) = (name, raw.is_empty()) {
        bail!(
            "the tenant has no plugin named {name} on {}; upload one with `lethe plugin push \
             PLUGIN --name {name}`",
            client.base()
        );
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&raw)?);
        return Ok(ExitCode::SUCCESS);
    }
    if raw.is_empty() {
        println!("The tenant has no plugins: Lethe's standard plugins serve it.");
        return Ok(ExitCode::SUCCESS);
    }
    let plugins: Vec<PluginView> = raw
        .into_iter()
        .map(serde_json::from_value)
        .collect::<Result<_, _>>()
        .context("the server's plugin list is not in the expected shape")?;
    let mut rows = Vec::new();
    for p in &plugins {
        for v in &p.versions {
            let state = if p.state.active.as_deref() == Some(v.sha256.as_str()) {
                "active".to_owned()
            } else if p.state.history.last() == Some(&v.sha256) {
                "rollback target".to_owned()
            } else if p.state.history.contains(&v.sha256) {
                "was active".to_owned()
            } else {
                "-".to_owned()
            };
            let world = match (v.field_map, v.scrubber) {
                (true, true) => "both",
                (true, false) => "field map",
                _ => "scrubber",
            };
            rows.push(vec![
                p.state.name.clone(),
                short(&v.sha256).to_owned(),
                world.to_owned(),
                v.size.to_string(),
                table::time(Some(v.uploaded_at)),
                v.uploaded_by.clone(),
                state,
            ]);
        }
    }
    table::print(
        &[
            "plugin", "version", "kind", "bytes", "uploaded", "by", "state",
        ],
        &rows,
    );
    println!();
    for p in &plugins {
        print_state(&p.state);
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `lethe plugin activate`.
pub(crate) fn activate(args: &PluginActivateArgs) -> anyhow::Result<ExitCode> {
    check_name(&args.name)?;
    let client = Client::from_env(&args.endpoint.endpoint)?;
    node::runtime()?.block_on(async {
        let sha256 = resolve(&client, &args.name, &args.sha256).await?;
        let state = activate_version(&client, &args.name, &sha256).await?;
        print_state(&state);
        Ok(ExitCode::SUCCESS)
    })
}

/// Runs `lethe plugin rollback`.
pub(crate) fn rollback(args: &PluginRollbackArgs) -> anyhow::Result<ExitCode> {
    check_name(&args.name)?;
    let client = Client::from_env(&args.endpoint.endpoint)?;
    node::runtime()?.block_on(async {
        let state: StateView = client
            .post(&format!("/v1/plugins/{}/rollback", args.name), Body::Empty)
            .await
            .with_context(|| format!("{} was not rolled back", args.name))?;
        print_state(&state);
        Ok(ExitCode::SUCCESS)
    })
}

async fn activate_version(client: &Client, name: &str, sha256: &str) -> anyhow::Result<StateView> {
    client
        .post(
            &format!("/v1/plugins/{name}/versions/{sha256}/activate"),
            Body::Empty,
        )
        .await
        .with_context(|| format!("version {} of {name} was not activated", short(sha256)))
}

/// The full SHA-256 of `name`'s version `given` (a SHA-256, or a unique
/// prefix of one).
async fn resolve(client: &Client, name: &str, given: &str) -> anyhow::Result<String> {
    let given = given.to_ascii_lowercase();
    if given.is_empty() || !given.bytes().all(|b| b.is_ascii_hexdigit()) || given.len() > 64 {
        bail!("{given:?} is not a version: give its SHA-256 (hex), or the start of it");
    }
    if given.len() == 64 {
        return Ok(given);
    }
    let plugins: Vec<PluginView> = client.get("/v1/plugins", &[]).await?;
    let Some(plugin) = plugins.iter().find(|p| p.state.name == name) else {
        bail!(
            "the tenant has no plugin named {name} on {}; upload one with `lethe plugin push \
             PLUGIN --name {name}`",
            client.base()
        );
    };
    let matches: Vec<&str> = plugin
        .versions
        .iter()
        .map(|v| v.sha256.as_str())
        .filter(|s| s.starts_with(&given))
        .collect();
    match matches.as_slice() {
        [one] => Ok((*one).to_owned()),
        [] => bail!(
            "{name} has no version starting with {given}; `lethe plugin versions {name}` lists \
             them"
        ),
        _ => bail!(
            "{} versions of {name} start with {given}; give more of the SHA-256",
            matches.len()
        ),
    }
}

fn print_state(state: &StateView) {
    match &state.active {
        Some(active) => println!(
            "{}: active version {active}{}",
            state.name,
            state
                .activated_at
                .map(|t| format!(" (since {})", table::time(Some(t))))
                .unwrap_or_default()
        ),
        None => println!(
            "{}: no version active; Lethe's standard plugins serve",
            state.name
        ),
    }
    match state.history.last() {
        Some(previous) => println!(
            "  `lethe plugin rollback {}` makes {} active again",
            state.name,
            short(previous)
        ),
        None if state.active.is_some() => println!(
            "  `lethe plugin rollback {}` goes back to Lethe's standard plugins",
            state.name
        ),
        None => {}
    }
}
