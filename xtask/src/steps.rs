//! `cargo xtask test`: every check in a fixed order, with progress, timings and one summary line.
//!
//! A failed step does not stop the run (a person wants to see everything that is wrong at once),
//! but a step whose input failed is skipped and counted as failed: the end-to-end tests and the
//! size budget need the release build.

use std::time::Instant;

use crate::activemq::ActiveMq;
use crate::moto::Moto;
use crate::rabbit::Rabbit;
use crate::run::command;
use crate::{budget, tools};

struct Step {
    name: &'static str,
    needs: Option<&'static str>,
    run: fn() -> Result<(), String>,
}

const STEPS: &[Step] = &[
    Step {
        name: "install tools",
        needs: None,
        run: install,
    },
    Step {
        name: "cargo fmt --check",
        needs: None,
        run: fmt,
    },
    Step {
        name: "cargo clippy -D warnings",
        needs: None,
        run: clippy,
    },
    Step {
        name: "engine has no web crates",
        needs: None,
        run: engine_is_web_free,
    },
    Step {
        name: "no broker client in the engine or the app",
        needs: None,
        run: no_broker_clients,
    },
    Step {
        name: "native tests",
        needs: None,
        run: native_tests,
    },
    Step {
        name: "verify against real brokers",
        needs: None,
        run: verify_brokers,
    },
    Step {
        name: "wasm tests in headless Chromium",
        needs: Some("install tools"),
        run: wasm_tests,
    },
    Step {
        name: "release build",
        needs: Some("install tools"),
        run: release_build,
    },
    Step {
        name: "end-to-end tests (Playwright)",
        needs: Some("release build"),
        run: e2e_tests,
    },
    Step {
        name: "gzip size budget",
        needs: Some("release build"),
        run: size_budget,
    },
];

pub fn test_all() -> Result<(), String> {
    let started = Instant::now();
    let mut failed: Vec<&str> = Vec::new();
    let mut passed = 0usize;
    for (i, step) in STEPS.iter().enumerate() {
        println!("\n==> [{}/{}] {}", i + 1, STEPS.len(), step.name);
        let t = Instant::now();
        let outcome = match step.needs {
            Some(dep) if failed.contains(&dep) => Err(format!("skipped: `{dep}` failed")),
            _ => (step.run)(),
        };
        let secs = t.elapsed().as_secs_f64();
        match outcome {
            Ok(()) => {
                passed += 1;
                println!("<== PASS {} ({secs:.1} s)", step.name);
            }
            Err(why) => {
                failed.push(step.name);
                println!("<== FAIL {} ({secs:.1} s): {why}", step.name);
            }
        }
    }
    println!(
        "\nxtask test finished in {:.0} s{}",
        started.elapsed().as_secs_f64(),
        if failed.is_empty() {
            String::new()
        } else {
            format!("; failed: {}", failed.join(", "))
        }
    );
    println!("steps: {passed} passed, {} failed", failed.len());
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("{} of {} steps failed", failed.len(), STEPS.len()))
    }
}

fn install() -> Result<(), String> {
    tools::ensure_build_tools()?;
    tools::ensure_browser()?;
    tools::ensure_mdbook()
}

fn fmt() -> Result<(), String> {
    command("cargo", &["fmt", "--all", "--", "--check"]).status()
}

fn clippy() -> Result<(), String> {
    command(
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    )
    .status()?;
    // The app's browser-only code (and its browser tests) only compiles for wasm, so lint it there too.
    command(
        "cargo",
        &[
            "clippy",
            "--package",
            "queue-playground",
            "--all-targets",
            // `bench` too: the in-browser benchmark is built only by `cargo xtask bench`.
            "--all-features",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ],
    )
    .status()?;
    // So does the studio's planner worker (its message handler).
    command(
        "cargo",
        &[
            "clippy",
            "--package",
            "queue-planner",
            "--bin",
            "planner",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ],
    )
    .status()
}

/// The engine must stay sans-IO and portable: no crate that only makes sense in a browser.
const WEB_CRATES: &[&str] = &["yew", "web-sys", "js-sys", "gloo", "wasm-bindgen"];

fn engine_is_web_free() -> Result<(), String> {
    let tree = command(
        "cargo",
        &[
            "tree",
            "--package",
            "queue-engine",
            "--edges",
            "normal",
            "--prefix",
            "none",
        ],
    )
    .output()
    .ok_or("`cargo tree` failed")?;
    let offending: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| {
            WEB_CRATES
                .iter()
                .any(|w| name == w || name.starts_with(&format!("{w}-")))
        })
        .collect();
    println!(
        "    {} crates in the engine's normal dependency tree",
        tree.lines().count()
    );
    if offending.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the engine depends on web crates: {}",
            offending.join(", ")
        ))
    }
}

