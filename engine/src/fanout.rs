//! Fan-out (SNS → SQS): a topic delivers a copy of every published message to each
//! subscription; each subscription is its own queue with its own consumers and its own DLQ.
//!
//! Each subscription runs as its own [`Sim`] built from the same producer settings and seed. The
//! workload has its own random stream, so every subscription sees the same messages, with the
//! same ids, payloads and times: exactly what a topic's copies are. What happens after delivery
//! (slow, failing or offline consumers) stays inside one subscription and never holds up the
//! others, as with SNS, which pushes to each subscribed queue independently.

use crate::envelope::Envelope;
use crate::scenario::{ConsumerConfig, DlqConfig, Scenario};
use crate::Message;
use crate::{Command, Millis, ScenarioError, Sim};

/// One subscription: a queue with its consumers and, optionally, a DLQ.
#[derive(Clone, Debug, PartialEq)]
pub struct SubscriptionConfig {
    pub name: String,
    pub consumers: ConsumerConfig,
    pub dlq: Option<DlqConfig>,
}

pub struct FanOut {
    pub topic: String,
    pub subscriptions: Vec<(String, Sim)>,
}

impl FanOut {
    /// `base` gives the producers, the seed and the queue settings every subscription shares.
    pub fn new(
        topic: &str,
        base: &Scenario,
        subs: &[SubscriptionConfig],
    ) -> Result<FanOut, ScenarioError> {
        let subscriptions = subs
            .iter()
            .map(|s| {
                let mut sc = base.clone();
                sc.queue.name = s.name.clone();
                sc.consumers = s.consumers.clone();
                sc.dlq = s.dlq.clone();
                Sim::new(sc).map(|sim| (s.name.clone(), sim))
            })
            .collect::<Result<_, _>>()?;
        Ok(FanOut {
            topic: topic.to_owned(),
            subscriptions,
        })
    }

    pub fn advance_to(&mut self, t: Millis) {
        for (_, sim) in &mut self.subscriptions {
            sim.advance_to(t);
        }
    }

    /// A command for one subscription only (e.g. take its consumers offline).
    pub fn command(&mut self, sub: usize, c: Command) -> Result<(), ScenarioError> {
        match self.subscriptions.get_mut(sub) {
            Some((_, sim)) => sim.command(c),
            None => Err(ScenarioError::field(
                "subscription",
                format!("an index below {}", self.subscriptions.len()),
                sub,
            )),
        }
    }

    /// Messages published to the topic (every subscription has a copy of each).
    pub fn published(&self) -> u64 {
        self.subscriptions
            .first()
            .map_or(0, |(_, s)| s.counts().published)
    }
}

/// The video-upload example's seed, unless a lesson picks another.
pub const VIDEO_UPLOAD_SEED: u64 = 7;

/// The video-upload example: one "video uploaded" event, four subscribers with different needs.
pub fn video_upload() -> (Scenario, Vec<SubscriptionConfig>) {
    let json = r#"{
        "name": "video-upload",
        "queue": { "visibility_timeout": "30s" },
        "producers": [{ "name": "upload-service", "rate": 2, "poison_share": 0.02 }]
    }"#;
    let mut base = Scenario::from_json(json).expect("the built-in example is valid");
    base.seed = VIDEO_UPLOAD_SEED;
    let consumers = |name: &str, count: u32, mean_ms: u64, failure_rate: f64| ConsumerConfig {
        name: name.into(),
        count,
        processing: crate::scenario::ProcessingTime {
            mean: Millis(mean_ms),
            distribution: crate::scenario::Distribution::Exponential,
        },
        failure_rate,
        ..ConsumerConfig::default()
    };
    let dlq = |name: &str| {
        Some(DlqConfig {
            name: format!("{name}-dlq"),
            max_receive_count: 3,
            ..DlqConfig::default()
        })
    };
    let subs = vec![
        SubscriptionConfig {
            name: "transcoder".into(),
            // Slow: a few seconds a video, so its queue grows; nobody else waits for it.
            consumers: consumers("transcoder", 2, 1_500, 0.0),
            dlq: dlq("transcoder"),
        },
        SubscriptionConfig {
            name: "thumbnail".into(),
            consumers: consumers("thumbnail", 1, 100, 0.0),
            dlq: dlq("thumbnail"),
        },
        SubscriptionConfig {
            name: "moderation".into(),
            // Flaky: one try in five fails and is retried.
            consumers: consumers("moderation", 2, 300, 0.2),
            dlq: dlq("moderation"),
        },
        SubscriptionConfig {
            name: "indexer".into(),
            consumers: consumers("indexer", 1, 200, 0.0),
            dlq: dlq("indexer"),
        },
    ];
    (base, subs)
}

