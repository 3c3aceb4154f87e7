//! `qsim`: run scenario files natively and print a JSON report.
//!
//! ```text
//! qsim run FILE [--until DURATION] [--seed N] [--no-messages]
//! qsim check FILE...
//! ```
//! Course authors use it to precompute a lesson's numbers; tests and benchmarks use it to run
//! every scenario in the repository.

use std::process::ExitCode;

use queue_engine::{Millis, Report, Scenario, Sim};

const USAGE: &str =
    "usage: qsim run FILE [--until 10m] [--seed N] [--no-messages]\n       qsim check FILE...";

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

fn load(path: &str) -> Result<Scenario, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    Scenario::from_json(&text).map_err(|e| format!("{path}: {e}"))
}

fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("run") => {
            let file = args.get(1).ok_or(USAGE)?;
            let mut scenario = load(file)?;
            let mut until = Millis::from_mins(10);
            let mut with_messages = true;
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
                    other => return Err(format!("unknown option {other}\n{USAGE}")),
                }
            }
            let mut sim = Sim::new(scenario).map_err(|e| format!("{file}: {e}"))?;
            sim.advance_to(until);
            let mut report = Report::of(&sim);
            if !with_messages {
                report.messages.clear();
            }
            println!(
                "{}",
                serde_json::to_string_pretty(&report).expect("reports serialise")
            );
            Ok(())
        }
        Some("check") if args.len() > 1 => {
            for file in &args[1..] {
                load(file)?;
                eprintln!("ok  {file}");
            }
            Ok(())
        }
        _ => Err(USAGE.to_owned()),
    }
}
