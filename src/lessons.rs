//! Guided lessons: each is data (`lessons/*.json`): a scenario, a few steps of text, and a
//! "predict, then run" checkpoint.
//!
//! The checkpoint's answer is never written down in the lesson. Each choice states the engine
//! numbers that would make it true (`when`); after the run, the engine's numbers pick the choice.
//! The native tests hold every lesson to "exactly one choice is true", so a lesson that would
//! teach something the engine does not do fails CI.

use queue_engine::Decimal;
use std::sync::Mutex;

use queue_engine::topology::plan::Plan;
use queue_engine::{Millis, Scenario, ScenarioError, Sim, World};
use serde::Deserialize;

use crate::panels::{Model, Panel, Panels, Spec};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// The row of lessons.md this teaches; also its name in links (`?lesson=poison-pill`).
    pub id: String,
    pub title: String,
    /// One sentence: what the learner will see.
    pub goal: String,
    /// What to do and notice, in order.
    pub steps: Vec<String>,
    /// Which model the lesson runs on: the queue (the default), the log, or a topic.
    #[serde(default)]
    pub model: Model,
    /// Partial scenario JSON for that model; the engine's defaults fill the rest, as for
    /// scenario files. Kept as its text, which the model's own reader reads: a tree of JSON
    /// values would carry a second, generic JSON reader in the page.
    pub scenario: Box<serde_json::value::RawValue>,
    pub checkpoint: Checkpoint,
    /// What an embedded lesson shows besides its model and the controls that run the clock
    /// (see [`Lesson::regions`]): regions (`embed::REGIONS`) and the queue controls its steps
    /// use (`embed::CONTROLS`), checked by the native tests.
    #[serde(default)]
    pub regions: Vec<String>,
    /// Where the run to the checkpoint pauses on its way, in time order, so the learner sees
    /// the thing happen rather than only its end.
    #[serde(default)]
    pub moments: Vec<Moment>,
}

/// A pause in the run to the checkpoint: what happens now, and where to look.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Moment {
    /// Before the checkpoint's `until`, and after the moment before it.
    pub at: Millis,
    /// One sentence, shown and announced while the run is at or past this moment.
    pub say: String,
    /// The id of a region the lesson shows (`metrics`, `diagram`, `log`, `stream`), outlined and
    /// labelled "look here" meanwhile, optionally followed by the number in it that the moment
    /// is about (`metrics visible`, `stream skipped`), outlined and pointed at; the stylesheet
    /// has a rule for each.
    #[serde(default)]
    pub look: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    pub question: String,
    /// The simulated time at which the engine's numbers decide.
    pub until: Millis,
    pub choices: Vec<Choice>,
    /// Shown after the run, with `{metric}` replaced by the engine's number.
    pub reveal: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub id: String,
    pub label: String,
    /// All must hold for this choice to be what happened.
    pub when: Vec<Condition>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub metric: String,
    #[serde(default)]
    pub at_least: Option<f64>,
    #[serde(default)]
    pub at_most: Option<f64>,
}

impl Condition {
    fn holds(&self, numbers: &Numbers) -> bool {
        numbers.get(&self.metric).is_some_and(|&v| {
            self.at_least.is_none_or(|lo| v >= lo) && self.at_most.is_none_or(|hi| v <= hi)
        })
    }
}

/// The engine's numbers a checkpoint can test, by name: every counter of `Counts` plus a few
/// derived ones. A list, not a map: a few dozen names, read a handful of times a run, and a
/// `BTreeMap` of them cost the page its own copy of the tree's code.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Numbers(Vec<(String, f64)>);

impl Numbers {
    pub fn new() -> Numbers {
        Numbers::default()
    }

    /// Sets `name` to `v`, in place if it is there already.
    pub fn insert(&mut self, name: String, v: f64) {
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some(kept) => kept.1 = v,
            None => self.0.push((name, v)),
        }
    }

    pub fn get(&self, name: &str) -> Option<&f64> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// Every name, in the order they were first set.
    pub fn names(&self) -> Vec<&str> {
        self.0.iter().map(|(n, _)| n.as_str()).collect()
    }
}

