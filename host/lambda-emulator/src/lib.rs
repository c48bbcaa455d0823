//! A Lambda Runtime API emulator, for driving real function binaries in
//! tests and benchmarks the way the Lambda service does.
//!
//! A Lambda function built with `lambda_runtime` is a process that polls
//! `GET /2018-06-01/runtime/invocation/next` on the host named by
//! `AWS_LAMBDA_RUNTIME_API`, handles the event it receives, and posts the
//! result to `.../invocation/{id}/response` (or `.../{id}/error`). An init
//! failure is posted to `.../runtime/init/error`. [`Emulator`] serves that
//! protocol on `127.0.0.1` and turns it around: [`Emulator::invoke`] queues
//! an event and waits for the function's answer.
//!
//! [`Function::spawn`] starts a binary with the environment the runtime
//! requires (`AWS_LAMBDA_RUNTIME_API`, the function name, memory size and
//! version) plus the caller's, and stops it by its PID when dropped.
//!
//! What is emulated: one invocation at a time per function process,
//! deadlines (`lambda-runtime-deadline-ms`), request ids, function ARNs,
//! trace ids, error and init-error reports. What is not: response
//! streaming, extensions, SnapStart.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod function;
mod server;

pub use function::Function;
pub use server::{Emulator, Invocation, InvokeError};
