//! A queue's box on the canvas: what is ready, what is delayed, and how long until the first
//! message in flight comes back. Each figure is checked against the world's own messages, read
//! one by one, at many moments of a run.
#![cfg(not(target_arch = "wasm32"))]

use queue_engine::topology::plan::Target;
use queue_engine::{Command, Millis, MsgState, ScenarioV2, World};
use queue_playground::canvas::graph::{graph, Place, Role};
use queue_playground::canvas::numbers::{aside, lines};

fn world(json: &str) -> World {
    let s = ScenarioV2::from_json(json).expect("a valid scenario");
    World::new(s.plan().expect("plans")).expect("runs")
}

/// One producer, a queue of `profile` with `queue` settings, and a slow consumer pool.
fn system(profile: &str, queue: &str, processing: &str) -> World {
    world(&format!(
        r#"{{ "version": 2, "name": "x", "seed": 9,
          "nodes": {{ "shop": {{ "producer": {{ "rate": 2 }} }},
                     "orders": {{ "queue": {{ "profile": "{profile}"{queue} }} }},
                     "kitchen": {{ "consumer": {{ "count": 2, "processing": {{ "mean": "{processing}" }} }} }} }},
          "edges": [ {{ "kind": "publish", "from": "shop", "to": "orders" }},
                     {{ "kind": "subscribe", "from": "orders", "to": "kitchen" }} ] }}"#
    ))
}

fn queue_box(w: &World) -> Place {
    graph(w, false)
        .places
        .into_iter()
        .find(|p| p.role == Role::Queue)
        .expect("the queue is drawn")
}

/// What the box should say about messages in flight, from the messages themselves: how many
/// are received and not yet deleted, and the whole seconds until the soonest lock ends.
fn expected_in_flight(w: &World) -> (usize, Option<u64>) {
    let sim = &w.members()[0];
    let held = sim
        .message_iter()
        .filter(|m| matches!(m.state(), MsgState::InFlight { .. } | MsgState::Held { .. }))
        .count();
    let soonest = sim
        .message_iter()
        .filter_map(|m| match m.state() {
            MsgState::InFlight { deadline, .. } => Some(deadline),
            _ => None,
        })
        .min()
        .map(|d| (d.0 - w.now().0).div_ceil(1000));
    (held, soonest)
}

/// Semantics §1.1 and §1.2: a received message stays hidden until its visibility timeout
/// ends. The box counts down to the soonest end, and its count in flight is the messages'.
#[test]
fn a_queue_counts_down_to_the_first_message_coming_back() {
    // Processing outlasts the 5 s timeout, so messages do come back and are received again.
    let mut w = system("sqs_standard", r#", "visibility_timeout": "5s""#, "8s");
    let counted_down = check_countdown(&mut w, 500..60_000);
    assert!(
        counted_down > 20,
        "the countdown was seen {counted_down} times"
    );
}

/// Runs `w` through `times` (ms), checking the queue's two lines against its messages at
/// each; returns how often a countdown of 1 to 5 s was drawn.
fn check_countdown(w: &mut World, times: std::ops::Range<u64>) -> usize {
    let mut counted_down = 0;
    for t in times.step_by(700) {
        w.advance_to(Millis(t));
        let [ready, flight] = lines(w, &queue_box(w));
        let c = w.members()[0].counts();
        assert_eq!(ready, format!("ready {}", c.visible), "at {t} ms");
        let (held, secs) = expected_in_flight(w);
        let want = match secs {
            Some(s) => format!("in flight {held} · {}", Millis(s * 1000)),
            None => format!("in flight {held}"),
        };
        assert_eq!(flight, want, "at {t} ms");
        counted_down += usize::from(secs.is_some_and(|s| (1..=5).contains(&s)));
    }
    counted_down
}

/// Semantics §1.3: a redrive moves dead letters back into the queue, where they are received
/// again; the countdown still follows every message in flight.
#[test]
fn the_countdown_follows_redriven_messages_too() {
    let mut w = world(
        r#"{ "version": 2, "name": "x", "seed": 4,
          "nodes": { "shop": { "producer": { "rate": 2, "poison_share": 0.5 } },
                     "orders": { "queue": { "profile": "sqs_standard", "visibility_timeout": "5s", "delivery_limit": 2 } },
                     "orders-dlq": { "queue": { "profile": "sqs_standard" } },
                     "kitchen": { "consumer": { "count": 2, "processing": { "mean": "3s" } } } },
          "edges": [ { "kind": "publish", "from": "shop", "to": "orders" },
                     { "kind": "subscribe", "from": "orders", "to": "kitchen" },
                     { "kind": "dead_letter", "from": "orders", "to": "orders-dlq" } ] }"#,
    );
    w.advance_to(Millis::from_secs(60));
    let dead = w.members()[0].counts().dead_lettered;
    assert!(dead > 5, "{dead} dead letters to move back");
    w.command(Target::Member(0), Command::RedriveAll)
        .expect("a redrive is accepted");
    let counted_down = check_countdown(&mut w, 60_000..120_000);
    assert!(
        counted_down > 10,
        "the countdown was seen {counted_down} times"
    );
    assert!(
        w.members()[0].counts().redriven >= dead,
        "every dead letter went back"
    );
}

/// Semantics §8 (ActiveMQ Classic): a delivered message has no lock that ends (only a closed
/// connection returns it), so no countdown is drawn though messages are in flight.
#[test]
fn a_queue_with_no_lock_shows_no_countdown() {
    let mut w = system("activemq", "", "8s");
    w.advance_to(Millis::from_secs(20));
    let [_, flight] = lines(&w, &queue_box(&w));
    let (held, _) = expected_in_flight(&w);
    assert!(held > 0, "messages are in flight");
    assert_eq!(flight, format!("in flight {held}"));
}

/// Semantics §1.1 (`DelaySeconds`): a delayed message is neither ready nor in flight. The box
/// says how many wait on its kind's line, and only while some do.
#[test]
fn delayed_messages_are_counted_apart_from_ready_ones() {
    let mut w = system("sqs_standard", r#", "delay": "10s""#, "100ms");
    w.advance_to(Millis::from_secs(6));
    let sim = &w.members()[0];
    let delayed = sim
        .message_iter()
        .filter(|m| matches!(m.state(), MsgState::Delayed { .. }))
        .count();
    assert!(delayed >= 10, "{delayed} delayed");
    let place = queue_box(&w);
    assert_eq!(aside(&w, &place), format!("delayed {delayed}"));
    let [ready, _] = lines(&w, &place);
    assert_eq!(
        ready, "ready 0",
        "nothing is deliverable before its delay ends"
    );
    let svg = queue_playground::canvas::svg(&w, &graph(&w, false), "x", "x");
    assert!(svg.contains(&format!("queue · delayed {delayed}")), "{svg}");
    // A queue without delays says nothing there.
    let none = system("sqs_standard", "", "100ms");
    assert_eq!(aside(&none, &queue_box(&none)), "");
}