impl std::ops::Index<&str> for Numbers {
    type Output = f64;

    fn index(&self, name: &str) -> &f64 {
        self.get(name).expect("a number of that name")
    }
}

pub fn numbers(sim: &Sim) -> Numbers {
    let mut out = Numbers::new();
    let counts = sim.counts();
    for (k, v) in counts.named() {
        out.insert(k.into(), v as f64);
    }
    let max_receives = sim
        .message_iter()
        .map(|m| m.receive_count())
        .max()
        .unwrap_or(0);
    out.insert("max_receive_count".into(), f64::from(max_receives));
    out.insert(
        "waiting".into(),
        (counts.visible + counts.delayed + counts.in_flight + counts.held) as f64,
    );
    out.insert(
        "oldest_age_s".into(),
        sim.oldest_waiting_age().0 as f64 / 1000.0,
    );
    out
}

/// What the run showed: which choice the engine's numbers make true, and the reveal text.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// The choice that matches; None if the numbers fit none (a lesson bug the tests rule out).
    pub actual: Option<String>,
    pub predicted: String,
    pub at: Millis,
    pub text: String,
}

impl Verdict {
    pub fn correct(&self) -> bool {
        self.actual.as_deref() == Some(self.predicted.as_str())
    }
}

impl Lesson {
    /// The last moment at or before `now`.
    pub fn moment(&self, now: Millis) -> Option<&Moment> {
        self.moments.iter().rev().find(|m| m.at <= now)
    }

    /// Where a run at `now` stops next on its way to the checkpoint: the first moment after
    /// `now`, else the checkpoint itself.
    pub fn next_stop(&self, now: Millis) -> Millis {
        let until = self.checkpoint.until;
        self.moments
            .iter()
            .map(|m| m.at)
            .find(|&at| at > now)
            .map_or(until, |at| at.min(until))
    }

    /// The main queue's scenario. A log or topic lesson runs its own model (see
    /// [`Lesson::side`]) next to the pizza shop, which stays as it is.
    pub fn scenario(&self) -> Result<Scenario, ScenarioError> {
        match self.model {
            Model::Queue => Scenario::from_json(self.scenario.get()),
            _ => Ok(crate::scenarios::by_name("pizza-shop").unwrap_or_default()),
        }
    }

    /// What this lesson needs on screen when embedded in the compact layout: the lesson, the
    /// controls and the model it runs on (the queue's diagram and inspector, or its own
    /// panel), plus whatever its steps point at (`regions`).
    pub fn needs(&self) -> Vec<&str> {
        let mut out = vec!["lesson", "controls"];
        out.extend(match self.model {
            Model::Queue => &["diagram", "inspector"][..],
            Model::Log => &["stream"],
            Model::FanOut => &["fanout"],
            Model::PubsubVsQueue => &["queue-vs-topic"],
            Model::Exchanges => &["exchanges"],
            Model::Redis => &["redis"],
            #[cfg(feature = "studio")]
            Model::World => &["own"],
        });
        out.extend(self.regions.iter().map(String::as_str));
        out
    }

    /// The choices the numbers make true (the tests require exactly one).
    pub fn matching(&self, numbers: &Numbers) -> Vec<&Choice> {
        self.checkpoint
            .choices
            .iter()
            .filter(|c| c.when.iter().all(|w| w.holds(numbers)))
            .collect()
    }

    /// Judges the learner's prediction on the numbers the run showed at time `at`.
    pub fn verdict(&self, numbers: &Numbers, at: Millis, predicted: &str) -> Verdict {
        let matching = self.matching(numbers);
        Verdict {
            actual: (matching.len() == 1).then(|| matching[0].id.clone()),
            predicted: predicted.to_owned(),
            at,
            text: fill(&self.checkpoint.reveal, numbers),
        }
    }

