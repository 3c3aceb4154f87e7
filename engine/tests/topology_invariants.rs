//! Properties over random version 2 topologies: any profile, with or without a dead-letter
//! queue, store and reply queue, random consumer behaviour and random commands aimed at nodes.
//! Loading never panics; whatever loads runs with every message in exactly one state; no
//! message is delivered more often than its profile allows; the same inputs give the same log.

mod common;

use proptest::prelude::*;
use queue_engine::topology::profile::QueueProfile;
use queue_engine::{Millis, ScenarioError, ScenarioV2};
use serde_json::{json, Value};

fn profile() -> impl Strategy<Value = QueueProfile> {
    prop::sample::select(QueueProfile::ALL.to_vec())
}

fn profile_name(p: QueueProfile) -> Value {
    serde_json::to_value(p).unwrap()
}

/// A random topology of the shape the engine runs, as a v2 file.
fn topology() -> impl Strategy<Value = Value> {
    (
        profile(),
        prop::option::of(0u32..30),
        any::<bool>(),
        (1usize..=3, 0.0f64..0.3, 0.0f64..0.3, 1u32..4),
        (1u32..4, 1u32..6, 0.0f64..0.4, 0.0f64..0.1, 10u64..800),
        (any::<bool>(), any::<bool>(), any::<u64>()),
        prop::collection::vec((0u64..40_000, 0usize..5), 0..5),
    )
        .prop_map(
            |(p, limit, dlq, (producers, poison, transient, groups), consumer, extras, cmds)| {
                let (count, batch, failure, crash, mean) = consumer;
                let (store, reply, seed) = extras;
                let mut nodes = serde_json::Map::new();
                let mut edges = vec![json!({ "kind": "subscribe", "from": "orders", "to": "kitchen" })];
                for i in 0..producers {
                    let name = format!("p{i}");
                    nodes.insert(name.clone(), json!({ "producer": {
                        "rate": 3 + i, "poison_share": poison, "transient_share": transient, "groups": groups
                    } }));
                    edges.push(json!({ "kind": "publish", "from": name, "to": "orders" }));
                }
                let mut queue = json!({ "profile": profile_name(p) });
                if let Some(l) = limit {
                    queue["delivery_limit"] = json!(l);
                }
                nodes.insert("orders".into(), json!({ "queue": queue }));
                if dlq {
                    nodes.insert("dead".into(), json!({ "queue": { "profile": profile_name(p) } }));
                    edges.push(json!({ "kind": "dead_letter", "from": "orders", "to": "dead" }));
                }
                nodes.insert("kitchen".into(), json!({ "consumer": {
                    "count": count, "batch_size": batch, "failure_rate": failure,
                    "crash_probability": crash, "processing": { "mean": mean, "distribution": "exponential" }
                } }));
                if store {
                    nodes.insert("db".into(), json!({ "store": {} }));
                    edges.push(json!({ "kind": "write", "from": "kitchen", "to": "db" }));
                }
                if reply {
                    nodes.insert("replies".into(), json!({ "queue": {} }));
                    edges.push(json!({ "kind": "reply", "from": "kitchen", "to": "replies" }));
                }
                let commands: Vec<Value> = cmds
                    .into_iter()
                    .map(|(at, which)| match which {
                        0 => json!({ "at": at, "node": "p0", "do": { "type": "send", "payload": "poison" } }),
                        1 => json!({ "at": at, "node": "kitchen", "do": { "type": "set_online", "online": false } }),
                        2 => json!({ "at": at, "node": "kitchen", "do": { "type": "set_online", "online": true } }),
                        3 => json!({ "at": at, "node": "kitchen", "do": { "type": "crash", "consumer": 0 } }),
                        _ => json!({ "at": at, "node": "kitchen", "do": { "type": "fix_poison" } }),
                    })
                    .collect();
                json!({ "version": 2, "seed": seed, "nodes": nodes, "edges": edges, "commands": commands,
                        "limits": { "event_log": 0 } })
            },
        )
}

