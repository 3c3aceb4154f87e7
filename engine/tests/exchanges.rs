//! RabbitMQ routing, as its documentation states it: direct, fanout and topic exchanges, the
//! default exchange, unroutable messages counted, and dead-lettering that records why in
//! `x-death` (rejected, expired, maxlen, delivery_limit).

use queue_engine::routing::{
    topic_matches, Broker, DeathReason, ExchangeKind, Overflow, QueueArgs, Routed,
};
use queue_engine::Millis;

#[test]
fn topic_keys_match_word_by_word_with_star_and_hash() {
    // The examples of the RabbitMQ topic tutorial.
    for (pattern, key, hit) in [
        ("*.orange.*", "quick.orange.rabbit", true),
        ("*.*.rabbit", "quick.orange.rabbit", true),
        ("*.orange.*", "lazy.orange.elephant", true),
        ("lazy.#", "lazy.orange.elephant", true),
        ("*.orange.*", "quick.orange.fox", true),
        ("lazy.#", "lazy.brown.fox", true),
        ("*.*.rabbit", "quick.brown.fox", false),
        ("*.orange.*", "orange", false),
        ("*.orange.*", "quick.orange.new.rabbit", false),
        ("lazy.#", "lazy.orange.new.rabbit", true),
        ("lazy.#", "lazy", true),
        ("#", "anything.at.all", true),
        ("#", "", true),
        ("*", "", false),
        ("video.*.uploaded", "video.hd.uploaded", true),
        ("video.#.uploaded", "video.uploaded", true),
    ] {
        assert_eq!(topic_matches(pattern, key), hit, "{pattern} vs {key}");
    }
}

fn shop() -> Broker {
    let mut b = Broker::default();
    b.declare_exchange("orders", ExchangeKind::Topic);
    b.declare_exchange("uploads", ExchangeKind::Fanout);
    b.declare_exchange("kitchen", ExchangeKind::Direct);
    for q in ["pizza", "all-orders", "transcoder", "thumbnail", "oven-1"] {
        b.declare_queue(q, QueueArgs::default());
    }
    b.bind("orders", "pizza", "order.pizza.*");
    b.bind("orders", "all-orders", "order.#");
    b.bind("uploads", "transcoder", "");
    b.bind("uploads", "thumbnail", "ignored-by-fanout");
    b.bind("kitchen", "oven-1", "oven-1");
    b
}

#[test]
fn each_exchange_kind_routes_as_documented() {
    let mut b = shop();
    let t = Millis::ZERO;
    assert_eq!(
        b.publish("orders", "order.pizza.margherita", t),
        Routed::To(vec!["pizza".into(), "all-orders".into()])
    );
    assert_eq!(
        b.publish("orders", "order.pasta", t),
        Routed::To(vec!["all-orders".into()])
    );
    assert_eq!(
        b.publish("uploads", "whatever", t),
        Routed::To(vec!["transcoder".into(), "thumbnail".into()])
    );
    assert_eq!(
        b.publish("kitchen", "oven-1", t),
        Routed::To(vec!["oven-1".into()])
    );
    // The default exchange delivers to the queue named by the key.
    assert_eq!(
        b.publish("", "thumbnail", t),
        Routed::To(vec!["thumbnail".into()])
    );
    assert_eq!(b.queue("thumbnail").unwrap().ready.len(), 2);
}

#[test]
fn a_message_no_binding_matches_is_unroutable_and_counted() {
    let mut b = shop();
    assert_eq!(
        b.publish("orders", "refund.issued", Millis::ZERO),
        Routed::Unroutable
    );
    assert_eq!(
        b.publish("kitchen", "oven-9", Millis::ZERO),
        Routed::Unroutable
    );
    assert_eq!(
        b.publish("", "no-such-queue", Millis::ZERO),
        Routed::Unroutable
    );
    assert_eq!(b.unroutable, 3);
}

fn with_dlx(args: QueueArgs) -> Broker {
    let mut b = Broker::default();
    b.declare_exchange("dlx", ExchangeKind::Fanout);
    b.declare_queue("dead", QueueArgs::default());
    b.bind("dlx", "dead", "");
    b.declare_queue(
        "work",
        QueueArgs {
            dead_letter_exchange: Some("dlx".into()),
            ..args
        },
    );
    b
}