    /// The panel this lesson runs on, and what its world is built from (None: the main queue,
    /// or a lesson file that does not describe one, which the native tests rule out).
    pub fn panel(&self) -> Option<(Panel, Spec)> {
        let spec = Spec::parse(self.model, self.scenario.get())
            .ok()
            .flatten()?;
        Some((Panel::of(self.model)?, spec))
    }

    /// The numbers at the checkpoint with nobody touching anything: what the native tests pin.
    pub fn numbers_at_checkpoint(&self) -> Result<Numbers, String> {
        numbers_at(self.model, self.scenario.get(), self.checkpoint.until)
    }

    pub fn choice(&self, id: &str) -> Option<&Choice> {
        self.checkpoint.choices.iter().find(|c| c.id == id)
    }
}

/// The numbers of the system a lesson on `model` with this `scenario` text runs, at `until`
/// with nobody touching anything.
pub fn numbers_at(model: Model, scenario: &str, until: Millis) -> Result<Numbers, String> {
    match Spec::parse(model, scenario)? {
        Some(spec) => {
            let panel = Panel::of(model).ok_or_else(|| "model: a panel".to_owned())?;
            let mut panels = Panels::new(0, Some((panel, spec)));
            Ok(panels.numbers(panel, until))
        }
        None => {
            let sc = Scenario::from_json(scenario).map_err(|e| e.to_string())?;
            let mut world = World::new(Plan::single(sc)).map_err(|e| e.to_string())?;
            world.advance_to(until);
            Ok(numbers(&world.members()[0]))
        }
    }
}

/// Replaces each `{name}` with the engine's number (whole numbers print without a fraction).
pub fn fill(template: &str, numbers: &Numbers) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                // `{waiting|is|are}`: the word that agrees with the number, so a reveal
                // never says "1 are still in the queue".
                let mut parts = after[..close].split('|');
                let name = parts.next().unwrap_or_default();
                match (numbers.get(name), parts.next(), parts.next()) {
                    (Some(&v), Some(one), Some(many)) => {
                        out.push_str(if v == 1.0 { one } else { many })
                    }
                    (Some(v), ..) if v.fract() == 0.0 => {
                        out.push_str(&Decimal::fixed(*v, 0).to_string())
                    }
                    (Some(v), ..) => out.push_str(&Decimal::fixed(*v, 1).to_string()),
                    (None, ..) => out.push_str(&rest[open..open + close + 2]),
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every lesson's id and title, in teaching order (`build.rs` lists the order): what the
/// lesson menu, the host API and error messages offer, whether or not a lesson is loaded yet.
pub const INDEX: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/lessons/index.rs"));

/// The lesson files themselves, `(id, text)` in teaching order. The page's build leaves them
/// out (`fetched-lessons`: each lesson comes from `lessons/ID.json` when opened, see
/// `lesson_files.rs`); native builds and the browser tests keep them in.
#[cfg(not(feature = "fetched-lessons"))]
pub const SOURCES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/lessons/sources.rs"));

/// Whether `id` names a lesson, loaded or not.
pub fn known(id: &str) -> bool {
    INDEX.iter().any(|(i, _)| *i == id)
}

/// Every lesson id, comma-separated, for messages that say what would have been accepted.
pub fn id_list() -> String {
    INDEX
        .iter()
        .map(|(id, _)| *id)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The lessons read so far. They live as long as the page (a lesson is a few kilobytes, and
/// there are a few dozen), so the state can hold `&'static Lesson` and compare them cheaply.
fn loaded() -> &'static Mutex<Vec<&'static Lesson>> {
    static LOADED: Mutex<Vec<&'static Lesson>> = Mutex::new(Vec::new());
    &LOADED
}

/// A lesson that is loaded (or, in builds that embed them, that parses); None for an unknown
/// id or one still to be fetched.
pub fn by_id(id: &str) -> Option<&'static Lesson> {
    let found = loaded().lock().ok()?.iter().copied().find(|l| l.id == id);
    #[cfg(not(feature = "fetched-lessons"))]
    let found = found.or_else(|| {
        let (_, text) = SOURCES.iter().find(|(i, _)| *i == id)?;
        store(text).ok()
    });
    found
}

/// Reads a lesson file and keeps it for [`by_id`]. Refused: a file that does not parse, or
/// whose id is not in the index.
pub fn store(text: &str) -> Result<&'static Lesson, String> {
    let lesson = parse(text).map_err(|e| e.to_string())?;
    if !known(&lesson.id) {
        return Err(format!(
            "id: expected one of {}; got \"{}\"",
            id_list(),
            crate::permalink::truncate(&lesson.id)
        ));
    }
    let mut list = loaded()
        .lock()
        .map_err(|_| "the lesson store is unusable")?;
    if let Some(same) = list.iter().find(|l| l.id == lesson.id) {
        return Ok(same);
    }
    let kept: &'static Lesson = Box::leak(Box::new(lesson));
    list.push(kept);
    Ok(kept)
}

/// Reads a lesson of the author's own (the lesson writer's, or one given to it by a link) and
/// keeps it for [`by_id`] in place of an earlier version: an author previews each draft.
/// Refused: a file that does not parse, an id a link cannot carry, or a built-in lesson's id.
pub fn store_authored(text: &str) -> Result<&'static Lesson, String> {
    let lesson = parse(text).map_err(|e| e.to_string())?;
    if known(&lesson.id) || !crate::permalink::is_name(&lesson.id) {
        return Err(format!(
            "id: expected an id of your own (letters, digits and hyphens, not a built-in lesson's); got \"{}\"",
            crate::permalink::truncate(&lesson.id)
        ));
    }
    let mut list = loaded()
        .lock()
        .map_err(|_| "the lesson store is unusable")?;
    list.retain(|l| l.id != lesson.id);
    let kept: &'static Lesson = Box::leak(Box::new(lesson));
    list.push(kept);
    Ok(kept)
}

