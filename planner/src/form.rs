//! The builder's controls for one file, as HTML the studio puts in place: the system's name
//! and seed, each node with every property it has (in the platform's own words, with the
//! default and the range where the profile gives them), each edge as "from → to" with the
//! settings its kind has (a key, a filter policy, a consumer group's), the forms that add a
//! node and connect two, and the timed commands ([`crate::timeline`]).
//!
//! # Contract
//! - Every control is a labelled native element (`input`, `select`, `button`), so it works by
//!   keyboard and screen reader; nodes and edges are lists.
//! - What the studio acts on is in data attributes: `data-op` on buttons (`add`, `connect`,
//!   `remove`, `disconnect`, `command`, `uncommand`), `data-node` and `data-field` on
//!   properties (an edge's `data-node` is `#` and its place, which no node name can be). Ids
//!   start with `builder-`.
//! - Every text from the file is escaped, so a file cannot put markup into the page.

use std::fmt::Write;

use queue_engine::names::Named;
use queue_engine::topology::profile::QueueProfile;
use queue_engine::topology::scenario::ScenarioV2;

use crate::builder::View;
use crate::switch::span;
use queue_engine::stream::{CommitMode, GroupSettings, OffsetReset, Rebalance};
use queue_engine::topology::log::LogProfile;
use queue_engine::topology::{Edge, EdgeKind, LogSpec, Node, RouterType};
use queue_engine::{ConsumerConfig, ProducerConfig};
use serde_json::Value;

/// The node kinds the builder adds, in the order a system reads left to right.
pub const KINDS: [&str; 6] = ["producer", "router", "queue", "log", "consumer", "store"];

/// A queue's properties: its settings are all optional, so they are listed rather than read
/// from a default (see `QueueSpec`).
const QUEUE_FIELDS: [&str; 13] = [
    "visibility_timeout",
    "delivery_limit",
    "retention",
    "delay",
    "receive_wait",
    "short_poll_interval",
    "max_depth",
    "overflow",
    "content_based_dedup",
    "reorder_window",
    "max_message_size",
    "retry",
    "redrive_rate",
];

/// The properties that are durations: the file writes them in milliseconds, and a person may
/// type either that or a duration with its unit.
const DURATIONS: [&str; 11] = [
    "back_off",
    "batch_window",
    "delay",
    "processing.mean",
    "restart_after",
    "start",
    "stop",
    "visibility_timeout",
    "retention",
    "receive_wait",
    "short_poll_interval",
];

/// A log's optional properties, besides those its default writes.
const LOG_FIELDS: [&str; 3] = ["partitions", "retention", "max_len"];

/// Text for HTML, in an element or an attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A value as a person types it: strings bare, anything else as JSON.
fn typed(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        v => v.to_string(),
    }
}

pub(crate) fn options(out: &mut String, names: &[(&str, &str)], chosen: &str) {
    for (value, label) in names {
        let selected = if *value == chosen { " selected" } else { "" };
        let _ = write!(
            out,
            r#"<option value="{}"{selected}>{}</option>"#,
            escape(value),
            escape(label)
        );
    }
}

/// One property: its name, the field, and a hint (default and range).
fn field(out: &mut String, node: &str, name: &str, value: &str, hint: &str) {
    let _ = write!(
        out,
        r#"<label class="builder-field"><span>{name}</span><input data-node="{node}" data-field="{name}" value="{}" spellcheck="false"><small>{}</small><span class="builder-wrong" role="alert"></span></label>"#,
        escape(value),
        escape(hint),
        node = escape(node),
        name = escape(name),
    );
}

/// A property with a closed set of values, as a `select`.
fn choice(
    out: &mut String,
    node: &str,
    field: &str,
    names: &[(&str, &str)],
    chosen: &str,
    hint: &str,
) {
    let _ = write!(
        out,
        r#"<label class="builder-field"><span>{field}</span><select data-node="{}" data-field="{field}">"#,
        escape(node)
    );
    options(out, names, chosen);
    let _ = write!(out, "</select><small>{hint}</small></label>");
}

/// What the profile says of a queue's property: its name on the platform, default and range.
fn queue_hint(profile: QueueProfile, field: &str) -> String {
    match field {
        "visibility_timeout" => {
            let l = profile.visibility();
            format!(
                "{}: default {}, {} to {}",
                l.name,
                span(l.default),
                span(l.min),
                span(l.max)
            )
        }
        "delivery_limit" => match profile.delivery_limit() {
            Some(l) => format!("{}: default {}, {} to {}", l.name, l.default, l.min, l.max),
            None => format!("{} has no delivery limit: leave it empty", profile.label()),
        },
        "retention" => {
            let l = profile.retention();
            format!(
                "{}: default {}, {} to {}",
                l.name,
                span(l.default),
                span(l.min),
                span(l.max)
            )
        }
        _ => "empty: the profile's default".to_owned(),
    }
}

