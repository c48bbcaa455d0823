//! The customer id lists of bulk redaction jobs: parsed, checked and
//! stored.
//!
//! An operator starts a bulk job with a list of the tenant's customer ids,
//! either as a JSON array ([`from_ids`]) or as an uploaded CSV file
//! ([`from_csv`]). Both give an [`IdList`]: the ids to redact, each once, in
//! input order, and the rows that were left out, with why
//! ([`RowIssue`]), for the preview the operator confirms before anything is
//! redacted.
//!
//! # Rules
//!
//! - Every id is trimmed of surrounding white space.
//! - A row that is empty, longer than [`MAX_ID_LEN`] characters, or holds a
//!   control character (a tab, a line break) is left out and reported;
//!   it does not fail the list.
//! - An id given again is left out and reported with the row that first
//!   gave it ([`RowProblem::Duplicate`]). Ids are compared exactly: the
//!   tenant's ids may be case-sensitive.
//! - A job takes at most [`MAX_BULK_IDS`] distinct ids; a longer list is
//!   refused as a whole ([`BulkInputError::TooMany`], with the full count),
//!   so that the operator splits it rather than have part of it silently
//!   ignored. A list with no usable id is refused too.
//!
//! # CSV files
//!
//! At most [`MAX_CSV_BYTES`], UTF-8 (a byte-order mark is skipped), `,`
//! separated, `"` quoted, LF or CRLF line endings; blank lines are ignored.
//! The first row is a header if one of its cells is (ignoring case and
//! surrounding space) `customer_id`, `customer id`, `customerid`, `id` or
//! `customer`, in that order of preference: the ids are then read from that
//! column. A file with a single column and no such header is a plain list,
//! its first row already an id (so a plain list whose first id is literally
//! `id` or `customer` needs a `customer_id` header line). A file with several columns and no such
//! header is refused ([`BulkInputError::NoIdColumn`]), naming the columns it
//! found. Every row must have as many cells as the first.
//!
//! Row numbers are 1-based: the position in the JSON array, or the CSV line
//! on which the row starts (so a header is line 1).
//!
//! # No ids in messages
//!
//! Ids may be e-mail addresses. Errors and issues name rows and lines,
//! never an id or a cell; each error says how to fix the input.
//!
//! # Stored form
//!
//! A confirmed list is stored as text, one id per line
//! ([`IdList::to_lines`], read back by [`IdList::from_lines`]); ids never
//! hold line breaks, so this is exact.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The most distinct ids one bulk job takes.
pub const MAX_BULK_IDS: usize = 50_000;

/// The largest CSV file accepted, in bytes (16 MiB).
pub const MAX_CSV_BYTES: usize = 16 * 1024 * 1024;

/// The longest id accepted, in characters.
pub const MAX_ID_LEN: usize = 256;

/// Header names (lower case, trimmed) of the id column, most preferred
/// first.
const ID_COLUMNS: [&str; 5] = ["customer_id", "customer id", "customerid", "id", "customer"];

/// A checked list of customer ids.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdList {
    /// The ids, trimmed, each once, in input order.
    pub ids: Vec<String>,
    /// The rows left out, in row order.
    pub issues: Vec<RowIssue>,
}

/// A row of the input that was left out of the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowIssue {
    /// 1-based: the position in the JSON list, or the CSV line number.
    pub row: usize,
    /// Why it was left out.
    pub problem: RowProblem,
}

/// Why a row was left out. Serialized as `{"kind": "duplicate",
/// "first_row": 3}`, `{"kind": "empty"}`, ….
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum RowProblem {
    /// The id was already given, first on `first_row`.
    Duplicate {
        /// The row that gave it first (and is kept).
        first_row: usize,
    },
    /// The row holds nothing but white space.
    Empty,
    /// The id is longer than [`MAX_ID_LEN`] characters.
    TooLong,
    /// The id holds a control character (tab, line break, …).
    ControlCharacters,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RowProblem::Duplicate { first_row } => {
                write!(f, "the same id as row {first_row}, which is kept")
            }
            RowProblem::Empty => f.write_str("no id"),
            RowProblem::TooLong => write!(f, "an id longer than {MAX_ID_LEN} characters"),
            RowProblem::ControlCharacters => {
                f.write_str("an id with a control character (a tab or line break)")
            }
        }
    }
}

