//! The builder: a scenario file changed one step at a time (add, remove or connect a node, set
//! a property of a node or an edge, add or remove a timed command, name the system), each
//! step checked before it is applied, and the file drawn as the controls that make the next
//! step.
//!
//! # Contract
//! - [`step`] takes the file as it is and one [`Step`], and gives the file after it (written
//!   short, as [`crate::write`] writes files, nodes in the order they were added), its plan when
//!   it runs, and what to draw; or why the step was refused, naming the field, what was
//!   expected and what was given. A refused step changes nothing.
//! - A file may be unfinished: a consumer that reads nothing yet is a file that does not run.
//!   Such a step is applied, and the answer says why the system does not run yet. Only a value
//!   the node itself refuses (a delivery limit of 0, a duration of "soon") is refused outright.
//! - Nodes keep their place: a new node goes last, and no step renumbers the others, so the
//!   canvas does not reshuffle as a system grows.
//! - Nothing here panics, whatever the text or the step.

use queue_engine::names::Named;
use queue_engine::topology::scenario::ScenarioV2;
use queue_engine::topology::{
    definitions, Edge, EdgeKind, LogSpec, Node, QueueSpec, RouterSpec, StoreSpec,
};
use queue_engine::{ConsumerConfig, ProducerConfig};
use serde_json::{Map, Value};

use crate::form;

/// One change to the file.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// An empty system to build on.
    New,
    /// The file as it is (drawn again, after undo or an edit by hand).
    Show,
    Add {
        kind: String,
        name: String,
    },
    Remove {
        name: String,
    },
    Connect {
        kind: String,
        from: String,
        to: String,
        key: String,
    },
    /// The edge at this place in the file's list.
    Disconnect {
        edge: usize,
    },
    /// A node's property (`node` empty: the file's own `name`, `description` or `seed`;
    /// `#3`: the edge at place 3, whose settings are those of its kind, such as a consumer
    /// group's). A dotted `field` reaches into an object (`processing.mean`, `group.commit`);
    /// an empty `value` goes back to the default.
    Set {
        node: String,
        field: String,
        value: String,
    },
    /// A timed command (see [`crate::timeline`]): at a time, aimed at a node (empty: the one
    /// it means), of a type, with its fields as `name=value` pairs.
    Command {
        at: String,
        node: String,
        kind: String,
        fields: String,
    },
    /// The timed command at this place in the file's list.
    Uncommand {
        place: usize,
    },
}

impl Step {
    /// The step a worker message names: the operation, then its arguments in order.
    pub fn parse(op: &str, args: &[String]) -> Result<Step, String> {
        let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
        Ok(match op {
            "new" => Step::New,
            "show" => Step::Show,
            "add" => Step::Add { kind: arg(0), name: arg(1).trim().to_owned() },
            "remove" => Step::Remove { name: arg(0) },
            "connect" => Step::Connect { kind: arg(0), from: arg(1), to: arg(2), key: arg(3) },
            "disconnect" => Step::Disconnect {
                edge: arg(0).parse().map_err(|_| format!("edge: expected an edge's place; got \"{}\"", arg(0)))?,
            },
            "set" => Step::Set { node: arg(0), field: arg(1), value: arg(2) },
            "command" => Step::Command { at: arg(0), node: arg(1), kind: arg(2), fields: arg(3) },
            "uncommand" => Step::Uncommand {
                place: arg(0).parse().map_err(|_| format!("command: expected a command's place; got \"{}\"", arg(0)))?,
            },
            other => return Err(format!("step: expected new, show, add, remove, connect, disconnect, set, command or uncommand; got \"{other}\"")),
        })
    }
}

/// The builder's answer to a step.
#[derive(Clone, Debug, PartialEq)]
pub struct Built {
    /// The file after the step.
    pub text: String,
    /// Its plan, as the page reads plans (None: it does not run yet).
    pub plan: Option<String>,
    /// In words: what the step did, or why the system does not run yet.
    pub status: String,
    /// The builder's controls for this file (HTML).
    pub html: String,
}

/// The file a new system starts from.
const EMPTY: &str = r#"{"version":2,"name":"my-system","seed":42,"nodes":{}}"#;

