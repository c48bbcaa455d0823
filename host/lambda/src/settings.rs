//! What a function reads from its environment besides the AWS resources
//! (those are `lethe_aws::AwsConfig`'s: tables, bucket, queue, sender, key).
//!
//! | variable | meaning | default |
//! |----------|---------|---------|
//! | `LETHE_PUBLIC_URL` | the API's public base URL (verification links in e-mail point there) | required |
//! | `LETHE_PLUGIN_CACHE_DIR` | where compiled plugins are cached on local disk (`/tmp` on Lambda) | `/tmp/lethe-plugins` |
//! | `LETHE_CHUNK_SIZE` | customers per queue message | the engine's default (500) |
//! | `LETHE_WORKER_CONCURRENCY` | chunks of one SQS batch the worker handles at once (1 to 10) | 4 |
//! | `LETHE_WORKER_RESERVE_MS` | how long before its deadline the worker stops and hands back unfinished records (100 to 120000; at most half the invocation's time is reserved) | 5000 |
//!
//! Read by the rules of `lethe_aws::settings`, which `AwsConfig` follows
//! too: a blank variable is unset, and a value that does not parse or is
//! out of range fails the cold start, naming the variable.

use std::path::PathBuf;
use std::time::Duration;

pub use lethe_aws::SettingsError;
use lethe_aws::settings::{Lookup, number_in, process_env, var};

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
    /// How long before an invocation's deadline the worker stops and hands
    /// back the records it has not finished (see [`crate::worker`]).
    pub worker_reserve: Duration,
}

/// Chunks of one batch handled at once unless `LETHE_WORKER_CONCURRENCY`
/// says otherwise: enough to overlap DynamoDB and S3 round trips, few
/// enough that a batch cut short leaves most chunks untouched.
pub const DEFAULT_WORKER_CONCURRENCY: usize = 4;

/// How long before its deadline the worker stops unless
/// `LETHE_WORKER_RESERVE_MS` says otherwise: time to cancel what is still
/// running, release the unfinished records to the queue and answer, with
/// room to spare, before Lambda ends the invocation.
pub const DEFAULT_WORKER_RESERVE: Duration = Duration::from_secs(5);

impl Settings {
    /// Reads the settings from the process environment (see the module
    /// docs).
    ///
    /// # Errors
    /// A [`SettingsError`] naming the variable and what it should hold.
    pub fn from_env() -> Result<Settings, SettingsError> {
        Settings::from_lookup(&process_env)
    }

    /// Reads the settings through `lookup` (the environment, or a map in
    /// tests).
    fn from_lookup(lookup: Lookup<'_>) -> Result<Settings, SettingsError> {
        let public_url = var(lookup, "LETHE_PUBLIC_URL").ok_or(SettingsError::Missing {
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
        let chunk_size = number_in::<usize>(
            lookup,
            "LETHE_CHUNK_SIZE",
            1..=10_000,
            "a whole number from 1 to 10000",
        )?;
        let worker_concurrency = number_in::<usize>(
            lookup,
            "LETHE_WORKER_CONCURRENCY",
            1..=10,
            "a whole number from 1 to 10 (an SQS batch holds at most 10 records)",
        )?
        .unwrap_or(DEFAULT_WORKER_CONCURRENCY);
        let worker_reserve = number_in::<usize>(
            lookup,
            "LETHE_WORKER_RESERVE_MS",
            100..=120_000,
            "milliseconds from 100 to 120000 before the deadline, e.g. 5000",
        )?
        .map_or(DEFAULT_WORKER_RESERVE, |ms| {
            Duration::from_millis(ms as u64)
        });
        Ok(Settings {
            public_url: public_url.trim_end_matches('/').to_string(),
            plugin_cache_dir: var(lookup, "LETHE_PLUGIN_CACHE_DIR")
                .map_or_else(|| PathBuf::from("/tmp/lethe-plugins"), PathBuf::from),
            chunk_size,
            worker_concurrency,
            worker_reserve,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(vars: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Settings::from_lookup(&|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    }

    const URL: (&str, &str) = ("LETHE_PUBLIC_URL", "https://api.example.com/");

    #[test]
    fn defaults_apply_to_unset_and_blank_variables() {
        let s = read(&[URL, ("LETHE_WORKER_RESERVE_MS", " ")]).expect("settings");
        assert_eq!(s.public_url, "https://api.example.com");
        assert_eq!(s.plugin_cache_dir, PathBuf::from("/tmp/lethe-plugins"));
        assert_eq!(s.chunk_size, None);
        assert_eq!(s.worker_concurrency, DEFAULT_WORKER_CONCURRENCY);
        assert_eq!(s.worker_reserve, DEFAULT_WORKER_RESERVE);
    }

    #[test]
    fn numbers_are_read_within_their_ranges() {
        let s = read(&[
            URL,
            ("LETHE_CHUNK_SIZE", "12"),
            ("LETHE_WORKER_CONCURRENCY", "10"),
            ("LETHE_WORKER_RESERVE_MS", "100"),
        ])
        .expect("settings");
        assert_eq!(s.chunk_size, Some(12));
        assert_eq!(s.worker_concurrency, 10);
        assert_eq!(s.worker_reserve, Duration::from_millis(100));
    }

    #[test]
    fn each_bad_value_is_refused_naming_its_variable() {
        assert!(matches!(
            read(&[]),
            Err(SettingsError::Missing {
                name: "LETHE_PUBLIC_URL",
                ..
            })
        ));
        for (name, value) in [
            ("LETHE_PUBLIC_URL", "api.example.com"),
            ("LETHE_CHUNK_SIZE", "0"),
            ("LETHE_CHUNK_SIZE", "10001"),
            ("LETHE_WORKER_CONCURRENCY", "11"),
            ("LETHE_WORKER_RESERVE_MS", "99"),
            ("LETHE_WORKER_RESERVE_MS", "120001"),
            ("LETHE_WORKER_RESERVE_MS", "5s"),
        ] {
            let vars = [URL, (name, value)];
            let vars = if name == URL.0 { &vars[1..] } else { &vars[..] };
            match read(vars) {
                Err(e @ SettingsError::Invalid { name: n, .. }) => {
                    assert_eq!(n, name);
                    assert!(e.to_string().starts_with(&format!("{name}=")), "{e}");
                }
                other => panic!("{name}={value}: {other:?}"),
            }
        }
    }
}