/// The envelope of one upload event in the video-upload example: the same id, source, time and
/// trace as any copy of it, but typed, named and shaped as a video upload, not a pizza order.
pub fn video_envelope(m: &Message, scenario: &Scenario) -> Envelope {
    let mut env = Envelope::for_message(m, scenario);
    let video = format!("vid-{:05}", m.event);
    env.source = "/video-platform/upload-service".into();
    env.ty = "com.example.video.uploaded.v1".into();
    env.dataschema = "https://schemas.example.com/video/uploaded/v1.json".into();
    env.partitionkey = format!("channel-{}", m.group);
    env.data = serde_json::json!({
        "video_id": video,
        "channel": format!("channel-{}", m.group),
        "duration_s": 30 + crate::envelope::mix(m.event) % 570,
        "corrupt": m.payload == crate::Payload::Poison,
    });
    env.subject = video;
    env
}

/// Lesson pubsub-vs-queue: one producer feeds both a queue with three competing consumers and a
/// topic with three subscriptions of one consumer each, on the same workload.
pub struct Contrast {
    pub queue: Sim,
    pub topic: FanOut,
    /// Messages each of the queue's consumers processed: each message goes to one of them.
    /// They long-poll, so a message goes to whoever has waited longest, as in SQS with
    /// `WaitTimeSeconds` set (with short polling the worker that just finished wins each race).
    pub per_consumer: Vec<u64>,
}

impl Contrast {
    pub fn new(seed: u64) -> Contrast {
        let json = r#"{
            "name": "orders", "seed": 0,
            "queue": { "receive_wait": "20s" },
            "producers": [{ "name": "order-service", "rate": 3 }],
            "consumers": { "name": "worker", "count": 3, "processing": { "mean": "300ms" } }
        }"#;
        let mut base = Scenario::from_json(json).expect("the built-in example is valid");
        base.seed = seed;
        let subs: Vec<SubscriptionConfig> = ["kitchen", "billing", "loyalty"]
            .iter()
            .map(|name| SubscriptionConfig {
                name: (*name).into(),
                consumers: ConsumerConfig {
                    name: (*name).into(),
                    count: 1,
                    ..base.consumers.clone()
                },
                dlq: None,
            })
            .collect();
        let topic =
            FanOut::new("order-placed", &base, &subs).expect("the built-in example is valid");
        let queue = Sim::new(base).expect("the built-in example is valid");
        Contrast {
            per_consumer: vec![0; 3],
            queue,
            topic,
        }
    }

    pub fn advance_to(&mut self, t: Millis) {
        self.queue.advance_to(t);
        for e in self.queue.drain_events() {
            if let crate::EventKind::Processed { consumer, .. } = e.kind {
                if let Some(n) = self.per_consumer.get_mut(consumer as usize) {
                    *n += 1;
                }
            }
        }
        self.topic.advance_to(t);
    }

    /// Processings on each side: the queue's total, and the topic's summed over subscriptions.
    pub fn processed(&self) -> (u64, u64) {
        let topic = self
            .topic
            .subscriptions
            .iter()
            .map(|(_, s)| s.counts().processed)
            .sum();
        (self.queue.counts().processed, topic)
    }
}
