//! Lesson platform-lens: the same settings in each platform's own names and defaults, and
//! configuration that the real tools accept: Terraform that parses as HCL, JSON that parses,
//! RabbitMQ arguments that exist (never `x-max-retries`), Kafka properties.

mod common;
use common::*;
use queue_engine::platform::{self, Platform};
use queue_engine::Scenario;
use serde_json::{json, Value};

/// Every combination the controls can produce that changes an export.
fn variants() -> Vec<Scenario> {
    let mut out = Vec::new();
    for kind in ["standard", "fifo"] {
        for dlq in [None, Some(3), Some(10)] {
            for mode in ["whole_batch", "report_failures", "stop_at_first"] {
                for ack in ["after_processing", "before_processing"] {
                    let mut j = json!({
                        "queue": { "kind": kind, "max_depth": 500, "overflow": "drop_oldest" },
                        "consumers": { "batch_size": 5, "batch_failure": mode, "ack": ack },
                    });
                    if kind == "standard" {
                        j["consumers"]["batch_window"] = json!("2s");
                    }
                    if let Some(n) = dlq {
                        j["dlq"] = json!({ "max_receive_count": n });
                    }
                    out.push(scenario(j));
                }
            }
        }
    }
    out
}

fn tf(s: &Scenario) -> hcl::Body {
    let text = platform::terraform(s);
    hcl::from_str(&text).unwrap_or_else(|e| panic!("Terraform does not parse: {e}\n{text}"))
}

#[test]
fn terraform_parses_and_carries_the_redrive_policy() {
    for s in variants() {
        let body = tf(&s);
        let queues: Vec<&hcl::Block> = body
            .blocks()
            .filter(|b| b.identifier() == "resource" && b.labels()[0].as_str() == "aws_sqs_queue")
            .collect();
        assert_eq!(queues.len(), 1 + usize::from(s.dlq.is_some()));
        let text = platform::terraform(&s);
        match &s.dlq {
            Some(d) => {
                assert!(text.contains(&format!("maxReceiveCount     = {}", d.max_receive_count)));
                assert!(
                    text.contains("deadLetterTargetArn = aws_sqs_queue.orders_dlq.arn"),
                    "{text}"
                );
            }
            None => assert!(!text.contains("redrive_policy")),
        }
        let fifo = s.queue.kind == queue_engine::QueueKind::Fifo;
        assert_eq!(text.contains("fifo_queue                  = true"), fifo);
        assert_eq!(
            text.contains(".fifo\""),
            fifo,
            "FIFO queue names end in .fifo"
        );
    }
}

/// semantics.md §1.1: `MaximumMessageSize` is 1 KiB to 1 MiB, 1 MiB by default. The export
/// carries the queue's limit, and a version 1 file's larger one comes out as SQS's largest.
#[test]
fn terraform_carries_the_message_size_limit_within_sqs_range() {
    let size = |s: &Scenario| {
        let body = tf(s);
        let main = body
            .blocks()
            .filter(|b| b.identifier() == "resource")
            .find(|b| b.labels()[1].as_str() == "orders")
            .expect("the main queue");
        let attr = main
            .body()
            .attributes()
            .find(|a| a.key() == "max_message_size")
            .expect("max_message_size");
        attr.expr().to_string()
    };
    let mut s = Scenario::default();
    assert_eq!(size(&s), "1048576");
    s.queue.max_message_size = 262_144;
    assert_eq!(size(&s), "262144");
    s.queue.max_message_size = 5_000_000;
    assert_eq!(size(&s), "1048576");
}

#[test]
fn the_lambda_mapping_is_json_with_report_batch_item_failures_when_asked() {
    for s in variants() {
        let v: Value = serde_json::from_str(&platform::lambda_mapping(&s)).expect("valid JSON");
        let rbif = v["FunctionResponseTypes"] == json!(["ReportBatchItemFailures"]);
        assert_eq!(
            rbif,
            s.consumers.batch_failure != queue_engine::BatchFailure::WholeBatch
        );
        let fifo = s.queue.kind == queue_engine::QueueKind::Fifo;
        assert_eq!(
            v.get("MaximumBatchingWindowInSeconds").is_none(),
            fifo,
            "no batching window for FIFO"
        );
        assert!(!fifo || v["BatchSize"].as_u64().unwrap() <= 10);
    }
}

#[test]
fn rabbitmq_definitions_use_real_arguments_only() {
    for s in variants() {
        for quorum in [true, false] {
            let text = platform::rabbitmq(&s, quorum);
            let v: Value = serde_json::from_str(&text).expect("valid JSON");
            assert!(!text.contains("x-max-retries"), "there is no such argument");
            let args = &v["queues"][0]["arguments"];
            assert_eq!(
                args["x-queue-type"],
                if quorum { "quorum" } else { "classic" }
            );
            assert_eq!(args["x-overflow"], "drop-head");
            assert_eq!(args["x-max-length"], 500);
            match (&s.dlq, quorum) {
                // semantics.md §2.5: the limit counts redeliveries, so N receives is N − 1.
                (Some(d), true) => {
                    assert_eq!(args["x-delivery-limit"], d.max_receive_count - 1)
                }
                (None, true) => {
                    assert_eq!(args["x-delivery-limit"], -1, "no limit, said explicitly")
                }
                (_, false) => assert!(
                    args.get("x-delivery-limit").is_none(),
                    "classic queues have none"
                ),
            }
            if let Some(d) = &s.dlq {
                assert_eq!(args["x-dead-letter-exchange"], "orders.dlx");
                assert_eq!(v["bindings"][0]["destination"], d.name.as_str());
                assert_eq!(v["exchanges"][0]["name"], "orders.dlx");
            }
        }
    }
}

