//! Permalinks: everything needed to reproduce what a person sees, in the URL's query string.
//!
//! `?v=1&s=pizza-shop&seed=42&o=fifo&m=queue&h=12000.p~30000.k0&t=61000&x=10`
//! - `v` format version; `s` built-in scenario; `seed`; `o` ordering (`std`/`fifo`); `m` wiring
//!   (`queue`/`http`); `x` speed; `t` the simulated time in ms to show (paused there);
//! - `h` the commands given, oldest first, as `<ms>.<code>` joined by `~` (codes below);
//! - `pf`, `pq`, `pl`, `px` and `pr` the commands given in the fan-out, queue-vs-topic, log,
//!   RabbitMQ and Redis panels, the same way (codes in [`panel_code`]; `sh`, the older
//!   spelling, is the open lesson's panel), and `lg` the log's settings if the learner changed
//!   them (`p8.cb.rc`: partitions, commit after/before/timer, rebalance eager/cooperative).
//!
//! Decoding never fails and never panics: whatever cannot be used is left out and reported as a
//! notice naming the parameter, what was expected and what was given.

use queue_engine::stream::{CommitMode, Rebalance};
use queue_engine::Decimal;
use queue_engine::{Command, Millis, Mode, QueueKind};

use crate::panels::{Panel, PanelCommand, PANELS};

mod codes;
pub use codes::{command_code, panel_code};
use codes::{parse_code, parse_panel_code};

pub const VERSION: u32 = 1;

/// The latest moment a link may name: 30 days of simulated time. Opening a link replays the
/// run up to its moment, so some bound keeps a hostile link from freezing the page; a month is
/// far past any lesson and past the day links used to allow.
pub const LATEST: Millis = Millis(30 * 86_400_000);

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Link {
    /// A guided lesson (its scenario replaces `scenario`).
    pub lesson: Option<String>,
    /// A lesson of the author's own, its file packed ([`crate::packed`]): it is read before
    /// the page opens, and `lesson` then names it.
    pub lesson_file: Option<String>,
    /// A system of the author's own, its scenario file packed (`sf`): the studio plans it
    /// before the page opens, and `scenario` then names it ([`crate::panels::OWN`]). Only the
    /// studio reads one; to the page, `sf` is a parameter it does not know.
    #[cfg(feature = "studio")]
    pub system_file: Option<String>,
    pub scenario: Option<String>,
    pub seed: Option<u64>,
    pub ordering: Option<QueueKind>,
    pub mode: Option<Mode>,
    pub history: Vec<(Millis, Command)>,
    pub time: Option<Millis>,
    pub speed: Option<f64>,
    /// Commands given in each panel, indexed by [`Panel`].
    pub panels: [Vec<(Millis, PanelCommand)>; PANELS],
    /// Commands given in the open lesson's panel, as older links wrote them (`sh`).
    pub side: Vec<(Millis, PanelCommand)>,
    /// The log's settings, when the learner changed them.
    pub log: Option<LogSettings>,
    /// How an embedding page wants the playground shown (never written by [`encode`]: a copied
    /// link opens the same moment in the full playground).
    pub embed: crate::embed::EmbedOptions,
}

/// The settings of the log panel a learner can change: partitions, commit and rebalance modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogSettings {
    pub partitions: u32,
    pub commit: CommitMode,
    pub rebalance: Rebalance,
}

impl LogSettings {
    fn code(self) -> String {
        let commit = match self.commit {
            CommitMode::AfterProcessing => "a",
            CommitMode::BeforeProcessing => "b",
            CommitMode::Auto => "t",
        };
        let rebalance = match self.rebalance {
            Rebalance::Eager => "e",
            Rebalance::Cooperative => "c",
        };
        format!("p{}.c{commit}.r{rebalance}", self.partitions)
    }

