//! Streaming JSON Lines: read a bounded chunk of lines at a time, so any
//! number of lines flows through in constant memory.

use std::io::BufRead;

use anyhow::{Context, bail};
use serde::de::DeserializeOwned;

/// Reads JSONL records of type `T` in chunks of at most `chunk` records.
pub(crate) struct Chunks<R> {
    input: R,
    chunk: usize,
    line_no: usize,
    buf: Vec<u8>,
}

impl<R: BufRead> Chunks<R> {
    pub(crate) fn new(input: R, chunk: usize) -> Self {
        Self {
            input,
            chunk: chunk.max(1),
            line_no: 0,
            buf: Vec::new(),
        }
    }

    /// The next chunk (empty at end of input). Blank lines are skipped.
    ///
    /// Errors name the line number and what was expected, never the line's
    /// content (it may be personal data).
    pub(crate) fn next_chunk<T: DeserializeOwned>(&mut self) -> anyhow::Result<Vec<T>> {
        let mut out = Vec::with_capacity(self.chunk);
        while out.len() < self.chunk {
            self.buf.clear();
            let n = self
                .input
                .read_until(b'\n', &mut self.buf)
                .context("cannot read standard input")?;
            if n == 0 {
                break;
            }
            self.line_no += 1;
            let Ok(line) = std::str::from_utf8(&self.buf) else {
                bail!("line {}: not valid UTF-8", self.line_no);
            };
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            match serde_json::from_str(line) {
                Ok(record) => out.push(record),
                Err(e) => bail!(
                    "line {}: {} (at column {})",
                    self.line_no,
                    describe(&e),
                    e.column()
                ),
            }
        }
        Ok(out)
    }
}

/// serde_json's message without any quoted input.
fn describe(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof => "not valid JSON".to_owned(),
        Category::Data => {
            // Data errors name fields and types ("missing field `text`",
            // "invalid type: string \"...\", expected u32"); serde quotes the
            // offending input, which may be personal data, so every quoted
            // run is blanked. Field names are quoted too; they are kept out
            // as well, the column says where to look.
            let msg = e.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg);
            blank_quoted(msg)
        }
        Category::Io => "read error".to_owned(),
    }
}

/// Replaces the content of every `"..."` and `` `...` `` run with `…`.
fn blank_quoted(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut open: Option<char> = None;
    for c in msg.chars() {
        match open {
            Some(q) if c == q => {
                out.push('…');
                out.push(c);
                open = None;
            }
            Some(_) => {}
            None => {
                out.push(c);
                if c == '"' || c == '`' {
                    open = Some(c);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Rec {
        id: u32,
    }

    #[test]
    fn reads_in_chunks_and_skips_blank_lines() {
        let input = b"{\"id\":1}\n\n{\"id\":2}\n{\"id\":3}\n" as &[u8];
        let mut c = Chunks::new(input, 2);
        assert_eq!(
            c.next_chunk::<Rec>().unwrap(),
            vec![Rec { id: 1 }, Rec { id: 2 }]
        );
        assert_eq!(c.next_chunk::<Rec>().unwrap(), vec![Rec { id: 3 }]);
        assert!(c.next_chunk::<Rec>().unwrap().is_empty());
    }

    #[test]
    fn errors_name_the_line_but_not_its_content() {
        let input = b"{\"id\":1}\n{\"id\":\"secret@example.com\"}\n" as &[u8];
        let err = Chunks::new(input, 10)
            .next_chunk::<Rec>()
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("line 2:"), "{err}");
        assert!(!err.contains("secret"), "{err}");
        assert!(err.contains("expected u32"), "{err}");
        let bad = b"\xff\xfe\n" as &[u8];
        let err = Chunks::new(bad, 10)
            .next_chunk::<Rec>()
            .unwrap_err()
            .to_string();
        assert_eq!(err, "line 1: not valid UTF-8");
    }
}
