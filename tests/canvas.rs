//! The canvas's layout of any world, checked natively on every scenario file in `scenarios/`:
//! every node drawn once, left to right by what it does, dead-letter queues under their
//! source, and nothing moving when a node is added at the end of a file.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;

use queue_engine::{EdgeKind, Millis, ScenarioV2, World};
use queue_playground::canvas::graph::{graph, Graph, Role};
use queue_playground::canvas::numbers::lines;

fn files() -> Vec<(String, ScenarioV2)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let mut out: Vec<(String, ScenarioV2)> = std::fs::read_dir(dir)
        .expect("scenarios/")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("readable");
            let s = ScenarioV2::from_json(&text).expect("a valid scenario");
            (p.display().to_string(), s)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= 10, "the built-in systems are there");
    out
}

/// The built-in system `name` (`scenarios/{name}.json`).
fn system(name: &str) -> ScenarioV2 {
    files()
        .into_iter()
        .find(|(file, _)| file.ends_with(&format!("/{name}.json")))
        .map(|(_, s)| s)
        .unwrap_or_else(|| panic!("scenarios/{name}.json"))
}

fn world(s: &ScenarioV2) -> World {
    World::new(s.plan().expect("plans")).expect("runs")
}

fn placed(g: &Graph) -> Vec<(String, u16, u16)> {
    g.places
        .iter()
        .map(|p| (p.name.clone(), p.col, p.row))
        .collect()
}

#[test]
fn every_node_of_every_system_is_drawn_once() {
    for (file, s) in files() {
        let g = graph(&world(&s), false);
        let drawn: Vec<&str> = g.places.iter().map(|p| p.name.as_str()).collect();
        let unique: BTreeSet<&str> = drawn.iter().copied().collect();
        assert_eq!(
            unique.len(),
            drawn.len(),
            "{file}: a node drawn twice: {drawn:?}"
        );
        let nodes: BTreeSet<&str> = s.topology.nodes.iter().map(|(n, _)| n.as_str()).collect();
        // A dead-letter exchange that only leads to a dead-letter queue is drawn as the label
        // of that queue's dead-letter edge.
        let on_edges: BTreeSet<&str> = g
            .links
            .iter()
            .filter(|l| l.kind == EdgeKind::DeadLetter)
            .filter_map(|l| l.label.as_deref())
            .collect();
        let missing: Vec<&&str> = nodes
            .iter()
            .filter(|n| {
                !unique.contains(*n) && !on_edges.contains(*n) && !g.unused.iter().any(|u| u == *n)
            })
            .collect();
        assert!(
            missing.is_empty(),
            "{file}: every node is drawn: {missing:?}"
        );
        // Beyond them, only a dead-letter queue the broker provides (ActiveMQ.DLQ).
        for p in &g.places {
            assert!(
                nodes.contains(p.name.as_str()) || p.role == Role::DeadLetter,
                "{file}: {} is no node of the file",
                p.name
            );
        }
        // No two boxes on one spot, and every edge joins two drawn boxes once.
        let spots: BTreeSet<(u16, u16)> = g.places.iter().map(|p| (p.col, p.row)).collect();
        assert_eq!(spots.len(), g.places.len(), "{file}: two boxes overlap");
        for (i, l) in g.links.iter().enumerate() {
            assert!(l.from < g.places.len() && l.to < g.places.len(), "{file}");
            assert!(!g.links[..i].contains(l), "{file}: edge {i} drawn twice");
        }
        assert!(
            g.places.iter().all(|p| p.row < g.rows && p.col < g.cols),
            "{file}"
        );
    }
}

/// Every publish, binding and subscription of the file is an edge of the drawing (a
/// dead-letter edge through an exchange is drawn straight to the queue it ends in).
#[test]
fn every_edge_of_the_file_is_drawn() {
    for (file, s) in files() {
        let g = graph(&world(&s), false);
        let drawn = |from: &str, to: &str, kind: EdgeKind| {
            g.links.iter().any(|l| {
                l.kind == kind && g.places[l.from].name == from && g.places[l.to].name == to
            })
        };
        let dead_letter_exchanges: Vec<&str> = s
            .topology
            .edges
            .iter()
            .filter(|e| e.kind == EdgeKind::DeadLetter)
            .map(|e| e.to.as_str())
            .collect();
        for e in &s.topology.edges {
            // A queue a system wired for direct HTTP does not use is named, not drawn.
            let unused = g.unused.iter().any(|u| *u == e.from || *u == e.to);
            let checked = !unused
                && match e.kind {
                    EdgeKind::Publish | EdgeKind::Subscribe => true,
                    EdgeKind::Bind => !dead_letter_exchanges.contains(&e.from.as_str()),
                    _ => false,
                };
            if checked {
                assert!(
                    drawn(&e.from, &e.to, e.kind),
                    "{file}: {} {} → {}",
                    e.kind.id(),
                    e.from,
                    e.to
                );
            }
        }
    }
}

