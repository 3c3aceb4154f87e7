//! The bridge between the UI and the engine: the simulation, its pacing settings and the
//! selection, as a Yew reducer. The engine does the work; this only routes actions to it. The
//! reducer does no I/O: reading the address, storage and the console happen at its edges
//! ([`Playground::from_location`], [`Playground::opened`] and the app's effects), so it runs
//! natively in `tests/reducer.rs`.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use queue_engine::topology::plan::{Plan, Target};
use queue_engine::{Command, Event, Millis, MsgId, QueueKind, Scenario, Sim, World};

use crate::embed::EmbedOptions;
use crate::lessons::{self, Lesson, Verdict};
use crate::panels::{Panel, PanelAction, PanelCommand, Panels, PANELS};
use crate::permalink::{self, Link, LogSettings, Notice};
use crate::progress::{self, Progress};
use yew::Reducible;

/// Events kept for the event log view.
pub const LOG_CAP: usize = 500;

/// Speeds offered, as simulated milliseconds per real millisecond.
pub const SPEEDS: [f64; 8] = [0.1, 0.25, 1.0, 10.0, 25.0, 100.0, 1000.0, 5000.0];

#[derive(Clone)]
pub struct Playground {
    /// The run: the scenario's one queue as a world (see [`Playground::queue`]).
    pub world: Rc<RefCell<World>>,
    pub log: Rc<RefCell<VecDeque<Event>>>,
    /// Events ever put in `log`, across rebuilds: the newest has number `logged - 1`, so each
    /// event keeps one number for as long as it is shown (the log view keys its rows by it).
    pub logged: Rc<std::cell::Cell<u64>>,
    /// The scenario as the person configured it (what Reset returns to).
    pub scenario: Rc<Scenario>,
    pub playing: bool,
    /// Paused because nobody could see it: play again when they can.
    resume: bool,
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
    /// The built-in scenario this run started from (for permalinks).
    pub scenario_name: Rc<str>,
    /// The system the Systems menu opened when it is one of the panels' (None: the main
    /// queue's `scenario_name`). A lesson's own system overrides it: see [`Self::stage`].
    pub system: Option<Panel>,
    /// What the opening link asked for that could not be honoured.
    pub notices: Rc<Vec<Notice>>,
    /// The guided lesson being followed, if any.
    pub lesson: Option<&'static Lesson>,
    /// A lesson asked for whose file is still to be fetched (the page carries only the index):
    /// the app fetches it and then opens it with [`Action::LoadLesson`].
    pub fetching: Option<Rc<str>>,
    /// The learner's prediction for the lesson's checkpoint, and once the run reaches the
    /// checkpoint's time, what the engine showed.
    pub check: Option<Rc<Check>>,
    /// Every panel's world (the log, the topics, the exchanges, the stream), on the same clock
    /// as `world`, with what the person did in each; the lesson's panel among them.
    pub panels: Rc<RefCell<Panels>>,
    /// Answered lessons (true: the prediction matched), remembered across visits.
    pub progress: Rc<Progress>,
    /// How the embedding page wants the playground shown.
    pub embed: Rc<EmbedOptions>,
    /// The simulated time the secondary panels (lesson, compare, fan-out, log) show. It follows
    /// `now` at most ten times a real second while playing, so at high speed they do not
    /// re-render every frame; any other action brings it up to date at once.
    pub panel_now: Millis,
    /// Bumped with `panel_now`, and on any action that is not a tick: what the throttled views
    /// (the panels, the charts and the event log) redraw on.
    pub panel_version: u64,
    /// Bumped only on actions that are not ticks: what a panel's world redraws on besides its
    /// own time, so a tick that moves another group's time does not redraw it too.
    pub acted: u64,
    /// The same for a second group of panels (fan-out, queue vs topic, exchanges, Redis) and a
    /// third (the partitioned log). While playing the three groups take turns, a third of the
    /// interval apart, so no single frame redraws them all.
    pub panel_now_b: Millis,
    pub panel_now_c: Millis,
    panel_turn: u8,
    panel_real_ms: f64,
    /// The panels scrolled out of view (a bit per [`Panel`]), and the time each showed when it
    /// went: it keeps showing that time, so a panel nobody sees costs no redraws while playing.
    unseen: u8,
    frozen: [Millis; PANELS],
    /// The panels' version the event log showed when it went out of view (bit 5 of `unseen`).
    log_frozen: u64,
    /// Bumped on every change, so renders compare cheaply.
    pub version: u64,
}