/// Why a list was refused as a whole. Messages name rows and columns, never
/// an id or a cell.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BulkInputError {
    /// No usable id at all.
    #[error(
        "the list holds no usable customer id; give at least one id, one per row (in a CSV \
         file, in a column named customer_id)"
    )]
    Empty,
    /// More distinct ids than one job takes.
    #[error(
        "the list holds {count} distinct customer ids, more than the {max} one job takes; \
         split the list into several jobs"
    )]
    TooMany {
        /// How many distinct, valid ids the list holds.
        count: usize,
        /// [`MAX_BULK_IDS`].
        max: usize,
    },
    /// The file is larger than [`MAX_CSV_BYTES`].
    #[error(
        "the file is {bytes} bytes, more than the {max} accepted; split it into several files \
         and start a job for each"
    )]
    TooLarge {
        /// The file's size.
        bytes: usize,
        /// [`MAX_CSV_BYTES`].
        max: usize,
    },
    /// A row is not UTF-8.
    #[error(
        "line {line} is not UTF-8 text; save the file as UTF-8 (in Excel: \"CSV UTF-8\") and \
         upload it again"
    )]
    InvalidUtf8 {
        /// The 1-based line where the row starts.
        line: usize,
    },
    /// A row is not valid CSV.
    #[error("line {line} is not valid CSV: {reason}")]
    MalformedCsv {
        /// The 1-based line where the row starts.
        line: usize,
        /// What is wrong and how to fix it, without values.
        reason: String,
    },
    /// Several columns, none of them named as the id column.
    #[error(
        "no column of the file is named as the customer id column (found: {}); name it \
         customer_id in the first row, or upload a file with the ids as its only column",
        .columns.join(", ")
    )]
    NoIdColumn {
        /// The first row's cells, as column names; a cell that does not
        /// look like a column name (too long, or with `@` or many digits)
        /// is shown as `column N` instead.
        columns: Vec<String>,
    },
}

/// Checks a list of ids given as JSON (row = position in the list, from 1).
///
/// # Errors
///
/// [`BulkInputError::TooMany`] or [`BulkInputError::Empty`].
pub fn from_ids(ids: Vec<String>) -> Result<IdList, BulkInputError> {
    collect(ids.into_iter().enumerate().map(|(i, id)| (i + 1, id)))
}

/// Reads and checks a CSV file of ids (see the [module docs](self#csv-files)).
///
/// # Errors
///
/// Any [`BulkInputError`].
pub fn from_csv(bytes: &[u8]) -> Result<IdList, BulkInputError> {
    if bytes.len() > MAX_CSV_BYTES {
        return Err(BulkInputError::TooLarge {
            bytes: bytes.len(),
            max: MAX_CSV_BYTES,
        });
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(false)
        .from_reader(bytes);
    let mut lines = LineCounter::default();
    let mut record = csv::ByteRecord::new();
    let mut column: Option<usize> = None;
    let mut rows = Vec::new();
    loop {
        let start = reader.position().byte();
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(err) => {
                let at = err.position().map_or(start, csv::Position::byte);
                let line = lines.line_at(bytes, to_usize(at));
                return Err(csv_error(&err, line));
            }
        }
        let line = lines.line_at(bytes, to_usize(start));
        let mut cells = Vec::with_capacity(record.len());
        for field in &record {
            cells.push(
                std::str::from_utf8(field).map_err(|_| BulkInputError::InvalidUtf8 { line })?,
            );
        }
        let column = match column {
            Some(c) => c,
            None => {
                let found = header_column(&cells);
                let c = match found {
                    Some(c) => c,
                    None if cells.len() == 1 => 0,
                    None => return Err(no_id_column(&cells)),
                };
                column = Some(c);
                if found.is_some() {
                    continue;
                }
                c
            }
        };
        rows.push((line, cells[column].to_owned()));
    }
    collect(rows.into_iter())
}

impl IdList {
    /// The stored form of the ids: one per line, each line ending in `\n`.
    pub fn to_lines(&self) -> String {
        let mut out = String::with_capacity(self.ids.iter().map(|id| id.len() + 1).sum());
        for id in &self.ids {
            out.push_str(id);
            out.push('\n');
        }
        out
    }

