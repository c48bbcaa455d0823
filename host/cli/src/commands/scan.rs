//! `lethe scan`: JSONL texts in, JSONL spans out, streaming.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use anyhow::Context;
use lethe_sandbox::Sandbox;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::args::ScanArgs;
use crate::jsonl::Chunks;
use crate::plugin_source;

#[derive(Deserialize)]
struct Input {
    id: Value,
    text: String,
}

#[derive(Serialize)]
struct Output<'a> {
    id: &'a Value,
    spans: Vec<OutSpan>,
}

#[derive(Serialize)]
struct OutSpan {
    start: usize,
    end: usize,
    category: &'static str,
    score: f32,
}

pub(crate) fn run(args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let sandbox = Sandbox::new()?;
    let plugin = plugin_source::load(&sandbox, &args.plugin)?;
    let subject = args
        .subject
        .as_deref()
        .map(super::subject::read)
        .transpose()?;
    let mut input = Chunks::new(std::io::stdin().lock(), args.batch);
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut lines = 0usize;
    loop {
        let chunk: Vec<Input> = input.next_chunk()?;
        if chunk.is_empty() {
            break;
        }
        let texts: Vec<&str> = chunk.iter().map(|r| r.text.as_str()).collect();
        let spans = plugin.scan(&texts, subject.as_ref()).with_context(|| {
            format!(
                "scanning lines {}..{} failed",
                lines + 1,
                lines + chunk.len()
            )
        })?;
        for (record, spans) in chunk.iter().zip(spans) {
            let line = Output {
                id: &record.id,
                spans: spans
                    .into_iter()
                    .map(|s| OutSpan {
                        start: s.start,
                        end: s.end,
                        category: s.category.as_str(),
                        score: s.score,
                    })
                    .collect(),
            };
            serde_json::to_writer(&mut out, &line)?;
            out.write_all(b"\n")?;
        }
        lines += chunk.len();
    }
    out.flush().context("cannot write standard output")?;
    Ok(ExitCode::SUCCESS)
}
