//! Redis Streams: which scenarios a Redis run can replay, the engine's own run of them, and
//! per entry what the engine says happened, in the terms [`crate::compare`] compares.
//!
//! # Contract
//! - Accepted: producers appending to one `redis_streams` log, at most one consumer pool
//!   subscribed to it (the consumer group), and `send` and `crash` commands. The pool fails
//!   only poison entries (no random failures), and its processing time is shorter than the
//!   group's `min_idle`, so the janitor never claims an entry its owner is still working on.
//!   Anything else is refused with the field and the reason.
//! - Which of the competing consumers reads an entry is a race on Redis, so a crash is
//!   replayed on the consumer holding what the engine's crashed consumer held ([`Crash`]).
//! - The entries replayed on Redis are exactly those the engine appended, with their payloads
//!   and times, read from the engine's stream; an entry is matched by its CloudEvents id number
//!   (the `event` of its `appended` event), carried on Redis as the field `msg`.
//! - The consumers and the janitor on Redis do what the engine's group does (semantics notes
//!   §4): read new entries with `XREADGROUP … >`, acknowledge after processing, leave a failed
//!   entry pending; every `claim_every` the janitor moves entries idle for `min_idle` whose
//!   delivery count has reached `max_attempts` to the dead stream (`XADD <stream>:dead` and
//!   `XACK`), and claims the others with `XAUTOCLAIM`. Every delivery count in the comparison
//!   is Redis's own (from `XPENDING`), never counted by the tool.
//! - Time is scaled by one factor (simulated ms per wall ms) so the window takes about
//!   [`crate::plan::TARGET_WINDOW`], never more; Redis measures idle time in milliseconds, so
//!   nothing is rounded.

mod run;

use std::collections::BTreeMap;

use queue_engine::redis_stream::RedisConfig;
use queue_engine::topology::log::LogProfile;
use queue_engine::{Command, EventKind, Millis, Node, NodeKind, Payload, ScenarioV2, World};

use crate::compare::{CountRule, Death, Expected, Facts};
use crate::plan::{payload_name, Publish, TARGET_WINDOW};
use crate::Error;

pub use run::run;

/// The places nothing changes after: acknowledged, in the dead stream, trimmed before anyone
/// read it, or trimmed while pending and then dropped by `XAUTOCLAIM`.
pub const SETTLED: [&str; 4] = ["processed", "dead_lettered", "trimmed", "trimmed_pending"];

/// The reason written on a dead-stream entry, on both sides.
pub const DEAD_REASON: &str = "max_attempts";

#[derive(Clone, Debug)]
pub struct RedisPlan {
    pub name: String,
    /// The log node: the stream's name (with the run's unique prefix on Redis).
    pub stream: String,
    /// The consumer pool: the group's name.
    pub group: String,
    /// The stream and group as the engine runs them (consumers, `COUNT`, processing time,
    /// janitor period, `min-idle-time`, delivery limit).
    pub config: RedisConfig,
    pub until: Millis,
    pub scale: f64,
    pub scaled: Vec<String>,
    pub publishes: Vec<Publish>,
    pub expected: Vec<Expected>,
    pub crashes: Vec<Crash>,
}

/// A consumer crash, as the broker run replays it. Which competing consumer reads an entry
/// is a race on a real broker, so a crash is aimed at what the engine's crashed consumer
/// held: on Redis, the consumer holding those entries crashes (or, holding none, the one
/// with the engine's index).
#[derive(Clone, Debug, PartialEq)]
pub struct Crash {
    pub at: Millis,
    pub consumer: u32,
    /// The message ids pending under the crashed consumer in the engine, just after it died.
    pub held: Vec<u64>,
}

impl RedisPlan {
    /// A simulated duration as wall-clock time on the broker.
    pub fn wall(&self, t: Millis) -> std::time::Duration {
        crate::plan::wall(t, self.scale)
    }

    /// Whether every entry ends in a [`SETTLED`] place in the engine within the window: then
    /// the broker run may end as soon as Redis has settled as many.
    pub fn settles(&self) -> bool {
        self.expected
            .iter()
            .all(|e| SETTLED.contains(&e.facts.place.as_str()))
    }
}

