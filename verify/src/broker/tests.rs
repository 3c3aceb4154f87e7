//! The RabbitMQ run's pure parts: names, queue arguments and `x-death` reading.

use super::*;
use lapin::types::FieldArray;

fn quorum() -> QueuePlan {
    QueuePlan {
        node: "orders".into(),
        max_length: None,
        reject_publish: false,
        message_ttl_ms: None,
        profile: QueueProfile::RabbitmqQuorum,
        delivery_limit: Some(3),
        dlq: Some("orders-dlq".into()),
        max_receive_count: None,
        visibility_secs: None,
        max_redeliveries: None,
    }
}

/// semantics.md §2.4: x-max-length counts ready messages and, by default, drops the head.
#[test]
fn a_length_limit_is_declared_with_drop_head() {
    let mut q = quorum();
    q.max_length = Some(2);
    let args = queue_arguments(&q, false, None);
    assert_eq!(args["x-max-length"], AMQPValue::LongLongInt(2));
    assert_eq!(args["x-overflow"], text("drop-head"));
    assert!(!queue_arguments(&quorum(), false, None).contains_key("x-max-length"));
}

#[test]
fn quorum_arguments_name_the_type_limit_and_dead_letter_target() {
    let args = queue_arguments(&quorum(), false, Some("qsim-1-0-orders-dlq"));
    assert_eq!(args["x-queue-type"], text("quorum"));
    assert_eq!(args["x-delivery-limit"], AMQPValue::LongLongInt(3));
    assert_eq!(args["x-dead-letter-exchange"], text(""));
    assert_eq!(
        args["x-dead-letter-routing-key"],
        text("qsim-1-0-orders-dlq")
    );
    assert!(!args.contains_key("x-max-retries"));
    let dlq = queue_arguments(&quorum(), true, None);
    assert_eq!(dlq["x-queue-type"], text("quorum"));
    assert!(!dlq.contains_key("x-delivery-limit"));
}

#[test]
fn classic_arguments_have_no_delivery_limit() {
    let q = QueuePlan {
        profile: QueueProfile::RabbitmqClassic,
        delivery_limit: None,
        dlq: None,
        ..quorum()
    };
    let args = queue_arguments(&q, false, None);
    assert_eq!(args["x-queue-type"], text("classic"));
    assert!(!args.contains_key("x-delivery-limit"));
    assert!(!args.contains_key("x-dead-letter-exchange"));
}

#[test]
fn names_are_unique_per_run_and_prefixed() {
    let a = Names::new(&quorum());
    let b = Names::new(&quorum());
    assert_ne!(a.queue, b.queue);
    assert!(a
        .queue
        .starts_with(&format!("qsim-{}-", std::process::id())));
    assert!(a.queue.ends_with("-orders"));
    assert_eq!(a.all().len(), 2);
}

#[test]
fn an_unreachable_broker_says_how_to_start_one() {
    let plan = crate::plan::Plan {
        name: "t".into(),
        platform: crate::plan::Platform::Rabbitmq,
        queue: quorum(),
        consumers: 1,
        processing: queue_engine::Millis(100),
        resend_of: Default::default(),
        start_at: queue_engine::Millis::ZERO,
        batch_size: 1,
        batch_window: queue_engine::Millis::ZERO,
        batch_failure: queue_engine::BatchFailure::WholeBatch,
        discard_invalid: false,
        release_at_once: false,
        until: queue_engine::Millis(1000),
        scale: 1.0,
        scaled: Vec::new(),
        publishes: Vec::new(),
        expected: Vec::new(),
    };
    // Port 1 is never a broker: the connection is refused at once.
    let Err(Error::Broker(m)) = run(&plan, "amqp://127.0.0.1:1") else {
        panic!("a broker error")
    };
    assert!(
        m.contains("cannot reach the broker at amqp://127.0.0.1:1"),
        "{m}"
    );
    assert!(m.contains("rabbitmq-server"), "{m}");
    let Err(Error::Broker(m)) = run(&plan, "amqps://127.0.0.1:5671") else {
        panic!("a broker error")
    };
    assert!(m.contains("TLS"), "{m}");
}

#[test]
fn x_death_is_read_for_the_source_queue() {
    let entry = |queue: &str, reason: &str, count: i64| {
        let mut t = FieldTable::default();
        t.insert("queue".into(), text(queue));
        t.insert("reason".into(), text(reason));
        t.insert("count".into(), AMQPValue::LongLongInt(count));
        AMQPValue::FieldTable(t)
    };
    let mut h = FieldTable::default();
    h.insert(
        "x-death".into(),
        AMQPValue::FieldArray(FieldArray::from(vec![
            entry("other", "expired", 2),
            entry("q", "delivery_limit", 1),
        ])),
    );
    assert_eq!(
        death_in(Some(&h), "q"),
        Some(Death {
            reason: "delivery_limit".into(),
            count: 1
        })
    );
    assert_eq!(death_in(Some(&h), "missing"), None);
    assert_eq!(death_in(None, "q"), None);
}
