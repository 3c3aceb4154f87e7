//! The in-browser engine benchmark, opened as `index.html?bench=engine`. It runs the same
//! workloads as the native benchmark (`queue_engine::workload`) and writes the timings as JSON
//! into `<pre id="bench-result">`, where `cargo xtask bench` reads them.

use queue_engine::workload;
use queue_engine::Decimal;

/// Runs the benchmark if the page was opened for it; returns whether it did.
pub fn run_if_requested() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    if crate::url::query_param("bench").as_deref() != Some("engine") {
        return false;
    }
    let Some(performance) = window.performance() else {
        return false;
    };
    let mut results: Vec<String> = [(workload::steady(), 7), (workload::rush_hour(), 3)]
        .iter()
        .map(|(w, runs)| measure(&performance, w.name, *runs, || workload::run(w)))
        .collect();
    let log = workload::partitioned_log();
    results.push(measure(&performance, log.name, 7, || {
        workload::run_stream(&log)
    }));
    let json = format!("[{}]", results.join(","));
    if let Some(document) = window.document() {
        if let (Some(body), Ok(pre)) = (document.body(), document.create_element("pre")) {
            pre.set_id("bench-result");
            pre.set_text_content(Some(&json));
            let _ = body.append_child(&pre);
        }
    }
    true
}

fn measure(
    performance: &web_sys::Performance,
    name: &str,
    runs: usize,
    run: impl Fn() -> u64,
) -> String {
    let mut times = Vec::with_capacity(runs);
    let mut processed = 0;
    for _ in 0..runs {
        let start = performance.now();
        processed = run();
        times.push(performance.now() - start);
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    format!(
        r#"{{"workload":"{}","target":"wasm","runs":{runs},"median_ms":{},"processed":{processed}}}"#,
        name,
        Decimal::fixed(median, 1)
    )
}