fn load(file: &Value) -> Result<ScenarioV2, ScenarioError> {
    ScenarioV2::from_json(&file.to_string())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn whatever_loads_conserves_messages_and_respects_the_profiles_limit(file in topology()) {
        let Ok(s) = load(&file) else {
            // Refusals are fine (a limit without a dead-letter target, say); panics are not.
            return Ok(());
        };
        let (_, queue) = s.topology.nodes.iter().find(|(n, _)| n == "orders").unwrap();
        let queue_engine::Node::Queue(spec) = queue else { unreachable!() };
        let lowered = s.lower().unwrap();
        let allowed = lowered.dlq.as_ref().map(|d| d.max_receive_count);
        if let (Some(allowed), Some(limit)) = (allowed, spec.delivery_limit) {
            prop_assert_eq!(allowed, spec.profile.deliveries(limit));
        }
        let mut sim = common::OneQueue::new(lowered).unwrap();
        while let Some(t) = sim.next_event_time() {
            if t > Millis::from_secs(45) {
                break;
            }
            sim.step();
            let c = sim.counts();
            prop_assert_eq!(c.state_total(), c.published, "every message is in exactly one state");
        }
        if let Some(allowed) = allowed {
            for m in sim.messages() {
                prop_assert!(
                    m.receive_count() <= allowed,
                    "{:?}: message {} delivered {} times, {} allowed",
                    spec.profile, m.id(), m.receive_count(), allowed
                );
            }
        }
    }

    #[test]
    fn the_same_file_gives_the_same_log(file in topology()) {
        let Ok(s) = load(&file) else { return Ok(()) };
        let run = || {
            let mut sim = common::OneQueue::new(s.lower().unwrap()).unwrap();
            sim.advance_to(Millis::from_secs(20));
            sim.log_hash()
        };
        prop_assert_eq!(run(), run());
        // Written out and read back, the file is the same system.
        let again = ScenarioV2::from_json(&s.to_json()).unwrap();
        prop_assert_eq!(again, s);
    }
}

/// The generator must reach every profile with a run that loads, or the properties above
/// would hold vacuously for the profiles it never reaches.
#[test]
fn every_profile_has_a_topology_that_loads() {
    for p in QueueProfile::ALL {
        let file = json!({
            "version": 2,
            "nodes": {
                "p0": { "producer": {} },
                "orders": { "queue": { "profile": profile_name(p) } },
                "kitchen": { "consumer": {} }
            },
            "edges": [
                { "kind": "publish", "from": "p0", "to": "orders" },
                { "kind": "subscribe", "from": "orders", "to": "kitchen" }
            ]
        });
        assert!(load(&file).is_ok(), "{p:?}: {:?}", load(&file).err());
    }
}

