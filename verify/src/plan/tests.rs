//! The plan's rules, each on a small scenario; the platform facts name their section of the
//! semantics notes.

use super::*;
use crate::compare::{CountRule, Death};

fn scenario(profile: &str, limit: &str, dlq: bool) -> ScenarioV2 {
    let dlq_node = if dlq {
        format!(r#", "orders-dlq": {{ "queue": {{ "profile": "{profile}" }} }}"#)
    } else {
        String::new()
    };
    let dlq_edge = if dlq {
        r#", { "kind": "dead_letter", "from": "orders", "to": "orders-dlq" }"#
    } else {
        ""
    };
    let text = format!(
        r#"{{ "version": 2, "name": "t", "seed": 1,
          "nodes": {{
            "order-service": {{ "producer": {{ "rate": 0 }} }},
            "orders": {{ "queue": {{ "profile": "{profile}" {limit} }} }},
            "kitchen": {{ "consumer": {{ "count": 1 }} }} {dlq_node} }},
          "edges": [
            {{ "kind": "publish", "from": "order-service", "to": "orders" }},
            {{ "kind": "subscribe", "from": "orders", "to": "kitchen" }} {dlq_edge} ],
          "commands": [
            {{ "at": "1s", "node": "order-service", "do": {{ "type": "send", "payload": "poison" }} }},
            {{ "at": "2s", "node": "order-service", "do": {{ "type": "send" }} }} ] }}"#
    );
    ScenarioV2::from_json(&text).expect("test scenario loads")
}

