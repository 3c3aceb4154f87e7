//! Routing on message attributes: SNS subscription filter policies (semantics notes §5) and
//! RabbitMQ headers exchanges (§2.1, §2.7). Both are checked when a file loads, with the
//! platform's limits, and both decide at planning which queues a producer's messages reach
//! (a producer's publish edge carries the attributes all its messages have).
//!
//! Filter policies: every key must match (AND), any value listed for a key matches (OR),
//! attributes the policy does not name are ignored, and each element of a list attribute is
//! tried. Operators: exact strings and numbers, `prefix`, `anything-but` (values, or a
//! `prefix`), `numeric` comparisons, `exists`, and `$or`. At most 5 keys and 150 value
//! combinations.
//!
//! Headers bindings: `x-match` is `all` (the default), `any`, `all-with-x` or `any-with-x`;
//! with `all` and `any` headers whose names start with `x-` take no part; values match only
//! with the same type (`1` does not match `"1"`).

use serde_json::{Map, Value};

use crate::error::ScenarioError;

/// Checks an SNS filter policy's shape and limits.
pub fn check_policy(path: &str, policy: &Value) -> Result<(), ScenarioError> {
    let Some(map) = policy.as_object() else {
        return Err(ScenarioError::field(path, "a filter policy object", policy));
    };
    let keys = map.keys().filter(|k| *k != "$or").count();
    if keys > 5 {
        return Err(ScenarioError::field(
            path,
            "at most 5 keys in a filter policy",
            keys,
        ));
    }
    let mut combinations = 1usize;
    for (key, values) in map {
        let at = format!("{path}.{key}");
        if key == "$or" {
            let Some(options) = values.as_array().filter(|o| o.len() >= 2) else {
                return Err(ScenarioError::field(
                    at,
                    "a list of at least two policies",
                    values,
                ));
            };
            for (i, o) in options.iter().enumerate() {
                check_policy(&format!("{at}[{i}]"), o)?;
            }
            continue;
        }
        let Some(list) = values.as_array().filter(|l| !l.is_empty()) else {
            return Err(ScenarioError::field(
                at,
                "a non-empty list of values or operators",
                values,
            ));
        };
        combinations = combinations.saturating_mul(list.len());
        for (i, rule) in list.iter().enumerate() {
            check_rule(&format!("{at}[{i}]"), rule)?;
        }
    }
    if combinations > 150 {
        return Err(ScenarioError::field(
            path,
            "at most 150 value combinations (the product of the lists' lengths)",
            combinations,
        ));
    }
    Ok(())
}

fn check_rule(path: &str, rule: &Value) -> Result<(), ScenarioError> {
    let bad = |expected: &str| Err(ScenarioError::field(path, expected, rule));
    match rule {
        Value::String(_) => Ok(()),
        Value::Number(n) if n.as_f64().is_some_and(|x| x.abs() <= 1e9) => Ok(()),
        Value::Number(_) => bad("a number from -1,000,000,000 to 1,000,000,000"),
        Value::Object(op) if op.len() == 1 => {
            let (name, arg) = op.iter().next().expect("one entry");
            let ok = match name.as_str() {
                "prefix" => arg.is_string(),
                "exists" => arg.is_boolean(),
                "anything-but" => match arg {
                    Value::Array(xs) => xs.iter().all(|x| x.is_string() || x.is_number()),
                    Value::Object(p) => {
                        p.len() == 1 && p.get("prefix").is_some_and(Value::is_string)
                    }
                    other => other.is_string() || other.is_number(),
                },
                "numeric" => numeric_ok(arg),
                _ => false,
            };
            if ok {
                Ok(())
            } else {
                bad("an operator: {\"prefix\": s}, {\"anything-but\": [..]}, {\"numeric\": [op, n, ..]} or {\"exists\": bool}")
            }
        }
        _ => bad("a string, a number or one operator object"),
    }
}

fn numeric_ok(arg: &Value) -> bool {
    let Some(parts) = arg.as_array() else {
        return false;
    };
    parts.len() % 2 == 0
        && !parts.is_empty()
        && parts.chunks(2).all(|c| {
            c[0].as_str()
                .is_some_and(|op| ["=", "<", "<=", ">", ">="].contains(&op))
                && c[1].is_number()
        })
}

