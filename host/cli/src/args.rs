//! The command-line grammar.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Lethe: privacy operations with sandboxed WebAssembly plugins.
#[derive(Debug, Parser)]
#[command(name = "lethe", version, about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Work with plugin components.
    #[command(subcommand)]
    Plugin(PluginCommand),
    /// Find PII in JSONL texts: reads `{"id":..,"text":..}` lines on stdin,
    /// writes `{"id":..,"spans":[{"start","end","category","score"}]}` lines
    /// (UTF-8 byte offsets) on stdout.
    Scan(ScanArgs),
    /// Redact JSONL items: reads items on stdin, writes them redacted under
    /// the default policy (PII attributes erased to null, free text scrubbed
    /// to `[EMAIL]`-style tokens).
    RedactItems(RedactItemsArgs),
    /// Show Lethe at work on synthetic customers, step by step: an access
    /// request, a verified erasure, a CSV bulk redaction, an auto-redact
    /// night and the audit chain. Prints no customer's personal data.
    Demo(DemoArgs),
    /// Redact the customers listed in a CSV file: preview, confirm, run
    /// the job to the end with the in-process workers.
    Redact(RedactArgs),
    /// Resume: run the in-process workers until the queue is empty (after a
    /// crash, chunks a killed process had taken are handed out again), then
    /// show every job that was unfinished.
    Work(WorkArgs),
    /// List a tenant's jobs.
    Jobs(JobsArgs),
    /// Show one job as JSON, with its failures (rows and subject refs).
    Job(JobArgs),
    /// Create a tenant if missing and ingest synthetic customers into it
    /// (for trying Lethe out, tests and benchmarks).
    Seed(SeedArgs),
    /// Run the HTTP API over a data directory, with in-process workers and
    /// the nightly clock, until SIGTERM or Ctrl-C.
    Serve(ServeArgs),
    /// Tenants and their API keys in a data directory (while no server is
    /// running on it).
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Talk to a running `lethe serve` over HTTP (`--endpoint`, API key in
    /// `LETHE_API_KEY`).
    Remote(RemoteArgs),
}

/// Options of `lethe serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The data directory (created if missing).
    #[arg(long = "data-dir", env = "LETHE_DATA_DIR", value_name = "DIR")]
    pub(crate) data_dir: PathBuf,
    /// Where to listen: an address and port; port 0 picks a free one (the
    /// address actually bound is printed).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
    pub(crate) listen: String,
    /// In-process workers (queue consumers).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub(crate) workers: u16,
    /// The base URL people reach this server at, used in e-mailed
    /// verification links and download links. Default: `http://` and the
    /// address bound.
    #[arg(long, value_name = "URL")]
    pub(crate) public_url: Option<String>,
    /// Before serving, create this tenant and print its first admin key
    /// once (a line `admin-key: lth_...` on stdout). Fails if it exists.
    #[arg(long, value_name = "ID")]
    pub(crate) bootstrap_tenant: Option<String>,
    /// The display name of the bootstrapped tenant (default: its id).
    #[arg(long, value_name = "NAME", requires = "bootstrap_tenant")]
    pub(crate) tenant_name: Option<String>,
    /// The region of the bootstrapped tenant (`eu`: nights start at 00:00
    /// Europe/Paris; `us`: 00:00 UTC).
    #[arg(long, default_value = "eu", requires = "bootstrap_tenant")]
    pub(crate) region: String,
}

/// `lethe tenant ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum TenantCommand {
    /// Create a tenant and print its first admin API key, once, as the only
    /// line on stdout (the key is stored only as a hash).
    Create(TenantCreateArgs),
    /// Make another API key for an existing tenant (for example one made by
    /// `lethe seed`) and print it, once, as the only line on stdout.
    Key(TenantKeyArgs),
}

/// Options of `lethe tenant create`.
#[derive(Debug, Args)]
pub(crate) struct TenantCreateArgs {
    #[command(flatten)]
    pub(crate) data_dir: DataDir,
    /// The tenant's id: 1 to 40 of a-z, 0-9 and `-`.
    pub(crate) id: String,
    /// Its display name (default: its id).
    #[arg(long = "name", value_name = "NAME")]
    pub(crate) name: Option<String>,
    /// Its region: `eu` (nights at 00:00 Europe/Paris) or `us` (00:00 UTC).
    #[arg(long, default_value = "eu")]
    pub(crate) region: String,
}

/// Options of `lethe tenant key`.
#[derive(Debug, Args)]
pub(crate) struct TenantKeyArgs {
    #[command(flatten)]
    pub(crate) data_dir: DataDir,
    /// The tenant's id.
    pub(crate) id: String,
    /// The key's role: intake, support, operator or admin.
    #[arg(long, default_value = "admin")]
    pub(crate) role: String,
    /// What the key is for (a team or channel name, not a person's
    /// e-mail); recorded as the actor of what it does.
    #[arg(long, default_value = "cli")]
    pub(crate) label: String,
}