#[test]
fn quorum_poison_is_delivered_limit_plus_one_times_then_dead_lettered() {
    let p = plan(
        &scenario("rabbitmq_quorum", r#", "delivery_limit": 3"#, true),
        Millis::from_secs(20),
    )
    .expect("plan");
    assert_eq!(p.queue.delivery_limit, Some(3));
    assert_eq!(p.queue.dlq.as_deref(), Some("orders-dlq"));
    assert_eq!(p.publishes.len(), 2);
    let poison = &p.expected[0];
    assert_eq!(poison.payload, "poison");
    assert_eq!(poison.rule, CountRule::Exact);
    assert_eq!(poison.facts.delivered, 4);
    assert_eq!(poison.facts.place, "dead_lettered");
    assert_eq!(
        poison.facts.death,
        Some(Death {
            reason: "delivery_limit".into(),
            count: 1
        })
    );
    let good = &p.expected[1];
    assert_eq!(
        (good.facts.delivered, good.facts.place.as_str()),
        (1, "processed")
    );
}

#[test]
fn classic_poison_loops_and_is_compared_as_unbounded() {
    let p = plan(
        &scenario("rabbitmq_classic", "", false),
        Millis::from_secs(10),
    )
    .expect("plan");
    assert_eq!(p.queue.delivery_limit, None);
    let poison = &p.expected[0];
    assert_eq!(poison.rule, CountRule::Unbounded);
    assert_eq!(poison.facts.place, "queued");
    assert!(poison.facts.delivered > 2, "{poison:?}");
}

#[test]
fn other_platforms_are_refused_with_the_reason() {
    let err = plan(&scenario("service_bus", "", false), Millis::from_secs(10)).unwrap_err();
    let Error::File(m) = err else {
        panic!("a file error")
    };
    assert!(m.contains("nodes.orders.queue.profile"), "{m}");
    assert!(m.contains("rabbitmq_classic"), "{m}");
    assert!(m.contains("sqs_fifo"), "{m}");
}

#[test]
fn a_consumer_timeout_is_refused() {
    let err = plan(
        &scenario("rabbitmq_quorum", r#", "visibility_timeout": "5s""#, false),
        Millis::from_secs(10),
    )
    .unwrap_err();
    let Error::File(m) = err else {
        panic!("a file error")
    };
    assert!(m.contains("nodes.orders.queue.visibility_timeout"), "{m}");
    assert!(m.contains("consumer_timeout"), "{m}");
}

#[test]
fn time_is_scaled_to_the_target_window() {
    let p = plan(
        &scenario("rabbitmq_classic", "", false),
        Millis::from_secs(40),
    )
    .expect("plan");
    assert_eq!(p.scale, 8.0);
    assert_eq!(
        p.wall(Millis::from_secs(40)),
        std::time::Duration::from_secs(5)
    );
    let p = plan(
        &scenario("rabbitmq_classic", "", false),
        Millis::from_secs(4),
    )
    .expect("plan");
    assert_eq!(p.scale, 1.0);
}

/// Semantics notes §1.3 (DLQ and redrive): with `maxReceiveCount` 3 the poison message is
/// received 3 times, then moved to the dead-letter queue; SQS records no reason for it.
#[test]
fn sqs_poison_is_received_max_receive_count_times_then_moved() {
    let p = plan(
        &scenario(
            "sqs_standard",
            r#", "visibility_timeout": "5s", "delivery_limit": 3"#,
            true,
        ),
        Millis::from_secs(30),
    )
    .expect("plan");
    assert_eq!(p.platform, Platform::Sqs);
    assert_eq!(p.queue.max_receive_count, Some(3));
    assert_eq!(p.queue.visibility_secs, Some(1));
    assert!(!p.release_at_once);
    let poison = &p.expected[0];
    assert_eq!(poison.payload, "poison");
    assert_eq!(
        (poison.facts.delivered, poison.facts.processed),
        (3, 0),
        "{poison:?}"
    );
    assert_eq!(poison.facts.place, "dead_lettered");
    assert_eq!(poison.facts.death, None);
    assert_eq!(poison.rule, CountRule::Exact);
    let good = &p.expected[1];
    assert_eq!(
        (
            good.facts.delivered,
            good.facts.processed,
            good.facts.place.as_str()
        ),
        (1, 1, "processed")
    );
    assert_eq!(good.facts.order, None, "no order on a standard queue");
    assert!(
        p.scaled
            .iter()
            .any(|s| s.contains("VisibilityTimeout: 5 s")),
        "{:?}",
        p.scaled
    );
}

/// Semantics notes §1.4 (FIFO): a failing message blocks its group (the good one behind it
/// is never delivered), other groups keep flowing, and the order within each group is
/// recorded for FIFO queues only.
#[test]
fn fifo_poison_blocks_its_group_and_order_is_recorded() {
    let p = plan(
        &scenario("sqs_fifo", r#", "visibility_timeout": "5s""#, false),
        Millis::from_secs(10),
    )
    .expect("plan");
    assert!(p.queue.fifo());
    assert_eq!(p.queue.max_receive_count, None, "no DLQ, no redrive policy");
    let blocked = &p.expected[1].facts;
    assert_eq!(
        (blocked.delivered, blocked.place.as_str(), blocked.order),
        (0, "queued", None)
    );

    let file = format!(
        "{}/scenarios/sqs-fifo-group-blocking.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let p = load(&file, None).expect("the scenario loads");
    let groups: Vec<u32> = p.publishes.iter().map(|m| m.group).collect();
    assert_eq!(groups, [1, 1, 2, 2]);
    let facts: Vec<_> = p
        .expected
        .iter()
        .map(|e| (e.facts.delivered, e.facts.place.as_str(), e.facts.order))
        .collect();
    assert_eq!(facts[1], (0, "queued", None), "blocked behind the poison");
    assert_eq!(facts[2], (1, "processed", Some(0)));
    assert_eq!(facts[3], (1, "processed", Some(1)));
    assert!(p.expected[0].facts.delivered >= 2, "the poison comes back");
}

/// Semantics notes §1.1: `VisibilityTimeout` is whole seconds, so the scale is adjusted
/// until the scaled value is whole, and a run that would be too long is refused.
#[test]
fn sqs_visibility_is_scaled_to_whole_seconds() {
    let s = Millis::from_secs;
    assert_eq!(sqs_scale(s(5), s(30)), Ok((5.0, 1)));
    assert_eq!(sqs_scale(s(30), s(30)), Ok((6.0, 5)));
    assert_eq!(sqs_scale(Millis(1_500), s(30)), Ok((1.5, 1)));
    assert_eq!(sqs_scale(Millis::ZERO, s(30)), Ok((6.0, 0)));
    let too_long = sqs_scale(Millis(500), s(30)).unwrap_err();
    assert!(too_long.contains("60 s of wall time"), "{too_long}");
    let err = plan(
        &scenario("sqs_standard", r#", "visibility_timeout": "500ms""#, false),
        Millis::from_secs(30),
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::File(m) if m.contains("nodes.orders.queue.visibility_timeout")),
        "{err:?}"
    );
}

#[test]
fn sqs_retry_immediate_releases_and_other_policies_are_refused() {
    let p = plan(
        &scenario(
            "sqs_standard",
            r#", "retry": { "kind": "immediate" }"#,
            false,
        ),
        Millis::from_secs(10),
    )
    .expect("plan");
    assert!(p.release_at_once);
    for (extra, field) in [
        (
            r#", "retry": { "kind": "exponential", "base": "1s", "max": "8s" }"#,
            "nodes.orders.queue.retry",
        ),
        (
            r#", "content_based_dedup": true"#,
            "nodes.orders.queue.content_based_dedup",
        ),
    ] {
        let err = plan(&scenario("sqs_fifo", extra, false), Millis::from_secs(10)).unwrap_err();
        assert!(
            matches!(&err, Error::File(m) if m.contains(field)),
            "{extra}: {err:?}"
        );
    }
}

/// Semantics notes §8: ActiveMQ counts *re*deliveries, so the profile's default
/// `maximumRedeliveries` 6 means 7 deliveries before `ActiveMQ.DLQ`; the client's 1 s delay
/// is the broker's 1000 ms (scale 1), and no reason is recorded for the dead letter.
#[test]
fn activemq_defaults_deliver_seven_times_at_scale_one() {
    let p = plan(&scenario("activemq", "", false), Millis::from_secs(30)).expect("plan");
    assert_eq!(p.platform, Platform::Activemq);
    assert_eq!(p.queue.max_redeliveries, Some(6));
    assert_eq!(p.scale, 1.0);
    let poison = &p.expected[0];
    assert_eq!(
        (poison.facts.delivered, poison.facts.place.as_str()),
        (7, "dead_lettered")
    );
    assert_eq!(poison.facts.death, None);
    assert!(p
        .scaled
        .iter()
        .any(|s| s.contains("1 s simulated → 1000 ms")));
}

/// The broker's redeliveryPlugin refuses delays under 1000 ms, so the scale maps the
/// scenario's delay onto it, and a run that would then be too long is refused.
#[test]
fn activemq_delay_is_mapped_onto_the_brokers_second() {
    let s = Millis::from_secs;
    assert_eq!(activemq_scale(s(4), s(60)), Ok(4.0));
    assert_eq!(activemq_scale(Millis(500), s(20)), Ok(0.5));
    let too_long = activemq_scale(Millis(500), s(30)).unwrap_err();
    assert!(too_long.contains("60 s of wall time"), "{too_long}");
    assert!(activemq_scale(Millis::ZERO, s(10)).is_err());
    let p = plan(
        &scenario(
            "activemq",
            r#", "delivery_limit": 2, "retry": { "kind": "exponential", "base": "2s", "max": "2s" }"#,
            false,
        ),
        Millis::from_secs(20),
    )
    .expect("plan");
    assert_eq!((p.scale, p.queue.max_redeliveries), (2.0, Some(2)));
    assert_eq!(p.expected[0].facts.delivered, 3);
}

#[test]
fn activemq_back_off_and_limits_without_a_broker_policy_are_refused() {
    for (extra, field, why) in [
        (
            r#", "retry": { "kind": "exponential", "base": "1s", "max": "8s" }"#,
            "nodes.orders.queue.retry",
            "constant redelivery delay",
        ),
        (
            r#", "delivery_limit": 11"#,
            "nodes.orders.queue.delivery_limit",
            "0 to 10 redeliveries",
        ),
    ] {
        let err = plan(&scenario("activemq", extra, false), Millis::from_secs(10)).unwrap_err();
        assert!(
            matches!(&err, Error::File(m) if m.contains(field) && m.contains(why)),
            "{extra}: {err:?}"
        );
    }
}

/// semantics.md §2.4: a RabbitMQ length limit drops the head by default, which a run declares
/// (`x-max-length`, `x-overflow: drop-head`); a limit on another platform is refused by name.
#[test]
fn a_length_limit_is_replayed_on_rabbitmq_only() {
    let p = plan(
        &scenario("rabbitmq_classic", r#", "max_depth": 2"#, false),
        Millis::from_secs(10),
    )
    .expect("drop-head is replayed");
    assert_eq!(
        (p.queue.max_length, p.queue.reject_publish),
        (Some(2), false)
    );
    let err = plan(
        &scenario("sqs_standard", r#", "max_depth": 2"#, false),
        Millis::from_secs(10),
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::File(m) if m.contains("max_depth") && m.contains("RabbitMQ only")),
        "{err:?}"
    );
}

fn file(name: &str) -> String {
    format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn places(p: &Plan) -> Vec<(u64, &str, u32)> {
    p.expected
        .iter()
        .map(|e| (e.id, e.facts.place.as_str(), e.facts.delivered))
        .collect()
}

/// semantics.md §2.4: with `x-overflow: reject-publish` a full queue refuses the publish (the
/// publisher's confirm is a nack) and keeps what it holds. The engine gives a refused publish
/// no id, so the plan numbers it after the engine's messages, with its command's payload, and
/// the broker replays it too.
#[test]
fn reject_publish_refusals_are_replayed_and_expected_as_rejected() {
    let p = load(&file("classic-reject-publish.json"), None).expect("plan");
    assert!(p.queue.reject_publish);
    assert_eq!(
        p.publishes.len(),
        5,
        "every send is replayed, refused or not"
    );
    let mut got = places(&p);
    got.sort();
    let processed = got
        .iter()
        .filter(|r| r.1 == "processed" && r.2 == 1)
        .count();
    let rejected: Vec<_> = got.iter().filter(|r| r.1 == "rejected").collect();
    assert_eq!((processed, rejected.len()), (3, 2), "{got:?}");
    // The refused ones are the last two sends (2.5 s and 3 s), numbered after the rest.
    let last: Vec<_> = p.publishes.iter().rev().take(2).map(|x| x.id).collect();
    assert!(
        rejected.iter().all(|r| r.2 == 0 && last.contains(&r.0)),
        "{got:?}"
    );
    assert!(rejected
        .iter()
        .all(|r| got.iter().all(|o| o.1 == "rejected" || o.0 < r.0)));
}

/// A refused publish is matched to its `send` command for its payload, so a producer with a
/// rate (whose refused payloads nobody wrote down) is refused on a reject-publish queue.
#[test]
fn reject_publish_with_a_rate_producer_is_refused() {
    let text = std::fs::read_to_string(file("classic-reject-publish.json")).expect("file");
    let s = ScenarioV2::from_json(&text.replace(r#""rate": 0 }"#, r#""rate": 2 }"#)).expect("json");
    let err = plan(&s, Millis::from_secs(10)).unwrap_err();
    assert!(
        matches!(&err, Error::File(m) if m.contains("producer.rate") && m.contains("reject-publish")),
        "{err:?}"
    );
}

/// semantics.md §2.4: a message past its `x-message-ttl` at the head of the queue is
/// dead-lettered with the reason `expired`; the one held by the consumer is not. The TTL is
/// scaled with the run, in whole milliseconds, and the report says so.
#[test]
fn a_ttl_is_scaled_and_expired_messages_are_dead_lettered() {
    let p = load(&file("classic-ttl-to-dlx.json"), None).expect("plan");
    let ttl = p.queue.message_ttl_ms.expect("a TTL");
    assert_eq!(ttl, (2_000.0 / p.scale).round() as u64);
    assert!(
        p.scaled.iter().any(|s| s.starts_with("x-message-ttl: 2 s")),
        "{:?}",
        p.scaled
    );
    let got = places(&p);
    assert_eq!(got[0].1, "processed", "{got:?}");
    for e in &p.expected[1..] {
        assert_eq!(e.facts.place, "dead_lettered");
        assert_eq!(e.facts.delivered, 0);
        assert_eq!(
            e.facts.death,
            Some(Death {
                reason: "expired".into(),
                count: 1
            })
        );
    }
}

/// Without a dead-letter queue a message dropped for length and one expired both vanish on
/// the broker, so the two settings together need one; a TTL elsewhere than RabbitMQ is refused.
#[test]
fn ttl_combinations_the_broker_cannot_tell_apart_are_refused() {
    for (profile, extra, field) in [
        (
            "rabbitmq_classic",
            r#", "max_depth": 2, "retention": "2s""#,
            "max_depth / retention",
        ),
        ("sqs_standard", r#", "retention": "2m""#, "retention"),
    ] {
        let err = plan(&scenario(profile, extra, false), Millis::from_secs(10)).unwrap_err();
        assert!(
            matches!(&err, Error::File(m) if m.contains(&format!("queue.{field}"))),
            "{profile}: {err:?}"
        );
    }
    plan(
        &scenario(
            "rabbitmq_classic",
            r#", "max_depth": 2, "retention": "2s""#,
            true,
        ),
        Millis::from_secs(10),
    )
    .expect("with a DLQ the x-death reason tells them apart");
}

/// semantics.md §1.5: without ReportBatchItemFailures one failure returns the whole batch, so
/// the good messages of a batch with a poison one are processed again and again, and reach
/// the dead-letter queue with it; with it only the failure returns.
#[test]
fn sqs_batches_follow_the_batch_failure_mode() {
    let whole = load(&file("sqs-batch-whole-batch.json"), None).expect("plan");
    assert_eq!(
        (whole.batch_size, whole.batch_failure),
        (5, BatchFailure::WholeBatch)
    );
    assert!(
        whole
            .scaled
            .iter()
            .any(|s| s.starts_with("batch window: 1 s")),
        "{:?}",
        whole.scaled
    );
    for e in &whole.expected {
        assert_eq!(
            (e.facts.place.as_str(), e.facts.delivered),
            ("dead_lettered", 3),
            "{e:?}"
        );
        let processed = if e.payload == "poison" { 0 } else { 3 };
        assert_eq!(e.facts.processed, processed);
    }
    let report = load(&file("sqs-batch-report-failures.json"), None).expect("plan");
    let got: Vec<_> = report
        .expected
        .iter()
        .map(|e| (e.facts.place.as_str(), e.facts.delivered))
        .collect();
    assert_eq!(
        got,
        [
            ("processed", 1),
            ("processed", 1),
            ("dead_lettered", 3),
            ("processed", 1),
            ("processed", 1)
        ]
    );
}

/// Batches are one ReceiveMessage of at most 10 on SQS; an offline pool is brought up by one
/// `set_online` on SQS only. Anything else is refused by field.
#[test]
fn batches_and_offline_pools_elsewhere_are_refused() {
    let text = std::fs::read_to_string(file("sqs-batch-whole-batch.json")).expect("file");
    for (from, to, field) in [
        (
            "\"batch_size\": 5",
            "\"batch_size\": 11",
            "consumer.batch_size",
        ),
        (
            "\"profile\": \"sqs_standard\", \"visibility_timeout\": \"5s\", \"delivery_limit\": 3",
            "\"profile\": \"rabbitmq_quorum\", \"delivery_limit\": 3",
            "consumer.batch_size",
        ),
        (
            "\"count\": 1,",
            "\"count\": 1, \"online\": false,",
            "consumer.online",
        ),
    ] {
        assert!(text.contains(from), "{from}");
        let s = ScenarioV2::from_json(&text.replace(from, to).replace(
            "\"profile\": \"sqs_standard\" }",
            "\"profile\": \"rabbitmq_quorum\" }",
        ))
        .or_else(|_| ScenarioV2::from_json(&text.replace(from, to)))
        .expect("a valid file");
        let err = plan(&s, Millis::from_secs(30)).unwrap_err();
        assert!(
            matches!(&err, Error::File(m) if m.contains(field)),
            "{to}: {err:?}"
        );
    }
}

/// semantics.md §1.4: a FIFO resend with the same deduplication id inside the 5-minute window
/// is accepted and dropped. The plan replays each resend with the first send's id, expects it
/// `deduplicated`, and refuses a run longer than the window, which a broker cannot scale.
#[test]
fn fifo_resends_are_replayed_with_the_first_send_s_deduplication_id() {
    let p = load(&file("sqs-fifo-dedup.json"), None).expect("plan");
    let dups: Vec<_> = p
        .expected
        .iter()
        .filter(|e| e.facts.place == "deduplicated")
        .collect();
    assert!(!dups.is_empty(), "the seed makes at least one resend");
    for d in &dups {
        let original = p.resend_of[&d.id];
        let first = p
            .expected
            .iter()
            .find(|e| e.id == original)
            .expect("the first send");
        assert_eq!(
            (first.facts.place.as_str(), first.facts.delivered),
            ("processed", 1)
        );
        let at = |id| p.publishes.iter().find(|x| x.id == id).map(|x| x.at);
        assert_eq!(
            at(d.id),
            at(original),
            "resent at once, as the engine's producer does"
        );
    }
    let s = read(&file("sqs-fifo-dedup.json")).expect("file");
    let err = plan(&s, Millis::from_mins(6)).unwrap_err();
    assert!(
        matches!(&err, Error::File(m) if m.contains("duplicate_share") && m.contains("5-minute")),
        "{err:?}"
    );
}
