//! Timed commands in the builder: what happens to a node at a moment of the run (a consumer
//! crashes at 1m00s, a publish at 1s, a queue's head rejected at 6s), added and removed one at
//! a time, and drawn as a list with the form that adds the next.
//!
//! # Contract
//! - A command is typed as a person would say it: a time (`60s`, or milliseconds), the node it
//!   is aimed at (or none, for the one node it can mean), its type, and its own fields as
//!   `name=value` pairs (`consumer=0`, `exchange=orders key=order.pizza.eu`). A value reads as
//!   JSON when it is JSON (`0`, `false`, `{"kind": "immediate"}`), else as text.
//! - [`add`] checks the command as the file's own commands are checked (the node exists and
//!   can take it, each field is the command's own and in range) before it is added; a refused
//!   command names the field, what was expected and what was given, and changes nothing.
//! - Commands are kept in time order; one added at a time already taken goes after those,
//!   which is the order the run takes them in.
//! - [`EXAMPLES`] gives every command type an example of its fields, and a test holds each
//!   example to the engine's reader, so the hints the form shows are ones that work.

use std::fmt::Write;

use queue_engine::topology::scenario::{NodeCommand, ScenarioV2};
use queue_engine::{Command, Millis, COMMAND_TYPES};
use serde_json::{Map, Value};

use crate::form::{escape, options};

/// Each command type with an example of its fields (empty: it has none).
pub const EXAMPLES: [(&str, &str); 26] = [
    ("send", "payload=poison group=1"),
    ("set_online", "online=false consumer=0"),
    ("crash", "consumer=0"),
    ("scale_consumers", "count=2"),
    ("spike", "factor=5 duration=30s"),
    ("set_rate", "rate=10"),
    ("set_batch_failure", "mode=report_failures"),
    ("set_batch_size", "size=10"),
    ("set_ack", "mode=before_processing"),
    ("set_idempotent", "on=true"),
    ("set_visibility_timeout", "timeout=30s"),
    ("set_extend_visibility", "on=true"),
    ("set_max_receive_count", "count=3"),
    ("set_failure_rate", "rate=0.1"),
    ("set_on_invalid", "mode=dead_letter"),
    ("set_processing_time", "mean=300ms"),
    (
        "set_retry",
        r#"policy={"kind":"exponential","base":"1s","max":"30s"}"#,
    ),
    ("redrive_all", ""),
    ("redrive_one", "message=1"),
    ("discard", "message=1"),
    ("fix_poison", ""),
    ("seek", "to=earliest"),
    ("set_hot_key", "share=0.5"),
    ("take", "outcome=requeue"),
    ("publish", "exchange=orders key=order.pizza.eu"),
    ("resend", "event=1 payload=normal"),
];

/// A command's `do`: its type with the fields typed as `name=value` pairs.
pub fn command(kind: &str, fields: &str) -> Result<Command, String> {
    if !COMMAND_TYPES.contains(&kind) {
        return Err(format!(
            "type: expected a command type ({}); got \"{kind}\"",
            COMMAND_TYPES.join(", ")
        ));
    }
    let mut body = Map::new();
    body.insert("type".to_owned(), Value::String(kind.to_owned()));
    for pair in split(fields) {
        let Some((name, value)) = pair.split_once('=') else {
            return Err(format!(
                "fields: expected name=value pairs, like {}; got \"{pair}\"",
                example(kind)
            ));
        };
        let value = value.trim();
        let read = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()));
        body.insert(name.trim().to_owned(), read);
    }
    crate::read_as(&Value::Object(body))
        .map_err(|said| format!("fields of {kind}: {said}; an example: {}", example(kind)))
}

fn example(kind: &str) -> &'static str {
    EXAMPLES
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("", |(_, e)| if e.is_empty() { "no fields" } else { e })
}

/// `text` cut at spaces and commas outside quotes and brackets, so a JSON value stays whole.
fn split(text: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut quoted, mut start) = (Vec::new(), 0i32, false, 0);
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '{' | '[' if !quoted => depth += 1,
            '}' | ']' if !quoted => depth -= 1,
            ' ' | ',' | '\t' | '\n' if !quoted && depth <= 0 => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

