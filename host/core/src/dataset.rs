//! Dataset files: scrubbing a tenant's CSV and JSON Lines objects when a
//! subject is erased.
//!
//! Tenants keep copies of customer data outside the item store (exports to
//! analytics, support logs, mailing lists) under `datasets/{tenant}/`. An
//! erasure must reach them too. [`rewrite_dataset`] streams one such object
//! row by row, from a reader to a writer, in bounded memory, and decides for
//! each row whether it *concerns* one of the subjects being erased.
//!
//! # Which rows concern a subject
//!
//! A row concerns a subject when one of its cells (CSV) or scalars (JSON
//! Lines: strings, and numbers read as their text; not object keys) holds
//! one of the subject's known values, in whatever spelling the
//! [`SubjectMatcher`] of `lethe-detectors` recognises: a name in any case,
//! with or without diacritics, reversed or with an initial (`J. Smith`); an
//! e-mail address in any case, or its local part; a phone number in any
//! grouping or prefix form; an identifier as a whole token. A single name
//! part alone (`Smith`) is *not* enough to make a row concern the subject
//! (too many people share it): only findings scored at least
//! [`CONCERN_MIN_SCORE`] count. One matcher is prepared per subject, once;
//! with several subjects a combined matcher screens every row first, so
//! rows that concern nobody cost one scan per cell.
//!
//! # What happens to them
//!
//! By [`DatasetMode`]:
//!
//! - [`RemoveRows`](DatasetMode::RemoveRows) (the default) drops the row.
//! - [`ScrubRows`](DatasetMode::ScrubRows) keeps the row and rewrites each of
//!   its text cells with [`scrub_text`] under the tenant's policy: the
//!   tenant's scrubber is run over the cells with the subject's values, and
//!   the subject's own values found natively are added to its spans, so a
//!   weaker scrubber can never leave the subject's values behind. A cell
//!   that is wholly the subject's e-mail becomes `[EMAIL]` (or
//!   `[EMAIL:psn_…]` under `pseudonymize`, and so on by the policy). Other
//!   personal data the scrubber finds in that row is scrubbed as well. A
//!   JSON number holding such a value becomes the scrubbed text.
//!
//! # What stays as it was
//!
//! Rows that concern no subject are copied byte for byte, line endings,
//! quoting and blank lines included; so is the CSV header (the first row),
//! unless it holds a subject's value itself, when it is handled like a data
//! row. A scrubbed CSV row is written again with `,` and minimal quoting
//! (its values are what changed); a scrubbed JSON line is written back as
//! compact JSON with its keys in their original order. Either keeps its
//! original line ending.
//!
//! # Errors
//!
//! Malformed input stops the rewrite with the line number and what is wrong,
//! never a value: a CSV row with another number of cells than the first, a
//! cell or line that is not UTF-8, a line that is not JSON, a row longer
//! than [`MAX_ROW_BYTES`]. The output is then incomplete and must be
//! discarded (the caller writes to a temporary object and replaces the
//! original only on success).

use std::io::{self, BufRead, Read, Write};

use lethe_detectors::{Detector, Finding, Scanner, SubjectMatcher};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Subject;
use crate::pipeline::{PluginFailure, TextScanner};
use crate::policy::Policy;
use crate::pseudonym::PseudonymKey;
use crate::redact::scrub_text;
use crate::span::{Span, merge};

use self::raw::{
    Recorder, count_newlines, csv_error, csv_row, leading_newlines, line_ending, too_long,
};

/// The longest row (CSV record or JSON line) read, in bytes: 16 MiB.
pub const MAX_ROW_BYTES: usize = 16 * 1024 * 1024;

/// The score a subject finding needs for its row to concern the subject:
/// every form of a subject's value but a single name part alone.
pub const CONCERN_MIN_SCORE: f32 = 0.85;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The format of a dataset object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DatasetFormat {
    /// Comma-separated values (RFC 4180, `,`, `"` quoting, LF or CRLF); the
    /// first row is a header.
    Csv,
    /// One JSON value (usually an object) per line; blank lines allowed.
    JsonLines,
}

impl DatasetFormat {
    /// The format of an object by its key's extension, case-insensitive:
    /// `.csv`; `.jsonl` or `.ndjson`. `None` for anything else, which the
    /// erasure leaves alone (and reports).
    pub fn from_key(key: &str) -> Option<Self> {
        let lower = key.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            Some(DatasetFormat::Csv)
        } else if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
            Some(DatasetFormat::JsonLines)
        } else {
            None
        }
    }

    /// The media type a rewritten object of this format is stored with.
    pub fn content_type(self) -> &'static str {
        match self {
            DatasetFormat::Csv => "text/csv",
            DatasetFormat::JsonLines => "application/x-ndjson",
        }
    }
}

