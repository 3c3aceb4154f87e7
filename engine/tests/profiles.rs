//! Queue profiles: each platform's names, defaults, limits and way of counting deliveries,
//! run through the engine. Every test names the section of the project's semantics reference
//! (`shared/reference/semantics.md`) that states the fact.

mod common;

use queue_engine::topology::profile::QueueProfile;
use queue_engine::{EventKind, Millis, ScenarioError, ScenarioV2};
use serde_json::{json, Value};

/// Orders that always fail, a queue of the given settings, and a dead-letter queue.
fn failing(queue: Value, with_dlq: bool) -> Value {
    let mut nodes = json!({
        "order-service": { "producer": { "rate": 0 } },
        "orders": { "queue": queue },
        "kitchen": { "consumer": { "failure_rate": 1.0, "processing": { "mean": "10ms" } } }
    });
    let mut edges = vec![
        json!({ "kind": "publish", "from": "order-service", "to": "orders" }),
        json!({ "kind": "subscribe", "from": "orders", "to": "kitchen" }),
    ];
    if with_dlq {
        let profile = queue
            .get("profile")
            .cloned()
            .unwrap_or(json!("sqs_standard"));
        nodes["dead"] = json!({ "queue": { "profile": profile } });
        edges.push(json!({ "kind": "dead_letter", "from": "orders", "to": "dead" }));
    }
    json!({
        "version": 2, "seed": 3, "nodes": nodes, "edges": edges,
        "limits": { "event_log": 100000 },
        "commands": [{ "at": "1s", "node": "order-service", "do": { "type": "send" } }]
    })
}

fn load(value: Value) -> Result<ScenarioV2, ScenarioError> {
    ScenarioV2::from_json(&value.to_string())
}

/// How many times the one order was delivered, and whether it reached the dead-letter queue.
fn deliveries(value: Value, until: Millis) -> (usize, bool) {
    let mut sim = common::OneQueue::new(load(value).unwrap().lower().unwrap()).unwrap();
    let events = common::run(&mut sim, until);
    let received = common::count(&events, |k| matches!(k, EventKind::Received { .. }));
    let dead = common::count(&events, |k| matches!(k, EventKind::DeadLettered { .. }));
    (received, dead == 1)
}

fn field_error(value: Value) -> (String, String, String) {
    common::v2_field_error(&value)
}

/// semantics.md §1.3: a message moves to the DLQ once its receive count exceeds
/// maxReceiveCount, so maxReceiveCount 3 means 3 receives.
#[test]
fn sqs_max_receive_count_3_receives_3_times() {
    let q = json!({ "profile": "sqs_standard", "delivery_limit": 3, "visibility_timeout": "1s" });
    assert_eq!(
        deliveries(failing(q, true), Millis::from_mins(1)),
        (3, true)
    );
}

/// semantics.md §2.5: a quorum queue dead-letters once x-delivery-limit is exceeded, so a limit
/// of 3 delivers 4 times; and §2.2: a rejected message is requeued at once, not after a timeout.
#[test]
fn quorum_delivery_limit_3_delivers_4_times_requeueing_at_once() {
    let q = json!({ "profile": "rabbitmq_quorum", "delivery_limit": 3 });
    let (n, dead) = deliveries(failing(q.clone(), true), Millis::from_mins(1));
    assert_eq!((n, dead), (4, true));
    // Requeue is immediate: all four deliveries happen within a second of the send, where an
    // SQS queue would wait out a 30 s visibility timeout between them.
    assert_eq!(
        deliveries(failing(q, true), Millis::from_secs(2)),
        (4, true)
    );
}

/// semantics.md §2.5: the quorum default is 20 since RabbitMQ 4.0, so 21 deliveries.
#[test]
fn quorum_default_delivery_limit_is_20() {
    let q = json!({ "profile": "rabbitmq_quorum" });
    assert_eq!(
        deliveries(failing(q, true), Millis::from_mins(1)),
        (21, true)
    );
    assert_eq!(
        QueueProfile::RabbitmqQuorum.delivery_limit().unwrap().name,
        "x-delivery-limit"
    );
}

