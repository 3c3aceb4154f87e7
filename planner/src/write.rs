//! The file as the builder writes it: what the author set and nothing else, one node, edge or
//! command to a line, as the files in `scenarios/` are written by hand.
//!
//! # Contract
//! - [`write`] gives a version 2 file that reads back to exactly the same system (topology,
//!   commands, seed, metrics and limits; tested on every file in `scenarios/`).
//! - A setting equal to its kind's default is left out, as are empty optional ones: the
//!   engine's reader puts them back. A consumer group that is set but left at its defaults
//!   stays as `{}`, since a group written and a group left to the platform may differ.
//! - Nodes, edges and commands keep their order.
//! - It is much shorter than the engine's full form (`ScenarioV2::to_json`, which writes every
//!   field), so a link that carries the file (`sf`) is shorter too.

use queue_engine::stream::GroupSettings;
use queue_engine::topology::scenario::ScenarioV2;
use queue_engine::topology::{LogSpec, Node, QueueSpec, RouterSpec, StoreSpec};
use queue_engine::{ConsumerConfig, ProducerConfig};
use serde_json::{Map, Value};

/// `value` without what equals `default`, key by key, objects within objects too; `null`s go.
/// A tagged object (one with a `kind` or `type`, such as a retry policy) is kept whole unless
/// it equals its default: its tag must stay with its fields.
fn prune(value: &mut Map<String, Value>, default: &Value) {
    value.retain(|k, v| {
        let d = default.get(k);
        let tagged = |o: &Map<String, Value>| o.contains_key("kind") || o.contains_key("type");
        if let (Value::Object(inner), Some(d)) = (&mut *v, d) {
            if !tagged(inner) {
                prune(inner, d);
                return !inner.is_empty();
            }
        }
        !v.is_null() && d != Some(v)
    });
}

/// A node's kind at its defaults, to leave out what the node did not change.
fn default_of(node: &Node) -> Node {
    match node {
        Node::Producer(_) => Node::Producer(ProducerConfig::default()),
        Node::Router(_) => Node::Router(RouterSpec::default()),
        Node::Queue(_) => Node::Queue(QueueSpec::default()),
        Node::Log(_) => Node::Log(LogSpec::default()),
        Node::Consumer(_) => Node::Consumer(ConsumerConfig::default()),
        Node::Store(_) => Node::Store(StoreSpec::default()),
    }
}

fn line(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// A list written one item to a line, or nothing when it is empty.
fn list(out: &mut String, field: &str, open: char, close: char, items: Vec<String>) {
    if items.is_empty() {
        return;
    }
    out.push_str(&format!(",\n  \"{field}\": {open}\n    "));
    out.push_str(&items.join(",\n    "));
    out.push_str(&format!("\n  {close}"));
}

/// The file `file`, written short (see the module's contract).
pub fn write(file: &ScenarioV2) -> String {
    let mut out = format!("{{\n  \"version\": 2,\n  \"name\": {}", line(&file.name));
    if !file.description.is_empty() {
        out.push_str(&format!(
            ",\n  \"description\": {}",
            line(&file.description)
        ));
    }
    out.push_str(&format!(",\n  \"seed\": {}", file.seed));
    let nodes = file.topology.nodes.iter().map(|(name, node)| {
        let mut json = crate::json_of(node);
        let default = crate::json_of(&default_of(node));
        if let Some(Value::Object(settings)) =
            json.as_object_mut().and_then(|o| o.values_mut().next())
        {
            // The node's key is its name.
            settings.remove("name");
            let inner = default.as_object().and_then(|o| o.values().next());
            prune(settings, inner.unwrap_or(&Value::Null));
        }
        format!("{}: {}", line(name), line(&json))
    });
    // Nodes are written even when there are none: a file has them.
    let nodes: Vec<String> = nodes.collect();
    if nodes.is_empty() {
        out.push_str(",\n  \"nodes\": {}");
    }
    list(&mut out, "nodes", '{', '}', nodes);
    let group = crate::json_of(&GroupSettings::default());
    let edges = file.topology.edges.iter().map(|e| {
        let mut json = crate::json_of(e);
        let Some(fields) = json.as_object_mut() else {
            return String::new();
        };
        if let Some(Value::Object(g)) = fields.get_mut("group") {
            g.retain(|k, v| !v.is_null() && group.get(k) != Some(v));
        }
        // Kind, from and to first, as an edge is read: the rest are its settings.
        let mut text = format!(
            "{{\"kind\":{},\"from\":{},\"to\":{}",
            line(&e.kind),
            line(&e.from),
            line(&e.to)
        );
        for (k, v) in fields
            .iter()
            .filter(|(k, _)| !["kind", "from", "to"].contains(&k.as_str()))
        {
            text.push_str(&format!(",{}:{}", line(k), line(v)));
        }
        text + "}"
    });
    list(&mut out, "edges", '[', ']', edges.collect());
    list(
        &mut out,
        "commands",
        '[',
        ']',
        file.commands.iter().map(line).collect(),
    );
    if file.metrics != Default::default() {
        out.push_str(&format!(",\n  \"metrics\": {}", line(&file.metrics)));
    }
    if file.limits != Default::default() {
        out.push_str(&format!(",\n  \"limits\": {}", line(&file.limits)));
    }
    out.push_str("\n}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::prune;
    use serde_json::json;

    #[test]
    fn defaults_go_at_every_depth_but_a_tag_stays_with_its_fields() {
        let mut v = json!({
            "count": 2, "rate": 5,
            "processing": { "mean": 300, "distribution": "fixed" },
            "retry": { "kind": "exponential", "base": 2000, "max": 30000 },
            "stop": null
        });
        let d = json!({
            "count": 1, "rate": 5,
            "processing": { "mean": 100, "distribution": "fixed" },
            "retry": { "kind": "exponential", "base": 1000, "max": 30000 }
        });
        prune(v.as_object_mut().unwrap(), &d);
        assert_eq!(
            v,
            json!({
                "count": 2,
                "processing": { "mean": 300 },
                "retry": { "kind": "exponential", "base": 2000, "max": 30000 }
            })
        );
        // A tagged object equal to its default goes like any other default.
        let mut same = json!({ "retry": { "kind": "immediate" } });
        prune(
            same.as_object_mut().unwrap(),
            &json!({ "retry": { "kind": "immediate" } }),
        );
        assert_eq!(same, json!({}));
    }
}
