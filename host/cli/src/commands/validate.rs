//! `lethe plugin validate`: admit a component exactly as the server would.

use std::io::Write;
use std::process::ExitCode;

use lethe_sandbox::Sandbox;

use crate::plugin_source;

pub(crate) fn run(source: &str) -> anyhow::Result<ExitCode> {
    let bytes = plugin_source::read(source)?;
    let sandbox = Sandbox::new()?;
    match sandbox.validate(&bytes) {
        Ok(validated) => {
            writeln!(std::io::stdout(), "{}", validated.report)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(rejection) => {
            eprintln!("invalid plugin: {rejection}");
            Ok(ExitCode::from(2))
        }
    }
}