    fn parse(code: &str) -> Option<LogSettings> {
        let mut it = code.split('.');
        let partitions = it.next()?.strip_prefix('p')?.parse().ok()?;
        let commit = match it.next()? {
            "ca" => CommitMode::AfterProcessing,
            "cb" => CommitMode::BeforeProcessing,
            "ct" => CommitMode::Auto,
            _ => return None,
        };
        let rebalance = match it.next()? {
            "re" => Rebalance::Eager,
            "rc" => Rebalance::Cooperative,
            _ => return None,
        };
        (it.next().is_none() && (1..=64).contains(&partitions)).then_some(LogSettings {
            partitions,
            commit,
            rebalance,
        })
    }
}

/// Something in a link that was ignored, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub param: String,
    pub expected: String,
    pub given: String,
}

impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: expected {}; got \"{}\" (ignored)",
            self.param, self.expected, self.given
        )
    }
}

/// The query string (without `?`) for a link.
pub fn encode(link: &Link) -> String {
    let mut parts = vec![format!("v={VERSION}")];
    if let Some(l) = &link.lesson {
        parts.push(format!("l={l}"));
    }
    if let Some(f) = &link.lesson_file {
        parts.push(format!("lf={f}"));
    }
    // Only the studio opens a system file, so only its links write one.
    #[cfg(feature = "studio")]
    if let Some(f) = &link.system_file {
        parts.push(format!("sf={f}"));
    }
    if let Some(s) = &link.scenario {
        parts.push(format!("s={s}"));
    }
    if let Some(seed) = link.seed {
        parts.push(format!("seed={seed}"));
    }
    if let Some(kind) = link.ordering {
        parts.push(format!(
            "o={}",
            if kind == QueueKind::Fifo {
                "fifo"
            } else {
                "std"
            }
        ));
    }
    if let Some(mode) = link.mode {
        parts.push(format!(
            "m={}",
            if mode == Mode::Http { "http" } else { "queue" }
        ));
    }
    let history: Vec<String> = link
        .history
        .iter()
        .filter_map(|(at, c)| command_code(c).map(|code| format!("{}.{code}", at.0)))
        .collect();
    if !history.is_empty() {
        parts.push(format!("h={}", history.join("~")));
    }
    let timed = |given: &[(Millis, PanelCommand)]| {
        let codes: Vec<String> = given
            .iter()
            .map(|(at, c)| format!("{}.{}", at.0, panel_code(c)))
            .collect();
        codes.join("~")
    };
    for panel in Panel::ALL {
        let given = &link.panels[panel as usize];
        if !given.is_empty() {
            parts.push(format!("{}={}", panel.param(), timed(given)));
        }
    }
    if !link.side.is_empty() {
        parts.push(format!("sh={}", timed(&link.side)));
    }
    if let Some(log) = link.log {
        parts.push(format!("lg={}", log.code()));
    }
    if let Some(t) = link.time {
        parts.push(format!("t={}", t.0));
    }
    if let Some(x) = link.speed {
        parts.push(format!("x={}", Decimal::short(x)));
    }
    parts.join("&")
}

/// Reads `<ms>.<code>` entries joined by `~` into `out`; each entry that does not parse, is out
/// of time order (commands are kept in the order given) or past [`LATEST`] is passed to
/// `refuse`.
fn timed<T>(
    value: &str,
    parse: fn(&str) -> Option<T>,
    out: &mut Vec<(Millis, T)>,
    mut refuse: impl FnMut(&str),
) {
    let mut last = Millis::ZERO;
    for entry in value.split('~').filter(|e| !e.is_empty()).take(1000) {
        let parsed = entry
            .split_once('.')
            .and_then(|(at, code)| Some((Millis(at.parse().ok()?), parse(code)?)));
        match parsed {
            Some((at, command)) if at >= last && at <= LATEST => {
                last = at;
                out.push((at, command));
            }
            _ => refuse(entry),
        }
    }
}