#[test]
fn boxes_run_left_to_right_by_what_they_do_and_dead_letters_sit_below() {
    for (file, s) in files() {
        let g = graph(&world(&s), false);
        for l in &g.links {
            let (a, b) = (&g.places[l.from], &g.places[l.to]);
            match l.kind {
                EdgeKind::DeadLetter => {
                    assert_eq!(a.col, b.col, "{file}: {} under {}", b.name, a.name);
                    assert!(b.row > a.row, "{file}: {} below {}", b.name, a.name);
                }
                _ => assert!(a.col < b.col, "{file}: {} left of {}", a.name, b.name),
            }
        }
        // Columns in the order of what their boxes do, each holding one kind of column, and
        // none left empty.
        let mut kinds: Vec<(u16, u16)> =
            g.places.iter().map(|p| (p.col, p.role.column())).collect();
        kinds.sort_unstable();
        kinds.dedup();
        let cols: Vec<u16> = kinds.iter().map(|k| k.0).collect();
        assert_eq!(cols, (0..g.cols).collect::<Vec<_>>(), "{file}: {kinds:?}");
        assert!(
            kinds.windows(2).all(|k| k[0].1 < k[1].1),
            "{file}: {kinds:?}"
        );
    }
}

#[test]
fn a_pool_sits_level_with_the_queue_it_reads_when_there_is_room() {
    let s = system("pizza-shop");
    let g = graph(&world(&s), false);
    let row = |name: &str| g.places.iter().find(|p| p.name == name).map(|p| p.row);
    assert_eq!(row("orders"), row("kitchen"));
    assert_eq!(row("orders"), row("order-service"));
    assert_eq!(row("orders-dlq"), row("orders").map(|r| r + 1));
}

/// Adding a producer and a queue at the end of a file moves nothing already drawn.
#[test]
fn adding_a_node_at_the_end_moves_nothing() {
    let (files, mut checked) = (files(), 0);
    let total = files.len();
    for (file, s) in files {
        let before = graph(&world(&s), false);
        let mut grown = s.clone();
        let extra = r#"{ "version": 2, "name": "x", "seed": 1,
            "nodes": { "zz-late-producer": { "producer": { "rate": 1 } },
                       "zz-late-queue": { "queue": {} } },
            "edges": [ { "kind": "publish", "from": "zz-late-producer", "to": "zz-late-queue" } ] }"#;
        let extra = ScenarioV2::from_json(extra).expect("valid");
        grown.topology.nodes.extend(extra.topology.nodes);
        grown.topology.edges.extend(extra.topology.edges);
        let Ok(plan) = grown.plan() else {
            continue; // a log-only or HTTP system takes no plain queue beside it
        };
        let after = graph(&World::new(plan).expect("runs"), false);
        let kept = placed(&after);
        for p in placed(&before) {
            assert!(kept.contains(&p), "{file}: {p:?} moved");
        }
        assert_eq!(after.places.len(), before.places.len() + 2, "{file}");
        checked += 1;
    }
    // Only the HTTP baseline (one queue's system by definition) takes no second queue.
    assert!(checked + 1 >= total, "{checked} of {total} files grew");
}

/// Every box has something to say once the world has run, in words and short counts.
#[test]
fn numbers_are_words_and_short_counts() {
    for (file, s) in files() {
        let mut w = world(&s);
        w.advance_to(Millis::from_secs(60));
        let g = graph(&w, false);
        for p in &g.places {
            let [a, b] = lines(&w, p);
            assert!(
                !a.is_empty() || !b.is_empty(),
                "{file}: {} says nothing",
                p.name
            );
            for line in [a, b] {
                assert!(
                    line.chars().count() <= 24,
                    "{file}: {} says {line:?}",
                    p.name
                );
            }
        }
    }
}

