//! `cargo xtask bench`: the engine's speed natively and as wasm in Chromium, on the same
//! workloads, reported as medians and as a wasm/native ratio. Figures only: nothing here fails on
//! a timing, because wall-clock times vary from machine to machine and run to run.
//!
//! `cargo xtask bench` runs all of it: the engine, the frame costs and the page load.
//! `cargo xtask bench load` runs one part on the current dist/ (build it first with `cargo xtask
//! build`); `cargo xtask bench frames` on the benchmark build it makes (feature `bench`, which
//! alone carries the backlog scenarios). `cargo xtask bench memory` (not part of the whole
//! run: it takes ten minutes) plays the pizza shop at 5000x and samples memory as it goes.

use serde_json::Value;

use crate::run::command;
use crate::{steps, tools};

/// Where `cargo xtask bench` builds the page with the in-browser engine benchmark.
const BENCH_DIST: &str = "target/bench-dist";
/// The copy of index.html the benchmark is built from, beside it (its paths are relative).
const BENCH_PAGE: &str = "bench.html";

pub fn run(only: Option<&str>) -> Result<(), String> {
    tools::ensure_build_tools()?;
    tools::ensure_browser()?;
    match only {
        None => {}
        Some("load") => return load(),
        Some("frames") => return frames(),
        Some("memory") => return memory(),
        Some(other) => {
            return Err(format!(
                "unknown benchmark `{other}`: expected load, frames or memory"
            ))
        }
    }
    println!("==> native engine (profile `fast`: release with opt-level 3)");
    let mut native = Vec::new();
    for (workload, runs) in [
        ("steady", "7"),
        ("ceiling", "7"),
        ("rush-hour", "3"),
        ("rush-hour-flat", "3"),
        ("log", "7"),
    ] {
        let out = command(
            "cargo",
            &[
                "run",
                "--quiet",
                "--profile",
                "fast",
                "--package",
                "queue-engine",
                "--bin",
                "qsim",
                "--",
                "bench",
                workload,
                "--runs",
                runs,
            ],
        )
        .output()
        .ok_or_else(|| format!("qsim bench {workload} failed"))?;
        let v: Value = serde_json::from_str(&out).map_err(|e| format!("qsim bench output: {e}"))?;
        println!("    {v}");
        native.push(v);
    }
    println!("==> wasm engine in headless Chromium (release build, dist/?bench=engine)");
    bench_build()?;
    let out = command("node", &["tests/bench/engine.mjs"])
        .env("CHROMIUM", tools::CHROMIUM)
        .env("BENCH_DIST", BENCH_DIST)
        .output()
        .ok_or("the in-browser benchmark failed")?;
    let wasm: Vec<Value> = serde_json::from_str(out.lines().last().unwrap_or("[]"))
        .map_err(|e| format!("browser output: {e}"))?;
    println!(
        "\n    {:<14} {:>12} {:>12} {:>10} {:>16} {:>14}",
        "workload", "native ms", "wasm ms", "wasm/nat", "native msg/s", "native peak"
    );
    for n in &native {
        let name = n["workload"].as_str().unwrap_or("?");
        let w = wasm.iter().find(|w| w["workload"] == n["workload"]);
        let nat_ms = n["median_ms"].as_f64().unwrap_or(f64::NAN);
        // The ceiling and the flat hour are native yardsticks; the page runs neither.
        let (wasm_ms, ratio) = match w.and_then(|w| w["median_ms"].as_f64()) {
            Some(ms) => (format!("{ms:.1}"), format!("{:.2}x", ms / nat_ms)),
            None => ("-".into(), "-".into()),
        };
        println!(
            "    {:<14} {:>12.1} {:>12} {:>10} {:>16.0} {:>11} KiB",
            name,
            nat_ms,
            wasm_ms,
            ratio,
            n["per_second"].as_f64().unwrap_or(0.0),
            n["peak_rss_kib"].as_u64().unwrap_or(0)
        );
    }
    let field = |name: &str, key: &str| {
        native
            .iter()
            .find(|n| n["workload"] == name)
            .and_then(|n| n[key].as_f64())
            .unwrap_or(f64::NAN)
    };
    let per_message = |name: &str| field(name, "median_ms") / field(name, "processed");
    println!(
        "\n    steady runs at {:.0} % of the ceiling (a bare (time, seq) heap loop of its shape)",
        100.0 * field("steady", "per_second") / field("ceiling", "per_second")
    );
    println!(
        "    rush hour costs {:.2}x per message what the same hour without its spike costs",
        per_message("rush-hour") / per_message("rush-hour-flat")
    );
    println!("\n    medians of 7 (steady, ceiling, log) and 3 (rush hours) runs; criterion: cargo bench -p queue-engine");
    steps::release_build()?;
    frames()?;
    load()
}

