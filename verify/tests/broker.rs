//! Against a real RabbitMQ, when `QSIM_VERIFY_BROKER` names one, a moto server (SQS), when
//! `QSIM_VERIFY_SQS` names one, ActiveMQ Classic, when `QSIM_VERIFY_ACTIVEMQ` names one, and
//! Redis, when `QSIM_VERIFY_REDIS` names one (`cargo xtask verify` starts all four privately
//! and sets them); skipped otherwise, so
//! `cargo test --workspace` needs no broker. Each SQS and ActiveMQ test names the section of
//! the semantics notes whose fact it checks on the broker.

use queue_engine::Millis;
use std::collections::BTreeMap;

use queue_verify::compare::{Expected, Facts};
use queue_verify::{activemq, broker, compare, plan, redis_streams, sqs};

fn broker_url() -> Option<String> {
    let url = std::env::var("QSIM_VERIFY_BROKER").ok();
    if url.is_none() {
        eprintln!(
            "skipped: set QSIM_VERIFY_BROKER=amqp://127.0.0.1:PORT (cargo xtask verify does)"
        );
    }
    url
}

fn scenario(name: &str) -> String {
    format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The same broker run that agrees with the engine must disagree with a deliberately wrong
/// engine result (a quorum queue with `x-delivery-limit: 3` delivers 4 times, not 3).
#[test]
fn a_real_broker_agrees_and_catches_a_wrong_engine_result() {
    let Some(url) = broker_url() else { return };
    let plan = plan::load(
        &scenario("quorum-delivery-limit.json"),
        Some(Millis::from_secs(10)),
    )
    .expect("the scenario loads");
    let observed = broker::run(&plan, &url).expect("the broker run completes");
    let right = compare::compare(&plan.expected, &observed);
    assert!(right.all_agree(), "{}", compare::render(&right));

    let mut wrong = plan.expected.clone();
    let poison = wrong
        .iter_mut()
        .find(|e| e.payload == "poison")
        .expect("the scenario sends a poison message");
    poison.facts.delivered = 3;
    let id = poison.id;
    let c = compare::compare(&wrong, &observed);
    let text = compare::render(&c);
    assert_eq!(c.differ, 1, "{text}");
    assert!(
        text.contains(&format!("msg {id}: delivered: engine 3, broker 4")),
        "{text}"
    );
}

/// semantics.md §2.3 ("Missing DLX: message silently dropped") and §2.5: a quorum queue with
/// `x-delivery-limit: 3` and no dead-letter exchange delivers the poison message 4 times, then
/// drops it, on the broker as in the engine.
#[test]
fn a_quorum_queue_without_a_dead_letter_exchange_drops_at_the_limit() {
    let Some(url) = broker_url() else { return };
    let plan = plan::load(&scenario("quorum-drop-without-dlx.json"), None).expect("loads");
    let observed = broker::run(&plan, &url).expect("the broker run completes");
    let c = compare::compare(&plan.expected, &observed);
    assert!(c.all_agree(), "{}", compare::render(&c));
    let poison = plan
        .expected
        .iter()
        .find(|e| e.payload == "poison")
        .expect("the scenario sends a poison message");
    let broker_side = &observed[&poison.id];
    assert_eq!(
        (broker_side.delivered, broker_side.place.as_str()),
        (4, "dropped")
    );
}

fn sqs_url() -> Option<String> {
    let url = std::env::var("QSIM_VERIFY_SQS").ok();
    if url.is_none() {
        eprintln!(
            "skipped: set QSIM_VERIFY_SQS=sqs+http://127.0.0.1:PORT (cargo xtask verify does)"
        );
    }
    url
}

/// Runs an SQS scenario on moto; the comparison must agree.
fn sqs_agrees(url: &str, file: &str) -> (Vec<Expected>, BTreeMap<u64, Facts>) {
    let plan = plan::load(&scenario(file), None).expect("the scenario loads");
    let observed = sqs::run(&plan, url).expect("the broker run completes");
    let c = compare::compare(&plan.expected, &observed);
    assert!(c.all_agree(), "{}", compare::render(&c));
    (plan.expected, observed)
}

fn find<'a>(e: &'a mut [Expected], payload: &str) -> &'a mut Expected {
    e.iter_mut()
        .find(|e| e.payload == payload)
        .expect("the scenario sends that payload")
}

