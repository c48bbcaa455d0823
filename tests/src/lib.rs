//! Shared helpers for Lethe's end-to-end tests: one sandbox with the
//! standard plugins admitted, and a checker that looks for a subject's
//! values, in any spelling, anywhere in a JSON value.
#![forbid(unsafe_code)]

pub mod engine;

use std::sync::OnceLock;

use lethe_core::Subject;
use lethe_sandbox::{Plugin, Sandbox};
use serde_json::Value;

/// The standard plugins, admitted once per test process.
pub struct StdPlugins {
    /// `fieldmap-commerce`.
    pub commerce: Plugin,
    /// `fieldmap-generic`.
    pub generic: Plugin,
    /// `std-scrubber`.
    pub scrubber: Plugin,
}

/// The shared sandbox and plugins.
pub fn std_plugins() -> &'static StdPlugins {
    static PLUGINS: OnceLock<StdPlugins> = OnceLock::new();
    PLUGINS.get_or_init(|| {
        let sandbox = Sandbox::new().expect("sandbox");
        let admit = |wasm| {
            sandbox
                .validate(wasm)
                .expect("standard plugin admitted")
                .plugin
        };
        StdPlugins {
            commerce: admit(lethe_std_plugins::FIELDMAP_COMMERCE),
            generic: admit(lethe_std_plugins::FIELDMAP_GENERIC),
            scrubber: admit(lethe_std_plugins::STD_SCRUBBER),
        }
    })
}

/// Every form of the subject's values worth searching for: as stored, lower
/// case, and phone numbers as bare digits.
pub fn needles(subject: &Subject) -> Vec<String> {
    let mut out = Vec::new();
    for v in subject
        .names
        .iter()
        .chain(&subject.emails)
        .chain(&subject.ids)
    {
        out.push(v.to_lowercase());
        out.extend(
            v.split_whitespace()
                .filter(|p| p.len() > 2)
                .map(str::to_lowercase),
        );
    }
    for p in &subject.phones {
        let digits: String = p.chars().filter(char::is_ascii_digit).collect();
        out.push(digits.trim_start_matches('0').to_owned());
    }
    out
}

/// The needles found in any string of `value` (compared in lower case,
/// phone digits compared with separators removed).
pub fn leftovers(value: &Value, needles: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    walk(value, &mut |s| {
        let lower = s.to_lowercase();
        let digits: String = s.chars().filter(char::is_ascii_digit).collect();
        for n in needles {
            let hit = if n.chars().all(|c| c.is_ascii_digit()) {
                digits.contains(n.as_str())
            } else {
                lower.contains(n.as_str())
            };
            if hit && !found.contains(n) {
                found.push(n.clone());
            }
        }
    });
    found
}

fn walk(value: &Value, f: &mut impl FnMut(&str)) {
    match value {
        Value::String(s) => f(s),
        Value::Array(a) => a.iter().for_each(|v| walk(v, f)),
        Value::Object(o) => o.iter().for_each(|(k, v)| {
            f(k);
            walk(v, f)
        }),
        _ => {}
    }
}