/// `lethe remote`: the HTTP client.
#[derive(Debug, Args)]
pub(crate) struct RemoteArgs {
    /// The server's base URL.
    #[arg(
        long,
        env = "LETHE_ENDPOINT",
        default_value = "http://127.0.0.1:8080",
        value_name = "URL",
        global = true
    )]
    pub(crate) endpoint: String,
    #[command(subcommand)]
    pub(crate) command: RemoteCommand,
}

/// The calls `lethe remote` makes.
#[derive(Debug, Subcommand)]
pub(crate) enum RemoteCommand {
    /// Upload a CSV of customer ids as a bulk redaction, show its preview,
    /// confirm it (needs an admin key) and follow it to the end.
    Redact(RemoteRedactArgs),
    /// The tenant's jobs as a table.
    Jobs,
    /// One job as JSON.
    Job {
        /// The job's id (`job_...`).
        id: String,
    },
    /// The tenant's plugins and their versions (as `lethe plugin versions`).
    Plugins {
        /// The server's JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// One privacy request.
    Request {
        /// The request's id.
        id: String,
        /// Print the server's JSON instead of a summary.
        #[arg(long)]
        json: bool,
    },
}

/// Options of `lethe remote redact`.
#[derive(Debug, Args)]
pub(crate) struct RemoteRedactArgs {
    /// A CSV file of customer ids: one column, or a column named
    /// `customer_id` (UTF-8, at most 50,000 distinct ids).
    #[arg(long, value_name = "FILE")]
    pub(crate) csv: PathBuf,
    /// Confirm without asking (needed when stdin is not a terminal).
    #[arg(long)]
    pub(crate) yes: bool,
    /// No progress display (the preview and the result are still printed).
    #[arg(long)]
    pub(crate) quiet: bool,
    /// Give up following the job after this many seconds (it keeps
    /// running on the server).
    #[arg(long, default_value_t = 3600, value_name = "SECONDS")]
    pub(crate) timeout: u64,
}

/// The data directory of the engine commands.
#[derive(Debug, Args)]
pub(crate) struct DataDir {
    /// The data directory (created by `lethe seed` or `lethe demo`).
    #[arg(long = "data-dir", env = "LETHE_DATA_DIR", value_name = "DIR")]
    pub(crate) path: PathBuf,
}

/// Options of `lethe demo`.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Where to keep the demo's data; reused (with its tenant `demo`) if it
    /// exists. Default: a fresh temporary directory, named in the output.
    #[arg(long = "data-dir", value_name = "DIR")]
    pub(crate) data_dir: Option<PathBuf>,
    /// Synthetic customers to ingest.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(40..=50_000))]
    pub(crate) customers: u64,
    /// In-process workers.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub(crate) workers: u16,
}

/// Options of `lethe redact`.
#[derive(Debug, Args)]
pub(crate) struct RedactArgs {
    #[command(flatten)]
    pub(crate) data_dir: DataDir,
    /// The tenant whose customers these are.
    #[arg(long)]
    pub(crate) tenant: String,
    /// A CSV file of customer ids: one column, or a column named
    /// `customer_id` (UTF-8, at most 50,000 distinct ids).
    #[arg(long, value_name = "FILE")]
    pub(crate) csv: PathBuf,
    /// Who starts the job, recorded in the job and the audit trail.
    #[arg(long, default_value = "cli")]
    pub(crate) created_by: String,
    /// Confirm without asking (needed when stdin is not a terminal).
    #[arg(long)]
    pub(crate) yes: bool,
    /// No progress display (the preview and the result are still printed).
    #[arg(long)]
    pub(crate) quiet: bool,
    /// In-process workers.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub(crate) workers: u16,
}

/// Options of `lethe work`.
#[derive(Debug, Args)]
pub(crate) struct WorkArgs {
    #[command(flatten)]
    pub(crate) data_dir: DataDir,
    /// In-process workers.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub(crate) workers: u16,
    /// No progress display.
    #[arg(long)]
    pub(crate) quiet: bool,
}

/// Options of `lethe jobs`.
#[derive(Debug, Args)]
pub(crate) struct JobsArgs {
    #[command(flatten)]
    pub(crate) data_dir: DataDir,
    /// The tenant.
    #[arg(long)]
    pub(crate) tenant: String,
}

/// Options of `lethe job`.
#[derive(Debug, Args)]
pub(crate) struct JobArgs {
    #[command(flatten)]
    pub(crate) data_dir: DataDir,
    /// The tenant.
    #[arg(long)]
    pub(crate) tenant: String,
    /// The job's id (`job_…`, as `lethe jobs` lists them).
    pub(crate) job: String,
}