/// semantics.md §2.3 ("Missing DLX: message silently dropped") and §2.5 ("exceeded → dropped
/// or dead-lettered"): a quorum queue with x-delivery-limit 3 and no dead-letter target delivers
/// the message 4 times, then drops it; nothing reaches a DLQ and nothing loops on.
#[test]
fn quorum_without_a_dead_letter_target_drops_at_the_limit() {
    let q = json!({ "profile": "rabbitmq_quorum", "delivery_limit": 3 });
    let mut sim = common::OneQueue::new(load(failing(q, false)).unwrap().lower().unwrap()).unwrap();
    let events = common::run(&mut sim, Millis::from_mins(1));
    let received = common::count(&events, |k| matches!(k, EventKind::Received { .. }));
    let dropped: Vec<_> = events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::DroppedAtLimit { msg, deliveries } => Some((msg, deliveries)),
            _ => None,
        })
        .collect();
    assert_eq!(received, 4);
    assert_eq!(dropped.len(), 1, "{dropped:?}");
    assert_eq!(dropped[0].1, 4);
    assert!(events
        .iter()
        .all(|e| !matches!(e.kind, EventKind::DeadLettered { .. })));
    let counts = sim.counts();
    assert_eq!(
        (counts.dropped, counts.visible, counts.in_flight),
        (1, 0, 0)
    );
    let describe = events
        .iter()
        .find(|e| matches!(e.kind, EventKind::DroppedAtLimit { .. }))
        .unwrap()
        .describe();
    assert!(
        describe.contains("4 deliveries") && describe.contains("no dead-letter"),
        "{describe}"
    );
}

/// semantics.md §2.5: with no limit given, a quorum queue still has one (20 since 4.0), so a
/// poison message without a dead-letter target is dropped after 21 deliveries, not looped for
/// ever as on a classic queue.
#[test]
fn quorum_without_a_dead_letter_target_drops_after_the_default_21_deliveries() {
    let q = json!({ "profile": "rabbitmq_quorum" });
    let mut sim = common::OneQueue::new(load(failing(q, false)).unwrap().lower().unwrap()).unwrap();
    let events = common::run(&mut sim, Millis::from_mins(1));
    assert_eq!(
        common::count(&events, |k| matches!(k, EventKind::Received { .. })),
        21
    );
    assert_eq!(
        common::count(&events, |k| matches!(
            k,
            EventKind::DroppedAtLimit { deliveries: 21, .. }
        )),
        1
    );
}

/// The lowered form cannot hold both ways out at once: a DLQ moves, `max_deliveries` drops.
#[test]
fn a_queue_with_a_dlq_has_no_drop_limit() {
    let mut sc = load(failing(json!({ "profile": "rabbitmq_quorum" }), true))
        .unwrap()
        .lower()
        .unwrap();
    assert_eq!(sc.queue.max_deliveries, None);
    sc.queue.max_deliveries = Some(4);
    let err = common::OneQueue::new(sc)
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("queue.max_deliveries"), "{err}");
}

/// semantics.md §2.5 and §2.6: classic queues have no delivery limit (requeue loops are
/// unbounded), and x-max-retries is not a RabbitMQ argument.
#[test]
fn classic_queues_have_no_delivery_limit_and_requeue_for_ever() {
    let (path, expected, given) = field_error(failing(
        json!({ "profile": "rabbitmq_classic", "delivery_limit": 3 }),
        false,
    ));
    assert_eq!(path, "nodes.orders.queue.delivery_limit");
    assert!(
        expected.contains("no delivery limit") && expected.contains("x-max-retries"),
        "{expected}"
    );
    assert_eq!(given, "3");
    let (n, dead) = deliveries(
        failing(json!({ "profile": "rabbitmq_classic" }), false),
        Millis::from_secs(10),
    );
    assert!(n > 100 && !dead, "{n} deliveries");
}

/// semantics.md §7: Service Bus's MaxDeliveryCount defaults to 10, past it the message goes to
/// the queue's own `$deadletterqueue` (no edge needed), and an abandon (a failure) makes it
/// deliverable again at once.
#[test]
fn service_bus_dead_letters_after_max_delivery_count_into_its_own_sub_queue() {
    let s = load(failing(json!({ "profile": "service_bus" }), false)).unwrap();
    let lowered = s.lower().unwrap();
    let dlq = lowered.dlq.as_ref().unwrap();
    assert_eq!(dlq.name, "orders/$deadletterqueue");
    assert_eq!(dlq.max_receive_count, 10);
    assert_eq!(
        deliveries(
            failing(json!({ "profile": "service_bus" }), false),
            Millis::from_secs(5)
        ),
        (10, true)
    );
}