/// Authored lessons' files as a link carries them ([`crate::packed`]), by id.
fn packed_files() -> &'static Mutex<Vec<(String, String)>> {
    static PACKED: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());
    &PACKED
}

/// Remembers the packed file of the authored lesson `id`, so that a link to it carries it.
pub fn keep_packed(id: &str, data: String) {
    if let Ok(mut list) = packed_files().lock() {
        list.retain(|(i, _)| i != id);
        list.push((id.to_owned(), data));
    }
}

/// The packed file of the authored lesson `id`, if it has one.
pub fn packed(id: &str) -> Option<String> {
    let list = packed_files().lock().ok()?;
    list.iter().find(|(i, _)| i == id).map(|(_, d)| d.clone())
}

/// Every lesson that parses, in teaching order. A file that does not is skipped here (and
/// fails the native tests, which parse each one with [`parse`]).
#[cfg(not(feature = "fetched-lessons"))]
pub fn all() -> Vec<&'static Lesson> {
    INDEX.iter().filter_map(|(id, _)| by_id(id)).collect()
}

pub fn parse(text: &str) -> Result<Lesson, serde_json::Error> {
    serde_json::from_str(text)
}

/// The real speed (simulated ms per real ms) that brings the run from `now` to `until` in about
/// `real_ms` of real time, rounded up to one of the offered speeds.
pub fn speed_to_reach(now: Millis, until: Millis, current: f64, real_ms: f64) -> f64 {
    let needed = until.0.saturating_sub(now.0) as f64 / real_ms;
    crate::state::SPEEDS
        .iter()
        .copied()
        .find(|s| *s >= needed)
        .unwrap_or(crate::state::SPEEDS[crate::state::SPEEDS.len() - 1])
        .max(current)
}
