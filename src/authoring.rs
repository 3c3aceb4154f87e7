//! Writing a lesson on the open system: what a course author types in the lesson writer
//! (`components::lesson_author`), checked field by field and written as a lesson file, the same
//! format as `lessons/*.json`, which the page's own lesson reader then reads.
//!
//! # Contract
//! - [`Draft::write`] refuses a draft with the field at fault, what was expected and what was
//!   given ([`Wrong`]); what it writes parses with [`crate::lessons::parse`] (tested).
//! - A choice's condition names one of the system's numbers (those a checkpoint can test,
//!   [`crate::lessons::Numbers`]), so a typo is caught while writing, not at the checkpoint.
//! - The lesson runs the system as its file defines it, from the seed in force: the
//!   learner's switches are not carried (the lesson's `scenario` can set them by hand).
//! - [`verdict`] runs a lesson to its checkpoint with nobody touching anything, and says which
//!   choice the engine's numbers make true, or why the lesson is not ready: the rule every
//!   built-in lesson is held to by `tests/lessons.rs` is "exactly one choice is true".

use queue_engine::{parse_decimal, Decimal, Millis};

use crate::lessons::{Lesson, Numbers};
use crate::panels::{Model, Panel};

/// What the author typed, one string per field of the form.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Draft {
    pub title: String,
    pub goal: String,
    /// One step per line; blank lines are skipped.
    pub steps: String,
    pub question: String,
    /// When the engine's numbers decide, as a duration ("1m", "90s").
    pub until: String,
    /// Each choice's label and its condition ("waiting >= 10 and lost <= 0"); a choice with
    /// neither is skipped.
    pub choices: Vec<(String, String)>,
    pub reveal: String,
}

/// A field the writer refuses.
#[derive(Debug, PartialEq)]
pub struct Wrong {
    pub field: String,
    pub expected: String,
    pub given: String,
}

impl std::fmt::Display for Wrong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: expected {}; got \"{}\"",
            self.field, self.expected, self.given
        )
    }
}

fn wrong(field: &str, expected: &str, given: &str) -> Wrong {
    Wrong {
        field: field.to_owned(),
        expected: expected.to_owned(),
        given: crate::permalink::truncate(given),
    }
}

/// The system a lesson runs: its model, and its `scenario` as the lesson file writes it.
#[derive(Clone, Debug, PartialEq)]
pub struct System {
    pub model: Model,
    pub scenario: String,
}

impl System {
    /// The open system from `seed`: a panel's own (its file decides everything but the
    /// seed, where it follows one), or the main queue's built-in scenario `name`.
    pub fn open(panel: Option<Panel>, name: &str, seed: u64) -> System {
        let (model, scenario) = match panel {
            None => (
                Model::Queue,
                crate::scenarios::text(name).map_or_else(
                    || format!("{{\"seed\":{seed}}}"),
                    |text| with_seed(text, seed),
                ),
            ),
            Some(Panel::Log) => (Model::Log, crate::scenarios::log_text(seed)),
            Some(Panel::FanOut) => (Model::FanOut, format!("{{\"seed\":{seed}}}")),
            Some(Panel::Contrast) => (Model::PubsubVsQueue, format!("{{\"seed\":{seed}}}")),
            // They run their example file as it is (`panels::Spec::parse`).
            Some(Panel::Exchanges) => (Model::Exchanges, "{}".to_owned()),
            Some(Panel::Redis) => (Model::Redis, "{}".to_owned()),
            // Its plan, which the lesson opens with no planner: whatever the seed, as planned.
            #[cfg(feature = "studio")]
            Some(Panel::Own) => (Model::World, crate::planner::plan_text()),
        };
        System { model, scenario }
    }

    /// A lesson's own system, so that writing again while previewing keeps it.
    pub fn of(lesson: &Lesson) -> System {
        System {
            model: lesson.model,
            scenario: lesson.scenario.get().to_owned(),
        }
    }
}

/// A scenario's JSON text (as `build.rs` writes it: compact, one top-level `seed`) with
/// another seed.
pub fn with_seed(text: &str, seed: u64) -> String {
    match text.find("\"seed\":") {
        Some(at) => {
            let start = at + "\"seed\":".len();
            let end = text[start..]
                .find(|c: char| !c.is_ascii_digit())
                .map_or(text.len(), |n| start + n);
            format!("{}{seed}{}", &text[..start], &text[end..])
        }
        None => text.replacen('{', &format!("{{\"seed\":{seed},"), 1),
    }
}

/// A model's name in lesson files.
fn model_name(model: Model) -> &'static str {
    use queue_engine::names::Named;
    let at = Model::ALL.iter().position(|m| *m == model).unwrap_or(0);
    Model::NAMES[at]
}

/// A JSON string.
fn q(text: &str) -> String {
    serde_json::Value::String(text.trim().to_owned()).to_string()
}

/// A lesson id from its title: lower-case words joined by hyphens, at most 40 characters
/// (what a link's `l` accepts), prefixed with `my-` so it never takes a built-in lesson's.
pub fn id_of(title: &str) -> String {
    let mut id = "my".to_owned();
    for word in title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if id.len() + 1 + word.len() > 40 {
            break;
        }
        id.push('-');
        id.push_str(&word.to_ascii_lowercase());
    }
    id
}

