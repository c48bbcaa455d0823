//! The printed table.

/// One measured line.
pub(crate) struct Row {
    metric: String,
    native: Option<f64>,
    wasm: f64,
    ratio: Option<f64>,
    target: String,
    met: bool,
}

impl Row {
    /// A native-vs-WASM comparison.
    pub(crate) fn compare(
        metric: impl Into<String>,
        native: f64,
        wasm: f64,
        ratio: f64,
        target: impl Into<String>,
        met: bool,
    ) -> Self {
        Self {
            metric: metric.into(),
            native: Some(native),
            wasm,
            ratio: Some(ratio),
            target: target.into(),
            met,
        }
    }

    /// A WASM-only measurement (also: the engine end to end, whose plugins
    /// run in WebAssembly).
    pub(crate) fn single(
        metric: impl Into<String>,
        wasm: f64,
        target: impl Into<String>,
        met: bool,
    ) -> Self {
        Self {
            metric: metric.into(),
            native: None,
            wasm,
            ratio: None,
            target: target.into(),
            met,
        }
    }
}

/// All rows of one run.
pub(crate) struct Table {
    rows: Vec<Row>,
    notes: Vec<String>,
    quick: bool,
    allocation: String,
}

impl Table {
    pub(crate) fn new(quick: bool, allocation: String) -> Self {
        Self {
            rows: Vec::new(),
            notes: Vec::new(),
            quick,
            allocation,
        }
    }

    pub(crate) fn push(&mut self, row: Row) {
        self.rows.push(row);
    }

    /// A line printed under the table (how a group was measured).
    pub(crate) fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    pub(crate) fn print(&self) {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        println!(
            "lethe-bench{} — single thread (engine rows: 2 workers), {cores} cores available, {} allocator",
            if self.quick {
                " --quick (sizes too small to mean anything)"
            } else {
                ""
            },
            self.allocation
        );
        println!(
            "{:<44} {:>12} {:>12} {:>8}  {:<38} met",
            "metric", "native", "wasm", "ratio", "target"
        );
        for r in &self.rows {
            let native = r
                .native
                .map_or_else(|| "-".to_owned(), |n| format!("{n:.1}"));
            let ratio = r
                .ratio
                .map_or_else(|| "-".to_owned(), |x| format!("{x:.2}x"));
            println!(
                "{:<44} {:>12} {:>12.1} {:>8}  {:<38} {}",
                r.metric,
                native,
                r.wasm,
                ratio,
                r.target,
                if r.met { "yes" } else { "NO" }
            );
        }
        for note in &self.notes {
            println!("{note}");
        }
    }
}
