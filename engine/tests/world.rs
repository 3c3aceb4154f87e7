//! The world: one clock, one agenda, one set of producers and one event log for any topology.
//! A world of one queue is the queue engine itself; a router copies each message to every
//! queue it reaches with the same CloudEvents id, and each copy lives on its own.

mod common;

use queue_engine::{
    Command, Event, EventKind, Millis, Scenario, ScenarioFile, ScenarioV2, World, WorldEvent,
};
use serde_json::{json, Value};

fn world(value: &Value) -> World {
    world_from_text(&value.to_string())
}

fn world_from_text(text: &str) -> World {
    let s = ScenarioV2::from_json(text).unwrap_or_else(|e| panic!("{e}"));
    World::new(s.plan().unwrap()).unwrap()
}

fn video_upload_text() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scenarios/video-upload.json"
    ))
    .unwrap()
}

/// A member's counts by its queue's name (a `json!` file has its nodes sorted by name).
fn counts<'a>(w: &'a World, queue: &str) -> &'a queue_engine::Counts {
    let i = (0..w.members().len())
        .find(|&i| w.member_nodes(i as u16).queue == queue)
        .unwrap_or_else(|| panic!("no queue {queue}"));
    w.members()[i].counts()
}

fn events(w: &mut World, until: Millis) -> Vec<WorldEvent> {
    common::world_events(w, until)
}

/// Every event of a one-queue plan's run, drained as it goes so a small window loses nothing.
fn sim_events(s: Scenario, until: Millis) -> Vec<Event> {
    let mut sim = common::OneQueue::new(s).unwrap();
    let mut all = Vec::new();
    let mut t = Millis::ZERO;
    while t < until {
        t = t.saturating_add(Millis::from_secs(1)).min(until);
        sim.advance_to(t);
        all.extend(sim.drain_events());
    }
    all
}

fn repo_scenarios() -> Vec<(String, ScenarioV2)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) == Some("json") {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((
                path.display().to_string(),
                ScenarioFile::from_json(&text).unwrap().into_v2(),
            ));
        }
    }
    out
}

/// Planning a file's topology runs a single queue exactly as its one-queue plan does: the same
/// events, in the same order, for every single-queue scenario file and every lesson's scenario (spikes, outages,
/// poison pills, HTTP calls, batches and crashes among them).
#[test]
fn a_world_of_one_queue_is_the_queue_engine() {
    let mut cases: Vec<(String, ScenarioV2)> = repo_scenarios()
        .into_iter()
        .filter(|(_, s)| s.lower().is_ok())
        .collect();
    let lessons = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../lessons");
    for entry in std::fs::read_dir(lessons).unwrap() {
        let path = entry.unwrap().path();
        let lesson: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if lesson.get("model").is_some_and(|m| m != "queue") {
            continue;
        }
        let s = Scenario::from_json(&lesson["scenario"].to_string()).unwrap();
        cases.push((path.display().to_string(), ScenarioV2::from_v1(&s)));
    }
    assert!(cases.len() >= 20, "{} cases", cases.len());
    for (name, s) in cases {
        let mut lowered = s.lower().unwrap();
        lowered.limits.event_log = 1_000_000;
        let alone = sim_events(lowered, Millis::from_mins(3));
        let mut w = World::new(s.plan().unwrap()).unwrap();
        let together: Vec<Event> = events(&mut w, Millis::from_mins(3))
            .into_iter()
            .map(|e| e.event)
            .collect();
        assert_eq!(together.len(), alone.len(), "{name}");
        if let Some(i) = (0..alone.len()).find(|&i| together[i] != alone[i]) {
            panic!(
                "{name}: event {i} differs: world {:?}, queue engine {:?}",
                together[i], alone[i]
            );
        }
    }
}