/// The bit of `Playground::unseen` that stands for the event log, after the five panels'.
const LOG_BIT: u8 = PANELS as u8;

/// Real milliseconds between updates of each group of secondary panels while playing.
const PANEL_EVERY_MS: f64 = 100.0;

#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    pub predicted: String,
    pub verdict: Option<Verdict>,
}

/// About how long (real time) a checkpoint run takes, so the learner watches it happen.
const CHECK_RUN_REAL_MS: f64 = 6000.0;

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
    DismissNotices,
    /// Open a lesson by id (None: free play with the pizza shop). A lesson still to be fetched
    /// is fetched first (see [`Playground::fetching`]).
    LoadLesson(Option<String>),
    /// The lesson being fetched has arrived: open it, unless another was asked for since.
    LessonFetched(String),
    /// A lesson's file could not be fetched or read: the lesson id and why.
    LessonFailed(String, String),
    /// The Systems menu: start over on the built-in system called this (a scenario file's
    /// name), leaving any lesson.
    OpenSystem(Rc<str>),
    /// A system opened from its file in the studio, as the planner planned it (checked to
    /// run): the page starts over on it.
    #[cfg(feature = "studio")]
    OpenOwn(Rc<Plan>),
    /// The learner's prediction for the checkpoint: run to the checkpoint's time, then judge.
    Predict(String),
    /// Play (true) or pause (false), for host pages; the button toggles instead.
    SetPlaying(bool),
    /// A button in one of the panels.
    Panel(Panel, PanelAction),
    /// Nobody can see the playground (true: page hidden or scrolled away) or they can again.
    Hide(bool),
    /// A panel (None: the event log) was scrolled into view (true) or out of it.
    Seen(Option<Panel>, bool),
}

/// A world of `scenario`'s one queue, or of the default one if it is refused (controls only
/// build valid scenarios, so this is a guard, not a path anyone should see).
fn world_or_default(scenario: &Scenario) -> World {
    World::new(Plan::single(scenario.clone())).unwrap_or_else(|_| {
        // Not `expect`: the error's `Debug` would come into the page for a panic the native
        // tests rule out.
        World::new(Plan::single(Scenario::default()))
            .unwrap_or_else(|_| panic!("the default scenario is valid"))
    })
}

/// Switches a scenario's queue type, with what FIFO requires (message groups to order by, no
/// per-message delay, no batching window).
pub fn with_ordering(scenario: &mut Scenario, kind: QueueKind) {
    scenario.queue.kind = kind;
    if kind == QueueKind::Fifo {
        for p in &mut scenario.producers {
            p.groups = p.groups.max(4);
            p.delay = Millis::ZERO;
        }
        scenario.consumers.batch_window = Millis::ZERO;
        scenario.consumers.batch_size = scenario.consumers.batch_size.min(10);
    }
}

impl Playground {
    pub fn new(scenario: Scenario) -> Playground {
        let world = world_or_default(&scenario);
        let panels = Panels::new(scenario.seed, None);
        Playground {
            world: Rc::new(RefCell::new(world)),
            log: Rc::new(RefCell::new(VecDeque::new())),
            logged: Rc::new(std::cell::Cell::new(0)),
            scenario: Rc::new(scenario),
            playing: true,
            resume: false,
            speed: 1.0,
            selected: None,
            last_command: None,
            error: None,
            history: Rc::new(Vec::new()),
            horizon: Millis::ZERO,
            scenario_name: Rc::from("pizza-shop"),
            system: None,
            notices: Rc::new(Vec::new()),
            lesson: None,
            panels: Rc::new(RefCell::new(panels)),
            check: None,
            progress: Rc::new(Progress::default()),
            embed: Rc::new(EmbedOptions::default()),
            panel_now: Millis::ZERO,
            panel_version: 0,
            acted: 0,
            panel_now_b: Millis::ZERO,
            panel_now_c: Millis::ZERO,
            panel_turn: 0,
            panel_real_ms: 0.0,
            unseen: 0,
            frozen: [Millis::ZERO; PANELS],
            log_frozen: 0,
            fetching: None,
            version: 0,
        }
    }

