//! `qsim`: run scenario files natively and print a JSON report.
//!
//! ```text
//! qsim run FILE [--until DURATION] [--seed N] [--no-messages] [--events OUT.jsonl]
//! qsim check FILE...
//! qsim convert FILE          (a version 1 file, printed as version 2)
//! qsim definitions FILE      (the file's exchanges, queues and bindings as RabbitMQ definitions)
//! qsim import-definitions DEFS.json [--name NAME]   (RabbitMQ definitions as a version 2 file)
//! qsim terraform FILE       (the file's SNS topics, SQS queues and subscriptions as Terraform)
//! qsim kafka FILE           (the file's Kafka topics and consumer groups: commands and properties)
//! qsim redis FILE           (the file's Redis streams: the commands that run them as the engine does)
//! ```
//! Course authors use it to precompute a lesson's numbers; tests and benchmarks use it to run
//! every scenario in the repository; `--events` lets anyone check the engine from outside, one
//! JSON object per event (the schema is in the README). A bad file or option exits with 2.

use std::io::Write;
use std::process::ExitCode;

use queue_engine::topology::{definitions, kafka, redis, terraform};
use queue_engine::{Millis, ScenarioFile, ScenarioV2, World, WorldReport};

const USAGE: &str =
    "usage: qsim run FILE [--until 10m] [--seed N] [--no-messages] [--events OUT.jsonl]\n       \
     qsim check FILE...\n       qsim convert FILE\n       qsim definitions FILE\n       \
     qsim import-definitions DEFS.json [--name NAME]\n       qsim terraform FILE\n       \
     qsim kafka FILE\n       qsim redis FILE\n       qsim bench [steady|rush-hour|rush-hour-flat|log|ceiling] [--runs N]";

/// Events kept between two drains while writing `--events`: far more than one simulated
/// second produces, so nothing is dropped before it is written.
const EVENT_BUFFER: u32 = 2_000_000;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("qsim: {message}");
            ExitCode::from(2)
        }
    }
}

fn load(path: &str) -> Result<ScenarioV2, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    ScenarioFile::from_json(&text)
        .map(ScenarioFile::into_v2)
        .map_err(|e| format!("{path}: {e}"))
}

fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("run") => {
            let file = args.get(1).ok_or(USAGE)?;
            let mut scenario = load(file)?;
            let mut until = Millis::from_mins(10);
            let mut with_messages = true;
            let mut events: Option<String> = None;
            let mut rest = args[2..].iter();
            while let Some(flag) = rest.next() {
                match flag.as_str() {
                    "--until" => {
                        let v = rest.next().ok_or("--until needs a duration, e.g. 10m")?;
                        until = Millis::parse(v)
                            .map_err(|e| format!("--until: expected {e}; got \"{v}\""))?;
                    }
                    "--seed" => {
                        let v = rest.next().ok_or("--seed needs a number")?;
                        scenario.seed = v
                            .parse()
                            .map_err(|_| format!("--seed: expected a whole number; got \"{v}\""))?;
                    }
                    "--no-messages" => with_messages = false,
                    "--events" => {
                        events = Some(rest.next().ok_or("--events needs a file name")?.clone());
                    }
                    other => return Err(format!("unknown option {other}\n{USAGE}")),
                }
            }
            let mut plan = scenario.plan().map_err(|e| format!("{file}: {e}"))?;
            if events.is_some() {
                // Retention only: the run itself and its log hash do not depend on it.
                plan.limits.event_log = plan.limits.event_log.max(EVENT_BUFFER);
            }
            let mut world = World::new(plan).map_err(|e| format!("{file}: {e}"))?;
            match &events {
                Some(out) => write_events(&mut world, until, out)?,
                None => world.advance_to(until),
            }
            let report = WorldReport::of(&world, scenario.seed, with_messages);
            print(&serde_json::to_string_pretty(&report).expect("reports serialise"));
            Ok(())
        }
        Some("bench") => bench(&args[1..]),
        Some("check") if args.len() > 1 => {
            for file in &args[1..] {
                load(file)?;
                eprintln!("ok  {file}");
            }
            Ok(())
        }
        Some("convert") if args.len() == 2 => {
            print(&load(&args[1])?.to_json());
            Ok(())
        }
        Some("definitions") if args.len() == 2 => {
            let file = &args[1];
            let defs =
                definitions::export(&load(file)?.topology).map_err(|e| format!("{file}: {e}"))?;
            print(&serde_json::to_string_pretty(&defs).expect("JSON values serialise"));
            Ok(())
        }
        Some("terraform") if args.len() == 2 => {
            let file = &args[1];
            let hcl =
                terraform::export(&load(file)?.topology).map_err(|e| format!("{file}: {e}"))?;
            print(hcl.trim_end());
            Ok(())
        }
        Some("kafka") if args.len() == 2 => {
            let file = &args[1];
            let text = kafka::export(&load(file)?.topology).map_err(|e| format!("{file}: {e}"))?;
            print(text.trim_end());
            Ok(())
        }
        Some("redis") if args.len() == 2 => {
            let file = &args[1];
            let plan = load(file)?.plan().map_err(|e| format!("{file}: {e}"))?;
            let text = redis::export(&plan).map_err(|e| format!("{file}: {e}"))?;
            print(text.trim_end());
            Ok(())
        }
        Some("import-definitions") if args.len() == 2 || args.len() == 4 => {
            let file = &args[1];
            let name = match args.get(2).map(String::as_str) {
                Some("--name") => args[3].clone(),
                Some(other) => return Err(format!("unknown option {other}\n{USAGE}")),
                None => "imported".to_owned(),
            };
            let text =
                std::fs::read_to_string(file).map_err(|e| format!("cannot read {file}: {e}"))?;
            let doc: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| format!("{file}: not JSON: {e}"))?;
            let scenario =
                definitions::import_scenario(&doc, &name).map_err(|e| format!("{file}: {e}"))?;
            print(&scenario.to_json());
            Ok(())
        }
        _ => Err(USAGE.to_owned()),
    }
}

