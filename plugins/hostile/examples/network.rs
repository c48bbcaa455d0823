//! Hostile fixture `network`: a scrubber that tries to open a TCP
//! connection to `127.0.0.1:9` (discard) from inside `scan`, and reports
//! the outcome as its error: `connected` or `denied: <io error>`.
//!
//! Attack: reach the network from the sandbox (exfiltration). The
//! component imports `wasi:sockets`; the host must either refuse it at
//! validation because of that import, or instantiate it with no socket
//! capability so that the connect fails. `connected` is a sandbox escape.

use std::net::TcpStream;

use lethe_plugin_sdk::scrubber::exports::lethe::plugin::scrubber::Guest;
use lethe_plugin_sdk::types::{Span, Subject, Texts};

struct Network;

impl Guest for Network {
    fn scan(_texts: Texts, _subject: Option<Subject>) -> Result<Vec<Span>, String> {
        match TcpStream::connect("127.0.0.1:9") {
            Ok(_) => Err("connected".to_owned()),
            Err(e) => Err(format!("denied: {e}")),
        }
    }
}

lethe_plugin_sdk::scrubber::export_scrubber!(Network);
