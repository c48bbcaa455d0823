//! The `--policy FILE` option shared by `lethe redact-items` and
//! `lethe plugin test`: a JSON object from category to action.

use std::path::Path;

use anyhow::Context;
use lethe_core::Policy;

/// The policy in `path`, or the default policy when no file is given.
///
/// # Errors
/// When the file cannot be read, or is not a policy; the message shows
/// what a policy looks like.
pub(crate) fn read_policy(path: Option<&Path>) -> anyhow::Result<Policy> {
    let Some(path) = path else {
        return Ok(Policy::default());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read policy file {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| {
        format!(
            "policy file {} is not a valid policy (an object from category to action, e.g. \
             {{\"email\": \"pseudonymize\", \"phone\": {{\"mask\": {{\"keep\": 2}}}}}})",
            path.display()
        )
    })
}
