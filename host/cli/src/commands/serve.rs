//! `lethe serve`: the HTTP API, workers and nightly clock over one data
//! directory (see [`crate::server`]).

use std::process::ExitCode;

use anyhow::Context;
use lethe_core::engine::EngineConfig;
use lethe_embedded::{Node, NodeOptions};

use crate::args::ServeArgs;
use crate::commands::tenant;
use crate::{node, server};

/// Checks a `--public-url`: `http(s)://host[:port][/path]`, no query.
fn check_public_url(url: &str) -> anyhow::Result<String> {
    let ok = (url.starts_with("http://") || url.starts_with("https://"))
        && !url.contains(['?', '#', ' '])
        && url.split("://").nth(1).is_some_and(|rest| !rest.is_empty());
    if !ok {
        anyhow::bail!(
            "--public-url {url:?} is not a base URL; give one like https://privacy.example.com \
             (scheme and host, optionally a port and a path, no query)"
        );
    }
    Ok(url.trim_end_matches('/').to_string())
}

/// Runs `lethe serve`.
pub(crate) fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let dir = &args.data_dir;
    let public_url = args
        .public_url
        .as_deref()
        .map(check_public_url)
        .transpose()?;
    let listener = std::net::TcpListener::bind(&args.listen).with_context(|| {
        format!(
            "cannot listen on {}; is another server using it? Choose another with --listen \
             (port 0 picks a free one)",
            args.listen
        )
    })?;
    let addr = listener
        .local_addr()
        .context("the listener has no address")?;
    if addr.ip().is_unspecified() && public_url.is_none() {
        eprintln!(
            "note: listening on every interface; pass --public-url so that e-mailed and \
             download links name an address people can reach"
        );
    }
    let public_url = public_url.unwrap_or_else(|| format!("http://{addr}"));
    let options = NodeOptions {
        engine: EngineConfig {
            public_base_url: public_url.clone(),
            ..EngineConfig::default()
        },
        ..NodeOptions::default()
    };
    let node = Node::open(dir, options).map_err(anyhow::Error::new)?;
    node::runtime()?.block_on(async {
        if let Some(id) = &args.bootstrap_tenant {
            let key = tenant::bootstrap(&node, dir, id, args.tenant_name.as_deref(), &args.region)
                .await?;
            println!("admin-key: {}", key.key);
            eprintln!(
                "Created tenant {id} with admin key {}; the key is shown only now: store it.",
                key.record.id
            );
        }
        server::serve(
            node,
            listener,
            server::ServeConfig {
                workers: usize::from(args.workers),
                public_url,
            },
        )
        .await?;
        Ok(ExitCode::SUCCESS)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_urls_are_base_urls() {
        assert_eq!(
            check_public_url("https://privacy.example.com/").unwrap(),
            "https://privacy.example.com"
        );
        assert!(check_public_url("http://127.0.0.1:8080/lethe").is_ok());
        assert!(check_public_url("privacy.example.com").is_err());
        assert!(check_public_url("https://x.example/?a=b").is_err());
        assert!(check_public_url("https://").is_err());
    }
}