/// A person's commands replayed for later (how the page travels in time and opens a link) run
/// exactly as they did when given live: the same events, counts and settings.
#[test]
fn a_persons_commands_replayed_for_later_run_as_they_did_live() {
    use queue_engine::topology::plan::{Plan, Target};
    let commands = [
        (5, json!({ "type": "set_rate", "rate": 4 })),
        (9, json!({ "type": "set_online", "online": false })),
        (
            12,
            json!({ "type": "spike", "factor": 3, "duration": "5s" }),
        ),
        (30, json!({ "type": "set_online", "online": true })),
        (31, json!({ "type": "send", "payload": "poison" })),
    ];
    let s = common::scenario(json!({ "seed": 7, "limits": { "event_log": 1_000_000 } }));
    let parsed: Vec<(Millis, Command)> = commands
        .iter()
        .map(|(at, c)| {
            (
                Millis::from_secs(*at),
                serde_json::from_value(c.clone()).unwrap(),
            )
        })
        .collect();
    let mut live = World::new(Plan::single(s.clone())).unwrap();
    for (at, c) in &parsed {
        live.advance_to(*at);
        live.command(Target::in_one_queue(c), c.clone()).unwrap();
    }
    let mut replayed = World::new(Plan::single(s)).unwrap();
    for (at, c) in &parsed {
        replayed
            .command_at(*at, Target::in_one_queue(c), c.clone())
            .unwrap();
    }
    let until = Millis::from_mins(1);
    live.advance_to(until);
    replayed.advance_to(until);
    let (a, b) = (live.drain_events(), replayed.drain_events());
    assert!(a.len() > 100, "{} events", a.len());
    if let Some(i) = (0..a.len().min(b.len())).find(|&i| a[i] != b[i]) {
        panic!("event {i}: live {:?}, replayed {:?}", a[i], b[i]);
    }
    assert_eq!(a.len(), b.len());
    assert_eq!(replayed.members()[0].counts(), live.members()[0].counts());
    // The queue's settings read as they are now, the producer's rate among them.
    assert_eq!(replayed.members()[0].scenario().producers[0].rate, 4.0);
    let poison = replayed.members()[0]
        .messages()
        .last()
        .map(|m| m.id())
        .unwrap();
    assert_eq!(replayed.timeline(0, poison), live.timeline(0, poison));
    assert!(replayed.timeline(0, poison).len() >= 2);
}

/// A person's command is held to the same ranges as a file's, whoever it is for.
#[test]
fn a_persons_command_out_of_range_is_refused_with_its_field() {
    use queue_engine::topology::plan::{Plan, Target};
    let mut w = World::new(Plan::single(common::scenario(json!({})))).unwrap();
    let err = w
        .command(
            Target::Producer(0),
            Command::SetRate {
                producer: 0,
                rate: -1.0,
            },
        )
        .unwrap_err();
    assert!(err.to_string().contains("command.rate"), "{err}");
    let err = w
        .command(
            Target::World,
            Command::Spike {
                factor: 5000.0,
                duration: Millis::from_secs(1),
            },
        )
        .unwrap_err();
    assert!(err.to_string().contains("command.factor"), "{err}");
    let err = w
        .command_at(
            Millis::from_secs(9),
            Target::Member(0),
            Command::ScaleConsumers { count: 65 },
        )
        .unwrap_err();
    assert!(err.to_string().contains("command.count"), "{err}");
    assert!(w
        .command(Target::Member(1), Command::ScaleConsumers { count: 1 })
        .is_err());
}

fn video_upload() -> Value {
    serde_json::from_str(&video_upload_text()).unwrap()
}

/// Semantics notes §5: each subscribed queue gets its own copy of every publish. The copies
/// share the event's id, and each lives on in its own queue.
#[test]
fn an_sns_topic_gives_every_subscription_its_own_copy_with_the_same_event_id() {
    let mut w = world_from_text(&video_upload_text());
    let log = events(&mut w, Millis::from_mins(2));
    let members = w.members().len();
    assert_eq!(members, 4);
    let names: Vec<&str> = (0..4).map(|i| w.member_nodes(i).queue.as_str()).collect();
    assert_eq!(
        names,
        [
            "transcoder-queue",
            "thumbnail-queue",
            "moderation-queue",
            "indexer-queue"
        ]
    );
    let published: Vec<Vec<u64>> = (0..members as u16)
        .map(|m| {
            log.iter()
                .filter(|e| e.member == Some(m))
                .filter_map(|e| match e.event.kind {
                    EventKind::Published {
                        event,
                        duplicate_send: false,
                        ..
                    } => Some(event),
                    _ => None,
                })
                .collect()
        })
        .collect();
    assert!(published[0].len() > 50, "{} uploads", published[0].len());
    for other in &published[1..] {
        assert_eq!(other, &published[0], "every subscription sees every upload");
    }
    // One arrival generator: the topic made the copies, so there is one publish per upload
    // event in each queue and the ids are never reused.
    let mut ids = published[0].clone();
    ids.dedup();
    assert_eq!(ids.len(), published[0].len());
}