/// Applies `step` to the file `text`.
pub fn step(text: &str, step: &Step) -> Result<Built, String> {
    let text = if *step == Step::New { EMPTY } else { text };
    let mut file = read(text)?;
    let before = matches!(step, Step::Set { .. }).then(|| file.plan().err().map(|e| e.to_string()));
    let done = apply(&mut file, step)?;
    let plan = file.plan();
    // A value the node refuses is the author's to fix before anything changes: a new error
    // about the node just set. What was wrong before (a pool that reads nothing yet) does not
    // stop its other settings.
    if let (Step::Set { node, .. }, Err(e), Some(before)) = (step, &plan, before) {
        let said = e.to_string();
        let about = match node.strip_prefix('#') {
            Some(place) => format!("edges[{place}]"),
            None => format!("nodes.{node}"),
        };
        let about_node = !node.is_empty() && said.starts_with(&about);
        if about_node && before.as_ref() != Some(&said) {
            return Err(said);
        }
    }
    let (plan, status) = match plan {
        Ok(plan) => (
            Some(serde_json::to_string(&plan).map_err(|e| format!("plan: {e}"))?),
            format!("{done} It runs on the canvas."),
        ),
        Err(e) => (None, format!("{done} It does not run yet: {e}")),
    };
    Ok(Built {
        // A file opened as it is stays as its author wrote it; a step writes it anew, and so
        // does opening RabbitMQ definitions, which become a scenario file.
        text: if *step == Step::Show
            && !serde_json::from_str(text).is_ok_and(|v| is_definitions(&v))
        {
            text.to_owned()
        } else {
            crate::write::write(&file)
        },
        plan,
        status,
        html: form::draw(&file, &View::default()),
    })
}

/// How the builder is shown: the nodes whose folds are open, and whether Undo and Redo
/// have anything to do.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct View {
    pub open: Vec<String>,
    pub undo: bool,
    pub redo: bool,
}

/// One author's builder: the steps, with the files before each (Undo) and those undone (Redo).
#[derive(Default)]
pub struct Session {
    undo: Vec<String>,
    redo: Vec<String>,
}

impl Session {
    /// The step `op` (with `undo` and `redo` besides [`Step::parse`]'s) on `text`, drawn with
    /// the folds in `open` open.
    pub fn answer(
        &mut self,
        op: &str,
        text: &str,
        open: Vec<String>,
        args: &[String],
    ) -> Result<Built, String> {
        let (built, before) = match op {
            "undo" | "redo" => {
                let (from, other) = if op == "undo" {
                    (&mut self.undo, &mut self.redo)
                } else {
                    (&mut self.redo, &mut self.undo)
                };
                let to = from
                    .pop()
                    .ok_or_else(|| format!("{op}: expected a step to {op}; got none"))?;
                let built = step(&to, &Step::Show).inspect_err(|_| from.push(to.clone()))?;
                other.push(text.to_owned());
                (built, None)
            }
            _ => {
                let built = step(text, &Step::parse(op, args)?)?;
                (built, Some(text))
            }
        };
        // Nothing before the first file: no step to undo.
        if let Some(before) = before.filter(|b| *b != built.text && !b.trim().is_empty()) {
            self.undo.push(before.to_owned());
            self.redo.clear();
        }
        let file = read(&built.text)?;
        let view = View {
            open,
            undo: !self.undo.is_empty(),
            redo: !self.redo.is_empty(),
        };
        let mut html = form::draw(&file, &view) + &form::download(&built.text);
        crate::export::draw(&mut html, &file, file.plan().ok().as_ref());
        Ok(Built { html, ..built })
    }
}

/// A version 2 file, or RabbitMQ definitions as one, unplanned; or why it cannot be read:
/// too long, not JSON, a version this builder does not read, a field at fault. The one reader
/// of files here, so everything that reads one says the same.
///
/// Version 1 files (one queue each, the playground's first format) are not read here: their
/// reader with field paths is 12.6 kB of gzip, which the builder cannot spend, and every file
/// in `scenarios/` is version 2. The message says how to convert one.
pub fn read(text: &str) -> Result<ScenarioV2, String> {
    if text.len() > crate::MAX_FILE_BYTES {
        return Err(crate::too_long(text.len()));
    }
    let value = serde_json::from_str::<Value>(text).ok();
    if let Some(doc) = value.as_ref().filter(|v| is_definitions(v)) {
        return definitions::import_scenario(doc, "rabbitmq-definitions")
            .map_err(|e| e.to_string());
    }
    let version = value
        .as_ref()
        .and_then(|v| v.as_object())
        .map(|o| o.get("version"));
    let given = match version {
        Some(None) => "none".to_owned(),
        Some(Some(v)) if v.as_u64() != Some(2) => v.to_string(),
        // Version 2, or not a JSON object: the file reader says what is wrong in its words.
        _ => return ScenarioV2::read(text).map_err(|e| e.to_string()),
    };
    let hint = if given == "none" || given == "1" {
        " (a version 1 file of one queue converts with `qsim convert FILE`)"
    } else {
        ""
    };
    Err(format!(
        "version: expected 2, the format of scenarios/*.json{hint}; got {given}"
    ))
}