/// A log's box speaks its platform's words, with the engine's own counts: a Kafka topic's
/// records and partitions, a Redis stream's entries and its pending entries list (what
/// XPENDING counts, which the Redis lesson is about).
#[test]
fn a_log_box_counts_in_its_platforms_words() {
    let box_of = |w: &World, name: &str| {
        let g = graph(w, false);
        let p = g.places.iter().find(|p| p.name == name).expect("drawn");
        lines(w, p)
    };
    let mut kafka = world(&system("orders-log"));
    kafka.advance_to(Millis::from_secs(20));
    let k = kafka.logs()[0].as_kafka().expect("a Kafka log");
    let records = k.partitions.iter().map(|p| p.end()).sum::<u64>();
    assert!(records > 0);
    assert_eq!(
        box_of(&kafka, "orders"),
        [
            format!("records {records}"),
            format!("partitions {}", k.partitions.len())
        ]
    );
    // A moment with entries pending: the file's crashed consumer leaves some unacked.
    let mut redis = world(&system("redis-orders"));
    let pending = |w: &World| w.logs()[0].as_redis().map_or(0, |r| r.pel.len());
    let mut t = Millis::ZERO;
    while pending(&redis) == 0 && t < Millis::from_secs(120) {
        t = t.saturating_add(Millis(100));
        redis.advance_to(t);
    }
    let r = redis.logs()[0].as_redis().expect("a Redis stream");
    assert!(!r.pel.is_empty(), "something is pending within two minutes");
    assert_eq!(
        box_of(&redis, "orders"),
        [
            format!("entries {}", r.counts.added),
            format!("pending {}", r.pel.len())
        ]
    );
}