/// Options of `lethe seed`.
#[derive(Debug, Args)]
pub(crate) struct SeedArgs {
    #[command(flatten)]
    pub(crate) data_dir: DataDir,
    /// The tenant (created with default settings if missing).
    #[arg(long)]
    pub(crate) tenant: String,
    /// How many synthetic customers.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub(crate) customers: u64,
    /// Items per customer: a profile, then up to 3 conversations, a web
    /// log item, and orders for the rest.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub(crate) items_per_customer: u64,
    /// How many days ago every customer was last active.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=36_500))]
    pub(crate) inactive_days: u32,
    /// The number of the first customer (`cust-000000` is number 0), to add
    /// more customers to a tenant seeded before.
    #[arg(long, default_value_t = 0)]
    pub(crate) first: u64,
    /// Items per ingest call.
    #[arg(long, default_value_t = 2_000, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub(crate) batch: u64,
    /// No progress display.
    #[arg(long)]
    pub(crate) quiet: bool,
}

/// `lethe plugin ...`: write, build, try and ship plugins.
#[derive(Debug, Subcommand)]
pub(crate) enum PluginCommand {
    /// Make a new plugin crate from Lethe's template: a working example,
    /// sample data, a README (offline; no network needed).
    New(PluginNewArgs),
    /// Build a plugin crate into a WebAssembly component (`cargo build
    /// --release --target wasm32-wasip2`) and print its path, size and
    /// SHA-256.
    Build(PluginBuildArgs),
    /// Check a component exactly as the server will: exit 0 with a summary,
    /// non-zero with the reason it would be refused.
    Validate {
        /// The component: a path, or `builtin:NAME` (std-scrubber,
        /// fieldmap-commerce, fieldmap-generic).
        plugin: String,
    },
    /// Validate a plugin as the server does, then dry-run it on sample
    /// data: per item what would be erased, pseudonymised, masked, scrubbed
    /// or kept under the policy, per text the spans found. Prints paths,
    /// categories, actions and byte ranges, never values.
    Test(PluginTestArgs),
    /// Upload a plugin to a server as a new version (needs an admin key in
    /// `LETHE_API_KEY`), and optionally activate it.
    Push(PluginPushArgs),
    /// List the tenant's plugins and their versions on a server (the
    /// active one marked).
    Versions(PluginVersionsArgs),
    /// Make an uploaded version of a plugin the active one; the tenant's
    /// next batch runs it.
    Activate(PluginActivateArgs),
    /// Make the previously active version of a plugin active again (with
    /// none left, Lethe's standard plugins serve).
    Rollback(PluginRollbackArgs),
}

/// What a plugin classifies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum PluginKind {
    /// Classifies the attributes of items (`world field-map-plugin`).
    FieldMap,
    /// Finds personal data in free text (`world scrubber-plugin`).
    Scrubber,
}

/// Options of `lethe plugin new`.
#[derive(Debug, Args)]
pub(crate) struct PluginNewArgs {
    /// The plugin's name: 1 to 40 of a-z, 0-9 and `-` (the crate's name,
    /// and the name to push it under).
    pub(crate) name: String,
    /// What it is.
    #[arg(long, value_enum)]
    pub(crate) kind: PluginKind,
    /// Where to create the crate's directory (`PARENT/NAME`).
    #[arg(long = "dir", value_name = "PARENT", default_value = ".")]
    pub(crate) dir: PathBuf,
    /// The plugin SDK crate (`plugins/sdk` of a Lethe checkout). Default:
    /// the checkout this `lethe` was built from.
    #[arg(long, value_name = "PATH")]
    pub(crate) sdk: Option<PathBuf>,
}

/// Options of `lethe plugin build`.
#[derive(Debug, Args)]
pub(crate) struct PluginBuildArgs {
    /// The plugin crate's directory.
    #[arg(default_value = ".", value_name = "CRATE_DIR")]
    pub(crate) path: PathBuf,
}

