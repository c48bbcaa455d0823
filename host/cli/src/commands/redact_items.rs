//! `lethe redact-items`: JSONL items in, redacted items out, through the
//! same pipeline the engine uses (field map -> scrubber -> policy).

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

use anyhow::{Context, bail};
use lethe_core::{Action, ActionKind, Category, Policy, PseudonymKey, Redactor};
use lethe_sandbox::Sandbox;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::args::RedactItemsArgs;
use crate::jsonl::Chunks;
use crate::plugin_source;
use crate::policy_file::read_policy;

/// The environment variable holding the tenant's pseudonym key (64 hex).
const KEY_VAR: &str = "LETHE_PSEUDONYM_KEY";

/// A line without `--kind`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    kind: String,
    item: Value,
}

#[derive(Serialize)]
struct EnvelopeOut<'a> {
    kind: &'a str,
    item: &'a Value,
}

pub(crate) fn run(args: &RedactItemsArgs) -> anyhow::Result<ExitCode> {
    let policy = read_policy(args.policy.as_deref())?;
    let key = read_key(&policy)?;
    let subject = args
        .subject
        .as_deref()
        .map(super::subject::read)
        .transpose()?;
    let sandbox = Sandbox::new()?;
    let field_map = plugin_source::load(&sandbox, &args.field_map)?;
    let scrubber = plugin_source::load(&sandbox, &args.scrubber)?;
    let redactor = Redactor::new(&field_map, &scrubber, &policy, &key);

    let mut input = Chunks::new(std::io::stdin().lock(), args.batch);
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut tally: BTreeMap<(Category, ActionKind), usize> = BTreeMap::new();
    let mut done = 0usize;
    loop {
        let chunk: Vec<(String, Value)> = match &args.kind {
            Some(kind) => input
                .next_chunk::<Value>()?
                .into_iter()
                .map(|item| (kind.clone(), item))
                .collect(),
            None => input
                .next_chunk::<Envelope>()?
                .into_iter()
                .map(|e| (e.kind, e.item))
                .collect(),
        };
        if chunk.is_empty() {
            break;
        }
        // One pipeline call per kind present in the chunk; output keeps input order.
        let mut by_kind: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, (kind, _)) in chunk.iter().enumerate() {
            by_kind.entry(kind).or_default().push(i);
        }
        let mut redacted: Vec<Option<Value>> = vec![None; chunk.len()];
        for (kind, positions) in by_kind {
            let items: Vec<Value> = positions.iter().map(|&i| chunk[i].1.clone()).collect();
            let results = redactor
                .redact_batch(kind, &items, subject.as_ref())
                .with_context(|| {
                    format!(
                        "redacting {kind} items among lines {}..{}",
                        done + 1,
                        done + chunk.len()
                    )
                })?;
            for (&i, r) in positions.iter().zip(results) {
                for change in &r.changes {
                    *tally.entry((change.category, change.action)).or_default() += 1;
                }
                redacted[i] = Some(r.value);
            }
        }
        for ((kind, _), value) in chunk.iter().zip(redacted) {
            let value = value.context("internal error: an item was not redacted")?;
            if args.kind.is_some() {
                serde_json::to_writer(&mut out, &value)?;
            } else {
                serde_json::to_writer(&mut out, &EnvelopeOut { kind, item: &value })?;
            }
            out.write_all(b"\n")?;
        }
        done += chunk.len();
    }
    out.flush().context("cannot write standard output")?;
    report(done, &tally);
    Ok(ExitCode::SUCCESS)
}

/// The pseudonym key from the environment; required only when the policy
/// pseudonymizes something.
fn read_key(policy: &Policy) -> anyhow::Result<PseudonymKey> {
    let needed = policy
        .iter()
        .any(|(_, action)| matches!(action, Action::Pseudonymize));
    match std::env::var(KEY_VAR) {
        Ok(hex) => PseudonymKey::from_hex(hex.trim())
            .with_context(|| format!("{KEY_VAR} must be 64 hex characters (32 bytes)")),
        Err(_) if needed => bail!(
            "the policy pseudonymizes, so it needs the tenant's secret: set {KEY_VAR} to 64 hex characters"
        ),
        // Never used: no action pseudonymizes.
        Err(_) => Ok(PseudonymKey::from_bytes([0; 32])),
    }
}

/// Counts only: which categories were acted on, how.
fn report(items: usize, tally: &BTreeMap<(Category, ActionKind), usize>) {
    eprintln!("redacted {items} items");
    for ((category, action), n) in tally {
        eprintln!("  {:<14} {:<13} {n}", category.as_str(), action.as_str());
    }
}