#[test]
fn rejecting_without_requeue_dead_letters_with_reason_rejected_and_counts_repeats() {
    let mut b = with_dlx(QueueArgs::default());
    b.publish("", "work", Millis(1));
    let m = b.get("work").unwrap();
    b.reject("work", m, false, Millis(2));
    let dead = b.queue("dead").unwrap().ready[0].clone();
    assert_eq!(dead.x_death.len(), 1);
    let d = &dead.x_death[0];
    assert_eq!(
        (d.queue.as_str(), d.reason.as_str(), d.count),
        ("work", "rejected", 1)
    );
    assert_eq!(d.routing_keys, vec!["work".to_owned()]);
    // Shovel it back and reject again: the same entry counts 2, not a second entry.
    b.queues
        .iter_mut()
        .find(|q| q.name == "dead")
        .unwrap()
        .ready
        .clear();
    let mut again = dead;
    again.routing_key = "work".into();
    b.queues
        .iter_mut()
        .find(|q| q.name == "work")
        .unwrap()
        .ready
        .push_back(again);
    let m = b.get("work").unwrap();
    b.reject("work", m, false, Millis(3));
    let dead = &b.queue("dead").unwrap().ready[0];
    assert_eq!(dead.x_death.len(), 1);
    assert_eq!(dead.x_death[0].count, 2);
}

#[test]
fn expiry_happens_at_the_head_with_reason_expired() {
    let mut b = with_dlx(QueueArgs {
        ttl: Some(Millis(1000)),
        ..Default::default()
    });
    b.publish("", "work", Millis(0));
    b.publish("", "work", Millis(900));
    b.expire(Millis(1000));
    assert_eq!(
        b.queue("work").unwrap().ready.len(),
        1,
        "only the first has expired"
    );
    assert_eq!(
        b.queue("dead").unwrap().ready[0].x_death[0].reason,
        DeathReason::Expired
    );
}

#[test]
fn a_length_limit_drops_the_head_with_reason_maxlen_or_refuses_the_publish() {
    let mut b = with_dlx(QueueArgs {
        max_length: Some(2),
        ..Default::default()
    });
    for t in 0..3 {
        b.publish("", "work", Millis(t));
    }
    assert_eq!(b.queue("work").unwrap().ready.len(), 2);
    let dead = &b.queue("dead").unwrap().ready[0];
    assert_eq!(dead.id, 1, "the oldest went");
    assert_eq!(dead.x_death[0].reason.as_str(), "maxlen");

    let mut b = with_dlx(QueueArgs {
        max_length: Some(2),
        overflow: Overflow::RejectPublish,
        ..Default::default()
    });
    for t in 0..3 {
        b.publish("", "work", Millis(t));
    }
    assert_eq!(
        b.queue("work")
            .unwrap()
            .ready
            .iter()
            .map(|m| m.id)
            .collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert!(b.queue("dead").unwrap().ready.is_empty());
}

#[test]
fn a_quorum_delivery_limit_ends_a_requeue_loop_a_classic_queue_loops_for_ever() {
    let mut quorum = with_dlx(QueueArgs {
        delivery_limit: Some(3),
        ..Default::default()
    });
    quorum.publish("", "work", Millis(0));
    let mut deliveries = 0;
    while let Some(m) = quorum.get("work") {
        deliveries += 1;
        quorum.reject("work", m, true, Millis(deliveries));
        assert!(deliveries < 100);
    }
    assert_eq!(deliveries, 4, "delivered limit + 1 times");
    assert_eq!(
        quorum.queue("dead").unwrap().ready[0].x_death[0]
            .reason
            .as_str(),
        "delivery_limit"
    );

    let mut classic = with_dlx(QueueArgs::default());
    classic.publish("", "work", Millis(0));
    for i in 0..1000 {
        let m = classic.get("work").unwrap();
        classic.reject("work", m, true, Millis(i));
    }
    assert_eq!(
        classic.get("work").unwrap().deliveries,
        1001,
        "still looping"
    );
    assert!(classic.queue("dead").unwrap().ready.is_empty());
}

#[test]
fn without_a_dead_letter_exchange_a_dead_message_is_dropped() {
    let mut b = Broker::default();
    b.declare_queue("work", QueueArgs::default());
    b.publish("", "work", Millis(0));
    let m = b.get("work").unwrap();
    b.reject("work", m, false, Millis(1));
    assert_eq!(b.dropped, 1);
}

#[test]
fn the_pizza_shop_broker_shows_every_route_and_every_death() {
    use queue_engine::routing::{pizza_shop, BrokerRun, Outcome};
    let mut run = BrokerRun::new(pizza_shop());
    assert_eq!(
        run.publish("orders", "order.pizza.eu").unwrap(),
        Routed::To(vec!["kitchen".into(), "audit".into(), "eu-billing".into()])
    );
    assert_eq!(
        run.publish("orders", "order.drink.us").unwrap(),
        Routed::To(vec!["bar".into(), "audit".into()])
    );
    assert_eq!(
        run.publish("notifications", "anything").unwrap(),
        Routed::To(vec!["email".into(), "sms".into()])
    );
    assert_eq!(
        run.publish("orders", "refund.pizza.us").unwrap(),
        Routed::Unroutable
    );
    assert_eq!(run.broker.unroutable, 1);
    // Rejected by the kitchen: dead-lettered with reason rejected, keeping where it came from.
    run.consume("kitchen", Outcome::Reject).unwrap();
    let dead = &run.broker.queue("orders.dead").unwrap().ready[0];
    assert_eq!(dead.x_death[0].reason.as_str(), "rejected");
    assert_eq!(dead.x_death[0].queue, "kitchen");
    assert_eq!(dead.x_death[0].exchange, "orders");
    assert_eq!(
        dead.x_death[0].routing_keys,
        vec!["order.pizza.eu".to_string()]
    );
    // The classic bar queue has no DLX: a rejected drink is dropped.
    run.consume("bar", Outcome::Reject).unwrap();
    assert_eq!(run.broker.dropped, 1);
    // Requeued past the quorum delivery limit (2): delivery_limit.
    run.publish("orders", "order.pizza.us").unwrap();
    for _ in 0..3 {
        run.consume("kitchen", Outcome::Requeue).unwrap();
    }
    let reasons: Vec<&str> = run
        .broker
        .queue("orders.dead")
        .unwrap()
        .ready
        .iter()
        .map(|m| m.x_death[0].reason.as_str())
        .collect();
    assert_eq!(reasons, ["rejected", "delivery_limit"]);
    // Six into a queue of five: the oldest goes (maxlen); a minute later the rest expire.
    for _ in 0..6 {
        run.publish("orders", "order.pizza.us").unwrap();
    }
    assert_eq!(run.broker.queue("kitchen").unwrap().ready.len(), 5);
    run.advance_to(Millis::from_secs(61));
    assert!(run.broker.queue("kitchen").unwrap().ready.is_empty());
    let dead = &run.broker.queue("orders.dead").unwrap().ready;
    assert_eq!(dead[2].x_death[0].reason.as_str(), "maxlen");
    assert!(dead
        .iter()
        .skip(3)
        .all(|m| m.x_death[0].reason.as_str() == "expired"));
    // Each expired at its own deadline (published at 0 with a 60 s TTL), not when we looked.
    assert!(dead
        .iter()
        .skip(3)
        .all(|m| m.x_death[0].time == Millis::from_secs(60)));
    assert_eq!(dead.len(), 8);
}

#[test]
fn bad_publishes_and_empty_queues_are_refused_with_what_was_wrong() {
    use queue_engine::routing::{pizza_shop, BrokerRun, Outcome};
    let mut run = BrokerRun::new(pizza_shop());
    let e = run
        .publish("ordres", "order.pizza.eu")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("exchange") && e.contains("ordres") && e.contains("orders"),
        "{e}"
    );
    let e = run
        .publish("orders", &"k".repeat(300))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("routing key") && e.contains("255") && e.contains("300"),
        "{e}"
    );
    let e = run
        .consume("kitchen", Outcome::Ack)
        .unwrap_err()
        .to_string();
    assert!(e.contains("kitchen"), "{e}");
    assert_eq!(
        run.broker.unroutable, 0,
        "a refused publish is not a publish"
    );
}