/// Broker clients belong to `queue-verify` only: the engine stays sans-IO and the download
/// carries no AMQP or AWS client. (Not `tokio`: Yew already brings it in on native targets;
/// `aws-smithy` stands for every `aws-smithy-…` crate of the SDK's runtime.)
const BROKER_CRATES: &[&str] = &[
    "lapin",
    "amq-protocol",
    "async-rs",
    "aws-sdk-sqs",
    "aws-sdk-sns",
    "aws-types",
    "aws-smithy",
    "aws-sigv4",
    "aws-runtime",
    "async-stomp",
    "redis",
    "queue-verify",
];

fn no_broker_clients() -> Result<(), String> {
    let mut offending = Vec::new();
    for package in ["queue-engine", "queue-playground"] {
        let tree = command(
            "cargo",
            &[
                "tree",
                "--package",
                package,
                "--edges",
                "normal,build",
                "--prefix",
                "none",
            ],
        )
        .output()
        .ok_or("`cargo tree` failed")?;
        offending.extend(
            tree.lines()
                .filter_map(|l| l.split_whitespace().next())
                .filter(|name| {
                    BROKER_CRATES
                        .iter()
                        .any(|b| name == b || name.starts_with(&format!("{b}-")))
                })
                .map(|name| format!("{package} → {name}")),
        );
    }
    offending.sort();
    offending.dedup();
    if offending.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "broker clients outside queue-verify: {}",
            offending.join(", ")
        ))
    }
}

fn native_tests() -> Result<(), String> {
    command("cargo", &["test", "--workspace"]).status()?;
    // The studio's own lesson model exists only with its feature (the page leaves it out).
    command(
        "cargo",
        &[
            "test",
            "--package",
            "queue-playground",
            "--features",
            "studio",
            "--test",
            "authoring_own",
        ],
    )
    .status()
}

/// Scenario files that must agree with their broker (`qsim-verify` exits 0), and files that
/// record a known difference between the engine and the broker (it must still exit 1: when one
/// starts to agree, the engine or the broker changed and the file moves up).
/// A report's `agree` and total message counts.
fn agreement(report: &std::path::Path) -> Option<(u64, u64)> {
    let text = std::fs::read_to_string(report).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    let c = &v["comparison"];
    let agree = c["agree"].as_u64()?;
    Some((agree, agree + c["differ"].as_u64()?))
}

const VERIFY_DIR: &str = "verify/scenarios";
const KNOWN_DIFFERENCES: &str = "verify/scenarios/known-differences";

fn json_files(dir: &str) -> Result<Vec<String>, String> {
    let entries = std::fs::read_dir(crate::run::root().join(dir))
        .map_err(|e| format!("cannot list {dir}: {e}"))?;
    let mut files: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .map(|n| format!("{dir}/{n}"))
        .collect();
    files.sort();
    Ok(files)
}

/// The broker a scenario file runs on: Redis for a log, else from its queue profiles: moto
/// for `sqs_…`, ActiveMQ for `activemq`, else RabbitMQ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Broker {
    Rabbitmq,
    Moto,
    Activemq,
    Redis,
}

fn broker_of(file: &str) -> Result<Broker, String> {
    let text = std::fs::read_to_string(crate::run::root().join(file))
        .map_err(|e| format!("cannot read {file}: {e}"))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{file}: {e}"))?;
    let profiles = json["nodes"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(_, n)| {
            n.get("queue")
                .and_then(|q| q.get("profile"))
                .and_then(|p| p.as_str())
        });
    let profiles: Vec<&str> = profiles.collect();
    let has_log = json["nodes"]
        .as_object()
        .is_some_and(|nodes| nodes.values().any(|n| n.get("log").is_some()));
    Ok(if has_log {
        Broker::Redis
    } else if profiles.iter().any(|p| p.starts_with("sqs_")) {
        Broker::Moto
    } else if profiles.contains(&"activemq") {
        Broker::Activemq
    } else {
        Broker::Rabbitmq
    })
}