/// Semantics notes §1.3 (DLQ and redrive): with `maxReceiveCount` 3 the poison message is
/// received 3 times, then moved. An engine that counted like a quorum queue (limit + 1
/// deliveries) must be caught.
#[test]
fn sqs_max_receive_count_3_receives_3_times_then_moves() {
    let Some(url) = sqs_url() else { return };
    let (mut expected, observed) = sqs_agrees(&url, "sqs-poison-to-dlq.json");
    let poison = find(&mut expected, "poison");
    let id = poison.id;
    assert_eq!(observed[&id].delivered, 3, "{:?}", observed[&id]);
    assert_eq!(observed[&id].place, "dead_lettered");
    poison.facts.delivered = 4;
    let c = compare::compare(&expected, &observed);
    let text = compare::render(&c);
    assert_eq!(c.differ, 1, "{text}");
    assert!(
        text.contains(&format!("msg {id}: delivered: engine 4, broker 3")),
        "{text}"
    );
}

/// Semantics notes §1.4 (FIFO, group blocking): the order behind a failing message in its
/// group is not delivered while another group flows. An engine that let the blocked order
/// through must be caught.
#[test]
fn sqs_fifo_poison_blocks_its_group_only() {
    let Some(url) = sqs_url() else { return };
    let (mut expected, observed) = sqs_agrees(&url, "sqs-fifo-group-blocking.json");
    let blocked = expected
        .iter()
        .find(|e| e.payload == "normal" && e.facts.place == "queued")
        .expect("an order blocked behind the poison")
        .id;
    assert_eq!(observed[&blocked].delivered, 0);
    let flowing: Vec<_> = observed
        .values()
        .filter(|f| f.place == "processed")
        .map(|f| f.order)
        .collect();
    assert_eq!(flowing, [Some(0), Some(1)], "the other group, in order");
    let e = expected
        .iter_mut()
        .find(|e| e.id == blocked)
        .expect("known");
    e.facts.delivered = 1;
    e.facts.processed = 1;
    e.facts.place = "processed".into();
    e.facts.order = Some(0);
    let c = compare::compare(&expected, &observed);
    assert_eq!(c.differ, 1, "{}", compare::render(&c));
    let fields: Vec<_> = c.differences.iter().map(|d| d.field).collect();
    assert_eq!(fields, ["place", "delivered", "processed", "group order"]);
}

/// Semantics notes §1.3 and §1.4: once the poison reaches the FIFO dead-letter queue after
/// `maxReceiveCount` 2 receives, its group resumes in the order sent.
#[test]
fn sqs_fifo_group_resumes_in_order_after_the_dlq() {
    let Some(url) = sqs_url() else { return };
    let (expected, observed) = sqs_agrees(&url, "sqs-fifo-dlq-unblocks.json");
    let poison = expected
        .iter()
        .find(|e| e.payload == "poison")
        .expect("sent");
    assert_eq!(
        (
            observed[&poison.id].delivered,
            observed[&poison.id].place.as_str()
        ),
        (2, "dead_lettered")
    );
}

/// Semantics notes §1.1 (`ChangeMessageVisibility`): a visibility of 0 makes the message
/// receivable at once, so the poison reaches the DLQ long before one 30 s timeout would pass.
#[test]
fn sqs_change_visibility_0_releases_at_once() {
    let Some(url) = sqs_url() else { return };
    let started = std::time::Instant::now();
    let (_, observed) = sqs_agrees(&url, "sqs-release-at-once.json");
    assert!(observed
        .values()
        .any(|f| f.place == "dead_lettered" && f.delivered == 4));
    // The scaled visibility timeout is 5 s: four waits of it would take 20 s.
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
}

/// Semantics notes §1.2 (old receipt handle on `DeleteMessage`) and the toolchain notes
/// (SQS / SNS): moto deletes with a receipt handle that a later receive superseded, where AWS
/// documents that the message "might not be deleted" and the engine keeps it. Received twice
/// and processed means the first consumer's superseded handle removed it.
#[test]
fn moto_deletes_with_a_superseded_receipt_handle() {
    let Some(url) = sqs_url() else { return };
    let plan = plan::load(
        &scenario("known-differences/sqs-stale-receipt-delete.json"),
        None,
    )
    .expect("the scenario loads");
    let observed = sqs::run(&plan, &url).expect("the broker run completes");
    let f = observed.values().next().expect("one message");
    assert_eq!((f.delivered, f.place.as_str()), (2, "processed"), "{f:?}");
    let engine = &plan.expected[0].facts;
    assert_eq!(engine.place, "queued", "the engine keeps it: {engine:?}");
    assert!(!compare::compare(&plan.expected, &observed).all_agree());
}