/// Prints to stdout; a reader that stopped early (`qsim run … | head`) is not an error.
fn print(text: &str) {
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

/// Runs to `until` a simulated second at a time, writing every event as one JSON line.
fn write_events(world: &mut World, until: Millis, out: &str) -> Result<(), String> {
    let file = std::fs::File::create(out).map_err(|e| format!("cannot write {out}: {e}"))?;
    let mut w = std::io::BufWriter::new(file);
    let mut written = 0u64;
    let mut t = Millis::ZERO;
    loop {
        t = t.saturating_add(Millis::from_secs(1)).min(until);
        world.advance_to(t);
        for event in world.drain_events() {
            writeln!(w, "{}", world.event_json(&event)).map_err(|e| format!("{out}: {e}"))?;
            written += 1;
        }
        if t >= until {
            break;
        }
    }
    w.flush().map_err(|e| format!("{out}: {e}"))?;
    if written != world.events_total() {
        return Err(format!(
            "{out}: wrote {written} of {} events; a simulated second produced more than {EVENT_BUFFER}",
            world.events_total()
        ));
    }
    eprintln!("{written} events written to {out}");
    Ok(())
}

/// Wall-clock timing of a benchmark workload: median of N runs, plus the process's peak memory.
fn bench(args: &[String]) -> Result<(), String> {
    let name = args.first().map(String::as_str).unwrap_or("steady");
    let runs: usize = match args.iter().position(|a| a == "--runs") {
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .ok_or("--runs needs a number")?,
        None => 5,
    };
    let run: Box<dyn Fn() -> u64> = match name {
        "steady" => {
            let w = queue_engine::workload::steady();
            Box::new(move || queue_engine::workload::run(&w))
        }
        "rush-hour" => {
            let w = queue_engine::workload::rush_hour();
            Box::new(move || queue_engine::workload::run(&w))
        }
        "rush-hour-flat" => {
            let w = queue_engine::workload::rush_hour_flat();
            Box::new(move || queue_engine::workload::run(&w))
        }
        "ceiling" => {
            let w = queue_engine::workload::steady();
            Box::new(move || queue_engine::workload::ceiling(&w))
        }
        "log" => {
            let w = queue_engine::workload::partitioned_log();
            Box::new(move || queue_engine::workload::run_stream(&w))
        }
        other => {
            return Err(format!(
            "unknown workload {other}; expected steady, rush-hour, rush-hour-flat, log or ceiling"
        ))
        }
    };
    let mut times = Vec::new();
    let mut processed = 0;
    let mut peak_kib = None;
    for _ in 0..runs.max(1) {
        let t = std::time::Instant::now();
        processed = run();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        // The peak of one run. Later runs in the same process start on the allocator's
        // leftovers from the first and peak higher (rush hour: 67 MB after three, 58 after one).
        peak_kib = peak_kib.or_else(|| {
            std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find(|l| l.starts_with("VmHWM:"))
                        .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
                })
        });
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let median = times[times.len() / 2];
    let report = serde_json::json!({
        "workload": name,
        "target": "native",
        "runs": times.len(),
        "median_ms": median,
        "processed": processed,
        "per_second": processed as f64 / (median / 1000.0),
        "peak_rss_kib": peak_kib,
    });
    println!("{report}");
    Ok(())
}