/// semantics.md §7: MaxDeliveryCount "can't be disabled". A command that would turn the limit
/// off on a Service Bus queue is refused with the setting's own name, and the queue keeps its
/// limit; the same command on an SQS queue (a DLQ policy is optional, §1.3) is taken.
#[test]
fn service_bus_max_delivery_count_cannot_be_turned_off() {
    let off = queue_engine::Command::SetMaxReceiveCount { count: None };
    let bus = load(failing(json!({ "profile": "service_bus" }), false))
        .unwrap()
        .lower()
        .unwrap();
    let err = off.validate("commands[0].do", &bus).unwrap_err();
    let ScenarioError::Field {
        path,
        expected,
        given,
    } = &err
    else {
        panic!("{err}");
    };
    assert_eq!(path, "commands[0].do.count");
    assert!(
        expected.contains("MaxDeliveryCount") && expected.contains("cannot be turned off"),
        "{expected}"
    );
    assert_eq!(given, "none (off)");
    let mut no_dlq = bus.clone();
    no_dlq.dlq = None;
    assert_eq!(
        no_dlq.validate().unwrap_err(),
        QueueProfile::limit_off_error("dlq.max_receive_count".into())
    );
    let sqs = load(failing(json!({ "profile": "sqs_standard" }), true))
        .unwrap()
        .lower()
        .unwrap();
    assert!(off.validate("commands[0].do", &sqs).is_ok());
}

/// semantics.md §7: LockDuration defaults to 60 s and is at most 5 minutes; the error names
/// the platform's own setting.
#[test]
fn service_bus_lock_duration_is_at_most_5_minutes() {
    let s = load(failing(json!({ "profile": "service_bus" }), false)).unwrap();
    assert_eq!(
        s.lower().unwrap().queue.visibility_timeout,
        Millis::from_secs(60)
    );
    let q = json!({ "profile": "service_bus", "visibility_timeout": "10m" });
    let (path, expected, given) = field_error(failing(q, false));
    assert_eq!(path, "nodes.orders.queue.visibility_timeout");
    assert!(
        expected.contains("LockDuration") && expected.contains("5m00s"),
        "{expected}"
    );
    assert_eq!(given, "10m00s");
    // The README quotes this very message.
    let message = load(failing(
        json!({ "profile": "service_bus", "visibility_timeout": "10m" }),
        false,
    ))
    .unwrap_err()
    .to_string();
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    assert!(
        readme.contains(&format!("`{message}`")),
        "README should quote: {message}"
    );
    // The same ten minutes are a valid SQS visibility timeout (§1.1: up to 12 h).
    let q = json!({ "profile": "sqs_standard", "visibility_timeout": "10m" });
    assert!(load(failing(q, false)).is_ok());
}

/// semantics.md §6: ackDeadlineSeconds defaults to 10 s (10 to 600), maxDeliveryAttempts to 5
/// (5 to 100) and exists only in a dead-letter policy.
#[test]
fn pubsub_ack_deadline_and_delivery_attempts() {
    let s = load(failing(json!({ "profile": "pubsub" }), true)).unwrap();
    let lowered = s.lower().unwrap();
    assert_eq!(lowered.queue.visibility_timeout, Millis::from_secs(10));
    assert_eq!(
        deliveries(
            failing(json!({ "profile": "pubsub" }), true),
            Millis::from_secs(5)
        ),
        (5, true)
    );
    let (path, expected, _) = field_error(failing(
        json!({ "profile": "pubsub", "delivery_limit": 4 }),
        true,
    ));
    assert_eq!(path, "nodes.orders.queue.delivery_limit");
    assert!(
        expected.contains("5 to 100") && expected.contains("maxDeliveryAttempts"),
        "{expected}"
    );
    let (path, expected, _) = field_error(failing(
        json!({ "profile": "pubsub", "delivery_limit": 7 }),
        false,
    ));
    assert_eq!(path, "nodes.orders.queue.delivery_limit");
    assert!(expected.contains("dead_letter edge"), "{expected}");
    let q = json!({ "profile": "pubsub", "visibility_timeout": "5s" });
    assert!(field_error(failing(q, true))
        .1
        .contains("ackDeadlineSeconds"));
}

