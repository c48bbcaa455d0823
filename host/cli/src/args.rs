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
}

#[derive(Debug, Subcommand)]
pub(crate) enum PluginCommand {
    /// Check a component exactly as the server will: exit 0 with a summary,
    /// non-zero with the reason it would be refused.
    Validate {
        /// The component: a path, or `builtin:NAME` (std-scrubber,
        /// fieldmap-commerce, fieldmap-generic).
        plugin: String,
    },
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
