//! RabbitMQ on the one world, as its documentation states it (semantics.md §2.1 to §2.5):
//! direct, fanout and topic exchanges and the default exchange, unroutable messages counted,
//! a person taking each queue's head (`basic.get`) to ack, reject or requeue it, and
//! dead-lettering that says why in `x-death` (rejected, expired, maxlen, delivery_limit).

use queue_engine::amqp::topic_matches;
use queue_engine::topology::plan::Target;
use queue_engine::{Command, Millis, MsgState, TakeOutcome, World};
use serde_json::{json, Value};

/// A world from a version 2 file's JSON.
fn world(file: Value) -> World {
    let v2 = queue_engine::ScenarioFile::from_json(&file.to_string())
        .unwrap_or_else(|e| panic!("test file is invalid: {e}"))
        .into_v2();
    World::new(v2.plan().unwrap_or_else(|e| panic!("does not plan: {e}"))).unwrap()
}

/// The pizza shop's broker as the panel runs it, without the file's scripted commands.
fn pizza() -> World {
    let text = include_str!("../../scenarios/rabbitmq-pizza.json");
    let mut file: Value = serde_json::from_str(text).unwrap();
    file.as_object_mut().unwrap().remove("commands");
    world(file)
}

fn publish(w: &mut World, exchange: &str, key: &str) -> Vec<String> {
    let c = Command::Publish {
        producer: 0,
        exchange: exchange.into(),
        key: key.into(),
    };
    w.command(Target::Producer(0), c).unwrap();
    let routed = w.last_publish().unwrap();
    routed
        .to
        .iter()
        .map(|&m| w.member_nodes(m).queue.clone())
        .collect()
}

fn member(w: &World, queue: &str) -> u16 {
    (0..w.members().len() as u16)
        .find(|&m| w.member_nodes(m).queue == queue)
        .unwrap_or_else(|| panic!("no queue {queue}"))
}

fn take(w: &mut World, queue: &str, outcome: TakeOutcome) {
    let m = member(w, queue);
    w.command(Target::Member(m), Command::Take { outcome })
        .unwrap();
}

fn ready(w: &World, queue: &str) -> u64 {
    w.members()[member(w, queue) as usize].counts().visible
}

/// The x-death reasons of everything in the queue's dead-letter queue, oldest first.
fn dead(w: &World, queue: &str) -> Vec<&'static str> {
    let m = member(w, queue);
    let sim = &w.members()[m as usize];
    sim.messages()
        .into_iter()
        .filter(|msg| matches!(msg.state(), MsgState::DeadLettered { .. }))
        .map(|msg| w.x_death(m, msg)[0].reason)
        .collect()
}

