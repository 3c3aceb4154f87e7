//! Build-time work for the page:
//! - stamps the build with the crate version and git revision, so that a screenshot or a bug
//!   report always says exactly which build it came from;
//! - writes the lesson files without their indentation into OUT_DIR, with the lesson index
//!   (id and title, in teaching order) the page always carries and the table of sources that
//!   builds without `fetched-lessons` embed: the files stay readable, the download is smaller,
//!   and a lesson file whose id or title is wrong fails the build;
//! - turns the built-in scenario files (version 2 topologies) into the engine's own lowered
//!   form, so the browser never carries the version 2 reader: a file that fails to lower fails
//!   the build with its path and reason, instead of failing in a learner's browser;
//! - plans the systems the page runs as worlds (a topic with several queues) the same way,
//!   writing each plan as Rust (`plans.rs`, with its JSON beside it for the test that both
//!   agree), and the Kafka system as the log scenario its panel runs.
use std::process::Command;

use queue_engine::{Scenario, ScenarioFile};
use serde_json::Value;

/// The scenarios the page has built in (`?s=NAME`); `src/scenarios.rs` includes each one.
const BUILT_IN: &[&str] = &[
    "pizza-shop",
    "http-vs-queue",
    "kitchen-outage",
    "rabbitmq-quorum-orders",
    "service-bus-orders",
    "pubsub-orders",
    "activemq-orders",
    "ui-backlog-100",
    "ui-backlog-1000",
    "ui-backlog-10000",
];

/// The systems the page's panels run as worlds; `src/scenarios.rs` includes each plan, timed
/// commands and all (the Redis and RabbitMQ panels drop theirs in free play, where their
/// buttons stand in for them, and keep them for a lesson).
const WORLDS: &[&str] = &[
    "video-upload",
    "queue-vs-topic",
    "redis-orders",
    "rabbitmq-pizza",
];

/// The lessons in teaching order: the order of the page's lesson menu.
const LESSONS: &[&str] = &[
    "kitchen-offline",
    "http-vs-queue",
    "friday-rush",
    "scale-consumers",
    "consumer-lag",
    "fan-out",
    "pubsub-vs-queue",
    "rabbitmq-routing",
    "poison-pill",
    "dlq-redrive",
    "same-setting-different-platform",
    "batch-failure",
    "throw-vs-return",
    "retry-backoff",
    "visibility-timeout",
    "delivery-guarantees",
    "celery-acks-late",
    "ordering",
    "backpressure",
    "delay-queue",
    "cloudevents",
    "schema-version",
    "claim-check",
    "reply-to",
    "tracing",
    "stream-replay",
    "partition-keys",
    "log-lag",
    "rebalance-skip",
    "redis-pel",
];

fn main() {
    minify_dir("lessons");
    lesson_index();
    lower_scenarios();
    plan_worlds();
    log_systems();
    checked_notes();
    stamp_version();
}

fn out_dir(sub: &str) -> std::path::PathBuf {
    let out =
        std::path::Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join(sub);
    std::fs::create_dir_all(&out).expect("create OUT_DIR folder");
    out
}

