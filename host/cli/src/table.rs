//! Small aligned text tables for the engine commands' output.

use jiff::Timestamp;

/// Prints `rows` under `headers`, columns padded to their widest cell,
/// indented by two spaces. A column whose every cell is a number is
/// right-aligned.
pub(crate) fn print(headers: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    let mut numeric = vec![!rows.is_empty(); headers.len()];
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
            if let Some(n) = numeric.get_mut(i) {
                *n &= is_number(cell);
            }
        }
    }
    let line = |cells: &[&str]| {
        let mut out = String::from(" ");
        for (i, cell) in cells.iter().enumerate() {
            let w = widths.get(i).copied().unwrap_or(0);
            if numeric.get(i).copied().unwrap_or(false) {
                out.push_str(&format!(" {cell:>w$}"));
            } else {
                out.push_str(&format!(" {cell:<w$}"));
            }
        }
        println!("{}", out.trim_end());
    };
    line(headers);
    let rules: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    line(&rules.iter().map(String::as_str).collect::<Vec<_>>());
    for row in rows {
        line(&row.iter().map(String::as_str).collect::<Vec<_>>());
    }
}

/// Whether a cell is a plain number.
fn is_number(cell: &str) -> bool {
    cell.chars().any(|c| c.is_ascii_digit())
        && cell
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
}

/// A timestamp as `YYYY-MM-DD HH:MM:SS` UTC, or `-`.
pub(crate) fn time(at: Option<Timestamp>) -> String {
    at.map_or_else(
        || "-".to_string(),
        |t| t.strftime("%Y-%m-%d %H:%M:%SZ").to_string(),
    )
}

/// The columns of a job history table (`lethe jobs`, `lethe remote jobs`).
const JOB_COLUMNS: [&str; 10] = [
    "job",
    "kind",
    "status",
    "created_by",
    "created",
    "started",
    "finished",
    "succeeded",
    "failed",
    "skipped",
];

/// One job as a row of the job history table.
pub(crate) struct JobRow<'a> {
    /// The job's id.
    pub(crate) id: &'a str,
    /// Its kind, as the API names it.
    pub(crate) kind: &'a str,
    /// Its status, as the API names it.
    pub(crate) status: &'a str,
    /// Who created it.
    pub(crate) created_by: &'a str,
    /// Created, started and finished.
    pub(crate) times: [Option<Timestamp>; 3],
    /// Succeeded, failed and skipped.
    pub(crate) counts: [u64; 3],
}

/// Prints a job history table.
pub(crate) fn print_jobs(jobs: &[JobRow<'_>]) {
    let rows: Vec<Vec<String>> = jobs
        .iter()
        .map(|j| {
            let mut row = vec![
                j.id.to_string(),
                j.kind.to_string(),
                j.status.to_string(),
                j.created_by.to_string(),
            ];
            row.extend(j.times.iter().map(|t| time(*t)));
            row.extend(j.counts.iter().map(u64::to_string));
            row
        })
        .collect();
    print(&JOB_COLUMNS, &rows);
}
