//! Messages moving on the canvas, checked natively: each edge's count is the world's own, a
//! token stands for messages that really crossed between two frames, and at speed, after a
//! jump or after going back in time, nothing moves that did not happen.
#![cfg(not(target_arch = "wasm32"))]

use queue_engine::{EdgeKind, Millis, ScenarioV2, World};
use queue_playground::canvas::flow::{crossed, letter, Flow, Way, BUSY, TRAVEL_MS};
use queue_playground::canvas::graph::{graph, Graph};
use queue_playground::canvas::{draw, overlay};

fn world(text: &str) -> World {
    World::new(
        ScenarioV2::from_json(text)
            .expect("valid")
            .plan()
            .expect("plans"),
    )
    .expect("runs")
}

fn queue_vs_topic() -> World {
    world(include_str!("../scenarios/queue-vs-topic.json"))
}

/// The edge from `from` to `to`.
fn edge(g: &Graph, from: &str, to: &str) -> usize {
    g.links
        .iter()
        .position(|l| g.places[l.from].name == from && g.places[l.to].name == to)
        .unwrap_or_else(|| panic!("an edge {from} -> {to}"))
}

fn counts(w: &World, g: &Graph) -> Vec<Option<[u64; 3]>> {
    g.links.iter().map(|l| crossed(w, g, l)).collect()
}

/// Runs `w` for `real_ms` of real time at `speed` (simulated ms per real ms), one frame per
/// 16 ms, and returns every token that set off, as (edge, letter, count).
fn play(
    w: &mut World,
    flow: &mut Flow,
    real: &mut f64,
    speed: f64,
    real_ms: f64,
) -> Vec<(usize, &'static str, u64)> {
    let g = graph(w, false);
    let mut set_off = Vec::new();
    let end = *real + real_ms;
    while *real < end {
        *real += 16.0;
        let now = Millis(w.now().0 + (16.0 * speed) as u64);
        w.advance_to(now);
        flow.observe(now, *real, counts(w, &g));
        for t in flow.tokens.iter().filter(|t| t.born == *real) {
            set_off.push((t.link, letter(g.links[t.link].kind, t.way), t.count));
        }
    }
    set_off
}

/// Queue vs topic, drawn, and played at 1x for `real_ms` of real time.
fn played(real_ms: f64) -> (World, Graph, Flow, f64) {
    let mut w = queue_vs_topic();
    let g = graph(&w, false);
    let (mut flow, mut real) = (Flow::default(), 0.0);
    play(&mut w, &mut flow, &mut real, 1.0, real_ms);
    (w, g, flow, real)
}

#[test]
fn each_edge_counts_what_the_world_counts_for_it() {
    let mut w = queue_vs_topic();
    w.advance_to(Millis::from_secs(30));
    let g = graph(&w, false);
    let at = |from, to| crossed(&w, &g, &g.links[edge(&g, from, to)]).expect("counted");
    let orders = w.members()[0].counts();
    assert!(orders.processed > 50, "the workers got through the orders");
    assert_eq!(at("order-service", "orders"), [orders.published, 0, 0]);
    assert_eq!(at("order-service", "order-placed"), [w.sent(), 0, 0]);
    // Delivered forward, acknowledged back, and back to the queue to be received again.
    assert_eq!(
        at("orders", "worker"),
        [orders.receives, orders.processed, orders.requeued]
    );
    let kitchen = w.members()[1].counts();
    assert_eq!(
        at("order-placed", "kitchen-queue"),
        [kitchen.published, 0, 0]
    );
}

