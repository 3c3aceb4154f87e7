//! Build-time work for the page:
//! - stamps the build with the crate version and git revision, so that a screenshot or a bug
//!   report always says exactly which build it came from;
//! - writes the lesson files without their indentation into OUT_DIR, which is what the wasm
//!   embeds: the files stay readable, and the download is smaller;
//! - turns the built-in scenario files (version 2 topologies) into the engine's own lowered
//!   form, so the browser never carries the version 2 reader: a file that fails to lower fails
//!   the build with its path and reason, instead of failing in a learner's browser;
//! - plans the systems the page runs as worlds (a topic with several queues) the same way.
use std::process::Command;

use queue_engine::{Scenario, ScenarioFile};
use serde_json::Value;

/// The scenarios the page has built in (`?s=NAME`); `src/scenarios.rs` includes each one.
const BUILT_IN: &[&str] = &[
    "pizza-shop",
    "kitchen-outage",
    "ui-backlog-100",
    "ui-backlog-1000",
    "ui-backlog-10000",
];

/// The systems the page runs as worlds; `src/scenarios.rs` includes each plan.
/// The systems the page's panels run, each with whether the panel runs the file's timed
/// commands: the Redis and RabbitMQ panels' buttons stand in for them, so the page does not
/// carry them.
const WORLDS: &[(&str, bool)] = &[
    ("video-upload", true),
    ("queue-vs-topic", true),
    ("redis-orders", false),
    ("rabbitmq-pizza", false),
];

fn main() {
    minify_dir("lessons");
    lower_scenarios();
    plan_worlds();
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
        std::fs::write(out.join(format!("{name}.json")), value.to_string())
            .unwrap_or_else(|e| panic!("cannot write the lowered {path}: {e}"));
    }
}

/// Each of [`WORLDS`] as the world's plan, every member's scenario pruned like a lowered one.
fn plan_worlds() {
    let out = out_dir("plans");
    let defaults = serde_json::to_value(Scenario::default()).expect("scenarios serialise");
    for &(name, scripted) in WORLDS {
        let path = format!("scenarios/{name}.json");
        println!("cargo:rerun-if-changed={path}");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let plan = ScenarioFile::from_json(&text)
            .and_then(|f| f.into_v2().plan())
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut plan = plan;
        if !scripted {
            plan.commands.clear();
        }
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
        std::fs::write(out.join(format!("{name}.json")), value.to_string())
            .unwrap_or_else(|e| panic!("cannot write the plan of {path}: {e}"));
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
