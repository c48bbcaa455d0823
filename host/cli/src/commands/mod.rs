//! One module per subcommand; each returns the process exit code.

mod demo;
mod jobs;
mod plugin;
mod plugin_build;
mod plugin_new;
mod plugin_remote;
mod plugin_test;
mod redact;
mod redact_items;
mod remote;
mod scan;
mod seed;
mod serve;
mod subject;
mod tenant;
mod validate;
mod work;

use std::process::ExitCode;

use crate::args::{Cli, Command, TenantCommand};

/// Runs the parsed command line.
pub(crate) fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Plugin(command) => plugin::run(&command),
        Command::Scan(args) => scan::run(&args),
        Command::RedactItems(args) => redact_items::run(&args),
        Command::Demo(args) => demo::run(&args),
        Command::Redact(args) => redact::run(&args),
        Command::Work(args) => work::run(&args),
        Command::Jobs(args) => jobs::list(&args),
        Command::Job(args) => jobs::show(&args),
        Command::Seed(args) => seed::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Tenant(TenantCommand::Create(args)) => tenant::create(&args),
        Command::Tenant(TenantCommand::Key(args)) => tenant::key(&args),
        Command::Remote(args) => remote::run(&args),
    }
}
