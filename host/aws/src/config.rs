//! Where the adapters find AWS: endpoints, credentials, region and the
//! names of Lethe's resources, all from the environment.
//!
//! | variable | meaning | default |
//! |----------|---------|---------|
//! | `LETHE_AWS_ENDPOINT` | one endpoint for every service (a moto server, a proxy) | none: the standard AWS resolution |
//! | `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_S3`, … | per-service endpoints, honoured by `aws-config` itself | none |
//! | `AWS_REGION` | the region | `eu-west-1` |
//! | `AWS_ACCESS_KEY_ID`, profiles, the Lambda role, … | credentials: the standard provider chain | — |
//! | `LETHE_DATA_TABLE` | the data table | `lethe-data` |
//! | `LETHE_CONTROL_TABLE` | the control table | `lethe-control` |
//! | `LETHE_BUCKET` | the bucket | `lethe-blobs` |
//! | `LETHE_QUEUE` | the chunk queue (its dead-letter queue is found through its redrive policy) | `lethe-jobs` |
//! | `LETHE_MAIL_FROM` | the verified SES sender | `no-reply@lethe.invalid` |
//! | `LETHE_KMS_KEY_ID` | SSE-KMS key for S3 puts | none: the bucket's default encryption |
//! | `LETHE_AWS_MAX_ATTEMPTS` | attempts per AWS call (the SDK's standard retry: exponential backoff with jitter), 1 to 20 | 5 |
//! | `LETHE_AWS_ATTEMPT_TIMEOUT_MS` | longest one attempt of an AWS call may take, sending included, before the SDK gives it up and retries; 100 to 300000 | 10000 |
//!
//! A blank variable is unset. A value out of range or not a number is
//! refused: [`AwsConfig::from_env`] fails naming the variable (the rules of
//! [`settings`](crate::settings), shared with the functions' own settings).
//!
//! **Attempt timeout.** The SDK's defaults bound only the connection (3.1
//! s); a call whose answer never comes would wait until the function's own
//! timeout. Each attempt is therefore bounded ([`DEFAULT_ATTEMPT_TIMEOUT`],
//! far above a healthy DynamoDB, SQS or SES call and above an 8 MiB S3 part
//! in region), and a stalled attempt is retried like a 5xx, within the
//! attempts above. Streamed S3 downloads are bounded until their answer
//! starts, not while the body streams.
//!
//! **Retry quota.** Besides the attempts per call, the SDK keeps a retry
//! quota (a token bucket of 500: a throttling retry costs 5 tokens, a 5xx
//! or timeout retry 10) and stops retrying when it is empty — a circuit
//! breaker for outages. The SDK's default bucket is shared by every
//! client of a service in the process and, under concurrent calls on one
//! client, loses the tokens of overlapping retries for good (one retry
//! permit slot per client: a second failing call's permit replaces the
//! first's, which is never returned). In a batch of 800 writes, 16 at a
//! time, each throttled once, it was empty after ~490 writes, and the
//! other ~370 throttles surfaced as `Unavailable` although each would
//! have passed on its retry; 700 of them one at a time all passed
//! (`tests/faults/dynamodb.rs`). So each `AwsConfig`
//! gives every service its own bucket ([`RETRY_QUOTA`] tokens) in which a
//! success earns back what a retry costs ([`RETRY_REWARD`]) and time
//! refills it ([`RETRY_REFILL_PER_SEC`]): the quota now empties only when
//! failures outnumber successes, as the circuit breaker intends.
//!
//! S3 uses path-style addressing (`http://host/bucket/key`) whenever an
//! endpoint is overridden (`LETHE_AWS_ENDPOINT`, `AWS_ENDPOINT_URL` or
//! `AWS_ENDPOINT_URL_S3`): emulators such as moto cannot serve
//! virtual-hosted buckets on `127.0.0.1`.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::retry::{RetryPartition, TokenBucket};

use crate::settings::{Lookup, SettingsError, number_in, process_env, var, var_or};

/// The region used when `AWS_REGION` (and the profile) names none.
pub const DEFAULT_REGION: &str = "eu-west-1";

/// Attempts per call unless `LETHE_AWS_MAX_ATTEMPTS` says otherwise.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;