/// What an erasure does to the dataset rows that concern a subject; a
/// tenant setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum DatasetMode {
    /// Drop the rows (`remove-rows`).
    #[default]
    RemoveRows,
    /// Keep the rows with the personal data in them scrubbed
    /// (`scrub-rows`).
    ScrubRows,
}

/// What a rewrite did, counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasetOutcome {
    /// Data rows read (the CSV header and blank lines not counted).
    pub rows: u64,
    /// Rows dropped ([`DatasetMode::RemoveRows`]).
    pub removed: u64,
    /// Rows scrubbed ([`DatasetMode::ScrubRows`]).
    pub scrubbed: u64,
}

impl DatasetOutcome {
    /// Whether any row was changed, so the object must be replaced.
    pub fn changed(&self) -> bool {
        self.removed > 0 || self.scrubbed > 0
    }
}

/// Why a dataset could not be rewritten. No message holds a value of the
/// dataset.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DatasetError {
    /// Reading the input or writing the output failed.
    #[error("reading or writing the dataset failed: {0}")]
    Io(#[from] io::Error),
    /// The input is not valid in its format at `line`.
    #[error(
        "line {line} of the dataset is malformed: {reason}; fix that line and run the erasure \
         again (values are not shown here)"
    )]
    Malformed {
        /// The 1-based line where the bad row starts.
        line: u64,
        /// What is wrong, without values.
        reason: String,
    },
    /// The tenant's scrubber failed.
    #[error("the scrubber failed: {0}")]
    Scanner(PluginFailure),
}

/// Rewrites a dataset object from `input` to `output`, dropping or
/// scrubbing the rows that concern any of `subjects` (see the
/// [module docs](self)).
///
/// `scanner` is the tenant's scrubber (used by
/// [`ScrubRows`](DatasetMode::ScrubRows) only), `policy` and `key` decide
/// what scrubbed values become.
///
/// # Errors
///
/// A [`DatasetError`]; the output is then incomplete.
#[allow(clippy::too_many_arguments)]
pub fn rewrite_dataset(
    format: DatasetFormat,
    mode: DatasetMode,
    input: impl BufRead,
    output: impl Write,
    subjects: &[Subject],
    scanner: &dyn TextScanner,
    policy: &Policy,
    key: &PseudonymKey,
) -> Result<DatasetOutcome, DatasetError> {
    let rows = Rows {
        matchers: Matchers::new(subjects),
        subjects,
        mode,
        scanner,
        policy,
        key,
    };
    match format {
        DatasetFormat::Csv => rows.csv(input, output),
        DatasetFormat::JsonLines => rows.json_lines(input, output),
    }
}

/// The prepared subjects.
struct Matchers {
    /// One per subject, in order; `None` for a subject with nothing to match.
    each: Vec<Option<SubjectMatcher>>,
    /// All subjects at once, to screen rows when there are several.
    screen: Option<SubjectMatcher>,
    native: Scanner,
}

/// The subject findings of one subject in the cells of one row.
type CellFindings = Vec<Vec<Finding>>;

impl Matchers {
    fn new(subjects: &[Subject]) -> Self {
        let each: Vec<Option<SubjectMatcher>> = subjects
            .iter()
            .map(|s| Some(SubjectMatcher::new(s)).filter(|m| !m.is_empty()))
            .collect();
        let screen = (each.iter().flatten().count() > 1).then(|| {
            let mut all = Subject::default();
            for s in subjects {
                all.names.extend(s.names.iter().cloned());
                all.emails.extend(s.emails.iter().cloned());
                all.phones.extend(s.phones.iter().cloned());
                all.ids.extend(s.ids.iter().cloned());
            }
            SubjectMatcher::new(&all)
        });
        Matchers {
            each,
            screen,
            native: Scanner::new(),
        }
    }

    /// The subject findings of `matcher` in each cell, and whether one of
    /// them is strong enough to concern the subject.
    fn find(&self, matcher: &SubjectMatcher, cells: &[&str]) -> (CellFindings, bool) {
        let mut strong = false;
        let found = cells
            .iter()
            .map(|cell| {
                let mut found = self.native.scan(cell, Some(matcher));
                found.retain(|f| is_subject(f.detector));
                strong |= found.iter().any(|f| f.score >= CONCERN_MIN_SCORE);
                found
            })
            .collect();
        (found, strong)
    }

    /// The subjects (by index) the row of `cells` concerns, with their
    /// findings in each cell.
    fn concerned(&self, cells: &[&str]) -> Vec<(usize, CellFindings)> {
        if let Some(screen) = &self.screen
            && !self.find(screen, cells).1
        {
            return Vec::new();
        }
        self.each
            .iter()
            .enumerate()
            .filter_map(|(i, m)| {
                let (found, strong) = self.find(m.as_ref()?, cells);
                strong.then_some((i, found))
            })
            .collect()
    }
}

