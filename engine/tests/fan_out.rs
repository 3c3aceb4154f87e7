//! Lessons fan-out and pubsub-vs-queue: a topic gives every subscription its own copy of each
//! message; a slow, failing or offline subscriber never blocks the others. A queue with the
//! same number of competing consumers processes each message once. Both run as one world: an
//! SNS router in front of several queues, on one workload (semantics notes §5, "Fan-out").

mod common;
use common::*;
use proptest::prelude::*;
use queue_engine::topology::plan::Target;
use queue_engine::{Command, Millis, Sim};
use serde_json::{json, Map, Value};

fn copies(sim: &Sim) -> Vec<(u64, Millis, queue_engine::Payload)> {
    let mut v: Vec<_> = sim
        .messages()
        .iter()
        .map(|m| (m.event(), m.published_at(), m.payload()))
        .collect();
    v.sort_by_key(|m| m.0);
    v
}

#[test]
fn every_subscription_gets_every_upload_and_a_slow_one_blocks_nobody() {
    let mut topic = example_world("video-upload", 7);
    let indexer = 3;
    assert_eq!(
        topic.member_nodes(indexer).consumer.as_deref(),
        Some("indexer")
    );
    topic
        .command(
            Target::Member(indexer),
            Command::SetOnline {
                consumer: None,
                online: false,
            },
        )
        .unwrap();
    topic.advance_to(secs(120));
    let published = topic.sent();
    assert!(published > 200);
    let first = copies(&topic.members()[0]);
    for (i, sim) in topic.members().iter().enumerate() {
        let name = &topic.member_nodes(i as u16).queue;
        assert_eq!(sim.counts().published, published, "{name} got every upload");
        assert_eq!(copies(sim), first, "{name} got the same messages");
    }
    let (transcoder, thumbnail, moderation, indexer) = (
        member(&topic, "transcoder"),
        member(&topic, "thumbnail"),
        member(&topic, "moderation"),
        member(&topic, "indexer"),
    );
    assert!(
        transcoder.counts().backlog() > 20,
        "the slow transcoder falls behind"
    );
    assert!(
        thumbnail.counts().backlog() < 5,
        "thumbnails keep up regardless"
    );
    assert_eq!(
        indexer.counts().processed,
        0,
        "the offline indexer processed nothing"
    );
    assert!(
        indexer.counts().backlog() >= published - 1,
        "its copies wait for it"
    );
    assert!(moderation.counts().processing_failures > 0);
    assert!(
        thumbnail.counts().processed > published - 10,
        "and still nobody else waited"
    );
}

#[test]
fn a_command_for_a_node_the_world_does_not_have_is_refused() {
    let mut topic = example_world("video-upload", 7);
    let offline = Command::SetOnline {
        consumer: None,
        online: false,
    };
    let err = topic
        .command(Target::Member(4), offline.clone())
        .unwrap_err();
    assert!(err.to_string().contains("a node of this world"), "{err}");
    let err = topic
        .command(
            Target::Member(0),
            Command::SetOnline {
                consumer: Some(99),
                online: false,
            },
        )
        .unwrap_err();
    assert!(err.to_string().contains("consumer"), "{err}");
    let err = topic.command(Target::Producer(0), offline).unwrap_err();
    assert!(err.to_string().contains("a node of this world"), "{err}");
}

/// A producer publishing to `queue` (three competing workers) and to an SNS topic with `subs`
/// subscriptions of one worker each, every pool with `consumer`'s settings.
fn queue_and_topic(producer: Value, consumer: Value, subs: usize) -> Value {
    let mut nodes = Map::new();
    let mut edges = vec![
        json!({ "kind": "publish", "from": "p", "to": "queue" }),
        json!({ "kind": "publish", "from": "p", "to": "topic" }),
        json!({ "kind": "subscribe", "from": "queue", "to": "workers" }),
    ];
    nodes.insert("p".into(), json!({ "producer": producer }));
    nodes.insert("queue".into(), json!({ "queue": {} }));
    let mut workers = consumer.clone();
    workers["count"] = json!(3);
    nodes.insert("workers".into(), json!({ "consumer": workers }));
    nodes.insert("topic".into(), json!({ "router": { "type": "sns" } }));
    for i in 0..subs {
        let (q, pool) = (format!("sub-{i}"), format!("reader-{i}"));
        nodes.insert(q.clone(), json!({ "queue": {} }));
        nodes.insert(pool.clone(), json!({ "consumer": consumer }));
        edges.push(json!({ "kind": "bind", "from": "topic", "to": q }));
        edges.push(json!({ "kind": "subscribe", "from": q, "to": pool }));
    }
    json!({ "version": 2, "name": "queue-and-topic", "nodes": nodes, "edges": edges })
}