/// Longest one attempt of a call may take unless
/// `LETHE_AWS_ATTEMPT_TIMEOUT_MS` says otherwise.
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// Longest the SDK waits for a connection (its own default).
const CONNECT_TIMEOUT: Duration = Duration::from_millis(3100);

/// Tokens in each service's retry quota (the SDK's default capacity).
pub const RETRY_QUOTA: usize = 500;

/// Tokens a successful call earns back: what a throttling retry costs.
pub const RETRY_REWARD: f32 = 5.0;

/// Tokens the retry quota regains per second, with or without traffic.
pub const RETRY_REFILL_PER_SEC: f32 = 10.0;

/// One retry partition (and quota) per service, shared by the clients of
/// one [`AwsConfig`] and its clones.
#[derive(Clone, Debug)]
struct RetryQuotas {
    dynamodb: RetryPartition,
    s3: RetryPartition,
    sqs: RetryPartition,
    sesv2: RetryPartition,
}

impl RetryQuotas {
    fn new() -> RetryQuotas {
        let partition = |service: &'static str| {
            RetryPartition::custom(service)
                .token_bucket(
                    TokenBucket::builder()
                        .capacity(RETRY_QUOTA)
                        .success_reward(RETRY_REWARD)
                        .refill_rate(RETRY_REFILL_PER_SEC)
                        .build(),
                )
                .build()
        };
        RetryQuotas {
            dynamodb: partition("lethe-dynamodb"),
            s3: partition("lethe-s3"),
            sqs: partition("lethe-sqs"),
            sesv2: partition("lethe-sesv2"),
        }
    }
}

/// Resource names and settings for the adapters, plus the loaded SDK
/// configuration the clients are built from.
#[derive(Clone, Debug)]
pub struct AwsConfig {
    /// The shared SDK configuration (credentials, region, retries).
    pub sdk: SdkConfig,
    /// One endpoint for every service (`LETHE_AWS_ENDPOINT`), if set.
    pub endpoint: Option<String>,
    /// Whether S3 is addressed path-style (set when an endpoint is
    /// overridden).
    pub s3_path_style: bool,
    /// The data table's name.
    pub data_table: String,
    /// The control table's name.
    pub control_table: String,
    /// The bucket's name.
    pub bucket: String,
    /// The chunk queue's name.
    pub queue: String,
    /// The address mail is sent from (verified in SES).
    pub mail_from: String,
    /// The KMS key S3 objects are encrypted under (SSE-KMS), if any.
    pub kms_key_id: Option<String>,
    /// Attempts per call, the first included (see the module docs).
    pub max_attempts: u32,
    /// Longest one attempt of a call may take (see the module docs).
    pub attempt_timeout: Duration,
    /// Each service's retry quota (see the module docs).
    retry_quotas: RetryQuotas,
}

/// The SDK's timeouts: the connection as the SDK bounds it, and each
/// attempt at `attempt`.
fn timeouts(attempt: Duration) -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(attempt)
        .build()
}

/// What [`AwsConfig`] reads from the environment besides what the SDK
/// reads itself (credentials, region, per-service endpoints).
#[derive(Clone, Debug, PartialEq)]
struct EnvSettings {
    endpoint: Option<String>,
    s3_path_style: bool,
    test_region: String,
    data_table: String,
    control_table: String,
    bucket: String,
    queue: String,
    mail_from: String,
    kms_key_id: Option<String>,
    max_attempts: u32,
    attempt_timeout: Duration,
}

