//! One module per subcommand; each returns the process exit code.

mod redact_items;
mod scan;
mod subject;
mod validate;

use std::process::ExitCode;

use crate::args::{Cli, Command, PluginCommand};

/// Runs the parsed command line.
pub(crate) fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Plugin(PluginCommand::Validate { plugin }) => validate::run(&plugin),
        Command::Scan(args) => scan::run(&args),
        Command::RedactItems(args) => redact_items::run(&args),
    }
}