/// A lesson's moment names a node after its region: that box alone is outlined (class `look`)
/// and pointed at after its name; a word naming no node marks nothing.
#[test]
fn a_moments_look_outlines_the_node_it_names() {
    let mut w = world(&system("redis-orders"));
    w.advance_to(Millis::from_secs(5));
    let g = graph(&w, false);
    let svg = queue_playground::canvas::draw(&w, &g, "x", "x", "redis orders").svg;
    assert_eq!(svg.matches(" look\"").count(), 1, "{svg}");
    assert!(
        svg.contains(r#"class="node log look" role="listitem""#),
        "{svg}"
    );
    assert!(svg.contains(">orders ◀</text>"), "{svg}");
    let none = queue_playground::canvas::draw(&w, &g, "x", "x", "redis nothing").svg;
    assert!(!none.contains(" look\"") && !none.contains('◀'));
}

/// The drawing is SVG text, so whatever a file puts in a routing key arrives as text, never as
/// markup; every box and edge is there, each edge with its meaning in words.
#[test]
fn the_drawing_escapes_what_files_say_and_names_every_edge() {
    let s = ScenarioV2::from_json(
        r#"{ "version": 2, "name": "x", "seed": 1,
          "nodes": { "shop": { "producer": { "rate": 1 } },
                     "orders": { "router": { "type": "topic" } },
                     "kitchen-queue": { "queue": { "profile": "rabbitmq_classic" } },
                     "kitchen": { "consumer": { "count": 2 } } },
          "edges": [ { "kind": "publish", "from": "shop", "to": "orders", "key": "a.<b>" },
                     { "kind": "bind", "from": "orders", "to": "kitchen-queue", "key": "a.<b>" },
                     { "kind": "subscribe", "from": "kitchen-queue", "to": "kitchen" } ] }"#,
    )
    .expect("valid");
    let w = world(&s);
    let text = queue_playground::canvas::svg(&w, &graph(&w, false), "a \"label\" & <more>", "x");
    assert!(!text.contains("<b>"), "{text}");
    assert!(text.contains("a.&lt;b&gt;"), "{text}");
    assert!(text.contains(r#"aria-label="a &quot;label&quot; &amp; &lt;more&gt;""#));
    assert_eq!(text.matches("data-node=").count(), 4);
    for title in [
        "shop publishes to orders",
        "orders routes to kitchen-queue",
        "kitchen-queue is read by kitchen",
    ] {
        assert!(text.contains(&format!("<title>{title}</title>")), "{title}");
    }
}

/// The boxes drawn as ticked, in drawing order.
fn ticked(svg: &str) -> Vec<&str> {
    svg.split(r#"<g class="node "#)
        .filter(|g| g.split('"').next().is_some_and(|c| c.ends_with(" hit")))
        .filter_map(|g| g.split(r#"data-node=""#).nth(1)?.split('"').next())
        .collect()
}

/// The last publish to an exchange is ticked: the bindings it matched and the queues that got
/// a copy, in a class and a ✓, so it does not rest on colour. A dead-letter exchange is the
/// label of its dead-letter edge, not a box that leads nowhere.
#[test]
fn the_last_publish_ticks_its_bindings_and_queues() {
    let s = system("rabbitmq-pizza");
    let mut w = world(&s);
    let svg = |w: &World| queue_playground::canvas::svg(w, &graph(w, false), "x", "x");
    assert_eq!(
        svg(&w).matches("edge hit").count(),
        0,
        "nothing published yet"
    );
    // The file's first command publishes order.pizza.eu to the topic exchange at 1 s.
    w.advance_to(Millis(1_500));
    let text = svg(&w);
    assert_eq!(text.matches(r#"class="edge hit""#).count(), 3, "{text}");
    assert_eq!(ticked(&text), ["kitchen", "audit", "eu-billing"]);
    assert!(
        text.contains("✓ kitchen</text>"),
        "the name carries the tick"
    );
    assert!(
        text.contains("✓ order.pizza.*"),
        "the matched key is ticked"
    );
    assert!(!text.contains("✓ order.drink.*"), "an unmatched one is not");
    assert!(!text.contains(r#"data-node="orders.dlx""#));
    assert!(text.contains("<title>kitchen dead-letters to orders.dead</title>"));
    // The next publish (order.drink.us at 2 s) moves the ticks.
    w.advance_to(Millis(2_500));
    let text = svg(&w);
    assert!(text.contains("✓ order.drink.*") && !text.contains("✓ order.pizza.*"));
    assert_eq!(ticked(&text), ["bar", "audit"]);
}

/// The video-upload system: four queues, each with consumers and a dead-letter queue under it.
/// Only keyed edges need room for their labels, and nothing here is keyed (an SNS subscription
/// has no binding key), so every gap is narrow and the four columns fit 800 units; a
/// dead-letter queue says its kind and its count on one line, so its box is shorter than a
/// queue's.
#[test]
fn unlabelled_columns_sit_close_and_a_dead_letter_box_is_two_lines() {
    let s = system("video-upload");
    let w = world(&s);
    let text = queue_playground::canvas::svg(&w, &graph(&w, false), "x", "x");
    let attr = |after: &str, name: &str| -> i32 {
        let rest = &text[text.find(after).expect(after)..];
        let rest = &rest[rest.find(&format!("{name}=\"")).expect(name) + name.len() + 2..];
        rest[..rest.find('"').expect("closed")]
            .parse()
            .expect("a number")
    };
    let width = attr("<svg", "width");
    assert!((780..=800).contains(&width), "width {width}");
    assert!(
        text.contains(r#"class="kind">dead letters · held 0</text>"#),
        "{text}"
    );
    let queue = attr(r#"data-node="transcoder-queue""#, "height");
    let dead = attr(r#"data-node="transcoder-dlq""#, "height");
    assert!(
        dead * 3 < queue * 2,
        "a DLQ box {dead} beside a queue's {queue}"
    );
}

/// A lesson on the pizza broker asks about the orders exchange: drawn with only what has been
/// used, the broker shows orders and its queues, and names the two exchanges nobody has
/// published to. A person's publish to one of them brings it in below, and nothing drawn
/// before moves, even when nothing matched.
#[test]
fn only_what_has_been_used_is_drawn_and_the_rest_comes_in_below() {
    use queue_engine::topology::plan::Target;
    use queue_engine::Command;
    let s = system("rabbitmq-pizza");
    let mut w = world(&s);
    let names = |g: &Graph| g.places.iter().map(|p| p.name.clone()).collect::<Vec<_>>();
    let all = graph(&w, false);
    assert!(all.unused.is_empty());
    assert!(names(&all).contains(&"sms".to_owned()));
    let used = graph(&w, true);
    assert_eq!(used.unused, ["notifications", "payments"]);
    for gone in [
        "notifications",
        "email",
        "sms",
        "payments",
        "ledger",
        "retries",
    ] {
        assert!(
            !names(&used).contains(&gone.to_owned()),
            "{gone} is left out"
        );
    }
    for kept in [
        "order-service",
        "orders",
        "kitchen",
        "orders.dead",
        "bar",
        "audit",
        "eu-billing",
    ] {
        assert!(names(&used).contains(&kept.to_owned()), "{kept} is drawn");
    }
    assert!(used.rows < all.rows, "{} rows, not {}", used.rows, all.rows);
    let text = queue_playground::canvas::svg(&w, &used, "x", "x");
    assert!(!text.contains(r#"data-node="payments""#));
    // An unmatched key still counts as using the exchange.
    let publish = |key: &str| Command::Publish {
        producer: 0,
        exchange: "payments".into(),
        key: key.into(),
    };
    w.command(Target::Producer(0), publish("nothing.matches"))
        .expect("published");
    let after = graph(&w, true);
    assert_eq!(after.unused, ["notifications"]);
    let now = placed(&after);
    for p in placed(&used) {
        assert!(now.contains(&p), "{p:?} moved");
    }
    assert!(names(&after).contains(&"ledger".to_owned()));
}