/// Installs RabbitMQ, moto, ActiveMQ and Redis if missing, starts a private RabbitMQ node,
/// moto server, ActiveMQ broker and Redis server, replays every scenario in
/// `verify/scenarios/` on the one it needs with `qsim-verify`, and stops all four whatever
/// happened.
pub fn verify_brokers() -> Result<(), String> {
    let t = Instant::now();
    tools::ensure_rabbitmq()?;
    crate::moto::ensure_moto()?;
    crate::activemq::ensure_activemq()?;
    crate::redis::ensure_redis()?;
    println!("    install check took {:.1} s", t.elapsed().as_secs_f64());
    let must_agree = json_files(VERIFY_DIR)?;
    let must_differ = json_files(KNOWN_DIFFERENCES).unwrap_or_default();
    if must_agree.is_empty() {
        return Err(format!("no scenario files in {VERIFY_DIR}"));
    }
    // Built before the broker starts, so a slow compile never holds a running node. With
    // `--workspace`, features are unified as in the native tests step (which already built
    // this binary and test), so in `cargo xtask test` this is a cache hit; building with
    // `--package queue-verify` alone would resolve other features and recompile ~60 crates.
    // Building the integration test also builds the `qsim-verify` binary.
    let broker_test = &["test", "--workspace", "--test", "broker"];
    command("cargo", &[&broker_test[..], &["--no-run"]].concat()).status()?;
    // `qsim`, for the RabbitMQ definitions' round trip (a cache hit after the native tests).
    command("cargo", &["build", "--workspace", "--bin", "qsim"]).status()?;
    let bin = crate::rabbit::target_dir()
        .join("debug")
        .join("qsim-verify");
    // The broker-side policies the ActiveMQ runs rely on, from the tool itself.
    let policies = command(&bin.to_string_lossy(), &["--activemq-policies"])
        .output()
        .ok_or("`qsim-verify --activemq-policies` failed")?;
    let rabbit = Rabbit::start()?;
    let url = rabbit.url();
    let moto = Moto::start()?;
    let sqs_url = moto.url();
    let activemq = ActiveMq::start(&policies)?;
    let stomp_url = activemq.url();
    let redis = crate::redis::Redis::start()?;
    let redis_url = redis.url();
    let reports = crate::rabbit::reports_dir();
    let _ = std::fs::create_dir_all(&reports);
    let mut failures = Vec::new();
    let mut outcomes = Vec::new();
    for (file, want) in must_agree
        .iter()
        .map(|f| (f, 0))
        .chain(must_differ.iter().map(|f| (f, 1)))
    {
        let stem = file
            .rsplit('/')
            .next()
            .unwrap_or(file)
            .trim_end_matches(".json");
        let report = reports.join(format!("{stem}.json"));
        // A report left by an earlier run must not stand in for this one's.
        let _ = std::fs::remove_file(&report);
        let (url, broker, key) = match broker_of(file)? {
            Broker::Moto => (&sqs_url, "moto", "moto"),
            Broker::Activemq => (&stomp_url, "ActiveMQ", "activemq"),
            Broker::Redis => (&redis_url, "Redis", "redis"),
            Broker::Rabbitmq => (&url, "RabbitMQ", "rabbitmq"),
        };
        let t = Instant::now();
        // The binary itself, not `cargo run`: another build holding cargo's lock on a shared
        // target directory must not stretch a broker run.
        let code = command(
            &bin.to_string_lossy(),
            &[file, "--broker", url, "--report", &report.to_string_lossy()],
        )
        .code()?;
        println!(
            "    {file}: exit {code:?} in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        if want == 0 {
            if let Some((agree, messages)) = agreement(&report) {
                outcomes.push(crate::checked::Outcome {
                    stem: stem.to_owned(),
                    broker: key,
                    agree,
                    messages,
                });
            }
        }
        match (want, code) {
            (0, Some(0)) | (1, Some(1)) => {}
            (0, Some(1)) => failures.push(format!("{file} differs from {broker}")),
            (1, Some(0)) => failures.push(format!(
                "{file} now agrees with {broker}: the known difference is gone, move the file up to {VERIFY_DIR}/"
            )),
            (_, other) => failures.push(format!("{file}: qsim-verify failed (exit {other:?})")),
        }
    }
    if outcomes.len() == must_agree.len() {
        if let Err(e) = crate::checked::record(&outcomes) {
            failures.push(e);
        }
    } else {
        failures.push(format!(
            "{} of {} scenarios wrote no report, so {} was left as it was",
            must_agree.len() - outcomes.len(),
            must_agree.len(),
            crate::checked::FILE
        ));
    }
    // The Rust-level check against the brokers: they agree, and a wrong engine result is caught.
    if let Err(e) = command("cargo", broker_test)
        .env("QSIM_VERIFY_BROKER", &url)
        .env("QSIM_VERIFY_SQS", &sqs_url)
        .env("QSIM_VERIFY_ACTIVEMQ", &stomp_url)
        .env("QSIM_VERIFY_REDIS", &redis_url)
        .status()
    {
        failures.push(format!("tests against the broker: {e}"));
    }
    // Every run deletes what it declared, even when it fails: nothing `qsim-…` may be left.
    match rabbit.queues() {
        Ok(left) if left.iter().any(|q| q.starts_with("qsim-")) => failures.push(format!(
            "queues left on the broker after the runs: {}",
            left.join(", ")
        )),
        Ok(_) => println!("    no queues left on the broker"),
        Err(e) => failures.push(e),
    }
    // What `qsim definitions` writes, a real RabbitMQ takes and gives back unchanged.
    let qsim = crate::rabbit::target_dir().join("debug").join("qsim");
    if let Err(e) = crate::definitions::round_trip(&rabbit, &qsim) {
        failures.push(e);
    }
    match moto.queues() {
        Ok(left) if left.iter().any(|q| q.starts_with("qsim-")) => failures.push(format!(
            "queues, topics or subscriptions left on moto after the runs: {}",
            left.join(", ")
        )),
        Ok(_) => println!("    no queues, topics or subscriptions left on moto"),
        Err(e) => failures.push(e),
    }
    // STOMP cannot delete a queue: the broker's clean-up policy must have removed every one.
    match activemq.queues_left() {
        Ok(left) if !left.is_empty() => failures.push(format!(
            "queues left on ActiveMQ after the runs: {}",
            left.join(", ")
        )),
        Ok(_) => println!("    no queues left on ActiveMQ"),
        Err(e) => failures.push(e),
    }
    match redis.keys_left() {
        Ok(left) if !left.is_empty() => failures.push(format!(
            "keys left on Redis after the runs: {}",
            left.join(", ")
        )),
        Ok(_) => println!("    no keys left on Redis"),
        Err(e) => failures.push(e),
    }
    drop(redis);
    drop(activemq);
    drop(moto);
    drop(rabbit);
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}