/// A value's name as files spell it.
fn id<T: Named + PartialEq>(value: T) -> String {
    T::ALL
        .iter()
        .position(|v| *v == value)
        .map_or_else(String::new, |i| T::NAMES[i].to_owned())
}

/// What `settings` sets at the dotted `field` (`processing.mean`), as typed; empty if unset.
fn lookup(settings: Option<&serde_json::Map<String, Value>>, field: &str) -> String {
    let mut parts = field.split('.');
    let mut at = parts.next().and_then(|first| settings?.get(first));
    for part in parts {
        at = at.and_then(|v| v.get(part));
    }
    at.map(typed).unwrap_or_default()
}

/// The settings an edge has, by its kind and what it joins, each with a hint: a key where a
/// router reads one, an SNS filter policy, a headers binding, a call's limits, a consumer
/// group's settings on a log.
fn edge_settings(out: &mut String, place: usize, edge: &Edge, nodes: &[(String, Node)]) {
    let node = |name: &str| nodes.iter().find(|(n, _)| n == name).map(|(_, n)| n);
    let router = |name: &str| match node(name) {
        Some(Node::Router(r)) => Some(r.kind),
        _ => None,
    };
    let json = crate::json_of(edge);
    let set = json.as_object();
    let at = format!("#{place}");
    let text = |out: &mut String, f: &str, hint: &str| field(out, &at, f, &lookup(set, f), hint);
    match edge.kind {
        EdgeKind::Publish => {
            text(
                out,
                "key",
                "the routing key, for a direct or topic exchange",
            );
            if matches!(
                router(&edge.to),
                Some(RouterType::Sns | RouterType::Headers)
            ) {
                text(
                    out,
                    "attributes",
                    r#"what every message carries, as JSON: {"kind": "video"}"#,
                );
            }
        }
        EdgeKind::Bind => {
            text(
                out,
                "key",
                "the binding key; on a topic exchange * is one word, # any number",
            );
            match router(&edge.from) {
                Some(RouterType::Sns) => text(
                    out,
                    "filter",
                    r#"the filter policy, as JSON: {"kind": ["video"]}"#,
                ),
                Some(RouterType::Headers) => text(
                    out,
                    "headers",
                    r#"as JSON, with x-match: {"x-match": "all", "kind": "video"}"#,
                ),
                _ => {}
            }
        }
        EdgeKind::Call => {
            text(out, "timeout", "ms, or like 2s; how long the caller waits");
            text(
                out,
                "backlog_limit",
                "requests accepted beyond those in hand; more get 503",
            );
        }
        EdgeKind::Subscribe => {
            let Some(Node::Log(log)) = node(&edge.from) else {
                return;
            };
            let d = GroupSettings::default();
            let group = |f: &str| lookup(set, &format!("group.{f}"));
            let names = |all: &'static [&'static str]| -> Vec<(&str, &str)> {
                all.iter().map(|n| (*n, *n)).collect()
            };
            let chosen = |f: &str, default: &str| {
                let v = group(f);
                if v.is_empty() {
                    default.to_owned()
                } else {
                    v
                }
            };
            // Three calls, not a loop over a table: the loop cost the worker 80 to 110 B of gzip.
            choice(
                out,
                &at,
                "group.commit",
                &names(CommitMode::NAMES),
                &chosen("commit", &id(d.commit)),
                "when the group commits its offsets",
            );
            choice(
                out,
                &at,
                "group.offset_reset",
                &names(OffsetReset::NAMES),
                &chosen("offset_reset", &id(d.offset_reset)),
                "where a new group starts reading",
            );
            choice(
                out,
                &at,
                "group.rebalance",
                &names(Rebalance::NAMES),
                &chosen("rebalance", &id(d.rebalance)),
                "how partitions move between members",
            );
            let mut numbers = vec![
                (
                    "auto_commit_interval",
                    format!("ms, or like 5s; default {}", d.auto_commit_interval.0),
                ),
                (
                    "rebalance_pause",
                    format!("ms, or like 3s; default {}", d.rebalance_pause.0),
                ),
                (
                    "max_poll_records",
                    format!("default {}", d.max_poll_records),
                ),
                (
                    "max_attempts",
                    format!(
                        "attempts before a record goes to the dead-letter topic; default {}",
                        d.max_attempts
                    ),
                ),
            ];
            if log.profile == LogProfile::RedisStreams {
                numbers.push((
                    "claim_every",
                    "ms, or like 5s; how often XAUTOCLAIM runs".to_owned(),
                ));
                numbers.push((
                    "min_idle",
                    "ms, or like 10s; XAUTOCLAIM's min-idle-time".to_owned(),
                ));
            }
            for (f, hint) in numbers {
                field(out, &at, &format!("group.{f}"), &group(f), &hint);
            }
        }
        _ => {}
    }
}