impl EnvSettings {
    /// Reads them through `lookup`; `endpoint` (an emulator's) replaces
    /// `LETHE_AWS_ENDPOINT` when given.
    fn read(lookup: Lookup<'_>, endpoint: Option<&str>) -> Result<EnvSettings, SettingsError> {
        let max_attempts = number_in(
            lookup,
            "LETHE_AWS_MAX_ATTEMPTS",
            1..=20,
            "a whole number of attempts from 1 to 20, e.g. 5",
        )?
        .unwrap_or(DEFAULT_MAX_ATTEMPTS);
        let attempt_timeout = number_in(
            lookup,
            "LETHE_AWS_ATTEMPT_TIMEOUT_MS",
            100..=300_000,
            "milliseconds from 100 to 300000, e.g. 10000",
        )?
        .map_or(DEFAULT_ATTEMPT_TIMEOUT, Duration::from_millis);
        let endpoint = endpoint
            .map(str::to_owned)
            .or_else(|| var(lookup, "LETHE_AWS_ENDPOINT"));
        let s3_path_style = endpoint.is_some()
            || var(lookup, "AWS_ENDPOINT_URL").is_some()
            || var(lookup, "AWS_ENDPOINT_URL_S3").is_some();
        Ok(EnvSettings {
            endpoint,
            s3_path_style,
            test_region: var_or(lookup, "AWS_REGION", DEFAULT_REGION),
            data_table: var_or(lookup, "LETHE_DATA_TABLE", "lethe-data"),
            control_table: var_or(lookup, "LETHE_CONTROL_TABLE", "lethe-control"),
            bucket: var_or(lookup, "LETHE_BUCKET", "lethe-blobs"),
            queue: var_or(lookup, "LETHE_QUEUE", "lethe-jobs"),
            mail_from: var_or(lookup, "LETHE_MAIL_FROM", "no-reply@lethe.invalid"),
            kms_key_id: var(lookup, "LETHE_KMS_KEY_ID"),
            max_attempts,
            attempt_timeout,
        })
    }
}

impl AwsConfig {
    /// Loads everything from the environment (see the module docs).
    ///
    /// # Errors
    /// A [`SettingsError`] naming a variable set to something it cannot
    /// hold, and what it should hold.
    pub async fn from_env() -> Result<AwsConfig, SettingsError> {
        let settings = EnvSettings::read(&process_env, None)?;
        Ok(AwsConfig::load(settings, false).await)
    }

    /// For an emulator at `endpoint` (moto, a fault-injecting proxy): like
    /// [`from_env`](Self::from_env), but with that endpoint for every
    /// service and fixed test credentials, so nothing ever looks for real
    /// ones (no profile, no instance metadata).
    ///
    /// # Errors
    /// As [`from_env`](Self::from_env).
    pub async fn emulator(endpoint: &str) -> Result<AwsConfig, SettingsError> {
        let settings = EnvSettings::read(&process_env, Some(endpoint))?;
        Ok(AwsConfig::load(settings, true).await)
    }