    /// Reads the stored form back (no issues). Tolerates CRLF, surrounding
    /// space and blank lines, and keeps the first of any repeated id, so the
    /// result always holds distinct, trimmed ids.
    pub fn from_lines(text: &str) -> IdList {
        let mut seen = std::collections::HashSet::new();
        let ids = text
            .split('\n')
            .map(str::trim)
            .filter(|id| !id.is_empty() && seen.insert(*id))
            .map(str::to_owned)
            .collect();
        IdList {
            ids,
            issues: Vec::new(),
        }
    }
}

/// Applies the rules to `(row, raw id)` pairs.
fn collect(rows: impl Iterator<Item = (usize, String)>) -> Result<IdList, BulkInputError> {
    let mut first_rows: HashMap<String, usize> = HashMap::new();
    let mut list = IdList::default();
    for (row, raw) in rows {
        let id = raw.trim();
        let problem = if id.is_empty() {
            Some(RowProblem::Empty)
        } else if id.chars().count() > MAX_ID_LEN {
            Some(RowProblem::TooLong)
        } else if id.chars().any(char::is_control) {
            Some(RowProblem::ControlCharacters)
        } else {
            first_rows
                .get(id)
                .map(|&first_row| RowProblem::Duplicate { first_row })
        };
        match problem {
            Some(problem) => list.issues.push(RowIssue { row, problem }),
            None => {
                first_rows.insert(id.to_owned(), row);
                list.ids.push(id.to_owned());
            }
        }
    }
    if list.ids.len() > MAX_BULK_IDS {
        return Err(BulkInputError::TooMany {
            count: list.ids.len(),
            max: MAX_BULK_IDS,
        });
    }
    if list.ids.is_empty() {
        return Err(BulkInputError::Empty);
    }
    Ok(list)
}

/// The id column named in a header row, by preference.
fn header_column(cells: &[&str]) -> Option<usize> {
    let names: Vec<String> = cells.iter().map(|c| c.trim().to_lowercase()).collect();
    ID_COLUMNS
        .iter()
        .find_map(|want| names.iter().position(|n| n == want))
}

fn no_id_column(cells: &[&str]) -> BulkInputError {
    let columns = cells
        .iter()
        .enumerate()
        .map(|(i, cell)| {
            let name = cell.trim();
            let digits = name.chars().filter(char::is_ascii_digit).count();
            let looks_like_a_name = name.chars().count() <= 40
                && !name.contains('@')
                && digits < 4
                && !name.chars().any(char::is_control);
            if name.is_empty() {
                format!("column {} (unnamed)", i + 1)
            } else if looks_like_a_name {
                name.to_owned()
            } else {
                format!("column {}", i + 1)
            }
        })
        .collect();
    BulkInputError::NoIdColumn { columns }
}

fn csv_error(err: &csv::Error, line: usize) -> BulkInputError {
    let reason = match err.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!(
            "the row has {len} cells where the first row has {expected_len}; give every row the \
             same number of cells, and quote ids that contain a comma"
        ),
        _ => "the row could not be read; check its quotes and save the file as CSV again".into(),
    };
    BulkInputError::MalformedCsv { line, reason }
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// Turns the byte offsets the CSV reader gives into line numbers.
///
/// The reader's offset for a row is where the previous row's content ended,
/// which may be before that row's line ending (a CR of CRLF) and before
/// blank lines; the row's own line is the one of its first byte after them.
#[derive(Default)]
struct LineCounter {
    /// Offset counted up to.
    at: usize,
    /// Line breaks before `at`.
    breaks: usize,
}

impl LineCounter {
    /// The 1-based line of the row whose bytes begin at `start`.
    fn line_at(&mut self, bytes: &[u8], start: usize) -> usize {
        let start = start.min(bytes.len());
        let first = bytes[start..]
            .iter()
            .position(|b| !matches!(b, b'\r' | b'\n'))
            .map_or(bytes.len(), |p| start + p);
        if first >= self.at {
            self.breaks += bytes[self.at..first]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.at = first;
        }
        self.breaks + 1
    }
}

#[cfg(test)]
mod tests;