#[test]
fn the_kafka_config_is_properties_and_commits_after_processing_when_acking_after() {
    for s in variants() {
        let text = platform::kafka_consumer(&s);
        let props: Vec<(&str, &str)> = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(|l| {
                l.split_once('=')
                    .unwrap_or_else(|| panic!("not key=value: {l}"))
            })
            .collect();
        let get = |k: &str| props.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
        let after = s.consumers.ack == queue_engine::AckMode::AfterProcessing;
        assert_eq!(
            get("enable.auto.commit"),
            Some(if after { "false" } else { "true" })
        );
        assert_eq!(get("max.poll.records"), Some("5"));
        assert_eq!(
            text.contains("orders-dlt"),
            s.dlq.is_some(),
            "the DLT is named <topic>-dlt"
        );
    }
}

#[test]
fn the_lens_names_each_platforms_setting_or_says_there_is_none() {
    let s = scenario(json!({ "dlq": { "max_receive_count": 3 } }));
    let find = |p: Platform, ours: &str| {
        platform::lens(p, &s)
            .into_iter()
            .find(|r| r.ours == ours)
            .unwrap_or_else(|| panic!("{p:?} has a {ours} row"))
    };
    let sqs = find(Platform::Sqs, "DLQ after");
    assert_eq!(sqs.name.as_deref(), Some("RedrivePolicy.maxReceiveCount"));
    assert_eq!((sqs.value.as_str(), sqs.default.as_str()), ("3", "10"));
    let quorum = find(Platform::RabbitQuorum, "DLQ after");
    assert_eq!(quorum.name.as_deref(), Some("x-delivery-limit"));
    assert!(quorum.default.starts_with("20"));
    // semantics.md §2.5: dead-lettered once the limit is exceeded, so three receives are a
    // limit of 2, not 3 (the same "3" would deliver four times).
    assert_eq!(
        quorum.value, "2",
        "DLQ after 3 receives is x-delivery-limit 2"
    );
    let classic = find(Platform::RabbitClassic, "DLQ after");
    assert_eq!(classic.name, None, "classic queues have no delivery limit");
    assert!(classic.note.contains("x-max-retries"));
    assert_eq!(
        find(Platform::RabbitClassic, "Visibility timeout").name,
        None
    );
    assert_eq!(find(Platform::Sqs, "Max depth").name, None);
    assert_eq!(find(Platform::Sqs, "Visibility timeout").default, "30 s");
    for p in Platform::ALL {
        assert_eq!(Platform::from_id(p.id()), Some(p));
        for r in platform::lens(p, &s) {
            assert!(
                !r.note.is_empty(),
                "{p:?} {}: every row explains itself",
                r.ours
            );
        }
    }
    let pubsub = find(Platform::PubSub, "DLQ after");
    assert_eq!(
        pubsub.name.as_deref(),
        Some("deadLetterPolicy.maxDeliveryAttempts")
    );
    assert_eq!(pubsub.value, "5", "Pub/Sub allows no fewer than 5 attempts");
    assert_eq!(
        find(Platform::ServiceBus, "DLQ after").name.as_deref(),
        Some("MaxDeliveryCount")
    );
    assert_eq!(
        find(Platform::ServiceBus, "Visibility timeout").default,
        "60 s"
    );
    assert_eq!(find(Platform::PubSub, "Visibility timeout").default, "10 s");
    let kafka = find(Platform::Kafka, "DLQ after");
    assert_eq!(kafka.name, None, "Kafka consumer groups have no DLQ");
    assert!(kafka.note.contains("<topic>-dlt"));
    assert_eq!(find(Platform::RedisStreams, "DLQ after").name, None);
    assert_eq!(find(Platform::Kafka, "Batch size").default, "500");
    assert_eq!(Platform::RabbitClassic.default_receive_limit(), None);
    // semantics.md §2.5: the default x-delivery-limit of 20 delivers 21 times.
    assert_eq!(Platform::RabbitQuorum.default_receive_limit(), Some(21));
    // §6 and §7: Pub/Sub's and Service Bus's defaults count deliveries themselves.
    assert_eq!(Platform::PubSub.default_receive_limit(), Some(5));
    assert_eq!(Platform::ServiceBus.default_receive_limit(), Some(10));
    // §8: ActiveMQ Classic's client counts redeliveries, so three deliveries are
    // maximumRedeliveries 2, and its default of 6 delivers seven times.
    let amq = find(Platform::ActiveMq, "DLQ after");
    assert_eq!(
        amq.name.as_deref(),
        Some("maximumRedeliveries (RedeliveryPolicy)")
    );
    assert_eq!((amq.value.as_str(), amq.default.as_str()), ("2", "6"));
    assert!(amq.note.contains("ActiveMQ.DLQ"));
    assert_eq!(Platform::ActiveMq.default_receive_limit(), Some(7));
    assert_eq!(find(Platform::ActiveMq, "Visibility timeout").name, None);
}

/// The lens opens on the platform the queue is on (semantics.md §2.5, §6, §7, §8): each
/// queue profile has its platform, and that platform counts its default limit as the profile
/// does.
#[test]
fn each_queue_profile_opens_the_lens_on_its_own_platform() {
    use queue_engine::topology::profile::QueueProfile;
    for p in QueueProfile::ALL {
        let lens = Platform::of(p);
        if let (Some(limit), Some(receives)) = (p.delivery_limit(), lens.default_receive_limit()) {
            assert_eq!(p.deliveries(limit.default), receives, "{p:?} on {lens:?}");
        }
    }
    assert_eq!(Platform::of(QueueProfile::SqsFifo), Platform::Sqs);
    assert_eq!(Platform::of(QueueProfile::Pubsub), Platform::PubSub);
    assert_eq!(Platform::of(QueueProfile::Activemq), Platform::ActiveMq);
}
