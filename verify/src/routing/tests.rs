//! The routing check's engine side and its refusals; each routing fact names its section of
//! the semantics notes.

use super::*;
use crate::routing::amqp::amqp_value;
use lapin::types::AMQPValue;
use serde_json::json;

fn file(name: &str) -> ScenarioV2 {
    crate::plan::read(&format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR")))
        .expect("the scenario reads")
}

fn places(p: &RoutingPlan) -> Vec<&str> {
    p.expected.iter().map(|e| e.facts.place.as_str()).collect()
}

/// §2.1: `*` is exactly one word and `#` zero or more; a key nothing matches is unroutable;
/// the default exchange delivers by queue name, and a name no queue has is unroutable too.
#[test]
fn topic_keys_reach_the_queues_the_bindings_name() {
    let p = plan(&file("topic-routing.json"), Millis::from_secs(30)).expect("plan");
    assert_eq!(
        places(&p),
        [
            "audit + eu-billing + kitchen", // order.pizza.eu (the producer's own key)
            "audit + bar",                  // order.drink.us
            "unroutable",                   // refund.pizza.us
            "eu-billing",                   // refund.pizza.eu
            "audit",                        // order: # matches zero words
            "audit",                        // order.pizza: * needs one word
            "audit",                        // order.pizza.eu.late: * is one word only
            "bar",                          // the default exchange, by queue name
            "unroutable",                   // the default exchange, no such queue
        ]
    );
    let default = &p.messages[7];
    assert_eq!(
        (default.exchange.as_str(), default.key.as_str()),
        ("", "bar")
    );
    let send = &p.messages[0];
    assert_eq!(
        (send.exchange.as_str(), send.key.as_str()),
        ("orders", "order.pizza.eu")
    );
    assert_eq!(p.queues.len(), 4);
    assert_eq!(p.bindings.len(), 4);
}

/// §2.7: `x-match` all and any; a header whose name starts with `x-` is ignored; the integer
/// 1 and the string "1" are different values. The headers go to the broker with their types.
#[test]
fn headers_match_by_mode_and_by_type() {
    let p = plan(&file("headers-routing.json"), Millis::from_secs(30)).expect("plan");
    assert_eq!(
        places(&p),
        ["printing + reports + v1", "printing", "unroutable"]
    );
    let h = p.messages[2]
        .headers
        .as_ref()
        .expect("a send carries its edge's attributes");
    assert_eq!(amqp_value(&h["version"]), crate::broker::text("1"));
    assert_eq!(amqp_value(&json!(1)), AMQPValue::LongLongInt(1));
    assert_eq!(amqp_value(&json!(true)), AMQPValue::Boolean(true));
}

#[test]
fn a_place_lists_each_queue_once_in_order() {
    assert_eq!(place_of(vec![]), "unroutable");
    assert_eq!(place_of(vec!["b".into(), "a".into(), "b".into()]), "a + b");
}

/// What a routing check cannot compare is refused by field, with the reason.
#[test]
fn what_would_take_copies_away_or_blur_the_match_is_refused() {
    let base = std::fs::read_to_string(format!(
        "{}/scenarios/topic-routing.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("file");
    for (from, to, field) in [
        (
            r#""bar": { "queue": { "profile": "rabbitmq_classic" } }"#,
            r#""bar": { "queue": { "profile": "rabbitmq_classic", "retention": "5s" } }"#,
            "nodes.bar.queue",
        ),
        (r#""at": "2s""#, r#""at": "1s""#, "commands[1].at"),
        (
            r#""order-service": { "producer": { "rate": 0 } }"#,
            r#""order-service": { "producer": { "rate": 1 } }"#,
            "producer.rate",
        ),
    ] {
        assert!(base.contains(from), "{from}");
        let s = ScenarioV2::from_json(&base.replace(from, to)).expect("still a valid file");
        let err = plan(&s, Millis::from_secs(30)).unwrap_err();
        assert!(
            matches!(&err, Error::File(m) if m.contains(field) && m.contains("cannot replay")),
            "{field}: {err:?}"
        );
    }
    let sns = ScenarioV2::from_json(
        r#"{ "version": 2, "name": "t", "seed": 1,
          "nodes": { "p": { "producer": { "rate": 0 } }, "t": { "router": { "type": "sns" } },
                     "q": { "queue": { "profile": "sqs_standard" } } },
          "edges": [ { "kind": "publish", "from": "p", "to": "t" },
                     { "kind": "bind", "from": "t", "to": "q" } ] }"#,
    )
    .expect("an SNS file");
    let err = plan(&sns, Millis::from_secs(30)).unwrap_err();
    assert!(
        matches!(&err, Error::File(m) if m.contains("router.type") && m.contains("SNS")),
        "{err:?}"
    );
}
