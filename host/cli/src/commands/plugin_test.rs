//! `lethe plugin test`: the server's admission, then a dry run on a
//! tenant's sample data.
//!
//! The component is admitted by [`Sandbox::validate`], the very check an
//! upload passes. Items then go through the engine's own pipeline
//! ([`Redactor`]: classify, scan the free text the policy scrubs, apply
//! the policy) with the plugins a server would use: the tested plugin for
//! the world it implements, Lethe's standard plugin for the other one
//! (`fieldmap-generic`, `std-scrubber`), just as a tenant whose only active
//! plugin is this one. Texts are scanned by the plugin if it is a scrubber.
//!
//! The report names paths, categories, actions, span byte ranges and
//! scores; never a value. Nothing is written anywhere.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::io::BufReader;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use lethe_core::{
    ActionKind, Category, Change, FieldMap, FlatItem, Mark, PluginFailure, Policy, PseudonymKey,
    Redactor, Scalar, Span, Subject, TextScanner, flatten,
};
use lethe_sandbox::{Plugin, Sandbox, ValidationReport};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::args::PluginTestArgs;
use crate::jsonl::Chunks;
use crate::policy_file::read_policy;
use crate::{plugin_source, table};

/// The field map a server runs for a tenant with none of its own.
const DEFAULT_FIELD_MAP: &str = "builtin:fieldmap-generic";
/// The scrubber a server runs for a tenant with none of its own.
const DEFAULT_SCRUBBER: &str = "builtin:std-scrubber";
/// What the tested plugin is called in the report.
const THIS_PLUGIN: &str = "this plugin";

/// A line of `--items` without `--kind`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    kind: String,
    item: Value,
}

/// A line of `--texts`.
#[derive(Deserialize)]
struct TextLine {
    #[serde(default)]
    id: Option<Value>,
    text: String,
}

/// The whole report (`--json` prints it as it is).
#[derive(Serialize)]
struct Report {
    plugin: PluginInfo,
    /// Which field map classified the items.
    field_map: &'static str,
    /// Which scrubber scanned their free text.
    scrubber: &'static str,
    items: Vec<ItemReport>,
    texts: Vec<TextReport>,
    /// Failed batches, one line each.
    errors: Vec<String>,
}

#[derive(Serialize)]
struct PluginInfo {
    source: String,
    sha256: String,
    size: usize,
    field_map: bool,
    scrubber: bool,
    /// For a field map: the kinds it declared (empty: any kind).
    kinds: Option<Vec<String>>,
}

#[derive(Serialize)]
struct ItemReport {
    /// 1-based position in the file.
    index: usize,
    kind: String,
    fields: Vec<FieldReport>,
    /// Why the item's batch failed, if it did.
    error: Option<String>,
}

#[derive(Serialize)]
struct FieldReport {
    path: String,
    /// `None`: not personal data.
    category: Option<&'static str>,
    /// `erase`, `replace`, `pseudonymize`, `mask`, `drop`, `retain`,
    /// `scrub`; `keep` for data that is not personal; `unchanged` for
    /// personal data the action left as it was (`scrub` on a non-text).
    action: &'static str,
    /// For a scrubbed field, the spans found in it.
    #[serde(skip_serializing_if = "Option::is_none")]
    spans: Option<Vec<SpanReport>>,
}

#[derive(Serialize)]
struct SpanReport {
    start: usize,
    end: usize,
    category: &'static str,
    score: f32,
}

#[derive(Serialize)]
struct TextReport {
    index: usize,
    id: Option<Value>,
    spans: Vec<SpanReport>,
}