/// RabbitMQ definitions, as `rabbitmqctl export_definitions` and the lens write them: no
/// `version`, and a broker's lists (a scenario file has `nodes` instead).
fn is_definitions(doc: &Value) -> bool {
    doc.get("version").is_none()
        && [
            "rabbit_version",
            "rabbitmq_version",
            "exchanges",
            "queues",
            "bindings",
        ]
        .iter()
        .any(|k| doc.get(k).is_some())
}

/// Changes `file` as `step` says; what was done, in words.
fn apply(file: &mut ScenarioV2, step: &Step) -> Result<String, String> {
    let nodes = &mut file.topology.nodes;
    match step {
        Step::New => Ok("A new, empty system.".to_owned()),
        Step::Show => {
            let count = |n: usize, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
            Ok(format!(
                "Read {}: {}, {}.",
                if file.name.is_empty() {
                    "the file"
                } else {
                    &file.name
                },
                count(file.topology.nodes.len(), "node"),
                count(file.topology.edges.len(), "edge")
            ))
        }
        Step::Add { kind, name } => {
            let node = match kind.as_str() {
                "producer" => Node::Producer(ProducerConfig::default()),
                "router" => Node::Router(RouterSpec::default()),
                "queue" => Node::Queue(QueueSpec::default()),
                "log" => Node::Log(LogSpec::default()),
                "consumer" => Node::Consumer(ConsumerConfig::default()),
                "store" => Node::Store(StoreSpec::default()),
                _ => {
                    return Err(format!(
                        "kind: expected producer, router, queue, log, consumer or store; got \"{kind}\""
                    ))
                }
            };
            name_check(name)?;
            if nodes.iter().any(|(n, _)| n == name) {
                return Err(format!(
                    "name: expected a name no other node has; got \"{name}\", which {name} has"
                ));
            }
            nodes.push((name.clone(), node));
            Ok(format!("Added the {kind} {name}."))
        }
        Step::Remove { name } => {
            let before = nodes.len();
            nodes.retain(|(n, _)| n != name);
            if nodes.len() == before {
                return Err(unknown("node", name, file));
            }
            let edges = &mut file.topology.edges;
            let had = edges.len();
            edges.retain(|e| e.from != *name && e.to != *name);
            let gone = had - edges.len();
            let s = if gone == 1 { "" } else { "s" };
            Ok(format!("Removed {name} and {gone} edge{s}."))
        }
        Step::Connect {
            kind,
            from,
            to,
            key,
        } => {
            let found = EdgeKind::NAMES.iter().position(|n| n == kind);
            let Some(kind_id) = found.map(|i| EdgeKind::ALL[i]) else {
                return Err(format!(
                    "kind: expected publish, bind, subscribe, dead_letter, reply, write or call; got \"{kind}\""
                ));
            };
            for (field, name) in [("from", from), ("to", to)] {
                if !file.topology.nodes.iter().any(|(n, _)| n == name) {
                    return Err(unknown(field, name, file));
                }
            }
            let mut edge = Edge::new(kind_id, from, to);
            edge.key = (!key.trim().is_empty()).then(|| key.trim().to_owned());
            // The wiring is checked at once: an edge that means nothing is never added.
            let mut trial = file.clone();
            trial.topology.edges.push(edge.clone());
            if let Err(e) = trial.topology.validate() {
                let said = e.to_string();
                let at = format!("edges[{}]", trial.topology.edges.len() - 1);
                if said.starts_with(&at) {
                    return Err(said.replacen(&at, "edge", 1));
                }
            }
            file.topology.edges.push(edge);
            Ok(format!("Connected {from} → {to} ({kind})."))
        }
        Step::Command {
            at,
            node,
            kind,
            fields,
        } => crate::timeline::add(file, at, node, kind, fields),
        Step::Uncommand { place } => crate::timeline::remove(file, *place),
        Step::Disconnect { edge } => {
            let edges = &mut file.topology.edges;
            if *edge >= edges.len() {
                return Err(format!(
                    "edge: expected one of the {} edges; got place {edge}",
                    edges.len()
                ));
            }
            let e = edges.remove(*edge);
            Ok(format!(
                "Removed the edge {} → {} ({}).",
                e.from,
                e.to,
                e.kind.id()
            ))
        }
        Step::Set { node, field, value } => {
            if node.is_empty() {
                return set_file(file, field, value);
            }
            if let Some(place) = node.strip_prefix('#') {
                return set_edge(file, place, field, value);
            }
            let Some((_, config)) = file.topology.nodes.iter_mut().find(|(n, _)| n == node) else {
                return Err(unknown("node", node, file));
            };
            let was = match config {
                Node::Queue(q) => Some(q.profile),
                _ => None,
            };
            let mut json = crate::json_of(&*config);
            // A node is written `{ "queue": { … } }`: its settings are the inner object.
            let settings = json
                .as_object_mut()
                .and_then(|o| o.values_mut().next())
                .and_then(Value::as_object_mut)
                .ok_or_else(|| format!("nodes.{node}: expected settings; got none"))?;
            set_path(settings, field, value)?;
            *config =
                crate::read_as(&json).map_err(|e| at(&format!("nodes.{node}"), field, value, e))?;
            // Another platform: what that changes, and what has no equivalent there.
            if let (Node::Queue(q), Some(from)) = (&mut *config, was) {
                if q.profile != from {
                    let said = crate::switch::switch(q, from);
                    return Ok(format!("{node} follows {} now. {said}", q.profile.label()));
                }
            }
            Ok(if value.trim().is_empty() {
                format!("{node}: {field} is back to its default.")
            } else {
                format!("{node}: {field} is {value}.")
            })
        }
    }
}