/// A node's properties: the ones its kind has, with what the file sets.
fn properties(out: &mut String, name: &str, node: &Node) {
    let current = crate::json_of(node);
    let set = current
        .as_object()
        .and_then(|o| o.values().next())
        .and_then(Value::as_object);
    let value = |field: &str| lookup(set, field);
    let defaults = |d: Value, extra: &[&str]| -> Vec<(String, String)> {
        let mut fields = Vec::new();
        let all = d.as_object().into_iter().flatten();
        for (k, v) in all.filter(|(k, _)| *k != "name") {
            match v.as_object() {
                // An object's own properties, each a field of its own.
                Some(inner) if !inner.is_empty() => {
                    for (ik, iv) in inner {
                        fields.push((format!("{k}.{ik}"), format!("default {}", typed(iv))));
                    }
                }
                _ => fields.push((k.clone(), format!("default {}", typed(v)))),
            }
        }
        for f in extra {
            if !fields.iter().any(|(k, _)| k == f) {
                fields.push(((*f).to_owned(), "empty: the default".to_owned()));
            }
        }
        fields
    };
    let fields = match node {
        Node::Producer(_) => defaults(crate::json_of(&ProducerConfig::default()), &[]),
        Node::Consumer(_) => defaults(crate::json_of(&ConsumerConfig::default()), &[]),
        Node::Log(_) => defaults(crate::json_of(&LogSpec::default()), &LOG_FIELDS),
        Node::Queue(q) => {
            let profiles: Vec<(&str, &str)> = QueueProfile::ALL
                .iter()
                .map(|p| (p.id(), p.label()))
                .collect();
            let hint = "the platform whose rules the queue follows";
            choice(out, name, "profile", &profiles, q.profile.id(), hint);
            QUEUE_FIELDS
                .iter()
                .map(|f| ((*f).to_owned(), queue_hint(q.profile, f)))
                .collect()
        }
        Node::Router(r) => {
            let kinds: Vec<(&str, &str)> = RouterType::NAMES.iter().map(|n| (*n, *n)).collect();
            let hint =
                "fanout, direct, topic and headers are RabbitMQ exchanges; sns is an SNS topic";
            choice(out, name, "type", &kinds, r.kind.id(), hint);
            Vec::new()
        }
        Node::Store(_) => Vec::new(),
    };
    for (f, hint) in fields {
        let hint = if DURATIONS.contains(&f.as_str()) {
            format!("ms, or like 300ms or 2m; {hint}")
        } else {
            hint
        };
        field(out, name, &f, &value(&f), &hint);
    }
}

/// A node's kind in words, with its platform where it has one.
fn kind_words(node: &Node) -> String {
    match node {
        Node::Queue(q) => format!("queue, {}", q.profile.label()),
        Node::Router(r) => format!("router, {}", r.kind.id()),
        Node::Log(l) => format!("log, {}", typed(&crate::json_of(&l.profile))),
        n => n.kind().to_string(),
    }
}

