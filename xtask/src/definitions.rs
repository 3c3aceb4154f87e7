//! RabbitMQ definitions through a real broker: what `qsim definitions` writes for each
//! RabbitMQ scenario file, the private node of `cargo xtask verify` imports
//! (`rabbitmqctl import_definitions`), exports again (`rabbitmqctl export_definitions`), and
//! `qsim import-definitions` reads back into the same topology.
//!
//! Each file goes into a vhost of its own, deleted afterwards with everything in it, so two
//! files may use the same names and nothing is left behind.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::rabbit::{reports_dir, Rabbit};

/// The scenario files whose RabbitMQ part is checked.
const FILES: &[&str] = &[
    "scenarios/rabbitmq-pizza.json",
    "scenarios/rabbitmq-quorum-orders.json",
];

/// Runs `qsim` and returns its output, or its own message when it fails.
fn qsim(bin: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new(bin)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("could not run {}: {e}", bin.display()))?;
    if !out.status.success() {
        return Err(format!(
            "`qsim {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn json(text: &str, what: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| format!("{what}: not JSON: {e}"))
}

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v[key].as_array().map(Vec::as_slice).unwrap_or_default()
}

/// The objects of `vhost` in the broker's export, without the exchanges every vhost has
/// (the default one and `amq.*`), moved to vhost `/` as `qsim definitions` writes them.
fn of_vhost(export: &Value, vhost: &str) -> Value {
    let mut out = serde_json::Map::new();
    for key in ["exchanges", "queues", "bindings"] {
        let items: Vec<Value> = list(export, key)
            .iter()
            .filter(|o| o["vhost"] == vhost)
            .filter(|o| {
                let name = o["name"].as_str().unwrap_or("");
                key != "exchanges" || !(name.is_empty() || name.starts_with("amq."))
            })
            .map(|o| {
                let mut o = o.clone();
                o["vhost"] = "/".into();
                o
            })
            .collect();
        out.insert(key.into(), Value::Array(items));
    }
    Value::Object(out)
}

/// Each object of ours, as the broker gave it back: same name, type or destination and key,
/// and the same arguments.
fn missing(ours: &Value, theirs: &Value) -> Vec<String> {
    let same = |a: &Value, b: &Value, fields: &[&str]| fields.iter().all(|f| a[*f] == b[*f]);
    let mut gone = Vec::new();
    for (key, fields) in [
        // RabbitMQ 3.10's export leaves `internal` out.
        (
            "exchanges",
            &["name", "type", "durable", "auto_delete", "arguments"][..],
        ),
        (
            "queues",
            &["name", "durable", "auto_delete", "arguments"][..],
        ),
        (
            "bindings",
            &[
                "source",
                "destination",
                "destination_type",
                "routing_key",
                "arguments",
            ][..],
        ),
    ] {
        for o in list(ours, key) {
            if !list(theirs, key).iter().any(|t| same(o, t, fields)) {
                gone.push(format!("{key}: {o}"));
            }
        }
    }
    gone
}

fn check(rabbit: &Rabbit, bin: &Path, file: &str, vhost: &str) -> Result<(), String> {
    let stem = Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("x");
    let dir = reports_dir();
    let ours_text = qsim(bin, &["definitions", file])?;
    let ours = json(&ours_text, "qsim definitions")?;
    // Into the run's own vhost: every object says which one it belongs to.
    let mut into = ours.clone();
    for key in ["exchanges", "queues", "bindings"] {
        for o in into[key].as_array_mut().into_iter().flatten() {
            o["vhost"] = vhost.into();
        }
    }
    let import = dir.join(format!("definitions-{stem}.json"));
    let export = dir.join(format!("definitions-{stem}-broker.json"));
    std::fs::write(&import, into.to_string()).map_err(|e| format!("{}: {e}", import.display()))?;
    rabbit.ctl(&["import_definitions", &import.to_string_lossy()])?;
    rabbit.ctl(&["export_definitions", &export.to_string_lossy()])?;
    let text =
        std::fs::read_to_string(&export).map_err(|e| format!("{}: {e}", export.display()))?;
    let theirs = of_vhost(&json(&text, "rabbitmqctl export_definitions")?, vhost);
    let gone = missing(&ours, &theirs);
    if !gone.is_empty() {
        return Err(format!(
            "{file}: the broker changed or dropped {}",
            gone.join("; ")
        ));
    }
    // And the broker's export reads back into the same topology.
    let back = dir.join(format!("definitions-{stem}-back.json"));
    std::fs::write(&back, theirs.to_string()).map_err(|e| format!("{}: {e}", back.display()))?;
    let scenario = qsim(bin, &["import-definitions", &back.to_string_lossy()])?;
    let again_file = dir.join(format!("definitions-{stem}-again.json"));
    std::fs::write(&again_file, scenario).map_err(|e| format!("{}: {e}", again_file.display()))?;
    let again = json(
        &qsim(bin, &["definitions", &again_file.to_string_lossy()])?,
        "qsim",
    )?;
    let sorted = |v: &Value| {
        let mut v = v.clone();
        for key in ["exchanges", "queues", "bindings"] {
            if let Some(items) = v[key].as_array_mut() {
                items.sort_by_key(|o| o.to_string());
            }
        }
        v
    };
    if sorted(&again) != sorted(&ours) {
        return Err(format!(
            "{file}: the broker's export read back differs: {} (see {})",
            again,
            again_file.display()
        ));
    }
    println!(
        "    {file}: {} exchanges, {} queues, {} bindings through RabbitMQ and back unchanged",
        list(&ours, "exchanges").len(),
        list(&ours, "queues").len(),
        list(&ours, "bindings").len()
    );
    Ok(())
}

/// Runs the round trip for every file; the vhosts are deleted whatever happened.
pub fn round_trip(rabbit: &Rabbit, bin: &Path) -> Result<(), String> {
    let mut first_error = None;
    for (i, file) in FILES.iter().enumerate() {
        let vhost = format!("qsim-definitions-{}-{i}", std::process::id());
        let outcome = rabbit
            .ctl(&["add_vhost", &vhost])
            .and_then(|_| check(rabbit, bin, file, &vhost));
        let removed = rabbit.ctl(&["delete_vhost", &vhost]).map(|_| ());
        if let Err(e) = outcome.and(removed) {
            first_error.get_or_insert(e);
        }
    }
    first_error.map_or(Ok(()), Err)
}