/// Options of `lethe plugin test`.
#[derive(Debug, Args)]
pub(crate) struct PluginTestArgs {
    /// The plugin: a component (`.wasm`), a plugin crate's directory
    /// (built first, as `lethe plugin build` does), or `builtin:NAME`.
    #[arg(value_name = "PLUGIN")]
    pub(crate) plugin: String,
    /// Sample items, JSONL: `{"kind": K, "item": {...}}` per line, or bare
    /// items with `--kind`. A scrubber's free text is scanned; a field
    /// map's classification is shown.
    #[arg(long, value_name = "FILE")]
    pub(crate) items: Option<PathBuf>,
    /// Sample texts for a scrubber, JSONL: `{"id": .., "text": ..}` per
    /// line (`id` optional).
    #[arg(long, value_name = "FILE")]
    pub(crate) texts: Option<PathBuf>,
    /// The entity kind of every line of `--items` (each line is then a
    /// bare item).
    #[arg(long, value_name = "K")]
    pub(crate) kind: Option<String>,
    /// A policy JSON file (category -> action), as the tenant's settings
    /// hold it; default: erase personal data, scrub free text.
    #[arg(long, value_name = "FILE")]
    pub(crate) policy: Option<PathBuf>,
    /// A subject JSON file `{"names","emails","phones","ids"}`: scan as
    /// during that person's erasure.
    #[arg(long, value_name = "FILE")]
    pub(crate) subject: Option<PathBuf>,
    /// One JSON document on stdout instead of tables.
    #[arg(long)]
    pub(crate) json: bool,
}

/// Where the server is (the key comes from `LETHE_API_KEY`).
#[derive(Debug, Args)]
pub(crate) struct Endpoint {
    /// The server's base URL.
    #[arg(
        long,
        env = "LETHE_ENDPOINT",
        default_value = "http://127.0.0.1:8080",
        value_name = "URL"
    )]
    pub(crate) endpoint: String,
}

/// Options of `lethe plugin push`.
#[derive(Debug, Args)]
pub(crate) struct PluginPushArgs {
    /// The plugin: a component (`.wasm`) or a plugin crate's directory
    /// (built first).
    #[arg(value_name = "PLUGIN")]
    pub(crate) plugin: String,
    /// The name to store it under (1 to 40 of a-z, 0-9, `-`).
    #[arg(long)]
    pub(crate) name: String,
    /// Also make this version the active one.
    #[arg(long)]
    pub(crate) activate: bool,
    #[command(flatten)]
    pub(crate) endpoint: Endpoint,
}

/// Options of `lethe plugin versions`.
#[derive(Debug, Args)]
pub(crate) struct PluginVersionsArgs {
    /// Only this plugin (default: all of the tenant's plugins).
    pub(crate) name: Option<String>,
    /// The server's JSON instead of a table.
    #[arg(long)]
    pub(crate) json: bool,
    #[command(flatten)]
    pub(crate) endpoint: Endpoint,
}

/// Options of `lethe plugin activate`.
#[derive(Debug, Args)]
pub(crate) struct PluginActivateArgs {
    /// The plugin's name.
    pub(crate) name: String,
    /// The version: its SHA-256, or a unique prefix of it (as
    /// `lethe plugin versions` shows).
    pub(crate) sha256: String,
    #[command(flatten)]
    pub(crate) endpoint: Endpoint,
}

/// Options of `lethe plugin rollback`.
#[derive(Debug, Args)]
pub(crate) struct PluginRollbackArgs {
    /// The plugin's name.
    pub(crate) name: String,
    #[command(flatten)]
    pub(crate) endpoint: Endpoint,
}

/// Options of `lethe scan`.
#[derive(Debug, Args)]
pub(crate) struct ScanArgs {
    /// The scrubber: a path, or `builtin:std-scrubber`.
    #[arg(long, default_value = "builtin:std-scrubber")]
    pub(crate) plugin: String,
    /// A JSON file `{"names":[..],"emails":[..],"phones":[..],"ids":[..]}`:
    /// also find this person's known values in other spellings.
    #[arg(long)]
    pub(crate) subject: Option<PathBuf>,
    /// Texts per plugin call.
    #[arg(long, default_value_t = 512)]
    pub(crate) batch: usize,
}

/// Options of `lethe redact-items`.
#[derive(Debug, Args)]
pub(crate) struct RedactItemsArgs {
    /// The field map: a path, or `builtin:fieldmap-commerce` / `builtin:fieldmap-generic`.
    #[arg(long, default_value = "builtin:fieldmap-generic")]
    pub(crate) field_map: String,
    /// The scrubber for free-text attributes: a path, or `builtin:std-scrubber`.
    #[arg(long, default_value = "builtin:std-scrubber")]
    pub(crate) scrubber: String,
    /// The entity kind of every input line (each line is then a bare item).
    /// Without it, each line is `{"kind": K, "item": {...}}`.
    #[arg(long)]
    pub(crate) kind: Option<String>,
    /// A policy JSON file (category -> action); defaults to erase-to-null
    /// with free text scrubbed.
    #[arg(long)]
    pub(crate) policy: Option<PathBuf>,
    /// A subject JSON file, to also find that person's values in free text.
    #[arg(long)]
    pub(crate) subject: Option<PathBuf>,
    /// Items per plugin call.
    #[arg(long, default_value_t = 256)]
    pub(crate) batch: usize,
}