/// Runs `lethe plugin test`.
pub(crate) fn run(args: &PluginTestArgs) -> anyhow::Result<ExitCode> {
    if args.items.is_none() && args.texts.is_none() {
        bail!(
            "nothing to test on: give --items FILE and/or --texts FILE (a crate made by \
             `lethe plugin new` has samples: items.jsonl, texts.jsonl)"
        );
    }
    let policy = read_policy(args.policy.as_deref())?;
    let subject = args
        .subject
        .as_deref()
        .map(super::subject::read)
        .transpose()?;
    let items = match &args.items {
        Some(path) => read_items(path, args.kind.as_deref())?,
        None => Vec::new(),
    };
    let texts: Vec<TextLine> = match &args.texts {
        Some(path) => read_jsonl(path, "{\"id\": .., \"text\": ..}")?,
        None => Vec::new(),
    };

    let component = super::plugin::component(&args.plugin)?;
    let sandbox = Sandbox::new()?;
    let validated = match sandbox.validate(&component.bytes) {
        Ok(validated) => validated,
        Err(rejection) => {
            eprintln!("invalid plugin: {rejection}");
            return Ok(ExitCode::from(2));
        }
    };
    let plugin = validated.plugin;
    let worlds = plugin.worlds();
    if args.texts.is_some() && !worlds.scrubber {
        bail!(
            "{} is a field map: it does not scan texts. Drop --texts, or test a scrubber",
            component.label
        );
    }
    let (field_map, field_map_name) = if worlds.field_map {
        (plugin.clone(), THIS_PLUGIN)
    } else {
        (
            plugin_source::load(&sandbox, DEFAULT_FIELD_MAP)?,
            DEFAULT_FIELD_MAP,
        )
    };
    let (scrubber, scrubber_name) = if worlds.scrubber {
        (plugin.clone(), THIS_PLUGIN)
    } else {
        (
            plugin_source::load(&sandbox, DEFAULT_SCRUBBER)?,
            DEFAULT_SCRUBBER,
        )
    };

    let mut errors = Vec::new();
    let item_reports = dry_run(
        &items,
        &field_map,
        &scrubber,
        &policy,
        subject.as_ref(),
        &mut errors,
    );
    let text_reports = if texts.is_empty() {
        Vec::new()
    } else {
        scan_texts(&plugin, &texts, subject.as_ref(), &mut errors)
    };
    let report = Report {
        plugin: info(&component.label, &validated.report),
        field_map: field_map_name,
        scrubber: scrubber_name,
        items: item_reports,
        texts: text_reports,
        errors,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{}", validated.report);
        print_report(&report, args.policy.is_some());
    }
    if report.errors.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        for e in &report.errors {
            eprintln!("error: {e}");
        }
        Ok(ExitCode::FAILURE)
    }
}

fn info(source: &str, report: &ValidationReport) -> PluginInfo {
    PluginInfo {
        source: source.to_owned(),
        sha256: report.digest.to_hex(),
        size: report.size,
        field_map: report.worlds.field_map,
        scrubber: report.worlds.scrubber,
        kinds: report.kinds.clone(),
    }
}

/// Every item through the engine's pipeline, one batch per kind, in file
/// order; a failed batch is reported in `errors` and its items left bare.
fn dry_run(
    items: &[(String, Value)],
    field_map: &Plugin,
    scrubber: &Plugin,
    policy: &Policy,
    subject: Option<&Subject>,
    errors: &mut Vec<String>,
) -> Vec<ItemReport> {
    // Never used to show anything: pseudonyms are computed, not printed.
    let key = PseudonymKey::from_bytes([0; 32]);
    let marks = RecordMarks {
        inner: field_map,
        seen: RefCell::new(Vec::new()),
    };
    let spans = RecordSpans {
        inner: scrubber,
        seen: RefCell::new(HashMap::new()),
    };
    let redactor = Redactor::new(&marks, &spans, policy, &key);
    let mut by_kind: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, (kind, _)) in items.iter().enumerate() {
        by_kind.entry(kind).or_default().push(i);
    }
    let mut reports: Vec<ItemReport> = items
        .iter()
        .enumerate()
        .map(|(i, (kind, _))| ItemReport {
            index: i + 1,
            kind: kind.clone(),
            fields: Vec::new(),
            error: None,
        })
        .collect();
    for (kind, positions) in by_kind {
        let values: Vec<Value> = positions.iter().map(|&i| items[i].1.clone()).collect();
        match redactor.redact_batch(kind, &values, subject) {
            Ok(results) => {
                let seen = marks.seen.take();
                for ((&i, value), (result, marks)) in
                    positions.iter().zip(&values).zip(results.iter().zip(&seen))
                {
                    reports[i].fields = fields(value, marks, &result.changes, policy, &spans);
                }
            }
            Err(e) => {
                let message = format!("items of kind {kind:?}: {e}");
                for &i in &positions {
                    reports[i].error = Some(message.clone());
                }
                errors.push(message);
            }
        }
    }
    reports
}