/// Navigation until the diagram is drawn and Play is enabled, on Fast 3G and with a 4x slower
/// CPU, served gzip-only and pre-compressed with brotli (tests/bench/load.mjs).
fn load() -> Result<(), String> {
    println!("\n==> time to a usable page in headless Chromium, cold cache (median of 5)");
    let out = command("node", &["tests/bench/load.mjs"])
        .env("CHROMIUM", tools::CHROMIUM)
        .output()
        .ok_or("the load benchmark failed")?;
    println!(
        "    {:<16} {:>10} {:>14}  runs (ms)",
        "condition", "median ms", "transferred B"
    );
    for line in out.lines() {
        let v: Value =
            serde_json::from_str(line).map_err(|e| format!("load benchmark output: {e}"))?;
        println!(
            "    {:<16} {:>10} {:>14}  {}",
            v["condition"].as_str().unwrap_or("?"),
            v["median_ms"].as_u64().unwrap_or(0),
            v["transferred_bytes"].as_u64().unwrap_or(0),
            v["runs"]
        );
    }
    Ok(())
}

/// The benchmark page is a build of its own (feature `bench`), so dist/ never carries it.
/// index.html names the page's features on its rust link, and trunk's `--features` does not
/// override that, so the benchmark is built from a copy of the page that names `bench` too.
fn bench_build() -> Result<(), String> {
    let root = crate::run::root();
    let page =
        std::fs::read_to_string(root.join("index.html")).map_err(|e| format!("index.html: {e}"))?;
    let (from, to) = (
        r#"data-cargo-features="fetched-lessons""#,
        r#"data-cargo-features="bench,fetched-lessons""#,
    );
    if !page.contains(from) {
        return Err(format!("index.html: expected {from} on the rust link"));
    }
    let copy = root.join(BENCH_PAGE);
    std::fs::write(&copy, page.replace(from, to)).map_err(|e| format!("{BENCH_PAGE}: {e}"))?;
    let built = command(
        "trunk",
        &["build", BENCH_PAGE, "--release", "--dist", BENCH_DIST],
    )
    .env("RUSTFLAGS", &crate::run::page_rustflags())
    .status();
    // Trunk writes the page as index.html whatever its source is called.
    let _ = std::fs::remove_file(&copy);
    built
}