    /// The simulated time `panel` shows: its group's, or the time it showed when it was
    /// scrolled out of view.
    pub fn panel_time(&self, panel: Panel) -> Millis {
        if self.unseen & (1 << panel as u8) != 0 {
            self.frozen[panel as usize]
        } else if panel == Panel::Log {
            self.panel_now_c
        } else {
            self.panel_now_b
        }
    }

    /// What the event log redraws on: the panels' version, or while it is out of view the
    /// version it showed when it went.
    pub fn log_version(&self) -> u64 {
        if self.unseen & (1 << LOG_BIT) != 0 {
            self.log_frozen
        } else {
            self.panel_version
        }
    }

    /// The permalink (query string) that reproduces what is on screen now.
    pub fn link(&self) -> String {
        // What was done in every panel, and the log's settings if they were changed.
        let panels = self.panels.borrow();
        permalink::encode(&Link {
            panels: Panel::ALL.map(|p| panels.given(p).to_vec()),
            side: Vec::new(),
            log: panels.changed_log(),
            lesson: self.lesson.map(|l| l.id.clone()),
            lesson_file: self
                .lesson
                .filter(|_| cfg!(feature = "studio"))
                .and_then(|l| lessons::packed(&l.id)),
            #[cfg(feature = "studio")]
            system_file: self.own_file(),
            // A lesson carries its own scenario.
            scenario: self.lesson.is_none().then(|| {
                self.system
                    .map_or_else(|| self.scenario_name.to_string(), |p| p.system().into())
            }),
            seed: Some(self.scenario.seed),
            ordering: Some(self.scenario.queue.kind),
            mode: Some(self.scenario.mode),
            history: self.history.to_vec(),
            time: Some(self.world.borrow().now()),
            speed: Some(self.speed),
            embed: EmbedOptions::default(),
        })
    }

    /// The open system's own file, packed, when it came from one.
    #[cfg(feature = "studio")]
    fn own_file(&self) -> Option<String> {
        let own = self.system.is_some_and(Panel::own) && self.lesson.is_none();
        own.then(crate::planner::packed).flatten()
    }

    /// Opens the system file the opening link carried (`sf`), planned before the page started;
    /// a link to one without it, or with one that does not plan, opens the pizza shop and says
    /// why.
    #[cfg(feature = "studio")]
    fn open_linked_file(&mut self, link: &Link, notices: &mut Vec<Notice>) {
        let own = self.system.is_some_and(Panel::own);
        if !own && link.system_file.is_none() {
            return;
        }
        let why = match crate::planner::take_opened() {
            Ok(plan) if own => {
                self.panels.borrow_mut().open_own(plan);
                return;
            }
            Ok(_) => format!("s={}", link.scenario.as_deref().unwrap_or("nothing")),
            Err(why) => why,
        };
        notices.push(Notice {
            param: "sf".into(),
            expected: "a system file packed by the studio, with s=your-file".into(),
            given: why,
        });
        self.system = None;
    }

    /// A fresh simulation of the scenario with `history` replayed: commands up to `t` applied and
    /// later ones scheduled, so playing on from `t` repeats the recorded run exactly.
    fn replayed_to(&self, t: Millis) -> World {
        let mut world = world_or_default(&self.scenario);
        // What is due at time zero runs before a command given then, as with any later time.
        world.advance_to(Millis::ZERO);
        for (at, command) in self.history.iter() {
            // Each runs after everything due at its time, as it did live.
            let _ = world.command_at(*at, Target::in_one_queue(command), command.clone());
        }
        world.advance_to(t);
        world
    }