/// Semantics notes §5 and the fan-out lesson: one subscriber failing or going offline does not
/// hold up the others, which keep processing every copy.
#[test]
fn one_subscription_offline_does_not_block_the_others() {
    let mut file = video_upload();
    file["commands"] = json!([
        { "at": "10s", "node": "thumbnail", "do": { "type": "set_online", "online": false } }
    ]);
    let mut w = world(&file);
    w.advance_to(Millis::from_mins(2));
    let backlog = |q: &str| {
        let c = counts(&w, q);
        c.published - c.processed
    };
    assert!(
        backlog("thumbnail-queue") > 200,
        "the offline thumbnailer's queue backs up"
    );
    // The others go on as they would alone: the indexer keeps up, moderation retries its
    // flaky failures, and the transcoder is as slow as ever (about 1.3 videos a second).
    assert!(
        backlog("indexer-queue") < 10,
        "{}",
        backlog("indexer-queue")
    );
    assert!(
        backlog("moderation-queue") < 30,
        "{}",
        backlog("moderation-queue")
    );
    assert!(counts(&w, "transcoder-queue").processed > 100);
}

/// Semantics notes §2.1: a direct exchange delivers to the queues bound with exactly the
/// routing key, a topic exchange matches `*` to one word and `#` to any number, and a message
/// that matches nothing is unroutable (counted, and dropped as RabbitMQ does without
/// `mandatory`, §2.7).
#[test]
fn exchanges_route_by_key_and_count_what_matches_nothing() {
    let file = json!({
        "version": 2, "seed": 3,
        "nodes": {
            "pizza-orders": { "producer": { "rate": 2 } },
            "drink-orders": { "producer": { "rate": 1 } },
            "dessert-orders": { "producer": { "rate": 1 } },
            "orders": { "router": { "type": "topic" } },
            "kitchen-queue": { "queue": { "profile": "rabbitmq_classic" } },
            "bar-queue": { "queue": { "profile": "rabbitmq_classic" } },
            "audit-queue": { "queue": { "profile": "rabbitmq_classic" } }
        },
        "edges": [
            { "kind": "publish", "from": "pizza-orders", "to": "orders", "key": "order.pizza.eu" },
            { "kind": "publish", "from": "drink-orders", "to": "orders", "key": "order.drink.us" },
            { "kind": "publish", "from": "dessert-orders", "to": "orders", "key": "dessert" },
            { "kind": "bind", "from": "orders", "to": "kitchen-queue", "key": "order.pizza.*" },
            { "kind": "bind", "from": "orders", "to": "bar-queue", "key": "order.drink.*" },
            { "kind": "bind", "from": "orders", "to": "audit-queue", "key": "order.#" }
        ]
    });
    let mut w = world(&file);
    // Steady producers publish at 0 s and then every 1/rate: 21 pizzas, 11 drinks and 11
    // desserts by 10 s.
    w.advance_to(Millis::from_secs(10));
    assert_eq!(
        counts(&w, "kitchen-queue").published,
        21,
        "pizzas reach the kitchen"
    );
    assert_eq!(
        counts(&w, "bar-queue").published,
        11,
        "drinks reach the bar"
    );
    assert_eq!(
        counts(&w, "audit-queue").published,
        32,
        "every order reaches the audit queue"
    );
    assert_eq!(w.unroutable(), 11, "desserts match no binding");
    // A queue nobody consumes from keeps what it gets.
    assert_eq!(counts(&w, "audit-queue").visible, 32);
}

#[test]
fn keys_belong_only_where_a_router_routes_by_them() {
    let base = json!({
        "version": 2,
        "nodes": {
            "p": { "producer": {} },
            "x": { "router": { "type": "direct" } },
            "q": { "queue": {} }
        },
        "edges": [
            { "kind": "publish", "from": "p", "to": "x" },
            { "kind": "bind", "from": "x", "to": "q", "key": "k" }
        ]
    });
    let err = ScenarioV2::from_json(&base.to_string())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("edges[0].key: expected a routing key"),
        "{err}"
    );
    let mut fanout = base.clone();
    fanout["nodes"]["x"] = json!({ "router": { "type": "fanout" } });
    let err = ScenarioV2::from_json(&fanout.to_string())
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("edges[1].key: expected no key"), "{err}");
    let mut long = base.clone();
    long["edges"][0]["key"] = json!("k".repeat(256));
    let err = ScenarioV2::from_json(&long.to_string())
        .unwrap_err()
        .to_string();
    assert!(err.contains("255 bytes"), "{err}");
}

/// The same file gives the same world log, and the world log hash is recorded per file.
#[test]
fn the_same_world_gives_the_same_log() {
    let run = || {
        let mut w = world(&video_upload());
        w.advance_to(Millis::from_mins(3));
        (w.log_hash(), w.events_total())
    };
    assert_eq!(run(), run());
}

#[test]
fn the_queue_engine_alone_refuses_routers_and_says_where_they_run() {
    let err = ScenarioV2::from_json(&video_upload().to_string())
        .unwrap()
        .lower()
        .unwrap_err()
        .to_string();
    assert!(err.contains("router") && err.contains("qsim run"), "{err}");
}