fn activemq_url() -> Option<String> {
    let url = std::env::var("QSIM_VERIFY_ACTIVEMQ").ok();
    if url.is_none() {
        eprintln!(
            "skipped: set QSIM_VERIFY_ACTIVEMQ=stomp://127.0.0.1:PORT (cargo xtask verify does)"
        );
    }
    url
}

/// Semantics notes §8 (ActiveMQ Classic, `RedeliveryPolicy`): `maximumRedeliveries` counts
/// *re*deliveries, so with the default 6 the poison message is delivered 7 times, then moved
/// to `ActiveMQ.DLQ`; the good ones are processed once. An engine that counted the limit as
/// deliveries (as SQS's `maxReceiveCount` does) must be caught.
#[test]
fn activemq_maximum_redeliveries_6_delivers_7_times_then_the_dlq() {
    let Some(url) = activemq_url() else { return };
    let plan = plan::load(&scenario("activemq-poison-to-dlq.json"), None).expect("loads");
    let observed = activemq::run(&plan, &url).expect("the broker run completes");
    let c = compare::compare(&plan.expected, &observed);
    assert!(c.all_agree(), "{}", compare::render(&c));
    let mut expected = plan.expected.clone();
    let poison = find(&mut expected, "poison");
    let id = poison.id;
    assert_eq!(
        (observed[&id].delivered, observed[&id].place.as_str()),
        (7, "dead_lettered")
    );
    let good: Vec<_> = observed
        .values()
        .filter(|f| f.place == "processed")
        .map(|f| (f.delivered, f.processed))
        .collect();
    assert_eq!(good, [(1, 1), (1, 1), (1, 1)]);
    poison.facts.delivered = 6;
    let c = compare::compare(&expected, &observed);
    let text = compare::render(&c);
    assert_eq!(c.differ, 1, "{text}");
    assert!(
        text.contains(&format!("msg {id}: delivered: engine 6, broker 7")),
        "{text}"
    );
}

/// Semantics notes §8 (`initialRedeliveryDelay`, `redeliveryDelay`): the failed message
/// waits out of the queue between deliveries, so the good ones flow past it, and a scenario
/// delay of 4 s runs as the broker's 1000 ms. Three deliveries (limit 2) of each poison
/// message take at least two delays: the run cannot finish before 2 × 1 s.
#[test]
fn activemq_limit_2_with_a_scaled_delay_delivers_3_times() {
    let Some(url) = activemq_url() else { return };
    let plan = plan::load(&scenario("activemq-redelivery-scaled.json"), None).expect("loads");
    assert_eq!(plan.scale, 4.0);
    let started = std::time::Instant::now();
    let observed = activemq::run(&plan, &url).expect("the broker run completes");
    let c = compare::compare(&plan.expected, &observed);
    assert!(c.all_agree(), "{}", compare::render(&c));
    let dead: Vec<_> = observed
        .values()
        .filter(|f| f.place == "dead_lettered")
        .map(|f| f.delivered)
        .collect();
    assert_eq!(dead, [3, 3]);
    assert!(
        started.elapsed().as_millis() >= 2_000,
        "{:?}",
        started.elapsed()
    );
}

/// Semantics notes §4 (Redis Streams): `XREADGROUP … >` is delivery 1, and every
/// `XAUTOCLAIM` raises the count Redis keeps in the pending entries list; the janitor moves
/// the poison entry to the dead stream when Redis counts 3. The counts compared are Redis's
/// own, read with `XPENDING`. An engine whose claim did not raise the count (as `XCLAIM …
/// JUSTID` does not) would still show 1 delivery, and must be caught.
#[test]
fn redis_xautoclaim_raises_the_delivery_count_to_the_dead_stream() {
    let Ok(url) = std::env::var("QSIM_VERIFY_REDIS") else {
        eprintln!(
            "skipped: set QSIM_VERIFY_REDIS=redis://127.0.0.1:PORT (cargo xtask verify does)"
        );
        return;
    };
    let file = scenario("redis-poison-to-dead-stream.json");
    let sc = plan::read(&file).expect("reads");
    let plan = redis_streams::plan(&sc, Millis::from_secs(30)).expect("replayable on Redis");
    let observed = redis_streams::run(&plan, &url).expect("the Redis run completes");
    let c = compare::compare(&plan.expected, &observed);
    assert!(c.all_agree(), "{}", compare::render(&c));
    let mut expected = plan.expected.clone();
    let poison = find(&mut expected, "poison");
    let id = poison.id;
    let dead = &observed[&id];
    assert_eq!((dead.delivered, dead.place.as_str()), (3, "dead_lettered"));
    assert_eq!(dead.death.as_ref().map(|d| d.count), Some(3));
    poison.facts.delivered = 1;
    let c = compare::compare(&expected, &observed);
    let text = compare::render(&c);
    assert_eq!(c.differ, 1, "{text}");
    assert!(
        text.contains(&format!("msg {id}: delivered: engine 1, broker 3")),
        "{text}"
    );
}