fn is_subject(detector: Detector) -> bool {
    matches!(
        detector,
        Detector::SubjectName
            | Detector::SubjectEmail
            | Detector::SubjectPhone
            | Detector::SubjectId
    )
}

/// One rewrite's settings.
struct Rows<'a> {
    matchers: Matchers,
    subjects: &'a [Subject],
    mode: DatasetMode,
    scanner: &'a dyn TextScanner,
    policy: &'a Policy,
    key: &'a PseudonymKey,
}

/// Whether a row concerns a subject, and if so what it becomes.
enum Verdict {
    /// It concerns no subject: written as it was.
    Untouched,
    /// It concerns a subject and is dropped ([`DatasetMode::RemoveRows`]).
    Remove,
    /// It concerns a subject; these are its cells scrubbed
    /// ([`DatasetMode::ScrubRows`]).
    Scrub(Vec<String>),
}

/// What becomes of one row's bytes.
enum Fate {
    /// Written as it was read.
    Keep,
    /// Not written.
    Drop,
    /// Written as these bytes (without line ending).
    Replace(Vec<u8>),
}

impl Rows<'_> {
    /// What becomes of the row of `cells`.
    fn decide(&self, cells: &[&str]) -> Result<Verdict, DatasetError> {
        let concerned = self.matchers.concerned(cells);
        if concerned.is_empty() {
            return Ok(Verdict::Untouched);
        }
        if self.mode == DatasetMode::RemoveRows {
            return Ok(Verdict::Remove);
        }
        // Scan the non-empty cells with each concerned subject, adding the
        // subject's own findings, then scrub each cell once.
        let scanned: Vec<usize> = (0..cells.len()).filter(|&i| !cells[i].is_empty()).collect();
        let texts: Vec<&str> = scanned.iter().map(|&i| cells[i]).collect();
        let mut spans: Vec<Vec<Span>> = vec![Vec::new(); cells.len()];
        for (subject, native) in concerned {
            for (cell, found) in native.into_iter().enumerate() {
                spans[cell].extend(
                    found
                        .into_iter()
                        .map(|f| Span::new(f.start, f.end, f.category())),
                );
            }
            if texts.is_empty() {
                continue;
            }
            let answer = self
                .scanner
                .scan(&texts, Some(&self.subjects[subject]))
                .map_err(DatasetError::Scanner)?;
            if answer.len() != texts.len() {
                return Err(DatasetError::Scanner(PluginFailure(format!(
                    "the scrubber answered for {} texts where {} were sent",
                    answer.len(),
                    texts.len()
                ))));
            }
            for (&cell, found) in scanned.iter().zip(answer) {
                spans[cell].extend(found);
            }
        }
        let out = cells
            .iter()
            .zip(spans)
            .map(|(cell, spans)| {
                if spans.is_empty() {
                    (*cell).to_owned()
                } else {
                    scrub_text(cell, &merge(spans), self.policy, self.key)
                }
            })
            .collect();
        Ok(Verdict::Scrub(out))
    }

    fn csv(
        &self,
        input: impl BufRead,
        mut output: impl Write,
    ) -> Result<DatasetOutcome, DatasetError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(false)
            .from_reader(Recorder::new(input));
        let mut outcome = DatasetOutcome::default();
        let mut record = csv::ByteRecord::new();
        let mut pending: Option<(Vec<u8>, Fate)> = None;
        let mut newlines: u64 = 0; // '\n's in the bytes cut so far
        let mut first = true;
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(err) => {
                    let line = newlines + 1 + leading_newlines(&reader.get_ref().buf);
                    return Err(csv_error(&err, line));
                }
            }
            let end = reader.position().byte();
            let mut raw = reader.get_mut().cut(end);
            let line = newlines + 1 + leading_newlines(&raw);
            newlines += count_newlines(&raw);

            let mut cells = Vec::with_capacity(record.len());
            for field in &record {
                cells.push(
                    std::str::from_utf8(field).map_err(|_| DatasetError::Malformed {
                        line,
                        reason: "a cell is not valid UTF-8 text; save the file as UTF-8".into(),
                    })?,
                );
            }
            let decision = self.decide(&cells)?;
            let is_header = std::mem::take(&mut first);
            if !(is_header && matches!(decision, Verdict::Untouched)) {
                outcome.rows += 1;
            }
            let fate = match decision {
                Verdict::Untouched => Fate::Keep,
                Verdict::Remove => {
                    outcome.removed += 1;
                    Fate::Drop
                }
                Verdict::Scrub(scrubbed) => {
                    outcome.scrubbed += 1;
                    Fate::Replace(csv_row(&scrubbed)?)
                }
            };
            if let Some((prev, prev_fate)) = pending.take() {
                settle(prev, &prev_fate, &mut raw, &mut output)?;
            }
            pending = Some((raw, fate));
        }
        let mut rest = reader.into_inner().buf;
        if let Some((prev, prev_fate)) = pending.take() {
            settle(prev, &prev_fate, &mut rest, &mut output)?;
        }
        output.write_all(&rest)?;
        output.flush()?;
        Ok(outcome)
    }

    fn json_lines(
        &self,
        mut input: impl BufRead,
        mut output: impl Write,
    ) -> Result<DatasetOutcome, DatasetError> {
        let mut outcome = DatasetOutcome::default();
        let mut buf = Vec::new();
        let mut line: u64 = 0;
        loop {
            buf.clear();
            let read = (&mut input)
                .take(MAX_ROW_BYTES as u64 + 1)
                .read_until(b'\n', &mut buf)?;
            if read == 0 {
                break;
            }
            line += 1;
            if buf.len() > MAX_ROW_BYTES {
                return Err(too_long(line));
            }
            let ending = line_ending(&buf);
            let mut content = &buf[..buf.len() - ending.len()];
            if line == 1 {
                content = content.strip_prefix(BOM).unwrap_or(content);
            }
            if content.iter().all(u8::is_ascii_whitespace) {
                output.write_all(&buf)?;
                continue;
            }
            let text = std::str::from_utf8(content).map_err(|_| DatasetError::Malformed {
                line,
                reason: "the line is not valid UTF-8 text; save the file as UTF-8".into(),
            })?;
            let mut value: Value =
                serde_json::from_str(text).map_err(|e| DatasetError::Malformed {
                    line,
                    reason: format!(
                        "the line is not one JSON value ({} error at column {}); write one JSON \
                     object per line",
                        match e.classify() {
                            serde_json::error::Category::Eof => "unexpected end",
                            serde_json::error::Category::Syntax => "syntax",
                            serde_json::error::Category::Data => "data",
                            serde_json::error::Category::Io => "read",
                        },
                        e.column()
                    ),
                })?;
            outcome.rows += 1;

            let mut texts = Vec::new();
            collect_scalars(&value, &mut texts);
            let cells: Vec<&str> = texts.iter().map(String::as_str).collect();
            match self.decide(&cells)? {
                Verdict::Untouched => output.write_all(&buf)?,
                Verdict::Remove => outcome.removed += 1,
                Verdict::Scrub(scrubbed) => {
                    outcome.scrubbed += 1;
                    let mut next = texts.iter().zip(scrubbed);
                    replace_scalars(&mut value, &mut next);
                    if line == 1 && buf.starts_with(BOM) {
                        output.write_all(BOM)?;
                    }
                    serde_json::to_writer(&mut output, &value).map_err(io::Error::from)?;
                    output.write_all(ending)?;
                }
            }
        }
        output.flush()?;
        Ok(outcome)
    }
}

