//! What a function reads from its environment besides the AWS resources
//! (those are `lethe_aws::AwsConfig`'s: tables, bucket, queue, sender, key).
//!
//! | variable | meaning | default |
//! |----------|---------|---------|
//! | `LETHE_PUBLIC_URL` | the API's public base URL (verification links in e-mail point there) | required |
//! | `LETHE_PLUGIN_CACHE_DIR` | where compiled plugins are cached on local disk (`/tmp` on Lambda) | `/tmp/lethe-plugins` |
//! | `LETHE_CHUNK_SIZE` | customers per queue message | the engine's default (500) |
//! | `LETHE_WORKER_CONCURRENCY` | chunks of one SQS batch the worker handles at once (1 to 10) | 4 |

use std::path::PathBuf;

/// A setting that is missing or malformed.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A required variable is not set.
    #[error("{name} is not set: {hint}")]
    Missing {
        /// The variable.
        name: &'static str,
        /// What to set it to.
        hint: &'static str,
    },
    /// A variable does not parse.
    #[error("{name}={value:?} is not valid: {hint}")]
    Invalid {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
        /// What it should be.
        hint: &'static str,
    },
}

/// The function's own settings.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Base URL of the API (no trailing slash).
    pub public_url: String,
    /// Directory of the compiled-plugin disk cache.
    pub plugin_cache_dir: PathBuf,
    /// Customers per chunk message, if not the engine's default.
    pub chunk_size: Option<usize>,
    /// Chunks of one SQS batch the worker handles at once.
    pub worker_concurrency: usize,
}

/// Chunks of one batch handled at once unless `LETHE_WORKER_CONCURRENCY`
/// says otherwise: enough to overlap DynamoDB and S3 round trips, few
/// enough that a batch cut short leaves most chunks untouched.
pub const DEFAULT_WORKER_CONCURRENCY: usize = 4;

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The optional variable `name` as a whole number from 1 to `max`.
fn whole_number(
    name: &'static str,
    max: usize,
    hint: &'static str,
) -> Result<Option<usize>, SettingsError> {
    let Some(value) = var(name) else {
        return Ok(None);
    };
    match value.parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => Ok(Some(n)),
        _ => Err(SettingsError::Invalid { name, value, hint }),
    }
}

impl Settings {
    /// Reads the settings (see the module docs).
    ///
    /// # Errors
    /// A [`SettingsError`] naming the variable and what it should hold.
    pub fn from_env() -> Result<Settings, SettingsError> {
        let public_url = var("LETHE_PUBLIC_URL").ok_or(SettingsError::Missing {
            name: "LETHE_PUBLIC_URL",
            hint: "the API's base URL, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com",
        })?;
        if !(public_url.starts_with("https://") || public_url.starts_with("http://")) {
            return Err(SettingsError::Invalid {
                name: "LETHE_PUBLIC_URL",
                value: public_url,
                hint: "an absolute http(s) URL",
            });
        }
        let chunk_size =
            whole_number("LETHE_CHUNK_SIZE", 10_000, "a whole number from 1 to 10000")?;
        let worker_concurrency = whole_number(
            "LETHE_WORKER_CONCURRENCY",
            10,
            "a whole number from 1 to 10 (an SQS batch holds at most 10 records)",
        )?
        .unwrap_or(DEFAULT_WORKER_CONCURRENCY);
        Ok(Settings {
            public_url: public_url.trim_end_matches('/').to_string(),
            plugin_cache_dir: var("LETHE_PLUGIN_CACHE_DIR")
                .map_or_else(|| PathBuf::from("/tmp/lethe-plugins"), PathBuf::from),
            chunk_size,
            worker_concurrency,
        })
    }
}