/// JSON without the whitespace between tokens (strings are copied as they are).
fn minify(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

fn minify_dir(dir: &str) {
    let out = out_dir(dir);
    for entry in std::fs::read_dir(dir).expect("read the folder") {
        let path = entry.expect("folder entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).expect("read a JSON file");
            std::fs::write(out.join(path.file_name().unwrap()), minify(&text))
                .expect("write the minified copy");
        }
    }
    println!("cargo:rerun-if-changed={dir}");
}

/// `lessons/index.rs` (`(id, title)` in teaching order) and `lessons/sources.rs` (`(id, text)`,
/// each text included from the minified copy).
fn lesson_index() {
    let (mut index, mut sources) = (String::from("&["), String::from("&["));
    for id in LESSONS {
        let path = format!("lessons/{id}.json");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let value: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(
            value["id"], *id,
            "{path}: the id must equal the file's name"
        );
        let title = value["title"]
            .as_str()
            .unwrap_or_else(|| panic!("{path}: title: expected a string"));
        index.push_str(&format!("({id:?}, {title:?}),"));
        sources.push_str(&format!(
            "({id:?}, include_str!(concat!(env!(\"OUT_DIR\"), \"/lessons/{id}.json\"))),"
        ));
    }
    let files = std::fs::read_dir("lessons").expect("read lessons/").count();
    assert_eq!(
        files,
        LESSONS.len(),
        "every file in lessons/ is listed in build.rs's LESSONS"
    );
    let out = out_dir("lessons");
    std::fs::write(out.join("index.rs"), index + "]").expect("write the lesson index");
    std::fs::write(out.join("sources.rs"), sources + "]").expect("write the lesson sources");
}

fn lower_scenarios() {
    let out = out_dir("scenarios");
    for name in BUILT_IN {
        let path = format!("scenarios/{name}.json");
        println!("cargo:rerun-if-changed={path}");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let lowered = ScenarioFile::from_json(&text)
            .and_then(|f| f.lower())
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut value = serde_json::to_value(&lowered).expect("scenarios serialise");
        let defaults = serde_json::to_value(Scenario::default()).expect("scenarios serialise");
        prune(&mut value, &defaults);
        // Nothing on the page shows a scenario's description: leave it out of the download.
        if let Some(o) = value.as_object_mut() {
            o.remove("description");
        }
        std::fs::write(out.join(format!("{name}.json")), value.to_string())
            .unwrap_or_else(|e| panic!("cannot write the lowered {path}: {e}"));
    }
}

/// `scenarios/NAME.json`'s path and plan; a file that does not plan fails the build with both.
fn planned(name: &str) -> (String, queue_engine::topology::plan::Plan) {
    let path = format!("scenarios/{name}.json");
    println!("cargo:rerun-if-changed={path}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let plan = ScenarioFile::from_json(&text)
        .and_then(|f| f.into_v2().plan())
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    (path, plan)
}

/// Each of [`WORLDS`] as the world's plan, every member's scenario pruned like a lowered one.
fn plan_worlds() {
    let out = out_dir("plans");
    let defaults = serde_json::to_value(Scenario::default()).expect("scenarios serialise");
    let mut code = String::from("Some(match name {\n");
    let mut texts = String::from("&[");
    for &name in WORLDS {
        let (path, plan) = planned(name);
        let mut value = serde_json::to_value(&plan).expect("plans serialise");
        if let Some(members) = value.get_mut("members").and_then(Value::as_array_mut) {
            for m in members {
                if let Some(sc) = m.get_mut("scenario") {
                    prune(sc, &defaults);
                    // The world's name and description, repeated in every member, where
                    // nothing reads them.
                    if let Some(o) = sc.as_object_mut() {
                        o.remove("description");
                        o.remove("name");
                    }
                }
            }
        }
        code.push_str(&format!("{name:?} => {},\n", plan_code(&plan, &value)));
        texts.push_str(&format!(
            "({name:?}, include_str!(concat!(env!(\"OUT_DIR\"), \"/plans/{name}.json\"))),"
        ));
        std::fs::write(out.join(format!("{name}.json")), value.to_string())
            .unwrap_or_else(|e| panic!("cannot write the plan of {path}: {e}"));
    }
    code.push_str("_ => return None,\n})");
    std::fs::write(out_dir("").join("plans.rs"), code).expect("write plans.rs");
    std::fs::write(out.join("texts.rs"), texts + "]").expect("write plans/texts.rs");
}

/// `plan` as a Rust expression for `src/scenarios.rs`'s `plan`: the parts only a plan has
/// (its nodes' names, routers, targets, a Redis log) written out, and the parts the page reads
/// anyway (each member's scenario from `value`, pruned; a producer; a command) as JSON for
/// the page's `json` to read. Reading whole plans as JSON brought serde's readers for every
/// other part of a plan into the download.
fn plan_code(plan: &queue_engine::topology::plan::Plan, value: &Value) -> String {
    use queue_engine::topology::log::LogPlan;
    use queue_engine::topology::plan::MemberNodes;
    use queue_engine::topology::tokens::Target;
    // Static text and lists handed to the page's small builders (`src/scenarios.rs`), which
    // own them: each `.into()` or `vec![…]` written out here was its own code.
    let some = |o: &Option<String>| {
        o.as_deref()
            .map_or("None".into(), |s| format!("Some({s:?})"))
    };
    let json = |v: String| format!("json({v:?})?");
    let list = |items: Vec<String>| format!("vec![{}]", items.join(", "));
    let nodes = |n: &MemberNodes| {
        format!(
            "nodes({:?}, [{}, {}, {}, {}, {}], &{:?})",
            n.queue,
            some(&n.dlq),
            some(&n.consumer),
            some(&n.store),
            some(&n.replies),
            some(&n.dlx),
            n.groups,
        )
    };
    let producer = serde_json::to_value(queue_engine::ProducerConfig::default());
    let producer = producer.expect("producers serialise");
    let producers = plan.producers.iter().map(|(name, p)| {
        let mut value = serde_json::to_value(p).expect("producers serialise");
        prune(&mut value, &producer);
        format!("({name:?}.to_owned(), {})", json(value.to_string()))
    });
    let routes = plan.routes.iter().map(|r| format!("{r:?}.to_vec()"));
    let members = plan.members.iter().enumerate().map(|(i, m)| {
        let scenario = value["members"][i]["scenario"].to_string();
        format!("member({}, {scenario:?})?", nodes(&m.nodes))
    });
    let logs = plan.logs.iter().map(|l| {
        let LogPlan::Redis(r) = &l.run else {
            panic!("build.rs: a built-in world with a Kafka log needs plan_code to write one");
        };
        format!(
            "LogMember {{ nodes: {}, run: LogPlan::Redis(RedisConfig {{ seed: {}, consumers: {}, count: {}, processing: Millis({}), claim_every: Millis({}), min_idle: Millis({}), max_deliveries: {}, max_len: {} }}) }}",
            nodes(&l.nodes), r.seed, r.consumers, r.count, r.processing.0, r.claim_every.0, r.min_idle.0, r.max_deliveries, r.max_len,
        )
    });
    let commands = plan.commands.iter().map(|c| {
        let target = match c.target {
            Target::World => "Target::World".to_owned(),
            Target::Producer(p) => format!("Target::Producer({p})"),
            Target::Member(m) => format!("Target::Member({m})"),
            Target::Group { log, group } => {
                format!("Target::Group {{ log: {log}, group: {group} }}")
            }
        };
        let command = serde_json::to_string(&c.command).expect("commands serialise");
        format!(
            "PlannedCommand {{ at: Millis({}), target: {target}, command: {} }}",
            c.at.0,
            json(command)
        )
    });
    let routers = plan.routers.iter().map(|r| {
        let pairs = |ps: &[(Option<String>, u16)]| {
            let items: Vec<String> = ps
                .iter()
                .map(|(k, i)| format!("({}, {i})", some(k)))
                .collect();
            format!("&[{}]", items.join(", "))
        };
        format!(
            "router({:?}, RouterType::{:?}, {}, {}, {})",
            r.name,
            r.kind,
            pairs(&r.binds),
            pairs(&r.publishers),
            r.dead_letter,
        )
    });
    let (m, l) = (&plan.metrics, &plan.limits);
    format!(
        "Plan {{ name: {:?}.to_owned(), seed: {}, producers: {}, routes: {}, members: {}, logs: {}, commands: {}, metrics: MetricsConfig {{ sample_every: Millis({}), max_points: {}, lag_alert: {} }}, limits: Limits {{ history: {}, event_log: {} }}, routers: {} }}",
        plan.name,
        plan.seed,
        list(producers.collect()),
        list(routes.collect()),
        list(members.collect()),
        list(logs.collect()),
        list(commands.collect()),
        m.sample_every.0,
        m.max_points,
        m.lag_alert,
        l.history,
        l.event_log,
        list(routers.collect()),
    )
}

/// The systems the page's log panel runs as log scenarios (without their timed commands, which
/// the panel's buttons stand in for); `src/scenarios.rs` includes each one.
const LOGS: &[&str] = &["orders-log"];

/// Each of [`LOGS`] as a log scenario, pruned like a lowered scenario.
fn log_systems() {
    let out = out_dir("streams");
    let defaults =
        serde_json::to_value(queue_engine::stream::StreamScenario::default()).expect("serialise");
    for &name in LOGS {
        let (path, plan) = planned(name);
        let log = plan.log_system().unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut value = serde_json::to_value(&log).expect("log scenarios serialise");
        prune(&mut value, &defaults);
        std::fs::write(out.join(format!("{name}.json")), value.to_string())
            .unwrap_or_else(|e| panic!("cannot write the log scenario of {path}: {e}"));
    }
}

/// Drops every field equal to its default, so the page carries only what the scenario says
/// (every field has a default when read back). List items are compared with the default
/// list's first item, the template for each (a producer).
fn prune(value: &mut Value, default: &Value) {
    match (value, default) {
        (Value::Object(map), Value::Object(d)) => {
            // The version always stays: it says how to read the rest.
            map.retain(|k, v| k == "version" || d.get(k) != Some(v));
            for (k, v) in map.iter_mut() {
                if let Some(dv) = d.get(k) {
                    prune(v, dv);
                }
            }
        }
        (Value::Array(items), Value::Array(d)) => {
            if let Some(template) = d.first() {
                for item in items {
                    prune(item, template);
                }
            }
        }
        _ => {}
    }
}

/// `OUT_DIR/checked.txt`: for each system and lesson `verify/shown-on.json` names, a tab and
/// the line the page shows under it, from `verify/checked.json`'s figures ("Checked on
/// RabbitMQ 3.10.8 (2026-12-03): 47 of 47 messages agree in 10 scenarios."). A scenario the
/// figures lack fails the build, so the page never shows a claim nothing backs.
fn checked_notes() {
    let read = |path: &str| -> Value {
        println!("cargo:rerun-if-changed={path}");
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    let figures = read("verify/checked.json");
    let shown = read("verify/shown-on.json");
    let date = figures["date"].as_str().unwrap_or("?");
    let mut out = String::new();
    for (id, what) in shown.as_object().expect("shown-on.json is an object") {
        if id == "about" {
            continue;
        }
        let line = match what {
            Value::String(text) => text.clone(),
            Value::Array(stems) => {
                // Per broker, in order of first mention: (broker, agree, messages, files).
                let mut per: Vec<(String, u64, u64, u64)> = Vec::new();
                for stem in stems {
                    let stem = stem.as_str().expect("scenario names are strings");
                    let s = &figures["scenarios"][stem];
                    let broker = s["broker"].as_str().unwrap_or_else(|| {
                        panic!("verify/shown-on.json: {id} names {stem}, which verify/checked.json lacks; run cargo xtask verify")
                    });
                    let b = &figures["brokers"][broker];
                    let name = format!(
                        "{} {}",
                        b["name"].as_str().unwrap_or(broker),
                        b["version"].as_str().unwrap_or("?")
                    );
                    let i = per.iter().position(|p| p.0 == name).unwrap_or_else(|| {
                        per.push((name, 0, 0, 0));
                        per.len() - 1
                    });
                    per[i].1 += s["agree"].as_u64().unwrap_or(0);
                    per[i].2 += s["messages"].as_u64().unwrap_or(0);
                    per[i].3 += 1;
                }
                let parts: Vec<String> = per
                    .iter()
                    .map(|(name, agree, messages, files)| {
                        let files = if *files == 1 {
                            "1 scenario".to_owned()
                        } else {
                            format!("{files} scenarios")
                        };
                        format!("{name} ({date}): {agree} of {messages} messages agree in {files}")
                    })
                    .collect();
                format!("Checked on {}.", parts.join("; "))
            }
            other => panic!("verify/shown-on.json: {id}: expected a list or a text, got {other}"),
        };
        out.push_str(&format!("{id}\t{line}\n"));
    }
    std::fs::write(out_dir("").join("checked.txt"), out).expect("write checked.txt");
}

fn stamp_version() {
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let rev = Command::new("git")
        .args(["rev-parse", "--short=8", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    let build = match rev {
        Some(rev) => format!("v{version} ({rev})"),
        None => format!("v{version}"),
    };
    println!("cargo:rustc-env=QP_BUILD_VERSION={build}");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
}
