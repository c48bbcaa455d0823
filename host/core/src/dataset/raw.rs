//! The raw bytes of dataset rows: line endings and line counting, CSV rows
//! written back with minimal quoting, the errors a row can raise, and the
//! [`Recorder`] that keeps the bytes of the row being read so an untouched
//! row is written back byte for byte.

use std::io::{self, Read};

use super::{DatasetError, MAX_ROW_BYTES};

/// The line ending at the end of `raw`: `\r\n`, `\n`, `\r` or nothing.
pub(super) fn line_ending(raw: &[u8]) -> &'static [u8] {
    if raw.ends_with(b"\r\n") {
        b"\r\n"
    } else if raw.ends_with(b"\n") {
        b"\n"
    } else if raw.ends_with(b"\r") {
        b"\r"
    } else {
        b""
    }
}

/// One CSV row with `,` and minimal quoting, without a line ending.
pub(super) fn csv_row(cells: &[String]) -> Result<Vec<u8>, DatasetError> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    writer
        .write_record(cells)
        .map_err(|e| io::Error::other(e.to_string()))?;
    let mut bytes = writer
        .into_inner()
        .map_err(|e| io::Error::other(e.error().to_string()))?;
    bytes.pop();
    Ok(bytes)
}

/// How many line breaks precede the first content byte of `raw`: the blank
/// lines before a row, and the LF of the previous row's CRLF.
pub(super) fn leading_newlines(raw: &[u8]) -> u64 {
    count_newlines(
        &raw[..raw
            .iter()
            .position(|b| !matches!(b, b'\r' | b'\n'))
            .unwrap_or(raw.len())],
    )
}

pub(super) fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

pub(super) fn too_long(line: u64) -> DatasetError {
    DatasetError::Malformed {
        line,
        reason: format!(
            "the row is longer than {} MiB; split it, or keep such data out of datasets",
            MAX_ROW_BYTES / (1024 * 1024)
        ),
    }
}

/// A CSV reader error as a [`DatasetError`], at `line`.
pub(super) fn csv_error(err: &csv::Error, line: u64) -> DatasetError {
    match err.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => DatasetError::Malformed {
            line,
            reason: format!(
                "the row has {len} cells where the first row has {expected_len}; give every \
                 row the same number of cells (quote cells that contain commas)"
            ),
        },
        csv::ErrorKind::Io(e) if e.get_ref().is_some_and(|i| i.is::<RowTooLong>()) => {
            too_long(line)
        }
        csv::ErrorKind::Io(e) => DatasetError::Io(io::Error::new(e.kind(), e.to_string())),
        _ => DatasetError::Malformed {
            line,
            reason: "the row is not valid CSV".into(),
        },
    }
}

/// The error a [`Recorder`] reads with when a row grows past
/// [`MAX_ROW_BYTES`].
#[derive(Debug)]
pub(super) struct RowTooLong;

impl std::fmt::Display for RowTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a row is too long")
    }
}

impl std::error::Error for RowTooLong {}

/// A reader that keeps a copy of the bytes read since the last
/// [`cut`](Recorder::cut), so that rows can be written back byte for byte.
pub(super) struct Recorder<R> {
    inner: R,
    /// Bytes from absolute offset `at` on.
    pub(super) buf: Vec<u8>,
    at: u64,
}

impl<R> Recorder<R> {
    pub(super) fn new(inner: R) -> Self {
        Recorder {
            inner,
            buf: Vec::new(),
            at: 0,
        }
    }

    /// The bytes up to absolute offset `end`, removed from the copy.
    pub(super) fn cut(&mut self, end: u64) -> Vec<u8> {
        let n = usize::try_from(end.saturating_sub(self.at))
            .unwrap_or(usize::MAX)
            .min(self.buf.len());
        self.at += n as u64;
        let rest = self.buf.split_off(n);
        std::mem::replace(&mut self.buf, rest)
    }
}

impl<R: Read> Read for Recorder<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.buf.len() > MAX_ROW_BYTES + 64 * 1024 {
            return Err(io::Error::other(RowTooLong));
        }
        let n = self.inner.read(out)?;
        self.buf.extend_from_slice(&out[..n]);
        Ok(n)
    }
}