/// A setting of the edge at `place`: its key, filter or headers, a call's timeout, a consumer
/// group's `group.commit`. What makes it an edge (kind, from, to) is not a setting: such an
/// edge is removed and connected anew.
fn set_edge(
    file: &mut ScenarioV2,
    place: &str,
    field: &str,
    value: &str,
) -> Result<String, String> {
    let edges = &mut file.topology.edges;
    let count = edges.len();
    let Some(edge) = place.parse::<usize>().ok().and_then(|i| edges.get_mut(i)) else {
        return Err(format!(
            "edge: expected one of the {count} edges; got \"#{place}\""
        ));
    };
    if ["kind", "from", "to"].contains(&field) {
        return Err(format!(
            "edges[{place}].{field}: expected a setting of the edge (remove it and connect anew to change its {field}); got \"{value}\""
        ));
    }
    let mut json = crate::json_of(&*edge);
    let settings = json
        .as_object_mut()
        .ok_or_else(|| format!("edges[{place}]: expected settings; got none"))?;
    set_path(settings, field, value)?;
    *edge = crate::read_as(&json).map_err(|e| at(&format!("edges[{place}]"), field, value, e))?;
    let what = format!("{} → {}", edge.from, edge.to);
    Ok(if value.trim().is_empty() {
        format!("{what}: {field} is back to its default.")
    } else {
        format!("{what}: {field} is {value}.")
    })
}

/// The file's own name, description or seed.
fn set_file(file: &mut ScenarioV2, field: &str, value: &str) -> Result<String, String> {
    let value = value.trim();
    match field {
        "name" => {
            name_check(value).map_err(|e| e.replacen("name:", "name of the system:", 1))?;
            file.name = value.to_owned();
        }
        "description" => file.description = value.to_owned(),
        "seed" => {
            file.seed = value
                .parse()
                .map_err(|_| format!("seed: expected a whole number from 0; got \"{value}\""))?;
        }
        _ => {
            return Err(format!(
                "field: expected name, description or seed; got \"{field}\""
            ))
        }
    }
    Ok(format!("The system's {field} is {value}."))
}

/// `settings` with `value` at the dotted `field` (an empty value removes it: the default).
/// The value is JSON when it reads as JSON (`3`, `true`, `{"mean": "300ms"}`), else a string
/// (`300ms`, `sqs_standard`).
fn set_path(settings: &mut Map<String, Value>, field: &str, value: &str) -> Result<(), String> {
    let mut parts: Vec<&str> = field.split('.').collect();
    let last = parts
        .pop()
        .filter(|p| !p.is_empty())
        .ok_or("field: expected a property's name; got nothing")?;
    let mut at = settings;
    for part in parts {
        let next = at
            .entry(part.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        at = next.as_object_mut().ok_or_else(|| {
            format!("field: expected a property inside an object; got \"{field}\"")
        })?;
    }
    let value = value.trim();
    if value.is_empty() {
        at.remove(last);
    } else {
        let read = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()));
        at.insert(last.to_owned(), read);
    }
    Ok(())
}

/// A reader's error about a node or an edge at `prefix`: its own path when it names one, else
/// the field that was set.
fn at(prefix: &str, field: &str, value: &str, said: String) -> String {
    let said = if said.contains("; got ") {
        said
    } else {
        format!("{said}; got \"{}\"", value.trim())
    };
    if said.starts_with("expected ") {
        format!("{prefix}.{field}: {said}")
    } else {
        format!("{prefix}.{said}")
    }
}

/// The engine's own rule for node names, said of the field the author typed it in.
fn name_check(name: &str) -> Result<(), String> {
    queue_engine::topology::check_name(name).map_err(|e| {
        let said = e.to_string();
        let at = format!("nodes.{name}:");
        said.replacen(&at, "name:", 1)
    })
}

pub(crate) fn unknown(field: &str, name: &str, file: &ScenarioV2) -> String {
    let names: Vec<&str> = file
        .topology
        .nodes
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    format!(
        "{field}: expected one of the nodes ({}); got \"{name}\"",
        names.join(", ")
    )
}