/// Whether a message with these attributes passes a subscription's filter policy.
pub fn policy_matches(policy: &Value, attributes: &Map<String, Value>) -> bool {
    let Some(map) = policy.as_object() else {
        return false;
    };
    map.iter().all(|(key, rules)| {
        if key == "$or" {
            return rules
                .as_array()
                .is_some_and(|o| o.iter().any(|p| policy_matches(p, attributes)));
        }
        let rules = rules.as_array().map(Vec::as_slice).unwrap_or_default();
        let value = attributes.get(key);
        rules
            .iter()
            .any(|rule| rule_matches(rule, value, attributes))
    })
}

fn rule_matches(rule: &Value, value: Option<&Value>, all: &Map<String, Value>) -> bool {
    if let Some(exists) = rule.get("exists").and_then(Value::as_bool) {
        // `false` matches a message that has attributes, just not this one.
        return if exists {
            value.is_some()
        } else {
            value.is_none() && !all.is_empty()
        };
    }
    let Some(value) = value else {
        return false;
    };
    // A list attribute matches if any of its elements does.
    if let Value::Array(items) = value {
        return items.iter().any(|v| rule_matches_one(rule, v));
    }
    rule_matches_one(rule, value)
}

fn rule_matches_one(rule: &Value, v: &Value) -> bool {
    match rule {
        Value::String(s) => v.as_str() == Some(s),
        Value::Number(n) => v.as_f64().is_some() && v.as_f64() == n.as_f64(),
        Value::Object(op) => {
            if let Some(p) = op.get("prefix").and_then(Value::as_str) {
                return v.as_str().is_some_and(|s| s.starts_with(p));
            }
            if let Some(arg) = op.get("anything-but") {
                return match arg {
                    Value::Object(p) => p
                        .get("prefix")
                        .and_then(Value::as_str)
                        .is_some_and(|p| v.as_str().is_some_and(|s| !s.starts_with(p))),
                    Value::Array(xs) => !xs.iter().any(|x| rule_matches_one(x, v)),
                    single => !rule_matches_one(single, v),
                };
            }
            if let (Some(parts), Some(x)) =
                (op.get("numeric").and_then(Value::as_array), v.as_f64())
            {
                return parts.chunks(2).all(|c| {
                    let n = c[1].as_f64().unwrap_or(f64::NAN);
                    match c[0].as_str().unwrap_or("") {
                        "=" => x == n,
                        "<" => x < n,
                        "<=" => x <= n,
                        ">" => x > n,
                        ">=" => x >= n,
                        _ => false,
                    }
                });
            }
            false
        }
        _ => false,
    }
}

/// Checks a headers binding: `x-match`, if given, is one RabbitMQ knows.
pub fn check_headers_binding(path: &str, args: &Map<String, Value>) -> Result<(), ScenarioError> {
    match args.get("x-match") {
        None => Ok(()),
        Some(Value::String(m))
            if ["all", "any", "all-with-x", "any-with-x"].contains(&m.as_str()) =>
        {
            Ok(())
        }
        Some(other) => Err(ScenarioError::field(
            format!("{path}.x-match"),
            "\"all\", \"any\", \"all-with-x\" or \"any-with-x\"",
            other,
        )),
    }
}

/// Whether a message with these headers goes through a headers binding.
pub fn headers_match(binding: &Map<String, Value>, headers: &Map<String, Value>) -> bool {
    let mode = binding
        .get("x-match")
        .and_then(Value::as_str)
        .unwrap_or("all");
    let with_x = mode.ends_with("-with-x");
    let mut wanted = binding
        .iter()
        .filter(|(k, _)| *k != "x-match" && (with_x || !k.starts_with("x-")));
    // Strict equality: the same type and the same value.
    let hit = |(k, v): (&String, &Value)| headers.get(k) == Some(v);
    if mode.starts_with("any") {
        wanted.any(hit)
    } else {
        wanted.all(hit)
    }
}