/// Reads "waiting >= 10 and lost <= 0" (also `≥`, `≤`, `=`; conditions joined by `and` or a
/// comma) into the lesson file's `when`, checking each name against `names`.
fn conditions(field: &str, text: &str, names: &[&str]) -> Result<String, Wrong> {
    const EXPECTED: &str = "conditions like \"waiting >= 10 and lost <= 0\"";
    let mut out = Vec::new();
    for part in text.split(',').flat_map(|p| p.split(" and ")) {
        let part = part.trim();
        let Some((at, op)) = ["≥", "≤", ">=", "<=", "="]
            .iter()
            .find_map(|op| part.find(op).map(|at| (at, *op)))
        else {
            return Err(wrong(field, EXPECTED, part));
        };
        let (name, number) = (part[..at].trim(), part[at + op.len()..].trim());
        if !names.contains(&name) {
            return Err(wrong(
                field,
                &format!("a number of this system: {}", names.join(", ")),
                name,
            ));
        }
        let value = parse_decimal(number).ok_or_else(|| wrong(field, "a number", number))?;
        let v = Decimal::short(value);
        out.push(match op {
            "≥" | ">=" => format!("{{ \"metric\": {}, \"at_least\": {v} }}", q(name)),
            "≤" | "<=" => format!("{{ \"metric\": {}, \"at_most\": {v} }}", q(name)),
            _ => format!(
                "{{ \"metric\": {}, \"at_least\": {v}, \"at_most\": {v} }}",
                q(name)
            ),
        });
    }
    Ok(out.join(", "))
}

impl Draft {
    /// The lesson file, or the first field at fault. `names` are the numbers the system's
    /// checkpoint can test.
    pub fn write(&self, system: &System, names: &[&str]) -> Result<String, Wrong> {
        let needed = |field: &str, text: &str| {
            if text.trim().is_empty() {
                Err(wrong(field, "some text", text))
            } else {
                Ok(q(text))
            }
        };
        let title = needed("title", &self.title)?;
        let goal = needed("goal", &self.goal)?;
        let steps: Vec<String> = self
            .steps
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(q)
            .collect();
        if steps.is_empty() {
            return Err(wrong("steps", "at least one step, one per line", ""));
        }
        let question = needed("question", &self.question)?;
        Millis::parse(&self.until)
            .ok()
            .filter(|t| t.0 > 0)
            .ok_or_else(|| {
                wrong(
                    "until",
                    "a duration after the start, like 1m or 90s",
                    &self.until,
                )
            })?;
        let mut choices = Vec::new();
        for (n, (label, when)) in self.choices.iter().enumerate() {
            if label.trim().is_empty() && when.trim().is_empty() {
                continue;
            }
            let field = format!("choice {}", n + 1);
            let label = needed(&field, label)?;
            let when = conditions(&format!("{field} when"), when, names)?;
            choices.push(format!(
                "      {{ \"id\": \"{}\", \"label\": {label}, \"when\": [{when}] }}",
                n + 1
            ));
        }
        if choices.len() < 2 {
            return Err(wrong(
                "choices",
                "at least two choices, each a label and a condition",
                &choices.len().to_string(),
            ));
        }
        let reveal = needed("reveal", &self.reveal)?;
        Ok(format!(
            "{{\n  \"id\": \"{id}\",\n  \"title\": {title},\n  \"goal\": {goal},\n  \"model\": \"{model}\",\n  \"scenario\": {scenario},\n  \"steps\": [\n    {steps}\n  ],\n  \"checkpoint\": {{\n    \"question\": {question},\n    \"until\": {until},\n    \"choices\": [\n{choices}\n    ],\n    \"reveal\": {reveal}\n  }}\n}}\n",
            id = id_of(&self.title),
            model = model_name(system.model),
            scenario = system.scenario,
            steps = steps.join(",\n    "),
            until = q(self.until.trim()),
            choices = choices.join(",\n"),
        ))
    }
}

/// Runs `lesson` to its checkpoint with nobody touching anything: Ok with the one choice the
/// engine's numbers make true, or Err saying why the lesson is not ready yet (no choice or
/// several hold, or the system does not run).
pub fn verdict(lesson: &Lesson) -> Result<String, String> {
    let numbers = lesson.numbers_at_checkpoint()?;
    let until = lesson.checkpoint.until;
    let holding: Vec<&str> = lesson
        .matching(&numbers)
        .iter()
        .map(|c| c.label.as_str())
        .collect();
    match holding[..] {
        [one] => Ok(format!(
            "Ready: at t = {until} the engine's numbers make one choice true, \"{one}\" ({}).",
            used(lesson, &numbers)
        )),
        [] => Err(format!(
            "Not ready: at t = {until} no choice is true ({}). Exactly one must be.",
            used(lesson, &numbers)
        )),
        _ => Err(format!(
            "Not ready: at t = {until} {} choices are true: \"{}\" ({}). Exactly one must be.",
            holding.len(),
            holding.join("\", \""),
            used(lesson, &numbers)
        )),
    }
}

/// The numbers the choices test, as "waiting = 51, lost = 0".
fn used(lesson: &Lesson, numbers: &Numbers) -> String {
    let mut names: Vec<&str> = Vec::new();
    for c in lesson.checkpoint.choices.iter().flat_map(|c| &c.when) {
        if !names.contains(&c.metric.as_str()) {
            names.push(&c.metric);
        }
    }
    names
        .iter()
        .map(|n| match numbers.get(n) {
            Some(v) => format!("{n} = {}", Decimal::short(*v)),
            None => format!("{n} is not a number of this system"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}