/// The texts of a JSON value's strings and numbers, in document order.
fn collect_scalars(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Number(n) => out.push(n.to_string()),
        Value::Array(items) => items.iter().for_each(|v| collect_scalars(v, out)),
        Value::Object(map) => map.values().for_each(|v| collect_scalars(v, out)),
        Value::Null | Value::Bool(_) => {}
    }
}

/// Writes the scrubbed texts back, in the order [`collect_scalars`] read
/// them; a scalar whose text did not change is left as it was.
fn replace_scalars<'a>(value: &mut Value, next: &mut impl Iterator<Item = (&'a String, String)>) {
    match value {
        Value::String(_) | Value::Number(_) => {
            if let Some((before, after)) = next.next()
                && *before != after
            {
                *value = Value::String(after);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| replace_scalars(v, next)),
        Value::Object(map) => map.values_mut().for_each(|v| replace_scalars(v, next)),
        Value::Null | Value::Bool(_) => {}
    }
}

/// Writes the previous row, once the next row's bytes (or the rest of the
/// file) are known: a CR that ended the previous row takes the LF that
/// follows it, so that a row's bytes are its leading blank lines, its
/// content and its whole line ending.
fn settle(
    mut raw: Vec<u8>,
    fate: &Fate,
    next: &mut Vec<u8>,
    output: &mut impl Write,
) -> io::Result<()> {
    if raw.last() == Some(&b'\r') && next.first() == Some(&b'\n') {
        raw.push(b'\n');
        next.drain(..1);
    }
    match fate {
        Fate::Keep => output.write_all(&raw),
        Fate::Drop => Ok(()),
        Fate::Replace(content) => {
            let bom = if raw.starts_with(BOM) { BOM.len() } else { 0 };
            let lead = bom
                + raw[bom..]
                    .iter()
                    .take_while(|b| matches!(b, b'\r' | b'\n'))
                    .count();
            let ending = line_ending(&raw);
            output.write_all(&raw[..lead])?;
            output.write_all(content)?;
            output.write_all(ending)
        }
    }
}

mod raw;

#[cfg(test)]
mod tests;