/// Semantics notes §4 (Redis Streams): `XADD … MAXLEN` trims regardless of the consumer
/// group. On Redis as in the engine, the two entries nobody read are lost, and the entry the
/// worker held loses its data, fails from the worker's copy, and is reported deleted and
/// dropped by the next `XAUTOCLAIM`.
#[test]
fn redis_maxlen_trims_unread_and_pending_entries_alike() {
    let Ok(url) = std::env::var("QSIM_VERIFY_REDIS") else {
        eprintln!(
            "skipped: set QSIM_VERIFY_REDIS=redis://127.0.0.1:PORT (cargo xtask verify does)"
        );
        return;
    };
    let sc = plan::read(&scenario("redis-maxlen-ignores-the-group.json")).expect("reads");
    let plan = redis_streams::plan(&sc, Millis::from_secs(30)).expect("replayable on Redis");
    let observed = redis_streams::run(&plan, &url).expect("the Redis run completes");
    let c = compare::compare(&plan.expected, &observed);
    assert!(c.all_agree(), "{}", compare::render(&c));
    let places: Vec<&str> = observed.values().map(|f| f.place.as_str()).collect();
    assert_eq!(
        places,
        [
            "trimmed_pending",
            "trimmed",
            "trimmed",
            "processed",
            "processed",
            "processed"
        ]
    );
}

/// semantics.md §2.1 and §2.7: a real topic exchange routes each key as the engine does, an
/// unroutable mandatory publish comes back, and a deliberately wrong route is reported.
#[test]
fn a_real_exchange_routes_as_the_engine_and_a_wrong_route_is_caught() {
    let Some(url) = broker_url() else { return };
    let scenario = plan::read(&scenario("topic-routing.json")).expect("the scenario reads");
    let plan = queue_verify::routing::plan(&scenario, Millis::from_secs(30)).expect("plans");
    let observed = queue_verify::routing::amqp::run(&plan, &url).expect("the run completes");
    let right = compare::compare(&plan.expected, &observed);
    assert!(right.all_agree(), "{}", compare::render(&right));
    assert!(observed.values().any(|f| f.place == "unroutable"));

    let mut wrong = plan.expected.clone();
    wrong[1].facts.place = "bar".into();
    let id = wrong[1].id;
    let c = compare::compare(&wrong, &observed);
    let text = compare::render(&c);
    assert_eq!(c.differ, 1, "{text}");
    assert!(
        text.contains(&format!("msg {id}: place: engine bar, broker audit + bar")),
        "{text}"
    );
}

/// semantics.md §5: moto's SNS delivers each message to the SQS subscriptions whose filter
/// policies accept its attributes, as the engine does, and a wrong subscription is reported.
#[test]
fn a_real_sns_topic_filters_as_the_engine_and_a_wrong_subscription_is_caught() {
    let Some(url) = sqs_url() else { return };
    let scenario = plan::read(&scenario("sns-filter-policy.json")).expect("the scenario reads");
    let plan = queue_verify::routing::plan(&scenario, Millis::from_secs(30)).expect("plans");
    let observed = queue_verify::routing::sns::run(&plan, &url).expect("the run completes");
    let right = compare::compare(&plan.expected, &observed);
    assert!(right.all_agree(), "{}", compare::render(&right));

    let mut wrong = plan.expected.clone();
    wrong[1].facts.place = "all-orders + not-test".into();
    let id = wrong[1].id;
    let c = compare::compare(&wrong, &observed);
    let text = compare::render(&c);
    assert_eq!(c.differ, 1, "{text}");
    assert!(
        text.contains(&format!(
            "msg {id}: place: engine all-orders + not-test, broker all-orders"
        )),
        "{text}"
    );
}
