//! The self-check a plugin passes before it is admitted: run it on sample
//! items and texts, within the normal per-batch budget, and check its answers
//! like any other answer. A plugin that hangs, crashes or lies on harmless
//! samples is refused at upload, not in the middle of a tenant's job.

use std::time::{Duration, Instant};

use lethe_core::Subject;
use lethe_core::{FlatItem, flatten};
use serde_json::json;

use crate::error::Rejection;
use crate::plugin::Plugin;

/// Most kinds a field map may declare to be checked one by one.
const MAX_KINDS_CHECKED: usize = 16;

/// What the self-check learned.
#[derive(Clone, Debug, PartialEq)]
pub struct SelfCheck {
    /// The kinds the field map declared (`None` for a pure scrubber).
    pub kinds: Option<Vec<String>>,
    /// Wall time of all sample calls.
    pub elapsed: Duration,
}

fn sample_texts() -> Vec<String> {
    vec![
        String::new(),
        "Hello, please update my e-mail to sample.person@example.com and call me on +46 70 123 45 67.".into(),
        "Bonjour ☎ ünïcödé text with no personal data, 3 × 4 = 12 — ok?".into(),
        "Order #100234567 shipped 2024-01-15T12:30:45Z, total $1,299.99. ".repeat(256),
    ]
}

fn sample_subject() -> Subject {
    Subject {
        names: vec!["Sample Person".into()],
        emails: vec!["sample.person@example.com".into()],
        phones: vec!["0701234567".into()],
        ids: vec!["cust-0001".into()],
    }
}

fn sample_items() -> Vec<FlatItem> {
    let full = json!({
        "customer_id": "cust-0001",
        "first_name": "Sample",
        "last_name": "Person",
        "email": "sample.person@example.com",
        "phone": "+46 70 123 45 67",
        "address": {"street": "Example Street 1", "city": "Stockholm", "postal_code": "111 22"},
        "tags": ["vip", "newsletter"],
        "total": 12.5,
        "active": true,
        "notes": "Called about order #100234567.",
        "nothing": null,
        "empty": {},
    });
    vec![flatten(&full), flatten(&json!({}))]
}

/// Runs the samples through `plugin`.
pub(crate) fn run(plugin: &Plugin) -> Result<SelfCheck, Rejection> {
    let started = Instant::now();
    let fail = |sample: &str| {
        let sample = sample.to_owned();
        move |error| Rejection::SelfCheck { sample, error }
    };
    let worlds = plugin.worlds();
    if worlds.scrubber {
        let texts = sample_texts();
        plugin.scan(&texts, None).map_err(fail("sample texts"))?;
        plugin
            .scan(&texts, Some(&sample_subject()))
            .map_err(fail("sample texts with a subject"))?;
    }
    let mut kinds = None;
    if worlds.field_map {
        let declared = plugin.kinds().map_err(fail("its list of kinds"))?;
        let items = sample_items();
        let to_check: Vec<&str> = if declared.is_empty() {
            vec!["profile", "order", "conversation"]
        } else {
            declared
                .iter()
                .map(String::as_str)
                .take(MAX_KINDS_CHECKED)
                .collect()
        };
        for kind in to_check {
            plugin
                .classify(kind, &items)
                .map_err(fail(&format!("sample items of kind {kind:?}")))?;
        }
        kinds = Some(declared);
    }
    Ok(SelfCheck {
        kinds,
        elapsed: started.elapsed(),
    })
}