#[test]
fn a_queue_with_competing_consumers_processes_each_message_once_a_topic_once_per_subscriber() {
    let mut w = v2_world(queue_and_topic(
        json!({ "rate": 5, "stop": "30s" }),
        json!({ "processing": { "mean": "50ms" } }),
        3,
    ));
    w.advance_to(secs(60));
    let published = w.sent();
    assert!(published > 100);
    let queue = member(&w, "workers");
    assert_eq!(
        queue.counts().processed,
        published,
        "queue: once each, by one of the three"
    );
    let topic: u64 = (0..3)
        .map(|i| member(&w, &format!("reader-{i}")).counts().processed)
        .sum();
    assert_eq!(topic, 3 * published, "topic: once each per subscription");
}

#[test]
fn the_contrast_shares_the_queues_messages_out_and_copies_the_topics() {
    let mut c = example_world("queue-vs-topic", 3);
    c.advance_to(secs(60));
    let published = c.sent();
    assert!(published > 120);
    let queue = member(&c, "worker");
    let queue_total = queue.counts().processed;
    let topic: u64 = ["kitchen", "billing", "loyalty"]
        .iter()
        .map(|n| {
            let sub = member(&c, n);
            assert_eq!(sub.counts().published, published, "{n}: the same workload");
            sub.counts().processed
        })
        .sum();
    assert!(
        queue_total + 5 >= published && queue_total <= published,
        "queue: once each ({queue_total}/{published})"
    );
    assert!(
        topic + 15 >= 3 * published,
        "topic: once per subscription ({topic})"
    );
    let per_worker: Vec<u64> = queue
        .snapshot(0)
        .consumers
        .iter()
        .map(|c| c.processed)
        .collect();
    assert_eq!(
        per_worker.iter().sum::<u64>(),
        queue_total,
        "each processing by exactly one worker"
    );
    // Long polling hands each message to the worker that has waited longest: an even split.
    assert!(
        per_worker.iter().all(|&n| n >= published / 4),
        "the work is shared: {per_worker:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Every subscription receives every published message exactly once, before any failure,
    /// and conservation holds in each.
    #[test]
    fn each_subscription_holds_one_copy_of_each_message(
        n in 1usize..5,
        pools in prop::collection::vec((1u32..4, 0u64..400, 0.0f64..0.3, any::<bool>()), 4),
        seed in any::<u64>(),
    ) {
        let mut nodes = Map::new();
        let mut edges = vec![json!({ "kind": "publish", "from": "p", "to": "t" })];
        nodes.insert("p".into(), json!({ "producer": { "rate": 8, "poison_share": 0.05, "arrival": "poisson" } }));
        nodes.insert("t".into(), json!({ "router": { "type": "sns" } }));
        for (i, (count, mean, fail, dlq)) in pools.iter().take(n).enumerate() {
            let (q, pool) = (format!("q{i}"), format!("s{i}"));
            let limit = if *dlq { json!({ "visibility_timeout": "5s", "delivery_limit": 3 }) } else { json!({ "visibility_timeout": "5s" }) };
            nodes.insert(q.clone(), json!({ "queue": limit }));
            nodes.insert(pool.clone(), json!({ "consumer": {
                "count": count, "failure_rate": fail,
                "processing": { "mean": format!("{mean}ms"), "distribution": "exponential" } } }));
            edges.push(json!({ "kind": "bind", "from": "t", "to": q }));
            edges.push(json!({ "kind": "subscribe", "from": q, "to": pool }));
            if *dlq {
                nodes.insert(format!("{q}-dlq"), json!({ "queue": {} }));
                edges.push(json!({ "kind": "dead_letter", "from": q, "to": format!("{q}-dlq") }));
            }
        }
        let mut topic = v2_world(json!({ "version": 2, "name": "t", "seed": seed, "nodes": nodes, "edges": edges }));
        for step in 1..=6 {
            topic.advance_to(secs(step * 10));
            let first = copies(&topic.members()[0]);
            prop_assert_eq!(first.len() as u64, topic.sent());
            for sim in topic.members() {
                prop_assert_eq!(copies(sim), first.clone());
                let c = sim.counts();
                prop_assert_eq!(c.state_total(), c.published);
            }
        }
    }
}
