//! The printed table.

/// One measured line.
pub(crate) struct Row {
    metric: &'static str,
    native: Option<f64>,
    wasm: f64,
    ratio: Option<f64>,
    target: &'static str,
    met: bool,
}

impl Row {
    /// A native-vs-WASM comparison.
    pub(crate) fn compare(
        metric: &'static str,
        native: f64,
        wasm: f64,
        ratio: f64,
        target: &'static str,
        met: bool,
    ) -> Self {
        Self {
            metric,
            native: Some(native),
            wasm,
            ratio: Some(ratio),
            target,
            met,
        }
    }

    /// A WASM-only measurement.
    pub(crate) fn single(metric: &'static str, wasm: f64, target: &'static str, met: bool) -> Self {
        Self {
            metric,
            native: None,
            wasm,
            ratio: None,
            target,
            met,
        }
    }
}

/// All rows of one run.
pub(crate) struct Table {
    rows: Vec<Row>,
    quick: bool,
    allocation: String,
}

impl Table {
    pub(crate) fn new(quick: bool, allocation: String) -> Self {
        Self {
            rows: Vec::new(),
            quick,
            allocation,
        }
    }

    pub(crate) fn push(&mut self, row: Row) {
        self.rows.push(row);
    }

    pub(crate) fn print(&self) {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        println!(
            "lethe-bench{} — single thread, {cores} cores available, {} allocator",
            if self.quick {
                " --quick (sizes too small to mean anything)"
            } else {
                ""
            },
            self.allocation
        );
        println!(
            "{:<38} {:>12} {:>12} {:>8}  {:<38} met",
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
                "{:<38} {:>12} {:>12.1} {:>8}  {:<38} {}",
                r.metric,
                native,
                r.wasm,
                ratio,
                r.target,
                if r.met { "yes" } else { "NO" }
            );
        }
    }
}
