//! Switching a queue's profile in the builder: the status names what changes in the new
//! platform's words and what has no equivalent there, which is left out so the system still
//! runs (semantics notes §1.3 and §2.5 for the delivery limits, §2.2 for requeueing).

use queue_planner::builder::{read, step, Built, Step};

fn pizza_shop() -> String {
    let path = format!(
        "{}/../scenarios/pizza-shop.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path).unwrap()
}

fn switch(text: &str, node: &str, profile: &str) -> Built {
    let s = Step::Set {
        node: node.into(),
        field: "profile".into(),
        value: profile.into(),
    };
    step(text, &s).unwrap_or_else(|e| panic!("{profile}: {e}"))
}

#[test]
fn a_quorum_queue_keeps_the_limit_and_says_it_delivers_once_more() {
    let built = switch(&pizza_shop(), "orders", "rabbitmq_quorum");
    let said = &built.status;
    assert!(
        said.starts_with("orders follows RabbitMQ quorum queue now. What changes: "),
        "{said}"
    );
    // §2.5: a quorum queue dead-letters once the limit is exceeded; SQS at the count (§1.3).
    assert!(
        said.contains("the delivery limit is x-delivery-limit 3, which delivers 4 times"),
        "{said}"
    );
    assert!(said.contains("the lock on a delivery is consumer_timeout, default 30m00s (was VisibilityTimeout, default 30 s)"), "{said}");
    // §2.2: a nack with requeue comes back at once, in order.
    assert!(
        said.contains("a failed message comes back at once"),
        "{said}"
    );
    assert!(
        said.contains("messages are handed out strictly in order"),
        "{said}"
    );
    assert!(
        said.contains("expired and dropped messages are dead-lettered"),
        "{said}"
    );
    assert!(!said.contains("No equivalent"), "{said}");
    assert!(said.ends_with("It runs on the canvas."), "{said}");
    let file = read(&built.text).unwrap();
    let json = serde_json::to_value(&file.topology.nodes[1].1).unwrap();
    assert_eq!(json["queue"]["delivery_limit"], 3);
}

#[test]
fn a_classic_queue_has_no_delivery_limit_so_the_limit_is_left_out_and_said() {
    let built = switch(&pizza_shop(), "orders", "rabbitmq_classic");
    let said = &built.status;
    assert!(
        said.contains("No equivalent, so left out: delivery_limit 3 (RabbitMQ classic queue has no delivery limit"),
        "{said}"
    );
    let file = read(&built.text).unwrap();
    let json = serde_json::to_value(&file.topology.nodes[1].1).unwrap();
    assert!(
        json["queue"].get("delivery_limit").is_none(),
        "{}",
        built.text
    );
}

#[test]
fn a_value_outside_the_new_range_is_left_out_and_the_range_named() {
    let text = step(
        &pizza_shop(),
        &Step::Set {
            node: "orders".into(),
            field: "visibility_timeout".into(),
            value: "2s".into(),
        },
    )
    .unwrap()
    .text;
    // Pub/Sub's ackDeadlineSeconds starts at 10 s (§6).
    let said = switch(&text, "orders", "pubsub").status;
    assert!(said.contains("No equivalent, so left out: visibility_timeout 2 s (ackDeadlineSeconds takes 10 s to 10m00s)"), "{said}");
}

#[test]
fn switching_between_the_sqs_profiles_says_only_what_differs() {
    let built = switch(&pizza_shop(), "replies", "sqs_fifo");
    // The same lock, limit and retention: nothing in those to say.
    assert!(!built.status.contains("the lock"), "{}", built.status);
    assert!(!built.status.contains("delivery limit"), "{}", built.status);
    assert!(
        built
            .status
            .starts_with("replies follows Amazon SQS FIFO queue now. Nothing else changes."),
        "{}",
        built.status
    );
}

#[test]
fn a_limit_the_queue_was_not_given_is_not_said_as_one() {
    // replies sets no limit: the switch claims none (the form names the new default).
    let said = switch(&pizza_shop(), "replies", "rabbitmq_quorum").status;
    assert!(!said.contains("delivery limit"), "{said}");
    assert!(
        said.contains("a failed message comes back at once"),
        "{said}"
    );
}

#[test]
fn a_switch_the_platform_refuses_names_why_and_changes_nothing() {
    let s = Step::Set {
        node: "orders-dlq".into(),
        field: "profile".into(),
        value: "sqs_fifo".into(),
    };
    let refused = step(&pizza_shop(), &s).unwrap_err();
    assert!(
        refused.contains("SQS dead-letter queues match their source's type"),
        "{refused}"
    );
}