fn unsupported(path: &str, why: &str) -> Error {
    Error::File(format!(
        "{path}: qsim-verify cannot replay this on Redis yet: {why}"
    ))
}

/// Checks the scenario is one Redis replays deterministically, then runs the engine on it.
pub fn plan(scenario: &ScenarioV2, until: Millis) -> Result<RedisPlan, Error> {
    let t = &scenario.topology;
    let logs: Vec<&str> = t.of_kind(NodeKind::Log).collect();
    let ([stream], Some(Node::Log(spec))) = (&logs[..], logs.first().and_then(|n| t.node(n)))
    else {
        return Err(unsupported("nodes", "exactly one log node is replayed"));
    };
    if spec.profile != LogProfile::RedisStreams {
        return Err(unsupported(
            &format!("nodes.{stream}.log.profile"),
            "only redis_streams logs run on Redis (no Kafka broker is verified here)",
        ));
    }
    if let Some((name, _)) = t
        .nodes
        .iter()
        .find(|(_, n)| matches!(n, Node::Queue(_) | Node::Router(_) | Node::Store(_)))
    {
        return Err(unsupported(
            &format!("nodes.{name}"),
            "a Redis run replays one stream, its producers and its group; nothing else",
        ));
    }
    let pools: Vec<&str> = t.of_kind(NodeKind::Consumer).collect();
    let group = match (&pools[..], pools.first().and_then(|n| t.node(n))) {
        ([], _) => String::new(),
        ([name], Some(Node::Consumer(c))) => {
            if c.failure_rate > 0.0 || c.crash_probability > 0.0 {
                return Err(unsupported(
                    &format!("nodes.{name}.consumer.failure_rate / crash_probability"),
                    "random failures and crashes would differ between the engine and Redis",
                ));
            }
            (*name).to_owned()
        }
        _ => return Err(unsupported("nodes", "one consumer pool (one group) only")),
    };
    for (i, cmd) in scenario.commands.iter().enumerate() {
        if !matches!(
            cmd.command,
            Command::Send {
                payload: Payload::Normal | Payload::Poison,
                ..
            } | Command::Crash { .. }
        ) {
            return Err(unsupported(
                &format!("commands[{i}]"),
                "only `send` (normal or poison) and `crash` commands are replayed yet",
            ));
        }
    }
    let mut sc = scenario.clone();
    // Keep every event between two drains.
    sc.limits.event_log = sc.limits.event_log.max(2_000_000);
    let world_plan = sc.plan().map_err(|e| Error::File(e.to_string()))?;
    let mut world = World::new(world_plan).map_err(|e| Error::File(e.to_string()))?;
    let (publishes, expected, crashes) = run_engine(&mut world, until);
    let config = world.logs()[0]
        .as_redis()
        .expect("the one log is a Redis stream")
        .config
        .clone();
    if !group.is_empty() && config.processing >= config.min_idle {
        return Err(unsupported(
            &format!("nodes.{group}.consumer.processing"),
            &format!(
                "a processing time of {} is not shorter than the group's min_idle of {}: the \
                 janitor would claim entries their owner is still working on, and who wins \
                 that race depends on timing",
                config.processing, config.min_idle
            ),
        ));
    }
    let scale = (until.0 as f64 / TARGET_WINDOW.0 as f64).max(1.0);
    let wall = |t: Millis| (t.0 as f64 / scale).round();
    // Below this the threads' own scheduling (tens of ms) would decide what is idle.
    if !group.is_empty() && wall(config.min_idle) < 50.0 {
        return Err(Error::File(format!(
            "--until {until}: time runs ×{scale:.0} faster on Redis so the window takes about \
             {} s, which makes the group's min_idle of {} only {} ms there (at least 50 ms is \
             needed); shorten --until or lengthen min_idle",
            TARGET_WINDOW.0 / 1000,
            config.min_idle,
            wall(config.min_idle)
        )));
    }
    let scaled = vec![
        format!(
            "janitor period (claim_every): {} simulated → {} ms",
            config.claim_every,
            wall(config.claim_every)
        ),
        format!(
            "XAUTOCLAIM min-idle-time: {} simulated → {} ms",
            config.min_idle,
            wall(config.min_idle)
        ),
        format!(
            "processing time: {} simulated → {} ms",
            config.processing,
            wall(config.processing)
        ),
        format!(
            "append times and the window: ÷{scale:.2} ({until} simulated → {:.1} s)",
            until.0 as f64 / scale / 1000.0
        ),
    ];
    Ok(RedisPlan {
        name: scenario.name.clone(),
        stream: (*stream).to_owned(),
        group,
        config,
        until,
        scale,
        scaled,
        publishes,
        expected,
        crashes,
    })
}