/// semantics.md §6: a subscription keeps a message for `messageRetentionDuration`, 10 minutes
/// to 31 days, where an SQS queue keeps one 14 days at most (§1.1 `MessageRetentionPeriod`).
#[test]
fn pubsub_keeps_messages_up_to_31_days_and_sqs_up_to_14() {
    let q = |profile: &str, secs: u64| {
        failing(
            json!({ "profile": profile, "retention": format!("{secs}s") }),
            false,
        )
    };
    let s = load(q("pubsub", 31 * 86_400)).unwrap();
    assert_eq!(
        s.lower().unwrap().queue.retention,
        Millis::from_secs(31 * 86_400)
    );
    let (path, expected, _) = field_error(q("pubsub", 32 * 86_400));
    assert_eq!(path, "nodes.orders.queue.retention");
    assert!(expected.contains("messageRetentionDuration"), "{expected}");
    assert!(load(q("sqs_standard", 14 * 86_400)).is_ok());
    let (path, expected, _) = field_error(q("sqs_standard", 15 * 86_400));
    assert_eq!(path, "nodes.orders.queue.retention");
    assert!(expected.contains("MessageRetentionPeriod"), "{expected}");
}

/// semantics.md §6: a Pub/Sub dead-letter subscription keeps its messages up to 31 days too,
/// like the subscription it takes them from.
#[test]
fn a_pubsub_dead_letter_subscription_keeps_messages_up_to_31_days() {
    let mut file = failing(json!({ "profile": "pubsub", "delivery_limit": 5 }), true);
    file["nodes"]["dead"]["queue"]["retention"] = json!("2678400s");
    let lowered = load(file.clone()).unwrap().lower().unwrap();
    assert_eq!(
        lowered.dlq.unwrap().retention,
        Millis::from_secs(31 * 86_400)
    );
    file["nodes"]["dead"]["queue"]["retention"] = json!("2678401s");
    let (path, expected, _) = field_error(file);
    assert_eq!(path, "nodes.dead.queue.retention");
    assert!(expected.contains("messageRetentionDuration"), "{expected}");
}

/// semantics.md §8 (ActiveMQ Classic): the client's RedeliveryPolicy allows 6 redeliveries
/// (7 deliveries), 1 s apart with no back-off by default, then the shared ActiveMQ.DLQ.
#[test]
fn activemq_redelivers_6_times_1_s_apart_then_uses_activemq_dlq() {
    let s = load(failing(json!({ "profile": "activemq" }), false)).unwrap();
    assert_eq!(s.lower().unwrap().dlq.unwrap().name, "orders/ActiveMQ.DLQ");
    let q = || failing(json!({ "profile": "activemq" }), false);
    assert_eq!(deliveries(q(), Millis::from_secs(30)), (7, true));
    // 1 s between redeliveries: after 4 s only the first few have happened.
    let (early, dead) = deliveries(q(), Millis(4_500));
    assert!(
        !dead && (4..=5).contains(&early),
        "{early} deliveries by 4.5 s"
    );
}

/// The time of the failure that used up the limit, and of the move to the DLQ.
fn last_failure_and_dead_letter(value: Value) -> (Millis, Millis) {
    let mut sim = common::OneQueue::new(load(value).unwrap().lower().unwrap()).unwrap();
    let events = common::run(&mut sim, Millis::from_mins(2));
    let at = |f: &dyn Fn(&EventKind) -> bool| {
        events
            .iter()
            .rev()
            .find(|e| f(&e.kind))
            .map(|e| e.t)
            .expect("happened")
    };
    (
        at(&|k| matches!(k, EventKind::Failed { .. })),
        at(&|k| matches!(k, EventKind::DeadLettered { .. })),
    )
}