/// Reads a query string (with or without `?`). Unknown or malformed parts become notices.
pub fn decode(query: &str) -> (Link, Vec<Notice>) {
    let mut link = Link::default();
    let mut notices = Vec::new();
    let mut embed_notices = Vec::new();
    let mut note = |param: &str, expected: &str, given: &str| {
        notices.push(Notice {
            param: param.to_owned(),
            expected: expected.to_owned(),
            given: truncate(given),
        });
    };
    for pair in query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode(value);
        match key {
            "v" => {
                if value != VERSION.to_string() {
                    note("v", &format!("link version {VERSION}"), &value);
                }
            }
            // `scenario` is the older spelling, still accepted.
            "s" | "scenario" => {
                if is_name(&value) {
                    link.scenario = Some(value);
                } else {
                    note("s", "a scenario name such as pizza-shop", &value);
                }
            }
            "l" | "lesson" => {
                if is_name(&value) {
                    link.lesson = Some(value);
                } else {
                    note("l", "a lesson id such as poison-pill", &value);
                }
            }
            "lf" => {
                if packed(&value) {
                    link.lesson_file = Some(value);
                } else {
                    note(
                        "lf",
                        "a lesson file packed by the lesson writer (base64url)",
                        &value,
                    );
                }
            }
            #[cfg(feature = "studio")]
            "sf" => {
                if packed(&value) {
                    link.system_file = Some(value);
                } else {
                    note(
                        "sf",
                        "a system file packed by the studio (base64url)",
                        &value,
                    );
                }
            }
            "seed" => match value.parse() {
                Ok(seed) => link.seed = Some(seed),
                Err(_) => note("seed", "a whole number", &value),
            },
            "o" => match value.as_str() {
                "std" => link.ordering = Some(QueueKind::Standard),
                "fifo" => link.ordering = Some(QueueKind::Fifo),
                _ => note("o", "std or fifo", &value),
            },
            "m" => match value.as_str() {
                "queue" => link.mode = Some(Mode::Queue),
                "http" => link.mode = Some(Mode::Http),
                _ => note("m", "queue or http", &value),
            },
            "t" => match value.parse::<u64>() {
                Ok(t) if t <= LATEST.0 => link.time = Some(Millis(t)),
                _ => note(
                    "t",
                    "simulated milliseconds, at most 30 days (2592000000)",
                    &value,
                ),
            },
            "x" => match queue_engine::parse_decimal(&value) {
                Some(x) if (0.01..=10_000.0).contains(&x) => link.speed = Some(x),
                _ => note("x", "a speed from 0.01 to 10000", &value),
            },
            "h" => timed(&value, parse_code, &mut link.history, |entry| {
                note(
                    "h",
                    "entries like 12000.p (time in ms, then a command code), in time order",
                    entry,
                )
            }),
            "sh" | "pf" | "pq" | "pl" | "px" | "pr" => {
                let out = match Panel::ALL.into_iter().find(|p| p.param() == key) {
                    Some(p) => &mut link.panels[p as usize],
                    None => &mut link.side,
                };
                timed(&value, parse_panel_code, out, |entry| {
                    note(
                        key,
                        "entries like 20000.C0-1 (time in ms, then a panel command code), in time order",
                        entry,
                    )
                })
            }
            "lg" => match LogSettings::parse(&value) {
                Some(log) => link.log = Some(log),
                None => note(
                    "lg",
                    "log settings like p4.ca.re (partitions 1-64, commit a/b/t, rebalance e/c)",
                    &value,
                ),
            },
            "bench" | "debug" => {}
            k if crate::embed::KEYS.contains(&k) => {
                crate::embed::parse_option(&mut link.embed, k, &value, &mut embed_notices);
            }
            other => {
                let name = if other.is_empty() {
                    "(a parameter with no name)"
                } else {
                    other
                };
                note(
                    &truncate(name),
                    "one of v, l, s, seed, o, m, h, pf, pq, pl, px, pr, lg, t, x, embed, lock, hide, theme, autoplay, paused, origin",
                    &value,
                );
            }
        }
    }
    notices.extend(embed_notices);
    (link, notices)
}