/// A message whose visibility runs out goes back to the queue: a Q token travels the
/// consumer's edge backwards, one for each return the queue counts.
#[test]
fn a_message_back_in_the_queue_travels_back_as_a_requeue() {
    // Work that takes 3 s against a visibility timeout of 1 s: every receive runs out.
    let mut w = world(
        r#"{ "version": 2, "name": "slow-kitchen", "seed": 1, "nodes": {
            "order-service": { "producer": { "rate": 1 } },
            "orders": { "queue": { "profile": "sqs_standard", "visibility_timeout": "1s" } },
            "kitchen": { "consumer": { "processing": { "mean": "3s" } } } },
          "edges": [
            { "kind": "publish", "from": "order-service", "to": "orders" },
            { "kind": "subscribe", "from": "orders", "to": "kitchen" } ] }"#,
    );
    let g = graph(&w, false);
    let (mut flow, mut real) = (Flow::default(), 0.0);
    let before = counts(&w, &g);
    flow.observe(w.now(), real, before.clone());
    let moved = play(&mut w, &mut flow, &mut real, 1.0, 6000.0);
    let deliver = edge(&g, "orders", "kitchen");
    let requeued = w.members()[0].counts().requeued;
    assert!(requeued > 0, "the timeout ran out");
    let carried: u64 = moved
        .iter()
        .filter(|(l, word, _)| *l == deliver && *word == "Q")
        .map(|t| t.2)
        .sum();
    assert_eq!(carried, requeued);
    // It travels backwards, as an ack does, from the consumer to the queue.
    play(&mut w, &mut flow, &mut real, 1.0, 100.0);
    let until = real + 4000.0;
    let drawn = loop {
        let drawn = overlay(&draw(&w, &g, "x", "x", ""), &g, &flow, real);
        if drawn.contains(">Q</i>") || real > until {
            break drawn;
        }
        play(&mut w, &mut flow, &mut real, 1.0, 16.0);
    };
    let token = drawn
        .split(r#"<i class="tok"#)
        .find(|t| t.contains(">Q</i>"))
        .unwrap_or_else(|| panic!("a Q token in {drawn}"));
    assert!(token.starts_with(" back"), "{token}");
}

#[test]
fn a_queue_fed_two_ways_moves_nothing_rather_than_guess() {
    let w = world(
        r#"{ "version": 2, "name": "two-ways", "nodes": {
            "p": { "producer": { "rate": 1 } },
            "a": { "router": { "type": "fanout" } },
            "b": { "router": { "type": "fanout" } },
            "q": { "queue": { "profile": "rabbitmq_classic" } } },
          "edges": [
            { "kind": "publish", "from": "p", "to": "a" },
            { "kind": "publish", "from": "p", "to": "b" },
            { "kind": "bind", "from": "a", "to": "q" },
            { "kind": "bind", "from": "b", "to": "q" } ] }"#,
    );
    let g = graph(&w, false);
    assert_eq!(crossed(&w, &g, &g.links[edge(&g, "a", "q")]), None);
    assert_eq!(crossed(&w, &g, &g.links[edge(&g, "b", "q")]), None);
    assert!(crossed(&w, &g, &g.links[edge(&g, "p", "a")]).is_some());
}