/// Adds the command `kind` with `fields` at `at`, aimed at `node` (empty: the one node it can
/// mean); what was done, in words.
pub fn add(
    file: &mut ScenarioV2,
    at: &str,
    node: &str,
    kind: &str,
    fields: &str,
) -> Result<String, String> {
    let at_text = at.trim();
    let at: Millis = at_text
        .parse::<u64>()
        .map(Millis)
        .or_else(|_| Millis::parse(at_text))
        .map_err(|_| {
            format!("at: expected a time in the run, in ms or like 60s or 2m; got \"{at_text}\"")
        })?;
    let node = node.trim();
    if !node.is_empty() && !file.topology.nodes.iter().any(|(n, _)| n == node) {
        return Err(crate::builder::unknown("node", node, file));
    }
    let c = NodeCommand {
        at,
        node: (!node.is_empty()).then(|| node.to_owned()),
        command: command(kind, fields)?,
    };
    let place = file.commands.partition_point(|other| other.at <= at);
    let said = describe(&c);
    let mut trial = file.clone();
    trial.commands.insert(place, c);
    // The node must be able to take the command, and its values be in range: the plan says,
    // in the same words as for a file's own commands.
    if let Err(e) = trial.plan() {
        let e = e.to_string();
        let here = format!("commands[{place}]");
        if e.starts_with(&here) {
            return Err(e.replacen(&here, "command", 1));
        }
    }
    *file = trial;
    Ok(format!("Added the command {said}."))
}

/// Removes the command at `place` in the file's list.
pub fn remove(file: &mut ScenarioV2, place: usize) -> Result<String, String> {
    if place >= file.commands.len() {
        return Err(format!(
            "command: expected one of the {} commands; got place {place}",
            file.commands.len()
        ));
    }
    let c = file.commands.remove(place);
    Ok(format!("Removed the command {}.", describe(&c)))
}

/// A command in words, its fields as they are typed: "at 1m 0s, kitchen: crash consumer=0".
pub fn describe(c: &NodeCommand) -> String {
    let body = crate::json_of(&c.command);
    let mut said = format!(
        "at {}, {}: ",
        c.at,
        c.node.as_deref().unwrap_or("the node it means")
    );
    if let Some(o) = body.as_object() {
        let kind = o.get("type").and_then(Value::as_str).unwrap_or("?");
        said.push_str(kind);
        for (k, v) in o.iter().filter(|(k, _)| *k != "type") {
            let v = match v {
                Value::String(s) => s.clone(),
                v => v.to_string(),
            };
            let _ = write!(said, " {k}={v}");
        }
    }
    said
}

/// The list of the file's commands, and the form that adds one.
pub fn draw(out: &mut String, file: &ScenarioV2) {
    let commands = &file.commands;
    let _ = write!(
        out,
        r#"<h4 id="builder-commands" tabindex="-1">Timed commands ({})</h4><ul class="builder-commands" aria-labelledby="builder-commands">"#,
        commands.len()
    );
    for (i, c) in commands.iter().enumerate() {
        let what = escape(&describe(c));
        let _ = write!(
            out,
            r#"<li>{what} <button type="button" data-op="uncommand" data-place="{i}" aria-label="Remove the command {what}">Remove</button></li>"#
        );
    }
    if commands.is_empty() {
        out.push_str("<li>None: the system runs on its own.</li>");
    }
    out.push_str(r#"</ul><fieldset class="builder-command"><legend>Add a timed command</legend><label>At <input id="builder-at" spellcheck="false" placeholder="60s"></label><label>Node <select id="builder-target"><option value="">the one it means</option>"#);
    let names: Vec<(&str, &str)> = file
        .topology
        .nodes
        .iter()
        .map(|(n, _)| (n.as_str(), n.as_str()))
        .collect();
    options(out, &names, "");
    out.push_str(r#"</select></label><label>Command <select id="builder-type">"#);
    for (kind, e) in EXAMPLES {
        let e = if e.is_empty() { "no fields" } else { e };
        let chosen = if kind == "crash" { " selected" } else { "" };
        let _ = write!(
            out,
            r#"<option value="{kind}" data-hint="for example {}"{chosen}>{kind}</option>"#,
            escape(e)
        );
    }
    out.push_str(r#"</select></label><label>Fields <input id="builder-fields" spellcheck="false" aria-describedby="builder-type-hint"><small id="builder-type-hint">for example consumer=0</small></label><button type="button" data-op="command">Add the command</button></fieldset>"#);
}