    /// The scenario's queue, with its pool and dead-letter queue.
    pub fn queue(&self) -> std::cell::Ref<'_, Sim> {
        std::cell::Ref::map(self.world.borrow(), |w| &w.members()[0])
    }

    fn replace_world(&mut self, world: World) {
        self.world = Rc::new(RefCell::new(world));
        self.log = Rc::new(RefCell::new(VecDeque::new()));
        self.drain();
    }

    /// The run described by the page's address: a permalink, `?scenario=NAME`, or the pizza shop.
    pub fn from_location() -> Playground {
        let search = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default();
        Playground::opened(&search)
    }

    /// The edge where a page opens a query: [`Self::from_query`], with the learner's stored
    /// progress, and what the link got wrong on the console for whoever wrote it.
    pub fn opened(query: &str) -> Playground {
        let mut next = Playground::from_query(query);
        next.progress = Rc::new(progress::load());
        if !next.notices.is_empty() {
            let text: Vec<String> = next.notices.iter().map(|n| n.to_string()).collect();
            let message = format!("Queue Playground link: {}", text.join("; ")).into();
            // An embedding page's wrong option is the author's error to fix; a learner's broken
            // link is only worth a warning (the page shows the notice either way).
            if next.embed.embed {
                web_sys::console::error_1(&message);
            } else {
                web_sys::console::warn_1(&message);
            }
        }
        next
    }

    /// Builds the run a query string describes; whatever cannot be used becomes a notice. No
    /// I/O: storage and the console are [`Self::opened`]'s.
    pub fn from_query(query: &str) -> Playground {
        let (link, mut notices) = permalink::decode(query);
        let mut fetching = None;
        let lesson = match link.lesson.as_deref() {
            Some(id) => {
                let found = lessons::by_id(id);
                if found.is_none() && lessons::known(id) {
                    // Not fetched before start-up (it failed, or nobody asked): open it once
                    // it arrives, which starts the lesson afresh.
                    fetching = Some(Rc::from(id));
                } else if link.lesson_file.is_some() && !cfg!(feature = "studio") {
                    notices.push(Notice {
                        param: "lf".into(),
                        expected:
                            "the studio page, studio/index.html, where lessons of one's own open"
                                .into(),
                        given: "this page".into(),
                    });
                } else if let Some(why) = link
                    .lesson_file
                    .as_ref()
                    .and_then(|_| crate::lesson_files::refused())
                {
                    notices.push(Notice {
                        param: "lf".into(),
                        expected: "a lesson file written by the lesson writer".into(),
                        given: why,
                    });
                } else if found.is_none() {
                    notices.push(Notice {
                        param: "lesson".into(),
                        expected: format!("one of {}", lessons::id_list()),
                        given: id.into(),
                    });
                }
                found
            }
            None => None,
        };
        // A panel's system runs beside the main queue's default scenario, which it hides.
        let system = link.scenario.as_deref().and_then(Panel::by_system);
        let name = match link.scenario.as_deref() {
            Some(n) if crate::scenarios::by_name(n).is_some() => n.to_owned(),
            Some(_) if system.is_some() => "pizza-shop".to_owned(),
            Some(n) => {
                let known: Vec<&str> = crate::components::system_names().collect();
                notices.push(Notice {
                    param: "s".into(),
                    expected: format!("one of {}", known.join(", ")),
                    given: n.into(),
                });
                "pizza-shop".to_owned()
            }
            None => "pizza-shop".to_owned(),
        };
        let mut scenario = match lesson.and_then(|l| l.scenario().ok()) {
            Some(sc) => sc,
            None => crate::scenarios::by_name(&name).expect("built-in scenarios are valid"),
        };
        if let Some(seed) = link.seed {
            scenario.seed = seed;
        }
        if let Some(kind) = link.ordering {
            with_ordering(&mut scenario, kind);
        }
        if let Some(mode) = link.mode {
            scenario.mode = mode;
        }
        let mut next = Playground::new(scenario);
        next.scenario_name = Rc::from(name.as_str());
        next.system = system;
        next.set_lesson(lesson);
        #[cfg(feature = "studio")]
        next.open_linked_file(&link, &mut notices);
        next.fetching = fetching;
        // A lesson starts paused: the learner reads and predicts before anything runs.
        next.playing = lesson.is_none();
        // Commands this scenario refuses (e.g. a count out of range) are dropped with a notice.
        let mut history = Vec::new();
        for (at, command) in link.history {
            match command.validate("h", &next.scenario) {
                Ok(()) => history.push((at, command)),
                Err(e) => notices.push(Notice {
                    param: "h".into(),
                    expected: "a command this scenario accepts".into(),
                    given: e.to_string(),
                }),
            }
        }
        next.history = Rc::new(history);
        next.apply_panel_link(link.side, link.panels, link.log, &mut notices);
        if let Some(speed) = link.speed {
            next.speed = speed;
        }
        let last = next.history.last().map_or(Millis::ZERO, |(at, _)| *at);
        let last = last.max(next.panels.borrow().last_given());
        // A link taken after going back in time opens at the moment it showed; the commands
        // recorded after it stay scheduled, and the scrub bar still reaches them.
        let at = link.time.unwrap_or(last);
        if at > Millis::ZERO || link.time.is_some() {
            let world = next.replayed_to(at);
            next.replace_world(world);
            next.horizon = at.max(last);
            // The panels open at the link's moment too, not at zero until the first action.
            (next.panel_now, next.panel_now_b, next.panel_now_c) = (at, at, at);
            next.playing = link.time.is_none();
        }
        if let Some(play) = link.embed.autoplay {
            next.playing = play;
        }
        next.embed = Rc::new(link.embed);
        next.notices = Rc::new(notices);
        next
    }

    /// What a link says was done in the panels: the log's settings, then each panel's commands
    /// at their times (`sh`, the older spelling, is the lesson's panel). Whatever a panel
    /// refuses becomes a notice.
    fn apply_panel_link(
        &self,
        lesson_side: Vec<(Millis, PanelCommand)>,
        mut given: [Vec<(Millis, PanelCommand)>; PANELS],
        log: Option<LogSettings>,
        notices: &mut Vec<Notice>,
    ) {
        let mut panels = self.panels.borrow_mut();
        match (panels.lesson, lesson_side.is_empty()) {
            (_, true) => {}
            (Some(p), false) => {
                let later = std::mem::replace(&mut given[p as usize], lesson_side);
                given[p as usize].extend(later);
            }
            (None, false) => notices.push(Notice {
                param: "sh".into(),
                expected: "a lesson that runs on the log or a topic".into(),
                given: self
                    .lesson
                    .map_or("no lesson".into(), |l| format!("lesson {}", l.id)),
            }),
        }
        if let Some(settings) = log {
            let sc = panels.spec(Panel::Log).with_log_settings(settings);
            let result = sc.map_or(Err("the log panel is not a log".into()), |sc| {
                panels.set_log(Millis::ZERO, sc)
            });
            if let Err(e) = result {
                notices.push(Notice {
                    param: "lg".into(),
                    expected: "settings this log accepts".into(),
                    given: e,
                });
            }
        }
        for (panel, commands) in Panel::ALL.into_iter().zip(given) {
            for (at, command) in commands {
                if let Err(e) = panels.command(panel, at, command) {
                    notices.push(Notice {
                        param: panel.param().into(),
                        expected: "a command this panel accepts".into(),
                        given: e,
                    });
                }
            }
        }
    }

    /// A new run of `scenario`, playing, with this one's speed, progress and embedding: what
    /// opening a lesson or a system starts from.
    fn fresh(&self, scenario: Scenario) -> Playground {
        let mut fresh = Playground::new(scenario);
        fresh.speed = self.speed;
        fresh.progress = self.progress.clone();
        fresh.embed = self.embed.clone();
        fresh.version = self.version + 1;
        fresh
    }

    /// The panel whose system is on the page (None: the main queue's): the lesson's, or
    /// else the one the Systems menu opened.
    pub fn stage(&self) -> Option<Panel> {
        self.lesson.map_or(self.system, |l| Panel::of(l.model))
    }

    fn set_lesson(&mut self, lesson: Option<&'static Lesson>) {
        self.lesson = lesson;
        let panels = Panels::new(self.scenario.seed, lesson.and_then(Lesson::panel));
        self.panels = Rc::new(RefCell::new(panels));
    }

    /// The checkpoint time still to be reached by a prediction waiting for its run.
    fn pending_checkpoint(&self) -> Option<Millis> {
        let check = self.check.as_ref()?;
        if check.verdict.is_some() {
            return None;
        }
        Some(self.lesson?.checkpoint.until)
    }

    /// Where a run waiting for its checkpoint stops next: a moment of the lesson or the
    /// checkpoint.
    fn next_stop(&self) -> Option<Millis> {
        self.pending_checkpoint()?;
        Some(self.lesson?.next_stop(self.world.borrow().now()))
    }

    /// Brings the run to `stop`: at the checkpoint it is judged; at a moment it pauses, and
    /// Play goes on to the next stop.
    fn stop_at(&mut self, stop: Millis) {
        self.world.borrow_mut().advance_to(stop);
        if self.pending_checkpoint() == Some(stop) {
            self.judge();
        } else {
            self.playing = false;
        }
    }

    /// The engine's numbers decide the checkpoint; the run pauses so the learner can look.
    fn judge(&mut self) {
        let (Some(lesson), Some(check)) = (self.lesson, self.check.as_ref()) else {
            return;
        };
        let now = self.world.borrow().now();
        // The lesson's log or topic is read at the checkpoint too, not a tick behind.
        let lesson_panel = self.panels.borrow().lesson;
        let numbers = match lesson_panel {
            Some(panel) => self.panels.borrow_mut().numbers(panel, now),
            None => lessons::numbers(&self.queue()),
        };
        let verdict = lesson.verdict(&numbers, now, &check.predicted);
        let progress = Rc::make_mut(&mut self.progress);
        let right = verdict.correct() || progress.get(&lesson.id).unwrap_or(false);
        // The app stores it when it changes: the reducer does no I/O.
        progress.insert(lesson.id.clone(), right);
        self.check = Some(Rc::new(Check {
            predicted: check.predicted.clone(),
            verdict: Some(verdict),
        }));
        self.playing = false;
    }

    /// Acting at `now` after going back in time starts a new future: the recorded one is
    /// forgotten, on the main queue and in every panel.
    fn forget_future(&mut self, now: Millis) {
        if now >= self.horizon {
            return;
        }
        let kept: Vec<_> = self
            .history
            .iter()
            .filter(|(at, _)| *at <= now)
            .cloned()
            .collect();
        self.history = Rc::new(kept);
        self.horizon = now;
        let world = self.replayed_to(now);
        self.replace_world(world);
        self.panels.borrow_mut().forget_after(now);
    }

    fn drain(&self) {
        let events = self.world.borrow_mut().drain_events();
        let mut log = self.log.borrow_mut();
        self.logged.set(self.logged.get() + events.len() as u64);
        for e in events {
            if log.len() >= LOG_CAP {
                log.pop_front();
            }
            log.push_back(e.event);
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
                let target = Millis(next.world.borrow().now().0.saturating_add(span));
                match next.next_stop() {
                    // Stop exactly there, so the verdict is the same on every run.
                    Some(stop) if target >= stop => next.stop_at(stop),
                    _ => next.world.borrow_mut().advance_to(target),
                }
                next.horizon = next.horizon.max(next.world.borrow().now());
                next.drain();
                next.panel_real_ms += real_ms;
                if next.panel_real_ms < PANEL_EVERY_MS / 3.0 && next.playing {
                    return Rc::new(next);
                }
                next.panel_real_ms = 0.0;
                if next.playing {
                    next.panel_turn = (next.panel_turn + 1) % 3;
                    let now = next.world.borrow().now();
                    match next.panel_turn {
                        0 => {
                            next.panel_now = now;
                            next.panel_version = next.version;
                        }
                        1 => next.panel_now_b = now,
                        _ => next.panel_now_c = now,
                    }
                    return Rc::new(next);
                }
            }
            Action::Seen(panel, seen) => {
                let bit = 1 << panel.map_or(LOG_BIT, |p| p as u8);
                if seen {
                    next.unseen &= !bit;
                } else {
                    match panel {
                        Some(p) => next.frozen[p as usize] = self.panel_time(p),
                        None => next.log_frozen = self.log_version(),
                    }
                    next.unseen |= bit;
                }
                return Rc::new(next);
            }
            Action::Hide(hidden) => {
                if hidden && self.playing {
                    next.playing = false;
                    next.resume = true;
                } else if !hidden && self.resume {
                    next.playing = true;
                    next.resume = false;
                } else {
                    return self;
                }
            }
            Action::TogglePlay => {
                next.playing = !next.playing;
                next.resume = false;
            }
            Action::Step => {
                next.playing = false;
                next.resume = false;
                let due = next.world.borrow().next_event_time();
                match (due, next.next_stop()) {
                    // A step never runs past a moment or the checkpoint: it stops there.
                    (Some(t), Some(stop)) if t >= stop => next.stop_at(stop),
                    (Some(t), _) => next.world.borrow_mut().advance_to(t),
                    (None, _) => {}
                }
                next.horizon = next.horizon.max(next.world.borrow().now());
                next.drain();
            }
            Action::SetSpeed(speed) => next.speed = speed,
            Action::Command(command) => {
                let now = next.world.borrow().now();
                next.forget_future(now);
                let target = Target::in_one_queue(&command);
                let result = next.world.borrow_mut().command(target, command.clone());
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
                next.scenario_name = self.scenario_name.clone();
                next.system = self.system;
                // Starting over starts every panel over too, from the new seed; the log keeps
                // the settings the person chose for it.
                next.set_lesson(self.lesson);
                if let Some(settings) = self.panels.borrow().changed_log() {
                    let mut panels = next.panels.borrow_mut();
                    if let Some(sc) = panels.spec(Panel::Log).with_log_settings(settings) {
                        // The same settings planned before, so they plan again.
                        let _ = panels.set_log(Millis::ZERO, sc);
                    }
                }
                next.progress = self.progress.clone();
                next.embed = self.embed.clone();
                next.version = self.version + 1;
            }
            Action::DismissNotices => next.notices = Rc::new(Vec::new()),
            Action::SetPlaying(on) => {
                // A host's own play or pause overrides resuming on return.
                next.playing = on;
                next.resume = false;
            }
            Action::LoadLesson(Some(id))
                if lessons::by_id(&id).is_none() && lessons::known(&id) =>
            {
                next.fetching = Some(Rc::from(id));
            }
            // A reply for a lesson nobody waits for any more (the learner picked another while
            // it loaded) changes nothing.
            Action::LessonFetched(id) | Action::LessonFailed(id, _)
                if self.fetching.as_deref() != Some(id.as_str()) =>
            {
                return self;
            }
            Action::LessonFetched(id) => return self.reduce(Action::LoadLesson(Some(id))),
            Action::LessonFailed(id, why) => {
                next.fetching = None;
                let mut notices = (*next.notices).clone();
                notices.push(Notice {
                    param: "lesson".into(),
                    expected: format!("the lesson file lessons/{id}.json"),
                    given: why,
                });
                next.notices = Rc::new(notices);
            }
            Action::LoadLesson(id) => {
                let lesson = id.as_deref().and_then(lessons::by_id);
                let scenario = lesson
                    .and_then(|l| l.scenario().ok())
                    .or_else(|| crate::scenarios::by_name("pizza-shop"))
                    .unwrap_or_default();
                next = self.fresh(scenario);
                next.set_lesson(lesson);
                next.playing = lesson.is_none();
            }
            Action::OpenSystem(name) => {
                let system = Panel::by_system(&name);
                let Some(scenario) = crate::scenarios::by_name(if system.is_some() {
                    "pizza-shop"
                } else {
                    &name
                }) else {
                    return self;
                };
                next = self.fresh(scenario);
                if system.is_none() {
                    next.scenario_name = name;
                }
                next.system = system;
            }
            #[cfg(feature = "studio")]
            Action::OpenOwn(plan) => {
                next = self.fresh(Scenario {
                    seed: plan.seed,
                    ..crate::scenarios::by_name("pizza-shop").unwrap_or_default()
                });
                next.panels.borrow_mut().open_own((*plan).clone());
                next.system = Some(Panel::Own);
            }
            Action::Predict(choice) => {
                let Some(lesson) = next.lesson else {
                    return self;
                };
                if lesson.choice(&choice).is_none() {
                    return self;
                }
                next.check = Some(Rc::new(Check {
                    predicted: choice,
                    verdict: None,
                }));
                let now = next.world.borrow().now();
                let until = lesson.checkpoint.until;
                if now >= until {
                    next.judge();
                } else {
                    next.playing = true;
                    next.speed = lessons::speed_to_reach(now, until, next.speed, CHECK_RUN_REAL_MS);
                }
            }
            Action::Select(id) => next.selected = id,
            Action::Panel(panel, action) => {
                let now = next.world.borrow().now();
                next.forget_future(now);
                let mut panels = next.panels.borrow_mut();
                let result = match action {
                    PanelAction::Command(c) => panels.command(panel, now, c),
                    PanelAction::LogScenario(sc) => panels.set_log(now, *sc),
                };
                drop(panels);
                next.error = result.err();
            }
            Action::Seek(t) => {
                next.playing = false;
                let t = t.min(next.horizon);
                let world = next.replayed_to(t);
                next.replace_world(world);
            }
        }
        next.panel_now = next.world.borrow().now();
        next.panel_now_b = next.panel_now;
        next.panel_now_c = next.panel_now;
        next.panel_version = next.version;
        next.acted = next.version;
        // Whatever replaced the run, the panels out of view are still out of view; each
        // shows this moment once, then waits to be seen.
        next.unseen = self.unseen;
        next.frozen = [next.panel_now; PANELS];
        next.log_frozen = next.panel_version;
        Rc::new(next)
    }
}