#[test]
fn topic_keys_match_word_by_word_with_star_and_hash() {
    // §2.1, with the examples of the RabbitMQ topic tutorial.
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

#[test]
fn each_exchange_kind_routes_as_documented() {
    // §2.1: topic by words, fanout ignoring the key, direct by the exact key, and the default
    // exchange to the queue the key names.
    let mut w = pizza();
    assert_eq!(
        publish(&mut w, "orders", "order.pizza.eu"),
        ["kitchen", "audit", "eu-billing"]
    );
    assert_eq!(
        publish(&mut w, "orders", "order.drink.us"),
        ["bar", "audit"]
    );
    assert_eq!(
        publish(&mut w, "notifications", "anything"),
        ["email", "sms"]
    );
    assert_eq!(publish(&mut w, "payments", "payment.failed"), ["retries"]);
    assert_eq!(publish(&mut w, "", "ledger"), ["ledger"]);
    assert_eq!(ready(&w, "audit"), 2);
    assert_eq!(ready(&w, "ledger"), 1);
    // One event, one CloudEvents id, a copy in each queue it reached.
    assert_eq!(w.sent(), 5);
}

#[test]
fn a_queue_bound_twice_gets_one_copy() {
    // §2.1: a router delivers a message to a queue once, however many bindings match.
    let mut w = world(json!({
        "version": 2, "name": "twice",
        "nodes": {
            "p": { "producer": { "rate": 0 } },
            "x": { "router": { "type": "topic" } },
            "q": { "queue": { "profile": "rabbitmq_classic" } }
        },
        "edges": [
            { "kind": "publish", "from": "p", "to": "x", "key": "a.b" },
            { "kind": "bind", "from": "x", "to": "q", "key": "a.*" },
            { "kind": "bind", "from": "x", "to": "q", "key": "#" }
        ]
    }));
    assert_eq!(publish(&mut w, "x", "a.b"), ["q"]);
    assert_eq!(ready(&w, "q"), 1);
}

#[test]
fn a_message_no_binding_matches_is_unroutable_and_counted() {
    // §2.7: without `mandatory` or an alternate exchange, it is dropped and only counted.
    let mut w = pizza();
    assert!(publish(&mut w, "orders", "refund.issued").is_empty());
    assert!(publish(&mut w, "payments", "payment.maybe").is_empty());
    assert!(publish(&mut w, "", "no-such-queue").is_empty());
    assert_eq!(w.unroutable(), 3);
}

#[test]
fn each_router_counts_what_reached_it_whoever_sent_it() {
    // The canvas draws a producer's edge into a router from this count, so it must follow
    // the exchange a person names, not the producer's own edge (which goes to `orders`).
    let mut w = pizza();
    let at = |w: &World, name: &str| {
        let r = w.routers().iter().position(|r| r.name == name).unwrap();
        w.into_router(r)
    };
    publish(&mut w, "payments", "payment.ok");
    publish(&mut w, "payments", "payment.maybe");
    publish(&mut w, "orders", "order.pizza.eu");
    assert_eq!((at(&w, "payments"), at(&w, "orders")), (2, 1));
    assert_eq!(at(&w, "notifications"), 0);
    // A producer's own sends reach every router it publishes to, once each.
    let mut q =
        world(serde_json::from_str(include_str!("../../scenarios/queue-vs-topic.json")).unwrap());
    q.advance_to(Millis::from_secs(20));
    assert!(q.sent() > 20, "sent {}", q.sent());
    assert_eq!(q.into_router(0), q.sent());
}

#[test]
fn rejecting_without_requeue_dead_letters_with_reason_rejected() {
    // §2.2 and §2.3: requeue=false dead-letters; x-death keeps where it was first sent.
    let mut w = pizza();
    publish(&mut w, "orders", "order.pizza.eu");
    w.advance_to(Millis(5));
    take(&mut w, "kitchen", TakeOutcome::Reject);
    let m = member(&w, "kitchen");
    let msg = w.members()[m as usize].message(1).unwrap();
    let x = &w.x_death(m, msg)[0];
    assert_eq!(
        (x.queue.as_str(), x.reason, x.count),
        ("kitchen", "rejected", 1)
    );
    assert_eq!(x.exchange, "orders");
    assert_eq!(x.routing_keys, ["order.pizza.eu"]);
    assert_eq!(x.time, Millis(5));
    let first = w.x_first_death(m, msg).unwrap();
    assert_eq!(first[0], ("x-first-death-queue", "kitchen".to_owned()));
    assert_eq!(first[1], ("x-first-death-reason", "rejected".to_owned()));
    assert_eq!(first[2], ("x-first-death-exchange", "orders".to_owned()));
    assert!(x.header().contains(
        "count=1, reason=rejected, queue=kitchen, exchange=orders, routing-keys=[order.pizza.eu]"
    ));
}

#[test]
fn without_a_dead_letter_exchange_a_rejected_message_is_gone() {
    // §2.3 "Missing DLX": silently dropped.
    let mut w = pizza();
    publish(&mut w, "orders", "order.drink.us");
    take(&mut w, "bar", TakeOutcome::Reject);
    let bar = &w.members()[member(&w, "bar") as usize];
    assert_eq!(bar.counts().rejected, 1);
    assert_eq!(bar.counts().dead_lettered, 0);
    assert_eq!(bar.counts().visible, 0);
}

#[test]
fn expiry_happens_at_the_head_with_reason_expired_at_its_own_deadline() {
    // §2.4: x-message-ttl 60 s; each dead-letters at its own deadline however coarse the steps.
    let mut w = pizza();
    publish(&mut w, "orders", "order.pizza.eu");
    w.advance_to(Millis::from_secs(30));
    publish(&mut w, "orders", "order.pizza.eu");
    w.advance_to(Millis::from_secs(75));
    assert_eq!(ready(&w, "kitchen"), 1, "only the first has expired");
    assert_eq!(dead(&w, "kitchen"), ["expired"]);
    let m = member(&w, "kitchen");
    let msg = w.members()[m as usize].message(1).unwrap();
    assert_eq!(w.x_death(m, msg)[0].time, Millis::from_secs(60));
    // A queue without a TTL keeps its messages.
    assert_eq!(ready(&w, "audit"), 2);
}

/// A queue file whose `orders` queue has `retention` under the given profile.
fn ttl_file(profile: &str, ttl: &str) -> Value {
    json!({
        "version": 2, "name": "ttl", "seed": 1,
        "nodes": {
            "shop": { "producer": { "rate": 0 } },
            "orders": { "queue": { "profile": profile, "retention": ttl } },
            "orders-dlq": { "queue": { "profile": profile } },
            "kitchen": { "consumer": { "count": 1, "processing": { "mean": "10s" } } }
        },
        "edges": [
            { "kind": "publish", "from": "shop", "to": "orders" },
            { "kind": "subscribe", "from": "orders", "to": "kitchen" },
            { "kind": "dead_letter", "from": "orders", "to": "orders-dlq" }
        ],
        "commands": [
            { "at": "1s", "node": "shop", "do": { "type": "send" } },
            { "at": "1.5s", "node": "shop", "do": { "type": "send" } }
        ]
    })
}

#[test]
fn a_ttl_of_two_seconds_is_a_rabbitmq_setting_but_not_an_sqs_one() {
    // §2.4: x-message-ttl is any number of milliseconds; the message behind the one the
    // consumer holds waits at the head and dead-letters at 1.5 s + 2 s.
    let v2 = queue_engine::ScenarioFile::from_json(&ttl_file("rabbitmq_classic", "2s").to_string())
        .expect("a 2 s x-message-ttl is valid")
        .into_v2();
    let mut w = World::new(v2.plan().expect("plans")).unwrap();
    w.advance_to(Millis(3_499));
    assert!(dead(&w, "orders").is_empty());
    w.advance_to(Millis(3_500));
    assert_eq!(dead(&w, "orders"), ["expired"]);
    // §1.1: SQS's MessageRetentionPeriod is at least 60 s.
    let sqs = queue_engine::ScenarioFile::from_json(&ttl_file("sqs_standard", "2s").to_string())
        .map(|f| f.into_v2().plan().map(|_| ()))
        .map_err(|e| e.to_string());
    let err = match sqs {
        Err(e) => e,
        Ok(Err(e)) => e.to_string(),
        Ok(Ok(())) => panic!("a 2 s SQS retention was accepted"),
    };
    assert!(err.contains("retention") && err.contains("1m00s"), "{err}");
}

#[test]
fn a_length_limit_drops_the_head_with_reason_maxlen_or_refuses_the_publish() {
    // §2.4: drop-head (the default) dead-letters the oldest; reject-publish refuses the new
    // one, and the publisher hears a nack.
    let mut w = pizza();
    for _ in 0..6 {
        publish(&mut w, "orders", "order.pizza.us");
    }
    assert_eq!(ready(&w, "kitchen"), 5);
    assert_eq!(dead(&w, "kitchen"), ["maxlen"]);
    let m = member(&w, "kitchen");
    let oldest = w.members()[m as usize].message(1).unwrap();
    assert!(
        matches!(oldest.state(), MsgState::DeadLettered { .. }),
        "the oldest went"
    );

    let mut w = world(json!({
        "version": 2, "name": "full",
        "nodes": {
            "p": { "producer": { "rate": 0 } },
            "work": { "queue": { "profile": "rabbitmq_classic", "max_depth": 2, "overflow": "reject_publish" } },
            "dead": { "queue": { "profile": "rabbitmq_classic" } }
        },
        "edges": [
            { "kind": "publish", "from": "p", "to": "work" },
            { "kind": "dead_letter", "from": "work", "to": "dead" }
        ]
    }));
    for _ in 0..3 {
        publish(&mut w, "", "work");
    }
    assert!(w.last_publish().unwrap().refused, "the third is nacked");
    assert_eq!(ready(&w, "work"), 2);
    assert!(dead(&w, "work").is_empty());
}

#[test]
fn a_quorum_delivery_limit_ends_a_requeue_loop_a_classic_queue_loops_for_ever() {
    // §2.5: x-delivery-limit 2 means a third delivery, then delivery_limit; a classic queue
    // has no limit at all.
    let mut w = pizza();
    publish(&mut w, "orders", "order.pizza.eu");
    let mut deliveries = 0;
    while w.members()[member(&w, "kitchen") as usize].has_ready() {
        take(&mut w, "kitchen", TakeOutcome::Requeue);
        deliveries += 1;
        assert!(deliveries < 100);
    }
    assert_eq!(deliveries, 3, "delivered limit + 1 times");
    assert_eq!(dead(&w, "kitchen"), ["delivery_limit"]);

    for _ in 0..1000 {
        take(&mut w, "audit", TakeOutcome::Requeue);
    }
    let audit = &w.members()[member(&w, "audit") as usize];
    assert_eq!(
        audit.message(1).unwrap().receive_count(),
        1000,
        "still looping"
    );
    assert_eq!(audit.counts().visible, 1);
}

#[test]
fn bad_publishes_and_empty_queues_are_refused_with_what_was_wrong() {
    let mut w = pizza();
    let refused = |w: &mut World, target, c| w.command(target, c).unwrap_err().to_string();
    let e = refused(
        &mut w,
        Target::Producer(0),
        Command::Publish {
            producer: 0,
            exchange: "ordres".into(),
            key: "order.pizza.eu".into(),
        },
    );
    assert!(
        e.contains("exchange") && e.contains("ordres") && e.contains("\"orders\""),
        "{e}"
    );
    let e = refused(
        &mut w,
        Target::Producer(0),
        Command::Publish {
            producer: 0,
            exchange: "orders".into(),
            key: "k".repeat(300),
        },
    );
    assert!(
        e.contains("key") && e.contains("255") && e.contains("300"),
        "{e}"
    );
    // The dead-letter exchange and its queue take only dead letters here.
    for (exchange, key) in [("orders.dlx", ""), ("", "orders.dead")] {
        let e = refused(
            &mut w,
            Target::Producer(0),
            Command::Publish {
                producer: 0,
                exchange: exchange.into(),
                key: key.into(),
            },
        );
        assert!(e.contains("dead-letter"), "{e}");
    }
    let kitchen = member(&w, "kitchen");
    let e = refused(
        &mut w,
        Target::Member(kitchen),
        Command::Take {
            outcome: TakeOutcome::Ack,
        },
    );
    assert!(e.contains("kitchen"), "{e}");
    assert_eq!(w.unroutable(), 0, "a refused publish is not a publish");
    assert_eq!(w.sent(), 0);
}

#[test]
fn a_dead_lettered_message_is_still_the_same_cloudevent() {
    // §10 and §2.3: dead-lettering adds headers; the event, and its id, stay.
    use queue_engine::envelope::{Binding, Envelope};
    let mut w = pizza();
    publish(&mut w, "orders", "order.pizza.eu");
    let m = member(&w, "kitchen");
    let sim = &w.members()[m as usize];
    let before = Envelope::for_message(sim.message(1).unwrap(), sim.scenario());
    take(&mut w, "kitchen", TakeOutcome::Reject);
    let sim = &w.members()[m as usize];
    let after = Envelope::for_message(sim.message(1).unwrap(), sim.scenario());
    assert_eq!(after, before);
    let audit = member(&w, "audit");
    let copy = &w.members()[audit as usize];
    let other = Envelope::for_message(copy.message(1).unwrap(), copy.scenario());
    assert_eq!(other.id, after.id, "every copy keeps the event's id");
    let amqp = after.binary(Binding::Amqp);
    assert!(amqp
        .metadata
        .iter()
        .any(|(k, v)| k == "cloudEvents:id" && *v == after.id));
}

#[test]
fn the_scripted_file_runs_the_same_as_the_clicks() {
    // The file's commands are the same publishes and takes, aimed by node name.
    let text = include_str!("../../scenarios/rabbitmq-pizza.json");
    let file: Value = serde_json::from_str(text).unwrap();
    let mut scripted = world(file);
    scripted.advance_to(Millis::from_secs(70));
    assert_eq!(scripted.unroutable(), 1);
    assert_eq!(dead(&scripted, "kitchen"), ["rejected", "expired"]);
}

#[test]
fn a_plans_routers_survive_the_page_s_json_and_bad_ones_are_refused() {
    // The page reads built-in systems as plan JSON, routers written as flat tokens.
    let text = include_str!("../../scenarios/rabbitmq-pizza.json");
    let plan = queue_engine::ScenarioFile::from_json(text)
        .unwrap()
        .into_v2()
        .plan()
        .unwrap();
    let json = serde_json::to_string(&plan).unwrap();
    let back = queue_engine::topology::plan::Plan::from_json(&json).unwrap();
    assert_eq!(back, plan);
    let dlx = back
        .routers
        .iter()
        .find(|r| r.name == "orders.dlx")
        .unwrap();
    assert!(dlx.dead_letter);
    let orders = &back.routers[0];
    assert_eq!(orders.publishers, [(Some("order.pizza.eu".to_owned()), 0)]);
    assert_eq!(orders.binds[0], (Some("order.pizza.*".to_owned()), 0));
    let mut value: Value = serde_json::from_str(&json).unwrap();
    for bad in [
        json!(["@", "x"]),
        json!(["b", "0", "=k"]),
        json!(["@", "x", "nope", "0"]),
    ] {
        value["routers"] = bad;
        let e = queue_engine::topology::plan::Plan::from_json(&value.to_string()).unwrap_err();
        assert!(e.to_string().contains("routers"), "{e}");
    }
}

#[test]
fn the_dead_letter_headers_read_as_a_client_prints_them() {
    // §2.3: x-death, newest first, then the x-first-death-* headers.
    let mut w = pizza();
    publish(&mut w, "orders", "order.pizza.eu");
    let m = member(&w, "kitchen");
    let alive = w.members()[m as usize].message(1).unwrap();
    assert_eq!(w.dead_letter_headers(m, alive), None, "not dead yet");
    take(&mut w, "kitchen", TakeOutcome::Reject);
    let msg = w.members()[m as usize].message(1).unwrap();
    let text = w.dead_letter_headers(m, msg).unwrap();
    assert!(
        text.starts_with("x-death: [{count=1, reason=rejected, queue=kitchen"),
        "{text}"
    );
    assert!(text.ends_with(
        "x-first-death-queue: kitchen\nx-first-death-reason: rejected\nx-first-death-exchange: orders"
    ), "{text}");
}