fn wasm_tests() -> Result<(), String> {
    command(
        "cargo",
        &[
            "test",
            "--package",
            "queue-playground",
            "--target",
            "wasm32-unknown-unknown",
        ],
    )
    .env("CHROMEDRIVER", tools::CHROMEDRIVER)
    .status()
}

pub fn release_build() -> Result<(), String> {
    command("trunk", &["build", "--release"])
        .env("RUSTFLAGS", &crate::run::page_rustflags())
        .status()?;
    crate::package::after_trunk(std::path::Path::new("dist"), false)?;
    // After the page: Trunk replaces the whole of its dist folder, the studio's inside it too.
    let studio = format!("dist/{}", crate::package::STUDIO);
    command(
        "trunk",
        &[
            "build",
            "studio.html",
            "--release",
            "true",
            "--dist",
            &studio,
        ],
    )
    .env("RUSTFLAGS", &crate::run::page_rustflags())
    .status()?;
    crate::package::after_trunk(std::path::Path::new(&studio), true)
}

fn e2e_tests() -> Result<(), String> {
    // The course book that embeds the playground (into target/course-book, see its book.toml);
    // tests/e2e/course-book.test.mjs serves it on an origin of its own.
    command("mdbook", &["build", "tests/course-book"]).status()?;
    command("node", &["--test", "--test-concurrency=1", "tests/e2e/"])
        .env("CHROMIUM", tools::CHROMIUM)
        .status()
}

fn size_budget() -> Result<(), String> {
    budget::report(std::path::Path::new("dist")).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_files_go_to_the_broker_their_profile_needs() {
        let of = broker_of;
        assert_eq!(
            of("verify/scenarios/sqs-poison-to-dlq.json"),
            Ok(Broker::Moto)
        );
        assert_eq!(
            of("verify/scenarios/sqs-fifo-group-blocking.json"),
            Ok(Broker::Moto)
        );
        assert_eq!(
            of("verify/scenarios/quorum-delivery-limit.json"),
            Ok(Broker::Rabbitmq)
        );
        assert_eq!(
            of("verify/scenarios/activemq-poison-to-dlq.json"),
            Ok(Broker::Activemq)
        );
        assert_eq!(
            of("verify/scenarios/redis-poison-to-dead-stream.json"),
            Ok(Broker::Redis)
        );
        assert_eq!(
            of("verify/scenarios/redis-crash-claimed.json"),
            Ok(Broker::Redis)
        );
        assert!(of("verify/scenarios/missing.json").is_err());
    }
}