#[test]
fn at_one_x_each_message_travels_its_edges_and_its_ack_comes_back() {
    let mut w = queue_vs_topic();
    let g = graph(&w, false);
    let (mut flow, mut real) = (Flow::default(), 0.0);
    let before = counts(&w, &g);
    // The first frame is where counting starts.
    flow.observe(w.now(), real, before.clone());
    let moved = play(&mut w, &mut flow, &mut real, 1.0, 4000.0);
    let after = counts(&w, &g);
    // Every message that crossed an edge set off in some token on it, no more and no less.
    for (i, (b, a)) in before.iter().zip(&after).enumerate() {
        let (Some(b), Some(a)) = (b, a) else { continue };
        for (k, way) in [Way::Along, Way::Back, Way::Requeue]
            .into_iter()
            .enumerate()
        {
            if way != Way::Along && g.links[i].kind != EdgeKind::Subscribe {
                continue;
            }
            let word = letter(g.links[i].kind, way);
            let carried: u64 = moved
                .iter()
                .filter(|(l, w, _)| *l == i && *w == word)
                .map(|t| t.2)
                .sum();
            assert_eq!(carried, a[k] - b[k], "edge {i} {word}");
        }
    }
    let words: Vec<&str> = moved.iter().map(|t| t.1).collect();
    for word in ["P", "R", "D", "A"] {
        assert!(words.contains(&word), "a {word} token in {words:?}");
    }
    // A token is gone once it has arrived.
    assert!(flow.tokens.iter().all(|t| real - t.born < TRAVEL_MS));
    // Each token starts where its edge starts and stops where it ends, and an ack the other
    // way round: its first and last stops are its edge's path's ends.
    let picture = draw(&w, &g, "x", "x", "");
    let drawn = overlay(&picture, &g, &flow, real);
    let tokens: Vec<&str> = drawn.split(r#"<i class="tok"#).skip(1).collect();
    assert_eq!(tokens.len(), flow.tokens.len(), "{drawn}");
    let acks = tokens.iter().filter(|t| t.starts_with(" back")).count();
    assert!(acks > 0 && acks < tokens.len(), "acks and others: {drawn}");
    for token in tokens {
        let stop = |name: &str| -> i32 {
            let at = token.find(&format!("--{name}:")).expect(name) + name.len() + 3;
            token[at..at + token[at..].find("px").expect("px")]
                .parse()
                .expect("a number")
        };
        // The stops at the edge's start and at its end.
        let (at_start, at_end) = match token.starts_with(" back") {
            true => ("3", "0"),
            false => ("0", "3"),
        };
        let (start, end) = (
            format!(
                r#"d="M{},{} "#,
                stop(&format!("x{at_start}")),
                stop(&format!("y{at_start}"))
            ),
            format!(
                r#" {},{}""#,
                stop(&format!("x{at_end}")),
                stop(&format!("y{at_end}"))
            ),
        );
        assert!(
            picture
                .svg
                .split("<path ")
                .any(|p| p.contains(&start) && p.contains(&end)),
            "a token's ends {start} … {end} are an edge's"
        );
    }
}

#[test]
fn at_speed_or_after_a_jump_nothing_moves_and_busy_edges_show_their_flow() {
    let (mut w, g, mut flow, mut real) = played(100.0);
    // 100x: 1.6 simulated seconds a frame.
    assert_eq!(play(&mut w, &mut flow, &mut real, 100.0, 2000.0), []);
    let publish = edge(&g, "order-service", "orders");
    assert!(
        flow.busy(publish),
        "3 orders a simulated second is 300 a real one"
    );
    // The figure is per simulated second: the producer sends 3 a second.
    let rate = flow.rate(publish).expect("a flow figure");
    assert!((1..=6).contains(&rate), "{rate}/s");
    let drawn = overlay(&draw(&w, &g, "x", "x", ""), &g, &flow, real);
    assert!(drawn.contains(&format!(">{rate}/s<")), "{drawn}");
    assert!(
        !drawn.contains("<i class=\"tok"),
        "no token at 100x: {drawn}"
    );
    // Back at 1x an edge stays a figure until a window has been quiet enough for tokens.
    // 3 orders a second at 1x are not busy.
    const { assert!(BUSY > 3.0) };
    play(&mut w, &mut flow, &mut real, 1.0, 1500.0);
    assert!(!flow.busy(publish));
    // A jump of ten minutes in one frame moves nothing.
    let g2 = graph(&w, false);
    let later = Millis(w.now().0 + 600_000);
    w.advance_to(later);
    flow.observe(later, real + 16.0, counts(&w, &g2));
    assert!(flow.tokens.iter().all(|t| t.born < real + 16.0));
}

#[test]
fn going_back_in_time_clears_the_tokens_and_moves_nothing() {
    let (_, g, mut flow, real) = played(3000.0);
    assert!(!flow.tokens.is_empty());
    // The same system shown at an earlier moment: its counts are lower.
    let mut earlier = queue_vs_topic();
    earlier.advance_to(Millis::from_secs(1));
    assert!(flow.observe(earlier.now(), real + 16.0, counts(&earlier, &g)));
    assert_eq!(flow.tokens, []);
    assert!((0..g.links.len()).all(|i| flow.rate(i).is_none()));
}