/// A random world: producers publishing straight to queues or through a router of any type
/// with random keys and bindings, queues with or without pools and dead-letter queues, and
/// sometimes a Kafka log that every producer also writes to, read by a group.
fn world_topology() -> impl Strategy<Value = Value> {
    let words = prop::sample::select(vec!["order", "pizza", "drink", "eu", "us", "*", "#"]);
    let key = prop::collection::vec(words, 1..4).prop_map(|w| w.join("."));
    (
        prop::sample::select(vec!["fanout", "direct", "topic", "sns"]),
        prop::collection::vec((profile(), any::<bool>(), any::<bool>(), key.clone()), 1..5),
        prop::collection::vec((any::<bool>(), key, 1u32..20, 0.0f64..0.2), 1..4),
        (1u32..4, 0.0f64..0.3, any::<u64>()),
        (
            any::<bool>(),
            prop::sample::select(vec!["auto", "before_processing", "after_processing"]),
            1u32..8,
        ),
    )
        .prop_map(|(kind, queues, producers, (count, failure, seed), (log, commit, partitions))| {
            let keyed = kind == "direct" || kind == "topic";
            let mut nodes = serde_json::Map::new();
            let mut edges = Vec::new();
            nodes.insert("x".into(), json!({ "router": { "type": kind } }));
            for (i, (p, pool, dlq, binding)) in queues.iter().enumerate() {
                let q = format!("q{i}");
                let dead_letters = *dlq && !matches!(p, QueueProfile::RabbitmqClassic);
                let mut spec = json!({ "profile": profile_name(*p) });
                if dead_letters {
                    spec["delivery_limit"] = json!(p.delivery_limit().unwrap().min.max(2));
                }
                nodes.insert(q.clone(), json!({ "queue": spec }));
                let mut bind = json!({ "kind": "bind", "from": "x", "to": q });
                if keyed {
                    bind["key"] = json!(binding.replace('#', "*"));
                    if kind == "topic" {
                        bind["key"] = json!(binding);
                    }
                }
                edges.push(bind);
                if *pool {
                    let c = format!("c{i}");
                    nodes.insert(c.clone(), json!({ "consumer": {
                        "count": count, "failure_rate": failure, "processing": { "mean": "50ms" }
                    } }));
                    edges.push(json!({ "kind": "subscribe", "from": q, "to": c }));
                }
                if dead_letters {
                    nodes.insert(format!("d{i}"), json!({ "queue": { "profile": profile_name(*p) } }));
                    edges.push(json!({ "kind": "dead_letter", "from": q, "to": format!("d{i}") }));
                }
            }
            for (i, (direct, key, rate, poison)) in producers.iter().enumerate() {
                let name = format!("p{i}");
                nodes.insert(name.clone(), json!({ "producer": { "rate": rate, "poison_share": poison } }));
                let mut publish = json!({ "kind": "publish", "from": name, "to": "x" });
                if *direct {
                    publish["to"] = json!("q0");
                } else if keyed {
                    publish["key"] = json!(key.replace(['*', '#'], "any"));
                }
                edges.push(publish);
                if log {
                    edges.push(json!({ "kind": "publish", "from": format!("p{i}"), "to": "log" }));
                }
            }
            if log {
                nodes.insert("log".into(), json!({ "log": { "partitions": partitions } }));
                nodes.insert("g".into(), json!({ "consumer": { "count": count,
                    "processing": { "mean": "30ms" } } }));
                edges.push(json!({ "kind": "subscribe", "from": "log", "to": "g",
                    "group": { "commit": commit } }));
            }
            json!({ "version": 2, "seed": seed, "nodes": nodes, "edges": edges, "limits": { "event_log": 0 } })
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Every copy is in exactly one state in its queue at every step; nothing is lost except
    /// by a counted cause (a router with no matching binding counts it as unroutable, a quorum
    /// queue with no dead-letter target counts a drop at its delivery limit); the
    /// same file gives the same world log.
    #[test]
    fn any_world_conserves_every_copy_and_repeats_itself(file in world_topology()) {
        let s = match load(&file) {
            Ok(s) => s,
            Err(e) => {
                // The generator only builds valid worlds; a refusal here is a bug in one or
                // the other, so it must say what it refused.
                return Err(TestCaseError::fail(format!("refused: {e}\n{file}")));
            }
        };
        let mut world = queue_engine::World::new(s.plan().unwrap()).unwrap();
        let mut steps = 0;
        while let Some(t) = world.next_event_time() {
            if t > Millis::from_secs(20) {
                break;
            }
            world.step();
            steps += 1;
            if steps % 16 == 0 {
                for m in world.members() {
                    let c = m.counts();
                    prop_assert_eq!(c.state_total(), c.published);
                    prop_assert_eq!(c.lost + c.expired + c.discarded, 0);
                    // The one drop these worlds can make: a quorum queue with no dead-letter
                    // target at its delivery limit (semantics.md §2.3).
                    if m.scenario().queue.max_deliveries.is_none() {
                        prop_assert_eq!(c.dropped, 0);
                    }
                }
                // A log loses nothing (retention is 7 days here), and a group processes a
                // record for the first time at most once (semantics.md §3).
                for l in world.logs().iter().filter_map(|l| l.as_kafka()) {
                    let held: u64 = l.partitions.iter().map(|p| p.end()).sum();
                    prop_assert_eq!(held, l.published());
                    for g in &l.groups {
                        let c = &g.counts;
                        prop_assert!(c.processed - c.duplicates - c.replayed <= l.published());
                    }
                }
            }
        }
        let hash = world.log_hash();
        let mut again = queue_engine::World::new(s.plan().unwrap()).unwrap();
        again.advance_to(world.now());
        prop_assert_eq!(again.log_hash(), hash);
    }
}
