//! The bridge between the UI and the engine: the simulation, its pacing settings and the
//! selection, as a Yew reducer. The engine does the work; this only routes actions to it.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use queue_engine::{Command, Event, Millis, MsgId, Scenario, Sim};
use yew::Reducible;

/// Events kept for the event log view.
pub const LOG_CAP: usize = 500;

/// Speeds offered, as simulated milliseconds per real millisecond.
pub const SPEEDS: [f64; 7] = [0.1, 0.25, 1.0, 10.0, 100.0, 1000.0, 5000.0];

#[derive(Clone)]
pub struct Playground {
    pub sim: Rc<RefCell<Sim>>,
    pub log: Rc<RefCell<VecDeque<Event>>>,
    /// The scenario as the person configured it (what Reset returns to).
    pub scenario: Rc<Scenario>,
    pub playing: bool,
    pub speed: f64,
    pub selected: Option<MsgId>,
    /// The last command the controls sent (shown, and checked by the browser tests).
    pub last_command: Option<Rc<Command>>,
    /// A refused command's message, shown next to the controls.
    pub error: Option<String>,
    /// Every command a person gave, with the simulated time it took effect. With the scenario
    /// this is the whole run: replaying it reproduces any moment exactly.
    pub history: Rc<Vec<(Millis, Command)>>,
    /// The latest simulated time reached; the scrub bar spans 0 to here.
    pub horizon: Millis,
    /// Bumped on every change, so renders compare cheaply.
    pub version: u64,
}

impl PartialEq for Playground {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
    }
}

pub enum Action {
    /// Real time passed: advance the simulation by `real_ms × speed` when playing.
    Tick {
        real_ms: f64,
    },
    TogglePlay,
    /// Process exactly the next scheduled event.
    Step,
    SetSpeed(f64),
    Command(Command),
    /// Start over with this scenario (ordering, mode and seed changes need a new queue).
    Reset(Box<Scenario>),
    Select(Option<MsgId>),
    /// Time travel: show the run as it was (or will be, up to the horizon) at this time.
    Seek(Millis),
}

impl Playground {
    pub fn new(scenario: Scenario) -> Playground {
        let sim = Sim::new(scenario.clone()).unwrap_or_else(|_| {
            Sim::new(Scenario::default()).expect("the default scenario is valid")
        });
        Playground {
            sim: Rc::new(RefCell::new(sim)),
            log: Rc::new(RefCell::new(VecDeque::new())),
            scenario: Rc::new(scenario),
            playing: true,
            speed: 1.0,
            selected: None,
            last_command: None,
            error: None,
            history: Rc::new(Vec::new()),
            horizon: Millis::ZERO,
            version: 0,
        }
    }

    /// A fresh simulation of the scenario with `history` replayed: commands up to `t` applied and
    /// later ones scheduled, so playing on from `t` repeats the recorded run exactly.
    fn replayed_to(&self, t: Millis) -> Sim {
        let mut sim = Sim::new((*self.scenario).clone()).unwrap_or_else(|_| {
            Sim::new(Scenario::default()).expect("the default scenario is valid")
        });
        for (at, command) in self.history.iter() {
            if *at > t {
                // Scheduled: it fires when the replay gets there.
                let _ = sim.command_at(*at, command.clone());
            } else {
                sim.advance_to(*at);
                let _ = sim.command(command.clone());
            }
        }
        sim.advance_to(t);
        sim
    }

    fn replace_sim(&mut self, sim: Sim) {
        self.sim = Rc::new(RefCell::new(sim));
        self.log = Rc::new(RefCell::new(VecDeque::new()));
        self.drain();
    }

    /// The pizza shop, or the built-in scenario named in the page's `?scenario=` parameter.
    pub fn from_location() -> Playground {
        let wanted = crate::url::query_param("scenario");
        let chosen = wanted.as_deref().and_then(crate::scenarios::by_name);
        if let (Some(name), None) = (&wanted, &chosen) {
            let known: Vec<&str> = crate::scenarios::BUILT_IN.iter().map(|(n, _)| *n).collect();
            web_sys::console::warn_1(
                &format!(
                    "scenario: expected one of {}; got \"{name}\". Opening the pizza shop.",
                    known.join(", ")
                )
                .into(),
            );
        }
        let scenario = chosen
            .or_else(|| crate::scenarios::by_name("pizza-shop"))
            .expect("the bundled pizza shop is valid");
        Playground::new(scenario)
    }

    fn drain(&self) {
        let events = self.sim.borrow_mut().drain_events();
        let mut log = self.log.borrow_mut();
        for e in events {
            if log.len() >= LOG_CAP {
                log.pop_front();
            }
            log.push_back(e);
        }
    }
}

impl Reducible for Playground {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        next.version += 1;
        match action {
            Action::Tick { real_ms } => {
                if !self.playing {
                    return self;
                }
                // A background tab can deliver one huge tick; never jump more than a second of real time.
                let span = (real_ms.min(1000.0) * self.speed).round() as u64;
                next.sim.borrow_mut().advance_by(Millis(span));
                next.horizon = next.horizon.max(next.sim.borrow().now());
                next.drain();
            }
            Action::TogglePlay => next.playing = !next.playing,
            Action::Step => {
                next.playing = false;
                let mut sim = next.sim.borrow_mut();
                if let Some(t) = sim.next_event_time() {
                    sim.advance_to(t);
                }
                drop(sim);
                next.horizon = next.horizon.max(next.sim.borrow().now());
                next.drain();
            }
            Action::SetSpeed(speed) => next.speed = speed,
            Action::Command(command) => {
                let now = next.sim.borrow().now();
                if now < next.horizon {
                    // Acting in the past starts a new future: forget the recorded one.
                    let kept: Vec<_> = next
                        .history
                        .iter()
                        .filter(|(at, _)| *at <= now)
                        .cloned()
                        .collect();
                    next.history = Rc::new(kept);
                    next.horizon = now;
                    let sim = next.replayed_to(now);
                    next.replace_sim(sim);
                }
                let result = next.sim.borrow_mut().command(command.clone());
                match result {
                    Ok(()) => {
                        next.error = None;
                        Rc::make_mut(&mut next.history).push((now, command.clone()));
                        next.last_command = Some(Rc::new(command));
                    }
                    Err(e) => next.error = Some(e.to_string()),
                }
                next.drain();
            }
            Action::Reset(scenario) => {
                let playing = self.playing;
                let speed = self.speed;
                next = Playground::new(*scenario);
                next.playing = playing;
                next.speed = speed;
                next.version = self.version + 1;
            }
            Action::Select(id) => next.selected = id,
            Action::Seek(t) => {
                next.playing = false;
                let t = t.min(next.horizon);
                let sim = next.replayed_to(t);
                next.replace_sim(sim);
            }
        }
        Rc::new(next)
    }
}