/// Main-thread time per frame (from a DevTools trace) and time-travel jumps in the built page.
fn frames() -> Result<(), String> {
    println!(
        "\n==> main-thread time per frame in headless Chromium ({BENCH_DIST}/?scenario=ui-backlog-N)"
    );
    // The backlog scenarios are in the benchmark's build only (feature `bench`).
    bench_build()?;
    let out = command("node", &["tests/bench/frames.mjs"])
        .env("CHROMIUM", tools::CHROMIUM)
        .env("BENCH_DIST", BENCH_DIST)
        .output()
        .ok_or("the frame-time benchmark failed")?;
    println!(
        "    {:>9} {:>7} {:>9} {:>9} {:>7} {:>6}",
        "messages", "speed", "p50 ms", "p95 ms", "busy %", "fps"
    );
    for line in out.lines() {
        let v: Value =
            serde_json::from_str(line).map_err(|e| format!("frame benchmark output: {e}"))?;
        match v["kind"].as_str() {
            Some("frames") => println!(
                "    {:>9} {:>6}x {:>9.1} {:>9.1} {:>7.1} {:>6.1}",
                v["in_system_at_end"].as_u64().unwrap_or(0), v["speed"].as_u64().unwrap_or(0), v["p50_ms"].as_f64().unwrap_or(f64::NAN), v["p95_ms"].as_f64().unwrap_or(f64::NAN), v["busy_pct"].as_f64().unwrap_or(f64::NAN), v["fps"].as_f64().unwrap_or(f64::NAN)
            ),
            Some("paused") => println!(
                "    {:>9} paused {:>27.1}",
                v["messages"].as_u64().unwrap_or(0),
                v["busy_pct"].as_f64().unwrap_or(f64::NAN)
            ),
            Some("log-frames") => println!(
                "    partitioned log, {} partitions x {} groups at {}x: p50 {:.1} ms, p95 {:.1} ms, {:.1}% of frames' work within 16.7 ms",
                v["partitions"], v["groups"], v["speed"],
                v["p50_ms"].as_f64().unwrap_or(f64::NAN), v["p95_ms"].as_f64().unwrap_or(f64::NAN),
                v["on_time_pct"].as_f64().unwrap_or(f64::NAN)
            ),
            Some("seek") => println!(
                "    time travel in a {:.0}-minute run: median jump {:.0} ms, slowest {:.0} ms ({} jumps)",
                v["run_ms"].as_f64().unwrap_or(0.0) / 60_000.0,
                v["p50_ms"].as_f64().unwrap_or(f64::NAN),
                v["max_ms"].as_f64().unwrap_or(f64::NAN),
                v["jumps"]
            ),
            _ => {}
        }
    }
    Ok(())
}

/// Memory at speed: the pizza shop at 5000x for ten minutes of wall time (tests/bench/memory.mjs;
/// `MEM_MINUTES` shortens it), sampled every 30 s.
fn memory() -> Result<(), String> {
    println!("\n==> memory at 5000x in headless Chromium (dist/?s=pizza-shop&x=5000)");
    let out = command("node", &["tests/bench/memory.mjs"])
        .env("CHROMIUM", tools::CHROMIUM)
        .output()
        .ok_or("the memory benchmark failed")?;
    let mb = |v: &Value| v.as_f64().map_or(f64::NAN, |b| b / 1_048_576.0);
    println!(
        "    {:>6} {:>12} {:>9} {:>9} {:>9} {:>12}",
        "wall s", "simulated h", "wasm MB", "JS MB", "DOM nodes", "renderer MB"
    );
    for line in out.lines() {
        let v: Value =
            serde_json::from_str(line).map_err(|e| format!("memory benchmark output: {e}"))?;
        match v["kind"].as_str() {
            Some("sample") => println!(
                "    {:>6} {:>12.1} {:>9.1} {:>9.1} {:>9} {:>12.1}",
                v["wall_s"],
                v["sim_ms"].as_f64().unwrap_or(0.0) / 3_600_000.0,
                mb(&v["wasm_bytes"]),
                mb(&v["js_heap_bytes"]),
                v["dom_nodes"],
                mb(&v["renderer_rss_bytes"])
            ),
            Some("summary") => println!(
                "    last sample / first after a minute: wasm {:.2}x, JS heap {:.2}x, DOM {:.2}x, renderer {:.2}x",
                v["wasm_growth"].as_f64().unwrap_or(f64::NAN),
                v["js_heap_growth"].as_f64().unwrap_or(f64::NAN),
                v["dom_growth"].as_f64().unwrap_or(f64::NAN),
                v["rss_growth"].as_f64().unwrap_or(f64::NAN)
            ),
            _ => {}
        }
    }
    Ok(())
}
