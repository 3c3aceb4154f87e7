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
/// (`x-max-length`, `x-overflow: drop-head`); reject-publish would need the publisher's nacks,
/// which a run does not replay, so it is refused by name, as is a limit on another platform.
#[test]
fn a_rabbitmq_length_limit_is_replayed_with_drop_head_only() {
    let p = plan(
        &scenario("rabbitmq_classic", r#", "max_depth": 2"#, false),
        Millis::from_secs(10),
    )
    .expect("drop-head is replayed");
    assert_eq!(p.queue.max_length, Some(2));
    for (profile, extra) in [
        (
            "rabbitmq_classic",
            r#", "max_depth": 2, "overflow": "reject_publish""#,
        ),
        ("sqs_standard", r#", "max_depth": 2"#),
    ] {
        let err = plan(&scenario(profile, extra, false), Millis::from_secs(10)).unwrap_err();
        let Error::File(m) = err else {
            panic!("{profile}: not a file error")
        };
        assert!(
            m.contains("max_depth") && m.contains("drop-head"),
            "{profile}: {m}"
        );
    }
}