/// Whether `value` can be text packed into a link ([`crate::packed`]): base64url, unpadded.
fn packed(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub(crate) fn is_name(value: &str) -> bool {
    value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !value.is_empty()
        && value.len() <= 40
}

pub(crate) fn truncate(s: &str) -> String {
    if s.chars().count() > 40 {
        s.chars().take(40).collect::<String>() + "…"
    } else {
        s.to_owned()
    }
}

/// `%XX` and `+` decoding; invalid escapes are kept as written.
fn percent_decode(s: &str) -> String {
    unescape_with(s, b'%', true)
}

/// `s` with each `<esc>XX` (two hex digits) turned into that byte, and `+` into a space when
/// `plus`; invalid escapes are kept as written, and invalid UTF-8 becomes U+FFFD.
pub(crate) fn unescape_with(s: &str, esc: u8, plus: bool) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let escaped = (b == esc)
            .then(|| Some(hex(*bytes.get(i + 1)?)? << 4 | hex(*bytes.get(i + 2)?)?))
            .flatten();
        match escaped {
            Some(e) => {
                out.push(e);
                i += 3;
            }
            None => {
                out.push(if plus && b == b'+' { b' ' } else { b });
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use queue_engine::stream::{SeekTo, StreamCommand};
    use queue_engine::{AckMode, BatchFailure, Payload, TakeOutcome};

    fn sample() -> Link {
        Link {
            scenario: Some("pizza-shop".into()),
            seed: Some(42),
            ordering: Some(QueueKind::Fifo),
            mode: Some(Mode::Queue),
            history: vec![
                (Millis(0), Command::SetBatchSize { size: 5 }),
                (
                    Millis(1200),
                    Command::Send {
                        producer: 0,
                        payload: Payload::Poison,
                        group: None,
                    },
                ),
                (
                    Millis(30_000),
                    Command::SetOnline {
                        consumer: None,
                        online: false,
                    },
                ),
                (Millis(45_500), Command::SetMaxReceiveCount { count: None }),
                (
                    Millis(46_000),
                    Command::SetBatchFailure {
                        mode: BatchFailure::ReportFailures,
                    },
                ),
                (Millis(50_000), Command::RedriveOne { message: 17 }),
            ],
            time: Some(Millis(61_000)),
            speed: Some(10.0),
            ..Link::default()
        }
    }

    #[test]
    fn a_lesson_and_the_embedding_options_are_read() {
        let (link, notices) = decode(
            "embed=1&lesson=poison-pill&lock=ordering,batch-failure&hide=log,share&theme=dark&paused=1&origin=https://course.example.org",
        );
        assert_eq!(notices, vec![]);
        assert_eq!(link.lesson.as_deref(), Some("poison-pill"));
        let e = &link.embed;
        assert!(e.embed);
        assert_eq!(e.locked, ["ordering", "batch"]);
        assert_eq!(e.hidden, ["log", "share"]);
        assert_eq!(e.theme, crate::embed::Theme::Dark);
        assert_eq!(e.autoplay, Some(false));
        assert!(e.allows("https://course.example.org", "https://play.example"));
        assert!(e.allows("https://play.example", "https://play.example"));
        assert!(!e.allows("https://evil.example", "https://play.example"));
        // A copied link opens the full playground at the same lesson.
        assert_eq!(encode(&link), "v=1&l=poison-pill");
    }

    #[test]
    fn bad_embedding_options_say_which_option_and_what_was_expected() {
        let (link, notices) = decode(
            "embed=maybe&lock=ordering,warp-drive&theme=blue&origin=https://ok.example,ftp://x/y&lesson=<b>",
        );
        assert_eq!(link.embed.locked, ["ordering"], "the good name survives");
        assert_eq!(link.embed.origins, ["https://ok.example"]);
        let params: Vec<&str> = notices.iter().map(|n| n.param.as_str()).collect();
        assert_eq!(params, ["l", "embed", "lock", "theme", "origin"]);
        assert!(
            notices[2].expected.contains("ordering, wiring"),
            "{}",
            notices[2]
        );
        assert_eq!(notices[2].given, "warp-drive");
        assert_eq!(
            notices[3].to_string(),
            "theme: expected auto, light or dark; got \"blue\" (ignored)"
        );
        // Click to load is read by boot.js and playground.js, but checked here like the rest.
        let (_, notices) = decode("poster=sometimes");
        assert_eq!(
            notices[0].to_string(),
            "poster: expected 1 or 0; got \"sometimes\" (ignored)"
        );
        assert_eq!(
            decode("embed=1&poster=1").1,
            vec![],
            "a good poster=1 is no notice"
        );
    }

    #[test]
    fn a_link_round_trips() {
        let text = encode(&sample());
        assert_eq!(text, "v=1&s=pizza-shop&seed=42&o=fifo&m=queue&h=0.z5~1200.p~30000.k0~45500.d0~46000.bp~50000.r17&t=61000&x=10");
        assert_eq!(decode(&text), (sample(), vec![]));
        assert_eq!(decode(&format!("?{text}")).0, sample());
    }

    /// A run longer than a day still makes a link that opens at the moment shown, with the
    /// commands taken after the first day (links used to stop at 24 hours).
    #[test]
    fn a_link_to_a_run_of_several_days_round_trips() {
        let mut link = sample();
        let three_days = Millis(3 * 86_400_000);
        link.history.push((three_days, Command::FixPoison));
        link.time = Some(three_days.saturating_add(Millis(5)));
        let (back, notices) = decode(&encode(&link));
        assert_eq!(notices, vec![]);
        assert_eq!(back, link);
        let (_, notices) = decode(&format!("t={}", LATEST.0 + 1));
        assert_eq!(
            notices.len(),
            1,
            "a moment past the latest is refused with a notice"
        );
    }

    #[test]
    fn every_control_command_has_a_code_that_decodes_back() {
        let commands = [
            Command::Send {
                producer: 0,
                payload: Payload::Normal,
                group: None,
            },
            Command::Spike {
                factor: 10.0,
                duration: Millis::from_secs(30),
            },
            Command::SetOnline {
                consumer: None,
                online: true,
            },
            Command::ScaleConsumers { count: 3 },
            Command::SetBatchFailure {
                mode: BatchFailure::WholeBatch,
            },
            Command::SetBatchFailure {
                mode: BatchFailure::StopAtFirst,
            },
            Command::SetMaxReceiveCount { count: Some(3) },
            Command::SetVisibilityTimeout {
                timeout: Millis::from_secs(5),
            },
            Command::SetExtendVisibility { on: true },
            Command::SetAck {
                mode: AckMode::BeforeProcessing,
            },
            Command::SetAck {
                mode: AckMode::AfterProcessing,
            },
            Command::SetIdempotent { on: true },
            Command::RedriveAll,
            Command::Discard { message: 9 },
            Command::FixPoison,
        ];
        for c in commands {
            let code = command_code(&c).unwrap_or_else(|| panic!("{c:?} has no code"));
            assert_eq!(parse_code(&code), Some(c), "code {code}");
        }
    }

    #[test]
    fn bad_parts_are_ignored_with_a_notice_that_says_what_and_why() {
        let (link, notices) = decode(
            "v=9&seed=abc&o=lifo&h=100.p~50.o~200.zz~300.k1&t=-5&x=0&colour=red&s=pizza-shop",
        );
        assert_eq!(link.scenario.as_deref(), Some("pizza-shop"));
        assert_eq!(
            link.history,
            vec![
                (
                    Millis(100),
                    Command::Send {
                        producer: 0,
                        payload: Payload::Poison,
                        group: None
                    }
                ),
                (
                    Millis(300),
                    Command::SetOnline {
                        consumer: None,
                        online: true
                    }
                )
            ]
        );
        let params: Vec<&str> = notices.iter().map(|n| n.param.as_str()).collect();
        assert_eq!(params, ["v", "seed", "o", "h", "h", "t", "x", "colour"]);
        assert_eq!(
            notices[1].to_string(),
            "seed: expected a whole number; got \"abc\" (ignored)"
        );
        assert_eq!(notices[3].given, "50.o", "out of time order");
    }

    #[test]
    fn percent_escapes_decode_and_broken_ones_survive() {
        assert_eq!(percent_decode("pizza%2Dshop"), "pizza-shop");
        assert_eq!(percent_decode("a+b"), "a b");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn panel_commands_and_log_settings_round_trip_and_bad_ones_are_named() {
        let log = |c| PanelCommand::Log(c);
        let mut link = Link {
            lesson: Some("rebalance-skip".into()),
            log: Some(LogSettings {
                partitions: 8,
                commit: CommitMode::AfterProcessing,
                rebalance: Rebalance::Cooperative,
            }),
            ..Link::default()
        };
        link.panels[Panel::Log as usize] = vec![
            (
                Millis(20_000),
                log(StreamCommand::CrashConsumer {
                    group: 0,
                    consumer: 1,
                }),
            ),
            (Millis(21_000), log(StreamCommand::AddConsumer { group: 0 })),
            (
                Millis(22_000),
                log(StreamCommand::Seek {
                    group: 1,
                    to: SeekTo::Earliest,
                }),
            ),
            (Millis(23_000), log(StreamCommand::SetHotKey { share: 0.6 })),
        ];
        link.panels[Panel::FanOut as usize] = vec![(
            Millis(24_000),
            PanelCommand::Subscriber {
                sub: 3,
                online: false,
            },
        )];
        link.panels[Panel::Exchanges as usize] = vec![
            (
                Millis(1_000),
                PanelCommand::Publish {
                    exchange: "orders".into(),
                    key: "order.pizza.eu".into(),
                },
            ),
            // The separators, a wildcard, a space and a non-ASCII letter all come back.
            (
                Millis(1_000),
                PanelCommand::Publish {
                    exchange: "".into(),
                    key: "a~b:c #%!é".into(),
                },
            ),
            (
                Millis(2_000),
                PanelCommand::Take {
                    member: 2,
                    outcome: TakeOutcome::Requeue,
                },
            ),
        ];
        link.panels[Panel::Redis as usize] =
            vec![(Millis(3_000), PanelCommand::Crash { consumer: 1 })];
        let text = encode(&link);
        assert!(
            text.contains("pl=20000.C0-1~21000.A0~22000.E1~23000.H60"),
            "{text}"
        );
        assert!(text.contains("pf=24000.S3-0"), "{text}");
        assert!(
            text.contains(
                "px=1000.Porders:order.pizza.eu~1000.P:a!7Eb!3Ac!20!23!25!21!C3!A9~2000.T2-q"
            ),
            "{text}"
        );
        assert!(text.contains("pr=3000.K1"), "{text}");
        assert!(text.contains("lg=p8.ca.rc"), "{text}");
        assert_eq!(decode(&text), (link.clone(), vec![]));
        // A host that percent-encodes the whole value changes nothing.
        let encoded = text.replace('~', "%7E").replace('!', "%21");
        assert_eq!(decode(&encoded), (link, vec![]));
        // A routing key past AMQP's 255 bytes, and a take with no such outcome.
        let long = "k".repeat(256);
        let (link, notices) = decode(&format!(
            "l=rebalance-skip&sh=5000.C0-1~4000.A0~6000.Q9&lg=p0.ca.re&px=1.P:{long}~2.T1-x"
        ));
        assert_eq!(link.side.len(), 1, "the good entry survives");
        let said: Vec<String> = notices.iter().map(|n| n.to_string()).collect();
        assert_eq!(said.len(), 5, "{said:?}");
        assert!(
            said[0].starts_with("sh: expected entries like 20000.C0-1")
                && said[0].ends_with("got \"4000.A0\" (ignored)"),
            "{said:?}"
        );
        assert!(said[1].ends_with("got \"6000.Q9\" (ignored)"), "{said:?}");
        assert!(
            said[2].starts_with("lg: expected log settings like p4.ca.re"),
            "{said:?}"
        );
        assert!(
            said[3].starts_with("px: ") && said[3].contains("got \"1.P:kkk"),
            "{said:?}"
        );
        assert!(said[4].ends_with("got \"2.T1-x\" (ignored)"), "{said:?}");
    }
}