/// What the engine says about one entry, by its place in the stream.
#[derive(Default)]
struct Trace {
    /// Its CloudEvents id number, whether it fails, and when it was appended.
    entry: Option<(u64, bool, Millis)>,
    processed: u32,
    claims: u32,
    /// Its delivery count when last seen in the pending entries list.
    pending: Option<u32>,
    dead: bool,
}

/// Runs the world to `until`, one agenda item at a time, and reads each entry's fate from its
/// events and from the stream between steps: an entry `MAXLEN` trims is gone from the stream
/// by the end, so what it was, and whether it was pending, is noted while it is there.
fn run_engine(world: &mut World, until: Millis) -> (Vec<Publish>, Vec<Expected>, Vec<Crash>) {
    let mut traces: BTreeMap<u64, Trace> = BTreeMap::new();
    let mut crashes = Vec::new();
    let mut seen = 0;
    while world.next_event_time().is_some_and(|t| t <= until) {
        world.step();
        for e in world.drain_events() {
            match e.event.kind {
                EventKind::GroupMemberLeft {
                    member,
                    crashed: true,
                    ..
                } => {
                    let redis = world.logs()[0].as_redis().expect("a Redis stream");
                    let held = redis
                        .pel
                        .values()
                        .filter(|p| u32::from(p.consumer) == member)
                        .filter_map(|p| Some(traces.get(&p.n)?.entry?.0))
                        .collect();
                    crashes.push(Crash {
                        at: e.event.t,
                        consumer: member,
                        held,
                    });
                }
                EventKind::RecordProcessed { offset, .. } => {
                    traces.entry(offset).or_default().processed += 1
                }
                EventKind::RecordClaimed { offset, .. } => {
                    traces.entry(offset).or_default().claims += 1
                }
                EventKind::RecordDeadLettered { offset, .. } => {
                    traces.entry(offset).or_default().dead = true
                }
                _ => {}
            }
        }
        let redis = world.logs()[0].as_redis().expect("a Redis stream");
        for e in redis.entries.iter().filter(|e| e.n >= seen) {
            traces.entry(e.n).or_default().entry = Some((e.event, e.poison, Millis(e.id.ms)));
        }
        seen = redis.counts.added;
        for p in redis.pel.values() {
            traces.entry(p.n).or_default().pending = Some(p.deliveries);
        }
    }
    world.advance_to(until);
    let redis = world.logs()[0].as_redis().expect("a Redis stream");
    let pel: BTreeMap<u64, u32> = redis.pel.values().map(|p| (p.n, p.deliveries)).collect();
    let kept = redis.entries.front().map_or(redis.counts.added, |e| e.n);
    let mut publishes = Vec::new();
    let mut expected = Vec::new();
    for (n, tr) in traces {
        let Some((id, poison, at)) = tr.entry else {
            continue;
        };
        let payload = if poison {
            Payload::Poison
        } else {
            Payload::Normal
        };
        publishes.push(Publish {
            id,
            at,
            payload,
            group: 0,
        });
        let (place, delivered, death) = if tr.dead {
            // Its count when the janitor moved it: as last seen in the pending list.
            let d = tr.pending.unwrap_or(0);
            let death = Death {
                reason: DEAD_REASON.into(),
                count: d.into(),
            };
            ("dead_lettered", d, Some(death))
        } else if let Some(&d) = pel.get(&n) {
            ("pending", d, None)
        } else if tr.processed > 0 {
            ("processed", 1 + tr.claims, None)
        } else if let Some(d) = tr.pending {
            // Pending once, then gone without being processed: trimmed, and dropped by XAUTOCLAIM.
            ("trimmed_pending", d, None)
        } else if n < kept {
            ("trimmed", 0, None)
        } else {
            ("queued", 0, None)
        };
        expected.push(Expected {
            id,
            payload: payload_name(payload).into(),
            rule: CountRule::Exact,
            facts: Facts {
                delivered,
                processed: tr.processed,
                place: place.into(),
                order: None,
                death,
            },
        });
    }
    (publishes, expected, crashes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use queue_engine::ScenarioFile;

    fn scenario(text: &str) -> ScenarioV2 {
        ScenarioFile::from_json(text).expect("valid").into_v2()
    }

    const POISON: &str = r#"{ "version": 2, "name": "t", "seed": 1,
      "nodes": { "p": { "producer": { "rate": 0 } },
                 "orders": { "log": { "profile": "redis_streams" } },
                 "kitchen": { "consumer": { "count": 2, "processing": { "mean": "100ms" } } } },
      "edges": [ { "kind": "publish", "from": "p", "to": "orders" },
                 { "kind": "subscribe", "from": "orders", "to": "kitchen",
                   "group": { "claim_every": "2s", "min_idle": "3s", "max_attempts": 3 } } ],
      "commands": [ { "at": "1s", "do": { "type": "send", "payload": "normal" } },
                    { "at": "2s", "do": { "type": "send", "payload": "poison" } } ] }"#;

    /// semantics.md §4: the read is delivery 1, each XAUTOCLAIM adds one, and at the limit
    /// the janitor moves the entry to the dead stream.
    #[test]
    fn the_engine_side_of_a_poison_entry_is_three_deliveries_then_the_dead_stream() {
        let plan = plan(&scenario(POISON), Millis::from_secs(30)).expect("replayable");
        let [good, poison] = &plan.expected[..] else {
            panic!("two entries: {:?}", plan.expected)
        };
        assert_eq!(
            (good.facts.place.as_str(), good.facts.delivered),
            ("processed", 1)
        );
        assert_eq!(good.facts.processed, 1);
        assert_eq!(poison.facts.place, "dead_lettered");
        assert_eq!(poison.facts.delivered, 3);
        assert_eq!(poison.facts.processed, 0);
        assert_eq!(poison.facts.death.as_ref().map(|d| d.count), Some(3));
        assert!(plan.settles());
        assert_eq!(plan.publishes[1].at, Millis::from_secs(2));
    }

    /// A crash is aimed at what the engine's crashed consumer held (see [`Crash`]): here the
    /// first entry, which consumer 0 was processing.
    #[test]
    fn a_crash_carries_the_entries_its_consumer_held() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/redis-crash-claimed.json"
        ))
        .expect("the scenario is there");
        let plan = plan(&scenario(&text), Millis::from_secs(30)).expect("replayable");
        let first = plan.publishes[0].id;
        assert_eq!(
            plan.crashes,
            [Crash {
                at: Millis::from_secs(2),
                consumer: 0,
                held: vec![first],
            }]
        );
        let claimed = &plan.expected[0].facts;
        assert_eq!(
            (claimed.delivered, claimed.processed),
            (2, 1),
            "{claimed:?}"
        );
    }

    #[test]
    fn what_redis_cannot_replay_is_refused_with_the_field() {
        let spike = POISON.replace(
            r#"{ "at": "1s", "do""#,
            r#"{ "at": "1s", "node": "p", "do": { "type": "spike", "factor": 2, "duration": "1s" } },
               { "at": "1s", "do""#,
        );
        let e = plan(&scenario(&spike), Millis::from_secs(30)).unwrap_err();
        assert!(e.to_string().contains("commands[0]"), "{e}");
        let e = plan(&scenario(POISON), Millis::from_secs(3_600)).unwrap_err();
        assert!(e.to_string().contains("--until 1h"), "{e}");
        let slow = POISON.replace("100ms", "5s");
        let e = plan(&scenario(&slow), Millis::from_secs(30)).unwrap_err();
        assert!(
            e.to_string().contains("nodes.kitchen.consumer.processing"),
            "{e}"
        );
        let kafka = POISON
            .replace(r#""profile": "redis_streams""#, r#""profile": "kafka""#)
            .replace(r#""claim_every": "2s", "min_idle": "3s", "#, "");
        let e = plan(&scenario(&kafka), Millis::from_secs(30)).unwrap_err();
        assert!(e.to_string().contains("nodes.orders.log.profile"), "{e}");
    }
}
