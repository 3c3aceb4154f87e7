//! Lessons fan-out and pubsub-vs-queue: a topic gives every subscription its own copy of each
//! message; a slow, failing or offline subscriber never blocks the others. A queue with the
//! same number of competing consumers processes each message once.

mod common;
use common::*;
use proptest::prelude::*;
use queue_engine::fanout::{self, FanOut, SubscriptionConfig};
use queue_engine::{Command, Millis, Sim};

fn copies(sim: &Sim) -> Vec<(u64, Millis, queue_engine::Payload)> {
    let mut v: Vec<_> = sim
        .messages()
        .iter()
        .map(|m| (m.id, m.published_at, m.payload))
        .collect();
    v.sort_by_key(|m| m.0);
    v
}

#[test]
fn every_subscription_gets_every_upload_and_a_slow_one_blocks_nobody() {
    let (base, subs) = fanout::video_upload();
    let mut topic = FanOut::new("video-uploaded", &base, &subs).unwrap();
    topic
        .command(
            3,
            Command::SetOnline {
                consumer: None,
                online: false,
            },
        )
        .unwrap();
    topic.advance_to(secs(120));
    let published = topic.published();
    assert!(published > 200);
    let first = copies(&topic.subscriptions[0].1);
    for (name, sim) in &topic.subscriptions {
        assert_eq!(sim.counts().published, published, "{name} got every upload");
        assert_eq!(copies(sim), first, "{name} got the same messages");
    }
    let get = |n: &str| {
        &topic
            .subscriptions
            .iter()
            .find(|(name, _)| name == n)
            .unwrap()
            .1
    };
    let (transcoder, thumbnail, moderation, indexer) = (
        get("transcoder"),
        get("thumbnail"),
        get("moderation"),
        get("indexer"),
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
fn a_queue_with_competing_consumers_processes_each_message_once_a_topic_once_per_subscriber() {
    let base = scenario(serde_json::json!({
        "producers": [{ "rate": 5, "stop": "30s" }],
        "consumers": { "count": 3, "processing": { "mean": "50ms" } }
    }));
    let mut queue = Sim::new(base.clone()).unwrap();
    queue.advance_to(secs(60));
    let subs: Vec<SubscriptionConfig> = (0..3)
        .map(|i| SubscriptionConfig {
            name: format!("sub-{i}"),
            consumers: queue_engine::ConsumerConfig {
                count: 1,
                ..base.consumers.clone()
            },
            dlq: None,
        })
        .collect();
    let mut topic = FanOut::new("orders", &base, &subs).unwrap();
    topic.advance_to(secs(60));
    let published = queue.counts().published;
    assert_eq!(topic.published(), published);
    assert_eq!(
        queue.counts().processed,
        published,
        "queue: once each, by one of the three"
    );
    let total: u64 = topic
        .subscriptions
        .iter()
        .map(|(_, s)| s.counts().processed)
        .sum();
    assert_eq!(total, 3 * published, "topic: once each per subscription");
}

#[test]
fn the_contrast_shares_the_queues_messages_out_and_copies_the_topics() {
    let mut c = fanout::Contrast::new(3);
    c.advance_to(secs(60));
    let published = c.queue.counts().published;
    assert!(published > 120);
    assert_eq!(
        c.topic.published(),
        published,
        "the same workload on both sides"
    );
    let (queue, topic) = c.processed();
    assert!(
        queue + 5 >= published && queue <= published,
        "queue: once each ({queue}/{published})"
    );
    assert!(
        topic + 15 >= 3 * published,
        "topic: once per subscription ({topic})"
    );
    assert_eq!(
        c.per_consumer.iter().sum::<u64>(),
        queue,
        "each processing by exactly one worker"
    );
    // Long polling hands each message to the worker that has waited longest: an even split.
    assert!(
        c.per_consumer.iter().all(|&n| n >= published / 4),
        "the work is shared: {:?}",
        c.per_consumer
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Every subscription receives every published message exactly once, before any failure,
    /// and conservation holds in each.
    #[test]
    fn each_subscription_holds_one_copy_of_each_message(
        n in 1usize..5,
        rates in prop::collection::vec((1u32..4, 0u64..400, 0.0f64..0.3, any::<bool>()), 4),
        seed in any::<u64>(),
    ) {
        let base = scenario(serde_json::json!({
            "seed": seed,
            "queue": { "visibility_timeout": "5s" },
            "producers": [{ "rate": 8, "poison_share": 0.05, "arrival": "poisson" }]
        }));
        let subs: Vec<SubscriptionConfig> = rates.iter().take(n).enumerate().map(|(i, (count, mean, fail, dlq))| SubscriptionConfig {
            name: format!("s{i}"),
            consumers: queue_engine::ConsumerConfig {
                count: *count,
                failure_rate: *fail,
                processing: queue_engine::ProcessingTime { mean: Millis(*mean), distribution: queue_engine::Distribution::Exponential },
                ..Default::default()
            },
            dlq: dlq.then(queue_engine::DlqConfig::default),
        }).collect();
        let mut topic = FanOut::new("t", &base, &subs).unwrap();
        for step in 1..=6 {
            topic.advance_to(secs(step * 10));
            let first = copies(&topic.subscriptions[0].1);
            for (_, sim) in &topic.subscriptions {
                prop_assert_eq!(copies(sim), first.clone());
                let c = sim.counts();
                prop_assert_eq!(c.state_total(), c.published);
            }
        }
    }
}
