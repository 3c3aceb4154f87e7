//! `qsim-verify FILE --broker amqp://…|sqs+http://…|stomp://…|redis://127.0.0.1:PORT [--until DUR]
//! [--report OUT.json]`, or `qsim-verify --activemq-policies` (prints the ActiveMQ broker
//! configuration the ActiveMQ runs need).
//!
//! Replays a version 2 scenario on a real RabbitMQ, SQS endpoint (moto), ActiveMQ or Redis and
//! compares each message with the engine.
//! Exit status: 0 when every message agrees, 1 on any difference, 2 when the file or an option
//! is bad or the broker cannot be reached. (`qsim-verify verify FILE …` is accepted too.)

use std::process::ExitCode;
use std::time::Instant;

use queue_engine::Millis;
use queue_verify::{compare, verify, Error, RunReport};

const USAGE: &str = "usage: qsim-verify FILE \
     --broker amqp://127.0.0.1:PORT|sqs+http://127.0.0.1:PORT|stomp://127.0.0.1:PORT|redis://127.0.0.1:PORT \
     [--until 30s] [--report OUT.json]\n       qsim-verify --activemq-policies";

struct Args {
    file: String,
    broker: String,
    until: Option<Millis>,
    report: Option<String>,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut args = args.iter();
    let mut file = None;
    let mut broker = None;
    let mut until = None;
    let mut report = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--broker" => broker = Some(args.next().ok_or("--broker needs a URL")?.clone()),
            "--until" => {
                let v = args.next().ok_or("--until needs a duration, e.g. 30s")?;
                until = Some(
                    Millis::parse(v).map_err(|e| format!("--until: expected {e}; got \"{v}\""))?,
                );
            }
            "--report" => report = Some(args.next().ok_or("--report needs a file name")?.clone()),
            "verify" if file.is_none() => {}
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            f if file.is_none() => file = Some(f.to_owned()),
            extra => return Err(format!("one scenario file at a time; got also {extra}")),
        }
    }
    Ok(Args {
        file: file.ok_or("no scenario file given")?,
        broker: broker.ok_or(
            "--broker is required, e.g. --broker amqp://127.0.0.1:5673, sqs+http://127.0.0.1:5055, \
             stomp://127.0.0.1:61613 or redis://127.0.0.1:6379",
        )?,
        until,
        report,
    })
}

fn main() -> ExitCode {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    if raw == ["--activemq-policies"] {
        print!(
            "{}",
            queue_verify::activemq::wire::broker_policies(
                queue_verify::plan::ACTIVEMQ_MAX_REDELIVERIES,
                queue_verify::activemq::wire::GC_AFTER_MS
            )
        );
        return ExitCode::SUCCESS;
    }
    let args = match parse(&raw) {
        Ok(a) => a,
        Err(m) => {
            eprintln!("qsim-verify: {m}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    let (plan, comparison) = match verify(&args.file, &args.broker, args.until) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("qsim-verify: {e}");
            if matches!(e, Error::File(_)) {
                eprintln!("{USAGE}");
            }
            return ExitCode::from(2);
        }
    };
    let wall = started.elapsed();
    println!(
        "{} ({}): {} simulated, time scale ×{:.2}, {:.1} s on {}",
        args.file,
        plan.name,
        plan.until,
        plan.scale,
        wall.as_secs_f64(),
        args.broker
    );
    for s in &plan.scaled {
        println!("  scaled: {s}");
    }
    print!("{}", compare::render(&comparison));
    if let Some(out) = &args.report {
        let report = RunReport {
            scenario: &plan.name,
            file: &args.file,
            broker: &args.broker,
            until_ms: plan.until.0,
            time_scale: plan.scale,
            scaled: &plan.scaled,
            wall_ms: wall.as_millis() as u64,
            comparison: &comparison,
        };
        let json = serde_json::to_string_pretty(&report).expect("reports serialise");
        if let Err(e) = std::fs::write(out, json + "\n") {
            eprintln!("qsim-verify: cannot write {out}: {e}");
            return ExitCode::from(2);
        }
    }
    if comparison.all_agree() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