/// The builder's controls for `file`.
pub fn draw(file: &ScenarioV2, view: &View) -> String {
    let mut out = String::new();
    let nodes = &file.topology.nodes;
    for (op, can) in [("undo", view.undo), ("redo", view.redo)] {
        let off = if can { "" } else { " disabled" };
        let label = if op == "undo" { "Undo" } else { "Redo" };
        let _ = write!(
            out,
            r#"<button type="button" data-op="{op}"{off}>{label}</button> "#
        );
    }
    out.push_str(r#"<fieldset class="builder-system"><legend>The system</legend>"#);
    field(
        &mut out,
        "",
        "name",
        &file.name,
        "its name in links and exports",
    );
    field(
        &mut out,
        "",
        "seed",
        &file.seed.to_string(),
        "the same seed gives the same run",
    );
    out.push_str("</fieldset>");

    let _ = write!(
        out,
        r#"<h4 id="builder-nodes" tabindex="-1">Nodes ({})</h4><ul class="builder-nodes" aria-labelledby="builder-nodes">"#,
        nodes.len()
    );
    for (name, node) in nodes {
        let n = escape(name);
        let open = if view.open.contains(name) {
            " open"
        } else {
            ""
        };
        let _ = write!(
            out,
            r#"<li><details data-node="{n}"{open}><summary><b>{n}</b> {}</summary><div class="builder-fields">"#,
            escape(&kind_words(node))
        );
        properties(&mut out, name, node);
        let _ = write!(
            out,
            r#"</div><button type="button" data-op="remove" data-node="{n}">Remove {n}</button></details></li>"#
        );
    }
    if nodes.is_empty() {
        out.push_str("<li>None yet: add the first below.</li>");
    }
    out.push_str("</ul>");

    let edges = &file.topology.edges;
    let _ = write!(
        out,
        r#"<h4 id="builder-edges" tabindex="-1">Edges ({})</h4><ul class="builder-edges" aria-labelledby="builder-edges">"#,
        edges.len()
    );
    for (i, e) in edges.iter().enumerate() {
        let what = format!(
            "{} → {}: {}{}",
            e.from,
            e.to,
            e.kind.id(),
            e.key
                .as_ref()
                .map(|k| format!(", key {k}"))
                .unwrap_or_default()
        );
        let what = escape(&what);
        let remove = format!(
            r#"<button type="button" data-op="disconnect" data-edge="{i}" aria-label="Remove the edge {what}">Remove</button>"#
        );
        let mut settings = String::new();
        edge_settings(&mut settings, i, e, nodes);
        if settings.is_empty() {
            let _ = write!(out, "<li>{what} {remove}</li>");
        } else {
            let fold = format!("#{i}");
            let open = if view.open.contains(&fold) {
                " open"
            } else {
                ""
            };
            let _ = write!(
                out,
                r#"<li><details data-node="{fold}"{open}><summary>{what}</summary><div class="builder-fields">{settings}</div>{remove}</details></li>"#
            );
        }
    }
    if edges.is_empty() {
        out.push_str("<li>None yet.</li>");
    }
    out.push_str("</ul>");

    out.push_str(r#"<fieldset class="builder-add"><legend>Add a node</legend><label>Kind <select id="builder-kind">"#);
    let kinds: Vec<(&str, &str)> = KINDS.iter().map(|k| (*k, *k)).collect();
    options(&mut out, &kinds, "queue");
    out.push_str(r#"</select></label><label>Name <input id="builder-name" spellcheck="false" placeholder="orders"></label><button type="button" data-op="add">Add</button></fieldset>"#);

    let names: Vec<(&str, &str)> = nodes
        .iter()
        .map(|(n, _)| (n.as_str(), n.as_str()))
        .collect();
    out.push_str(r#"<fieldset class="builder-connect"><legend>Connect two nodes</legend><label>From <select id="builder-from">"#);
    options(&mut out, &names, "");
    out.push_str(r#"</select></label><label>Edge <select id="builder-edge">"#);
    let edge_kinds: Vec<(&str, &str)> = EdgeKind::NAMES.iter().map(|k| (*k, *k)).collect();
    options(&mut out, &edge_kinds, "publish");
    out.push_str(r#"</select></label><label>To <select id="builder-to">"#);
    options(&mut out, &names, "");
    out.push_str(r#"</select></label><label>Key, for a direct or topic exchange <input id="builder-key" spellcheck="false"></label><button type="button" data-op="connect">Connect</button></fieldset>"#);
    crate::timeline::draw(&mut out, file);
    out
}

/// A link that downloads `text` as the file `name`.
pub fn file_link(name: &str, text: &str, label: &str) -> String {
    let kind = if name.ends_with(".json") {
        "application/json"
    } else {
        "text/plain"
    };
    let mut href = format!("data:{kind};charset=utf-8,");
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            href.push(b as char);
        } else {
            let _ = write!(href, "%{b:02X}");
        }
    }
    format!(
        r#"<a download="{}" href="{href}">{}</a>"#,
        escape(name),
        escape(label)
    )
}

/// The file as a link that downloads it.
pub fn download(text: &str) -> String {
    file_link("my-system.json", text, "Download the file").replacen(
        "<a ",
        r#"<p><a id="system-file-download" "#,
        1,
    ) + "</p>"
}