/// semantics.md §8 (ActiveMQ Classic): once the redeliveries are used up the client sends a
/// poison ack and the broker moves the message to ActiveMQ.DLQ at once, with no last delay
/// (qsim-verify found it there 16 ms after the final nack on 5.17.2); §2.5: a quorum queue
/// dead-letters a message returned more times than its limit when it is returned. SQS instead
/// moves it when a later receive finds its count used up (§1.3), one visibility timeout later.
#[test]
fn brokers_dead_letter_at_the_last_failure_and_sqs_at_the_next_receive() {
    let (failed, dead) =
        last_failure_and_dead_letter(failing(json!({ "profile": "activemq" }), false));
    assert_eq!(dead, failed, "ActiveMQ: at the poison ack");
    let quorum = json!({ "profile": "rabbitmq_quorum", "delivery_limit": 3 });
    let (failed, dead) = last_failure_and_dead_letter(failing(quorum, true));
    assert_eq!(dead, failed, "quorum: when returned past the limit");
    let sqs = json!({ "profile": "sqs_standard", "delivery_limit": 3, "visibility_timeout": "5s" });
    let (failed, dead) = last_failure_and_dead_letter(failing(sqs, true));
    assert!(
        dead.0 >= failed.0 + 4_000,
        "SQS: on the receive after the timeout ({failed} -> {dead})"
    );
}

/// semantics.md §1.3: a FIFO queue needs a FIFO dead-letter queue, a standard one a standard.
#[test]
fn an_sqs_dead_letter_queue_matches_its_source_type() {
    let mut file = failing(json!({ "profile": "sqs_fifo", "delivery_limit": 3 }), true);
    file["nodes"]["dead"]["queue"]["profile"] = json!("sqs_standard");
    let (path, expected, given) = field_error(file);
    assert_eq!(path, "nodes.dead.queue.profile");
    assert!(expected.contains("\"sqs_fifo\""), "{expected}");
    assert_eq!(given, "\"sqs_standard\"");
}

/// semantics.md §1.3: maxReceiveCount lives in the redrive policy, so without a dead-letter
/// queue there is no limit to set; the default (10) applies once there is one.
#[test]
fn an_sqs_limit_needs_a_dead_letter_queue_and_defaults_to_10() {
    let (path, expected, _) = field_error(failing(
        json!({ "profile": "sqs_standard", "delivery_limit": 3 }),
        false,
    ));
    assert_eq!(path, "nodes.orders.queue.delivery_limit");
    assert!(expected.contains("dead_letter edge"), "{expected}");
    let s = load(failing(json!({ "profile": "sqs_standard" }), true)).unwrap();
    assert_eq!(s.lower().unwrap().dlq.unwrap().max_receive_count, 10);
}

/// Every profile knows its own name for each setting, or says it has none.
#[test]
fn every_profile_names_its_settings() {
    for p in QueueProfile::ALL {
        assert!(!p.label().is_empty());
        assert_eq!(
            serde_json::to_value(p).unwrap(),
            p.id(),
            "the file name is the id"
        );
        assert!(!p.visibility().name.is_empty());
        let l = p.visibility();
        assert!(l.min <= l.default && l.default <= l.max, "{p:?}");
        if let Some(l) = p.delivery_limit() {
            assert!(l.min <= l.default && l.default <= l.max, "{p:?}");
            assert!(p.deliveries(l.default) >= l.default);
        }
    }
}

/// A command speaks the profile's language too: "set the delivery limit to 3" on a quorum queue
/// is x-delivery-limit 3, four deliveries (semantics notes §2.5), and a new lock on a Service
/// Bus queue is held to LockDuration's 5 minutes (§7).
#[test]
fn commands_are_read_in_the_queues_own_terms() {
    let mut file = failing(
        json!({ "profile": "rabbitmq_quorum", "delivery_limit": 10 }),
        true,
    );
    file["commands"] = json!([
        { "at": "0s", "node": "orders", "do": { "type": "set_max_receive_count", "count": 3 } },
        { "at": "1s", "node": "order-service", "do": { "type": "send" } }
    ]);
    assert_eq!(deliveries(file.clone(), Millis::from_secs(5)), (4, true));
    // The world reads it the same way.
    let s = load(file).unwrap();
    let plan = s.plan().unwrap();
    assert!(plan
        .commands
        .iter()
        .any(|c| c.command == queue_engine::Command::SetMaxReceiveCount { count: Some(4) }));

    let mut file = failing(json!({ "profile": "service_bus" }), false);
    file["commands"] = json!([
        { "at": "0s", "node": "orders", "do": { "type": "set_visibility_timeout", "timeout": "10m" } }
    ]);
    let (path, expected, _) = field_error(file);
    assert_eq!(path, "commands[0].do.timeout");
    assert!(expected.contains("LockDuration"), "{expected}");
}

