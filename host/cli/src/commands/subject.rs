//! Reading a subject file (`--subject`).

use std::path::Path;

use anyhow::Context;
use lethe_core::Subject;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubjectFile {
    #[serde(default)]
    names: Vec<String>,
    #[serde(default)]
    emails: Vec<String>,
    #[serde(default)]
    phones: Vec<String>,
    #[serde(default)]
    ids: Vec<String>,
}

/// Reads `{"names":[..],"emails":[..],"phones":[..],"ids":[..]}`.
pub(crate) fn read(path: &Path) -> anyhow::Result<Subject> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read subject file {}", path.display()))?;
    let f: SubjectFile = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "subject file {} is not {{\"names\":[..],\"emails\":[..],\"phones\":[..],\"ids\":[..]}} (line {}, column {})",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    Ok(Subject {
        names: f.names,
        emails: f.emails,
        phones: f.phones,
        ids: f.ids,
    })
}