#[test]
fn a_dead_lettered_message_is_still_the_same_cloudevent_with_its_x_death() {
    use queue_engine::envelope::Binding;
    use queue_engine::routing::{pizza_shop, BrokerRun, Outcome};
    let mut run = BrokerRun::new(pizza_shop());
    run.publish("orders", "order.pizza.eu").unwrap();
    let before = run.broker.queue("kitchen").unwrap().ready[0].envelope();
    run.advance_to(Millis::from_secs(5));
    run.consume("kitchen", Outcome::Reject).unwrap();
    let dead = &run.broker.queue("orders.dead").unwrap().ready[0];
    let after = dead.envelope();
    assert_eq!(
        after, before,
        "dead-lettering changes the headers, not the event"
    );
    assert_eq!(after.ty, "com.example.pizzashop.order.placed.v1");
    assert_eq!(after.partitionkey, "order.pizza.eu");
    let header = dead.x_death_header();
    assert!(
        header.contains("count=1, reason=rejected, queue=kitchen, exchange=orders, routing-keys=[order.pizza.eu]"),
        "{header}"
    );
    let amqp = after.binary(Binding::Amqp);
    assert!(amqp
        .metadata
        .iter()
        .any(|(k, v)| k == "cloudEvents:id" && *v == after.id));
    let parsed: cloudevents::Event =
        serde_json::from_str(&after.to_json_string()).expect("a valid CloudEvent");
    assert_eq!(cloudevents::AttributesReader::id(&parsed), after.id);
}