/// What happened to each scalar field of `item`.
fn fields(
    item: &Value,
    marks: &[Mark],
    changes: &[Change],
    policy: &Policy,
    spans: &RecordSpans<'_>,
) -> Vec<FieldReport> {
    let flat: FlatItem = flatten(item);
    flat.scalars()
        .map(|(path, scalar)| {
            let category = marks
                .iter()
                .find(|m| &m.path == path)
                .map(|m| m.category)
                .filter(|c| c.is_pii());
            let change = changes.iter().find(|c| &c.path == path);
            let (action, found) = match (category, change) {
                (None, _) => ("keep", None),
                (Some(_), Some(change)) if change.action == ActionKind::Scrub => {
                    let found = match scalar {
                        Scalar::Text(text) => spans.seen.borrow().get(text.as_str()).cloned(),
                        _ => None,
                    };
                    ("scrub", Some(found.unwrap_or_default()))
                }
                (Some(_), Some(change)) => (change.action.as_str(), None),
                (Some(c), None) if policy.action(c).kind() == ActionKind::Retain => {
                    ("retain", None)
                }
                (Some(_), None) => ("unchanged", None),
            };
            FieldReport {
                path: path.to_string(),
                category: category.map(Category::as_str),
                action,
                spans: found.as_deref().map(span_reports),
            }
        })
        .collect()
}

/// Spans in text order.
fn span_reports(spans: &[Span]) -> Vec<SpanReport> {
    let mut out: Vec<SpanReport> = spans
        .iter()
        .map(|s| SpanReport {
            start: s.start,
            end: s.end,
            category: s.category.as_str(),
            score: s.score,
        })
        .collect();
    out.sort_by_key(|s| (s.start, s.end));
    out
}

/// The texts through the scrubber, in one call (split into batches as a
/// server would).
fn scan_texts(
    plugin: &Plugin,
    texts: &[TextLine],
    subject: Option<&Subject>,
    errors: &mut Vec<String>,
) -> Vec<TextReport> {
    let strings: Vec<&str> = texts.iter().map(|t| t.text.as_str()).collect();
    let found = match plugin.scan(&strings, subject) {
        Ok(found) => found,
        Err(e) => {
            errors.push(format!("texts: the scrubber failed: {e}"));
            vec![Vec::new(); texts.len()]
        }
    };
    texts
        .iter()
        .zip(found)
        .enumerate()
        .map(|(i, (t, spans))| TextReport {
            index: i + 1,
            id: t.id.clone(),
            spans: span_reports(&spans),
        })
        .collect()
}

/// The field map, remembering its last answer.
struct RecordMarks<'a> {
    inner: &'a Plugin,
    seen: RefCell<Vec<Vec<Mark>>>,
}

impl FieldMap for RecordMarks<'_> {
    fn classify(&self, kind: &str, items: &[FlatItem]) -> Result<Vec<Vec<Mark>>, PluginFailure> {
        let marks = FieldMap::classify(self.inner, kind, items)?;
        *self.seen.borrow_mut() = marks.clone();
        Ok(marks)
    }
}

/// The scrubber, remembering its answers by text (equal texts get equal
/// spans, so a field's spans are found by its text).
struct RecordSpans<'a> {
    inner: &'a Plugin,
    seen: RefCell<HashMap<String, Vec<Span>>>,
}

impl TextScanner for RecordSpans<'_> {
    fn scan(
        &self,
        texts: &[&str],
        subject: Option<&Subject>,
    ) -> Result<Vec<Vec<Span>>, PluginFailure> {
        let spans = TextScanner::scan(self.inner, texts, subject)?;
        let mut seen = self.seen.borrow_mut();
        for (text, spans) in texts.iter().zip(&spans) {
            seen.insert((*text).to_owned(), spans.clone());
        }
        Ok(spans)
    }
}

/// Prints the report as tables.
fn print_report(report: &Report, custom_policy: bool) {
    let policy = if custom_policy {
        "the given policy"
    } else {
        "the default policy (erase personal data, scrub free text)"
    };
    if !report.items.is_empty() {
        println!();
        println!(
            "Items: classified by {}, free text scanned by {}, under {policy}.",
            report.field_map, report.scrubber
        );
        for item in &report.items {
            println!();
            print_item(item);
        }
    }
    if !report.texts.is_empty() {
        println!();
        println!("Texts: scanned by {}.", report.scrubber);
        for text in &report.texts {
            println!();
            let id = text
                .id
                .as_ref()
                .map(|id| format!(" (id {id})"))
                .unwrap_or_default();
            let n = text.spans.len();
            println!("text {}{id}: {n} span{}", text.index, plural(n));
            if n > 0 {
                table::print(&["bytes", "category", "score"], &span_rows(&text.spans));
            }
        }
    }
    println!();
    println!("{}", summary(report));
}

