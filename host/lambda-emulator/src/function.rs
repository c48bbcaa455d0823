//! A function process: a real Lambda binary pointed at an [`Emulator`].

use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::Emulator;

/// A running function binary, stopped (by its PID) when dropped.
pub struct Function {
    child: Child,
}

impl Function {
    /// Starts `binary` with the variables the Lambda runtime requires, set
    /// for `emulator`, plus `env`. Its stdout and stderr are inherited (the
    /// test's output), so its logs show up next to the test's.
    ///
    /// # Errors
    /// If the binary cannot be started.
    pub fn spawn(
        binary: &Path,
        emulator: &Emulator,
        name: &str,
        env: &[(String, String)],
    ) -> std::io::Result<Function> {
        let mut command = Command::new(binary);
        command
            .env("AWS_LAMBDA_RUNTIME_API", emulator.runtime_api())
            .env("AWS_LAMBDA_FUNCTION_NAME", name)
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}"))
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "emulated")
            .stdin(Stdio::null());
        for (k, v) in env {
            command.env(k, v);
        }
        Ok(Function {
            child: command.spawn()?,
        })
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the process at once (SIGKILL), as Lambda does to a function
    /// that runs past its timeout, and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Whether the process has exited (and how).
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }
}

impl Drop for Function {
    fn drop(&mut self) {
        self.kill();
    }
}