    async fn load(settings: EnvSettings, test_credentials: bool) -> AwsConfig {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(
                aws_config::meta::region::RegionProviderChain::default_provider()
                    .or_else(Region::new(DEFAULT_REGION)),
            )
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(settings.max_attempts)
                    .with_initial_backoff(Duration::from_millis(50))
                    .with_max_backoff(Duration::from_secs(5)),
            )
            .timeout_config(timeouts(settings.attempt_timeout));
        if let Some(url) = &settings.endpoint {
            loader = loader.endpoint_url(url);
        }
        if test_credentials {
            loader = loader
                .region(Region::new(settings.test_region))
                .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
                    "test",
                    "test",
                    None,
                    None,
                    "lethe-emulator",
                ));
        }
        AwsConfig {
            sdk: loader.load().await,
            endpoint: settings.endpoint,
            s3_path_style: settings.s3_path_style,
            data_table: settings.data_table,
            control_table: settings.control_table,
            bucket: settings.bucket,
            queue: settings.queue,
            mail_from: settings.mail_from,
            kms_key_id: settings.kms_key_id,
            max_attempts: settings.max_attempts,
            attempt_timeout: settings.attempt_timeout,
            retry_quotas: RetryQuotas::new(),
        }
    }

    /// The same configuration with attempts of every call bounded by
    /// `attempt` instead (tests shorten it to see a stall retried).
    pub fn with_attempt_timeout(mut self, attempt: Duration) -> AwsConfig {
        self.sdk = self
            .sdk
            .to_builder()
            .timeout_config(timeouts(attempt))
            .build();
        self.attempt_timeout = attempt;
        self
    }

    /// A DynamoDB client.
    pub fn dynamodb(&self) -> aws_sdk_dynamodb::Client {
        let conf = aws_sdk_dynamodb::config::Builder::from(&self.sdk)
            .retry_partition(self.retry_quotas.dynamodb.clone())
            .build();
        aws_sdk_dynamodb::Client::from_conf(conf)
    }

    /// An S3 client (path-style when an endpoint is overridden).
    pub fn s3(&self) -> aws_sdk_s3::Client {
        let conf = aws_sdk_s3::config::Builder::from(&self.sdk)
            .force_path_style(self.s3_path_style)
            .retry_partition(self.retry_quotas.s3.clone())
            .build();
        aws_sdk_s3::Client::from_conf(conf)
    }

    /// An SQS client.
    pub fn sqs(&self) -> aws_sdk_sqs::Client {
        let conf = aws_sdk_sqs::config::Builder::from(&self.sdk)
            .retry_partition(self.retry_quotas.sqs.clone())
            .build();
        aws_sdk_sqs::Client::from_conf(conf)
    }

    /// An SESv2 client.
    pub fn sesv2(&self) -> aws_sdk_sesv2::Client {
        let conf = aws_sdk_sesv2::config::Builder::from(&self.sdk)
            .retry_partition(self.retry_quotas.sesv2.clone())
            .build();
        aws_sdk_sesv2::Client::from_conf(conf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(vars: &[(&str, &str)], endpoint: Option<&str>) -> Result<EnvSettings, SettingsError> {
        let lookup = |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        };
        EnvSettings::read(&lookup, endpoint)
    }

    #[test]
    fn defaults_apply_to_unset_and_blank_variables() {
        let s = read(
            &[("LETHE_AWS_MAX_ATTEMPTS", " "), ("LETHE_BUCKET", "")],
            None,
        )
        .unwrap();
        assert_eq!(s.max_attempts, DEFAULT_MAX_ATTEMPTS);
        assert_eq!(s.attempt_timeout, DEFAULT_ATTEMPT_TIMEOUT);
        assert_eq!(s.bucket, "lethe-blobs");
        assert_eq!(s.queue, "lethe-jobs");
        assert_eq!(s.endpoint, None);
        assert!(!s.s3_path_style);
        assert_eq!(s.kms_key_id, None);
    }

    #[test]
    fn values_in_range_are_used() {
        let s = read(
            &[
                ("LETHE_AWS_MAX_ATTEMPTS", "20"),
                ("LETHE_AWS_ATTEMPT_TIMEOUT_MS", "100"),
                ("LETHE_DATA_TABLE", "t-data"),
                ("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9"),
            ],
            None,
        )
        .unwrap();
        assert_eq!(s.max_attempts, 20);
        assert_eq!(s.attempt_timeout, Duration::from_millis(100));
        assert_eq!(s.data_table, "t-data");
        assert!(
            s.s3_path_style,
            "an overridden S3 endpoint is addressed path-style"
        );
    }

    #[test]
    fn an_emulator_endpoint_wins_over_the_variable() {
        let vars = [("LETHE_AWS_ENDPOINT", "http://127.0.0.1:1")];
        assert_eq!(
            read(&vars, None).unwrap().endpoint.as_deref(),
            Some("http://127.0.0.1:1")
        );
        let s = read(&vars, Some("http://127.0.0.1:2")).unwrap();
        assert_eq!(s.endpoint.as_deref(), Some("http://127.0.0.1:2"));
        assert!(s.s3_path_style);
    }

    #[test]
    fn each_bad_number_is_refused_naming_its_variable() {
        for (name, value) in [
            ("LETHE_AWS_MAX_ATTEMPTS", "0"),
            ("LETHE_AWS_MAX_ATTEMPTS", "21"),
            ("LETHE_AWS_MAX_ATTEMPTS", "five"),
            ("LETHE_AWS_ATTEMPT_TIMEOUT_MS", "99"),
            ("LETHE_AWS_ATTEMPT_TIMEOUT_MS", "300001"),
            ("LETHE_AWS_ATTEMPT_TIMEOUT_MS", "10s"),
        ] {
            match read(&[(name, value)], None) {
                Err(e @ SettingsError::Invalid { name: n, .. }) => {
                    assert_eq!(n, name);
                    assert!(e.to_string().starts_with(&format!("{name}=")), "{e}");
                }
                other => panic!("{name}={value}: {other:?}"),
            }
        }
    }
}
