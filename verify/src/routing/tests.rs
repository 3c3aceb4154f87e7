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
        .attributes
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
    let sns = |queue: &str, command: &str| {
        ScenarioV2::from_json(&format!(
            r#"{{ "version": 2, "name": "t", "seed": 1,
              "nodes": {{ "p": {{ "producer": {{ "rate": 0 }} }}, "t": {{ "router": {{ "type": "sns" }} }},
                         "q": {{ "queue": {{ "profile": "{queue}" }} }} }},
              "edges": [ {{ "kind": "publish", "from": "p", "to": "t" }},
                         {{ "kind": "bind", "from": "t", "to": "q" }} ],
              "commands": [ {{ "at": "1s", {command} }} ] }}"#
        ))
        .expect("an SNS file")
    };
    let send = r#""node": "p", "do": { "type": "send" }"#;
    assert!(plan(&sns("sqs_standard", send), Millis::from_secs(30)).is_ok());
    for (s, field, why) in [
        (
            sns("rabbitmq_classic", send),
            "nodes.q.queue",
            "sqs_standard",
        ),
        (sns("sqs_fifo", send), "nodes.q.queue", "FIFO topic"),
        (
            sns(
                "sqs_standard",
                r#""do": { "type": "publish", "exchange": "t", "key": "k" }"#,
            ),
            "commands[0]",
            "no routing key",
        ),
    ] {
        let err = plan(&s, Millis::from_secs(30)).unwrap_err();
        assert!(
            matches!(&err, Error::File(m) if m.contains(field) && m.contains(why)),
            "{field}: {err:?}"
        );
    }
}

/// §5: every key of a policy must match and any listed value does; `prefix`, `numeric`,
/// `anything-but` (which an absent attribute fails), list attributes element by element,
/// `$or`, and `exists: false`. A string "150" is not the number 150. A subscription without a
/// policy gets everything.
#[test]
fn sns_filter_policies_pick_the_subscriptions() {
    let p = plan(&file("sns-filter-policy.json"), Millis::from_secs(30)).expect("plan");
    assert_eq!(p.kind, RouterType::Sns);
    assert_eq!(
        places(&p),
        [
            "all-orders + big-orders + eu-pizza + gifts + no-coupon + not-test",
            "all-orders",
            "all-orders + no-coupon + vip-or-express",
            "all-orders + big-orders + no-coupon + not-test + vip-or-express",
        ]
    );
    assert_eq!(p.bindings.iter().filter(|b| b.filter.is_some()).count(), 6);
}

/// §5 (SN6): `exists: false` matches only a message with at least one attribute, so an order
/// with none reaches only the subscription without a policy (moto differs: a known difference).
#[test]
fn exists_false_needs_some_attribute() {
    let p = plan(
        &file("known-differences/sns-exists-false-without-attributes.json"),
        Millis::from_secs(30),
    )
    .expect("plan");
    assert_eq!(places(&p), ["all-orders + no-coupon", "all-orders"]);
    assert!(p.messages[1].attributes.is_none());
}

/// The attributes go to SNS with their JSON type as the data type, so "150" and 150 differ.
#[test]
fn sns_attributes_keep_their_type() {
    use super::sns::attribute;
    let typed = |v: serde_json::Value| {
        let a = attribute("a", &v).expect("an attribute");
        (
            a.data_type().to_owned(),
            a.string_value().unwrap_or("").to_owned(),
        )
    };
    assert_eq!(typed(json!("150")), ("String".into(), "150".into()));
    assert_eq!(typed(json!(150)), ("Number".into(), "150".into()));
    assert_eq!(typed(json!(100.5)), ("Number".into(), "100.5".into()));
    assert_eq!(
        typed(json!(["gift", "rush"])),
        ("String.Array".into(), r#"["gift","rush"]"#.into())
    );
    assert!(
        matches!(attribute("a", &json!(true)), Err(Error::File(m)) if m.contains("attribute a"))
    );
}
