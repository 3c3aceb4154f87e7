//! A planned system's Redis streams as the commands that run them the way the engine does:
//! `MAXLEN`, the consumer group, `XREADGROUP` and `XACK`, the janitor's `XAUTOCLAIM` and the
//! dead stream, each with the plan's own numbers (semantics notes §4). What is not a Redis
//! stream is refused by node.

mod common;

use queue_engine::topology::log::LogPlan;
use queue_engine::topology::plan::Plan;
use queue_engine::topology::redis::export;
use queue_engine::ScenarioV2;

fn planned(name: &str) -> Plan {
    let path = format!("{}/../scenarios/{name}", env!("CARGO_MANIFEST_DIR"));
    ScenarioV2::from_json(&std::fs::read_to_string(path).expect("readable"))
        .expect("valid")
        .plan()
        .expect("plans")
}

#[test]
fn the_redis_orders_stream_with_its_group_janitor_and_dead_stream() {
    let plan = planned("redis-orders.json");
    let LogPlan::Redis(c) = &plan.logs[0].run else {
        panic!("a Redis stream")
    };
    let text = export(&plan).expect("all Redis");
    // §4: MAXLEN trims regardless of the group; the engine trims exactly, as `=` does.
    assert!(
        text.contains(&format!("XADD orders MAXLEN = {} * order", c.max_len)),
        "{text}"
    );
    assert_eq!(c.max_len, 10_000, "the engine's default, written out");
    // §4: XGROUP CREATE … $, XREADGROUP … > and XACK, with the file's COUNT of 10.
    assert!(
        text.contains("XGROUP CREATE orders kitchen $ MKSTREAM\n"),
        "{text}"
    );
    assert!(text.contains("XREADGROUP GROUP kitchen kitchen-1 COUNT 10 STREAMS orders >\n"));
    assert!(text.contains("XACK orders kitchen <entry id>\n"));
    assert!(text.contains("Each of its 2 consumers"), "{text}");
    // §4: XAUTOCLAIM with the file's min-idle of 10 s, every 5 s.
    assert!(
        text.contains("XAUTOCLAIM orders kitchen kitchen-2 10000 0-0 COUNT 10\n"),
        "{text}"
    );
    assert!(text.contains("# Every 5 s, the janitor"), "{text}");
    // §4: no built-in DLQ: past 3 deliveries, the dead stream, and an XACK.
    assert!(
        text.contains("already delivered 3 times goes to orders:dead"),
        "{text}"
    );
    assert!(text.contains("XADD orders:dead * entry <entry id> deliveries 3\n"));
    // The producer and the consumer pool have no commands of their own here.
    assert!(!text.contains("order-service"), "{text}");
}

#[test]
fn what_is_not_a_redis_stream_is_refused_by_node() {
    let err = export(&planned("orders-log.json")).unwrap_err().to_string();
    assert!(
        err.contains("nodes.orders") && err.contains("a Kafka log"),
        "{err}"
    );
    let err = export(&planned("pizza-shop.json")).unwrap_err().to_string();
    assert!(
        err.contains("nodes.orders") && err.contains("a queue"),
        "{err}"
    );
}

#[test]
fn qsim_redis_prints_the_export_and_exits_2_naming_the_node() {
    let (status, printed, _) = common::qsim_on("redis", "redis-orders.json");
    assert_eq!(status, Some(0));
    let expected = export(&planned("redis-orders.json")).expect("all Redis");
    assert_eq!(printed.trim_end(), expected.trim_end());
    let (status, _, said) = common::qsim_on("redis", "orders-log.json");
    assert_eq!(status, Some(2));
    assert!(said.contains("orders-log.json: nodes.orders"), "{said}");
}