fn print_item(item: &ItemReport) {
    let mut actions: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &item.fields {
        *actions.entry(f.action).or_default() += 1;
    }
    let tally: Vec<String> = actions.iter().map(|(a, n)| format!("{n} {a}")).collect();
    println!(
        "item {} ({}): {}",
        item.index,
        item.kind,
        if tally.is_empty() {
            "no fields".to_owned()
        } else {
            tally.join(", ")
        }
    );
    if let Some(error) = &item.error {
        println!("  not classified: {error}");
        return;
    }
    if item.fields.is_empty() {
        return;
    }
    let rows: Vec<Vec<String>> = item
        .fields
        .iter()
        .map(|f| {
            let mut action = f.action.to_owned();
            if let Some(spans) = &f.spans {
                let list: Vec<String> = spans
                    .iter()
                    .map(|s| format!("{} {}..{}", s.category, s.start, s.end))
                    .collect();
                action = if list.is_empty() {
                    format!("{action}: nothing found")
                } else {
                    format!("{action}: {}", list.join(", "))
                };
            }
            vec![f.path.clone(), f.category.unwrap_or("-").to_owned(), action]
        })
        .collect();
    table::print(&["path", "category", "action"], &rows);
}

fn span_rows(spans: &[SpanReport]) -> Vec<Vec<String>> {
    spans
        .iter()
        .map(|s| {
            vec![
                format!("{}..{}", s.start, s.end),
                s.category.to_owned(),
                format!("{:.2}", s.score),
            ]
        })
        .collect()
}

/// One line: what the whole sample would go through.
fn summary(report: &Report) -> String {
    let mut parts = Vec::new();
    if !report.items.is_empty() {
        let mut actions: BTreeMap<&str, usize> = BTreeMap::new();
        let mut fields = 0;
        for f in report.items.iter().flat_map(|i| &i.fields) {
            fields += 1;
            *actions.entry(f.action).or_default() += 1;
        }
        let tally: Vec<String> = actions.iter().map(|(a, n)| format!("{n} {a}")).collect();
        parts.push(format!(
            "{} item{}, {fields} field{}{}",
            report.items.len(),
            plural(report.items.len()),
            plural(fields),
            if tally.is_empty() {
                String::new()
            } else {
                format!(" ({})", tally.join(", "))
            }
        ));
    }
    if !report.texts.is_empty() {
        let mut categories: BTreeMap<&str, usize> = BTreeMap::new();
        for s in report.texts.iter().flat_map(|t| &t.spans) {
            *categories.entry(s.category).or_default() += 1;
        }
        let spans: usize = categories.values().sum();
        let tally: Vec<String> = categories.iter().map(|(c, n)| format!("{n} {c}")).collect();
        parts.push(format!(
            "{} text{}, {spans} span{}{}",
            report.texts.len(),
            plural(report.texts.len()),
            plural(spans),
            if tally.is_empty() {
                String::new()
            } else {
                format!(" ({})", tally.join(", "))
            }
        ));
    }
    let mut line = format!("Summary: {}.", parts.join("; "));
    if !report.errors.is_empty() {
        line.push_str(&format!(
            " {} batch{} failed.",
            report.errors.len(),
            if report.errors.len() == 1 { "" } else { "es" }
        ));
    }
    line
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The items of `path`: envelopes, or bare items of `kind`.
fn read_items(path: &Path, kind: Option<&str>) -> anyhow::Result<Vec<(String, Value)>> {
    Ok(match kind {
        Some(kind) => read_jsonl::<Value>(path, "an item (a JSON object)")?
            .into_iter()
            .map(|item| (kind.to_owned(), item))
            .collect(),
        None => read_jsonl::<Envelope>(
            path,
            "{\"kind\": K, \"item\": {...}} (or pass --kind K for bare items)",
        )?
        .into_iter()
        .map(|e| (e.kind, e.item))
        .collect(),
    })
}

/// Every record of a JSONL file; errors name the file, the line and what
/// a line should be, never a line's content.
fn read_jsonl<T: serde::de::DeserializeOwned>(path: &Path, shape: &str) -> anyhow::Result<Vec<T>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut chunks = Chunks::new(BufReader::new(file), 1024);
    let mut out = Vec::new();
    loop {
        let chunk = chunks
            .next_chunk::<T>()
            .with_context(|| format!("{}: each line should be {shape}", path.display()))?;
        if chunk.is_empty() {
            return Ok(out);
        }
        out.extend(chunk);
    }
}