/// semantics.md §2.2: a requeued message goes back to its original position, so on a classic
/// queue with one consumer a poison message at the head is delivered again and again and the
/// order behind it waits (RabbitMQ 3.10.8 does exactly this: verify/scenarios/
/// classic-head-of-line.json). An SQS standard queue's best-effort order lets it through.
#[test]
fn a_requeued_message_at_the_head_of_a_rabbitmq_queue_blocks_the_next_one() {
    let run = |profile: &str| {
        let mut file = failing(json!({ "profile": profile }), false);
        file["nodes"]["kitchen"]["consumer"]["failure_rate"] = json!(0.0);
        file["commands"] = json!([
            { "at": "1s", "node": "order-service", "do": { "type": "send", "payload": "poison" } },
            { "at": "1s", "node": "order-service", "do": { "type": "send" } }
        ]);
        let mut sim = common::OneQueue::new(load(file).unwrap().lower().unwrap()).unwrap();
        sim.advance_to(Millis::from_secs(10));
        sim.counts().processed
    };
    assert_eq!(
        run("rabbitmq_classic"),
        0,
        "the good order waits behind the poison pill"
    );
    assert_eq!(
        run("rabbitmq_quorum"),
        1,
        "a quorum queue blocks only until the poison reaches its default limit (21 deliveries, \
         §2.5) and is dropped, having no dead-letter target (§2.3); then the order goes through"
    );
    assert_eq!(
        run("sqs_standard"),
        1,
        "SQS standard: best-effort order lets it through"
    );
}

/// semantics.md §2.4: a RabbitMQ queue with `x-max-length` drops its oldest ready message by
/// default (`x-overflow: drop-head`); `reject-publish` refuses the publish instead, and the
/// publisher hears a nack.
#[test]
fn a_full_rabbitmq_queue_drops_its_head_unless_told_to_reject() {
    let run = |overflow: Option<&str>| {
        let mut q = json!({ "profile": "rabbitmq_classic", "max_depth": 3 });
        if let Some(o) = overflow {
            q["overflow"] = json!(o);
        }
        let mut file = failing(q, false);
        file["nodes"]["kitchen"]["consumer"]["count"] = json!(0);
        file["nodes"]["order-service"]["producer"]["rate"] = json!(10);
        let mut sim = common::OneQueue::new(load(file).unwrap().lower().unwrap()).unwrap();
        sim.advance_to(Millis::from_secs(1));
        let c = sim.counts();
        (c.visible, c.dropped, c.producer_errors)
    };
    let (ready, dropped, refused) = run(None);
    assert_eq!((ready, refused), (3, 0));
    assert!(dropped >= 8, "{dropped} dropped from the head");
    let (ready, dropped, refused) = run(Some("reject_publish"));
    assert_eq!((ready, dropped), (3, 0));
    assert!(refused >= 8, "{refused} publishes refused");
}

/// Lowering keeps the platform: a Pub/Sub, Service Bus or ActiveMQ queue does not become an
/// SQS queue on the way to the engine (which would count its deliveries as SQS does, §1.3,
/// and be shown under SQS's names), and SQS's two types stay one `kind` apart.
#[test]
fn lowering_keeps_each_queues_profile() {
    for p in QueueProfile::ALL {
        let lowered = load(failing(json!({ "profile": p.id() }), true))
            .and_then(|s| s.lower())
            .unwrap_or_else(|e| panic!("{p:?}: {e}"));
        assert_eq!(lowered.queue.profile(), p);
        assert_eq!(
            lowered.queue.limit_at_return(),
            p.limit_at_return(),
            "{p:?}"
        );
        // Read back from the engine's own form, as the page reads a built-in system.
        let json = serde_json::to_string(&lowered).unwrap();
        let reread = queue_engine::Scenario::from_json(&json).unwrap();
        assert_eq!(reread.queue.profile(), p, "{json}");
    }
}
