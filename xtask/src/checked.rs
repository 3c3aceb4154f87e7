//! `verify/checked.json`: what the last broker run found, per verification scenario, with the
//! broker versions and the date; the page shows these figures ("Checked on RabbitMQ 3.10.8 …",
//! built in by `build.rs` through `verify/shown-on.json`).
//!
//! # Contract
//! - `cargo xtask verify` rebuilds the figures from its reports. When they equal the committed
//!   ones (the date aside) the file is left as it is, so a rerun changes nothing.
//! - When they differ, the file is rewritten with today's date. Under `CI=true` that is a
//!   failure: the page would show figures that no longer hold, so the new file must be
//!   committed. Locally it says so and goes on.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::run::command;

pub const FILE: &str = "verify/checked.json";

/// One verification scenario's result.
pub struct Outcome {
    pub stem: String,
    /// `rabbitmq`, `moto`, `activemq` or `redis`.
    pub broker: &'static str,
    pub agree: u64,
    pub messages: u64,
}

/// A Debian package's upstream version: `5:7.0.15-1~deb12u10` gives `7.0.15`.
pub fn upstream(debian: &str) -> String {
    let v = debian.split_once(':').map_or(debian, |(_, v)| v);
    v.split(['-', '+', '~']).next().unwrap_or(v).to_owned()
}

fn package_version(package: &str) -> String {
    command("dpkg-query", &["-W", "-f", "${Version}", package])
        .output()
        .map(|v| upstream(v.trim()))
        .unwrap_or_else(|| "unknown".into())
}

fn brokers() -> Value {
    json!({
        "rabbitmq": { "name": "RabbitMQ", "version": package_version("rabbitmq-server") },
        "moto": { "name": "moto (SQS)", "version": crate::moto::MOTO_VERSION },
        "activemq": { "name": "ActiveMQ Classic", "version": package_version("activemq") },
        "redis": { "name": "Redis", "version": package_version("redis-server") },
    })
}

fn today() -> String {
    command("date", &["-u", "+%F"])
        .output()
        .map(|d| d.trim().to_owned())
        .unwrap_or_else(|| "unknown".into())
}

/// The figures of a run, without the date.
pub fn figures(outcomes: &[Outcome], brokers: Value) -> Value {
    let scenarios: BTreeMap<&str, Value> = outcomes
        .iter()
        .map(|o| {
            let v = json!({ "broker": o.broker, "agree": o.agree, "messages": o.messages });
            (o.stem.as_str(), v)
        })
        .collect();
    json!({ "brokers": brokers, "scenarios": scenarios })
}

/// Whether the committed file says the same as `new` (the date aside).
pub fn same(old: &Value, new: &Value) -> bool {
    old.get("brokers") == new.get("brokers") && old.get("scenarios") == new.get("scenarios")
}

/// Compares a run's figures with the committed file and rewrites it when they differ.
pub fn record(outcomes: &[Outcome]) -> Result<(), String> {
    let path = crate::run::root().join(FILE);
    let mut new = figures(outcomes, brokers());
    let old: Value = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    if same(&old, &new) {
        println!("    {FILE}: the figures the page shows still hold");
        return Ok(());
    }
    new["about"] = json!("Written by `cargo xtask verify`; the page shows these figures.");
    new["date"] = json!(today());
    let text = serde_json::to_string_pretty(&new).expect("JSON serialises") + "\n";
    std::fs::write(&path, text).map_err(|e| format!("cannot write {FILE}: {e}"))?;
    if std::env::var("CI").as_deref() == Ok("true") {
        return Err(format!(
            "{FILE} no longer matches the brokers (the page shows its figures); this run \
             rewrote it: commit the new file"
        ));
    }
    println!("    {FILE}: rewritten with this run's figures; commit it");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debian_versions_read_as_upstream_ones() {
        assert_eq!(upstream("5:7.0.15-1~deb12u10"), "7.0.15");
        assert_eq!(upstream("3.10.8-1.1+deb12u1"), "3.10.8");
        assert_eq!(upstream("5.17.2+dfsg-2+deb12u1"), "5.17.2");
    }

    #[test]
    fn only_a_change_of_figures_counts_not_the_date() {
        let o = |agree| Outcome {
            stem: "topic-routing".into(),
            broker: "rabbitmq",
            agree,
            messages: 9,
        };
        let v = json!({ "rabbitmq": { "name": "RabbitMQ", "version": "3.10.8" } });
        let mut old = figures(&[o(9)], v.clone());
        old["date"] = json!("2026-01-01");
        assert!(same(&old, &figures(&[o(9)], v.clone())));
        assert!(!same(&old, &figures(&[o(8)], v)));
        let newer = json!({ "rabbitmq": { "name": "RabbitMQ", "version": "3.13.0" } });
        assert!(!same(&old, &figures(&[o(9)], newer)));
    }
}
