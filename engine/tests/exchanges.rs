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
