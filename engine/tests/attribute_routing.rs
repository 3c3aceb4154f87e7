//! Routing on message attributes: SNS subscription filter policies (semantics notes §5) and
//! RabbitMQ headers exchanges (§2.1, §2.7), in the world.

use queue_engine::topology::filter::{headers_match, policy_matches};
use queue_engine::{Millis, ScenarioV2, World};
use serde_json::{json, Map, Value};

fn attrs(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

/// §5: every key must match (AND), any listed value matches (OR), attributes the policy does
/// not name are ignored, and each element of a list attribute is tried.
#[test]
fn filter_policies_and_keys_or_values_and_ignore_the_rest() {
    let policy = json!({ "store": ["eu-1", "eu-2"], "size": [{ "numeric": [">", 0, "<=", 150] }] });
    assert!(policy_matches(
        &policy,
        &attrs(json!({ "store": "eu-2", "size": 12, "color": "red" }))
    ));
    assert!(
        !policy_matches(&policy, &attrs(json!({ "store": "us-1", "size": 12 }))),
        "AND"
    );
    assert!(!policy_matches(
        &policy,
        &attrs(json!({ "store": "eu-1", "size": 151 }))
    ));
    assert!(
        !policy_matches(&policy, &attrs(json!({ "store": "eu-1" }))),
        "a missing key fails"
    );
    let tags = json!({ "tag": ["urgent"] });
    assert!(
        policy_matches(&tags, &attrs(json!({ "tag": ["late", "urgent"] }))),
        "list elements"
    );
    assert!(
        !policy_matches(&tags, &attrs(json!({ "tag": "Urgent" }))),
        "case-sensitive"
    );
}

/// §5: prefix, anything-but (values and prefix), numeric equality, exists, and $or.
#[test]
fn filter_policy_operators() {
    let m = |p: Value, a: Value| policy_matches(&p, &attrs(a));
    assert!(m(
        json!({ "s": [{ "prefix": "bl" }] }),
        json!({ "s": "blue" })
    ));
    assert!(!m(
        json!({ "s": [{ "prefix": "bl" }] }),
        json!({ "s": "red" })
    ));
    assert!(m(
        json!({ "s": [{ "anything-but": ["red", "green"] }] }),
        json!({ "s": "blue" })
    ));
    assert!(!m(
        json!({ "s": [{ "anything-but": ["red", "green"] }] }),
        json!({ "s": "red" })
    ));
    assert!(m(
        json!({ "s": [{ "anything-but": { "prefix": "re" } }] }),
        json!({ "s": "blue" })
    ));
    assert!(!m(
        json!({ "s": [{ "anything-but": { "prefix": "re" } }] }),
        json!({ "s": "red" })
    ));
    assert!(m(
        json!({ "n": [{ "numeric": ["=", 301.5] }] }),
        json!({ "n": 301.5 })
    ));
    assert!(m(json!({ "n": [301.5] }), json!({ "n": 301.5 })));
    assert!(m(json!({ "k": [{ "exists": true }] }), json!({ "k": "x" })));
    assert!(!m(
        json!({ "k": [{ "exists": true }] }),
        json!({ "j": "x" })
    ));
    // `exists: false` matches only a message that has some attribute, just not this one.
    assert!(m(
        json!({ "k": [{ "exists": false }] }),
        json!({ "j": "x" })
    ));
    assert!(!m(json!({ "k": [{ "exists": false }] }), json!({})));
    let or = json!({ "$or": [{ "a": ["1"] }, { "b": ["2"] }] });
    assert!(m(or.clone(), json!({ "b": "2" })));
    assert!(!m(or, json!({ "a": "2" })));
}

/// §5 limits: at most 5 keys and 150 combinations, numbers within ±10^9; the error names the
/// edge and says what was expected.
#[test]
fn filter_policies_are_checked_with_the_platform_limits() {
    let file = |policy: Value| {
        json!({
            "version": 2,
            "nodes": {
                "p": { "producer": {} },
                "t": { "router": { "type": "sns" } },
                "q": { "queue": {} }
            },
            "edges": [
                { "kind": "publish", "from": "p", "to": "t", "attributes": { "a": "1" } },
                { "kind": "bind", "from": "t", "to": "q", "filter": policy }
            ]
        })
    };
    let err = |policy: Value| {
        ScenarioV2::from_json(&file(policy).to_string())
            .unwrap_err()
            .to_string()
    };
    let six: Map<String, Value> = (0..6).map(|i| (format!("k{i}"), json!(["x"]))).collect();
    assert!(
        err(Value::Object(six)).contains("at most 5 keys"),
        "{}",
        err(json!({}))
    );
    let wide = json!({ "a": (0..13).map(|i| i.to_string()).collect::<Vec<_>>(),
                       "b": (0..12).map(|i| i.to_string()).collect::<Vec<_>>() });
    assert!(err(wide).contains("150"));
    assert!(err(json!({ "a": [{ "suffix": "x" }] })).starts_with("edges[1].filter.a[0]"));
    assert!(err(json!({ "a": [2e9] })).contains("1,000,000,000"));
    assert!(ScenarioV2::from_json(&file(json!({ "a": ["1"] })).to_string()).is_ok());
}

/// §2.7 (observed on RabbitMQ 3.10.8): `x-match` all or any; headers starting with `x-` take no
/// part unless the binding says `-with-x`; an integer does not match a string.
#[test]
fn headers_bindings_match_as_rabbitmq_does() {
    let h = attrs(json!({ "format": "pdf", "type": "report", "x-trace": "1", "pages": 1 }));
    assert!(headers_match(
        &attrs(json!({ "format": "pdf", "type": "report" })),
        &h
    ));
    assert!(
        !headers_match(&attrs(json!({ "format": "pdf", "type": "log" })), &h),
        "all"
    );
    assert!(headers_match(
        &attrs(json!({ "x-match": "any", "format": "zip", "type": "report" })),
        &h
    ));
    assert!(
        headers_match(&attrs(json!({ "format": "pdf", "x-trace": "2" })), &h),
        "x- ignored"
    );
    assert!(!headers_match(
        &attrs(json!({ "x-match": "all-with-x", "format": "pdf", "x-trace": "2" })),
        &h
    ));
    assert!(
        !headers_match(&attrs(json!({ "pages": "1" })), &h),
        "1 is not \"1\""
    );
    assert!(headers_match(&attrs(json!({ "pages": 1 })), &h));
}

/// In a world: an SNS topic delivers to the subscriptions whose policy the producer's
/// attributes pass; a headers exchange to the queues whose bindings match; the rest is
/// unroutable only when nothing matched at all.
#[test]
fn attribute_routing_in_a_world() {
    let text = r#"{
      "version": 2, "seed": 2,
      "nodes": {
        "eu-shop": { "producer": { "rate": 1 } },
        "us-shop": { "producer": { "rate": 1 } },
        "reports": { "producer": { "rate": 1 } },
        "orders": { "router": { "type": "sns" } },
        "docs": { "router": { "type": "headers" } },
        "eu-billing": { "queue": {} },
        "big-orders": { "queue": {} },
        "audit": { "queue": {} },
        "pdf-queue": { "queue": { "profile": "rabbitmq_classic" } }
      },
      "edges": [
        { "kind": "publish", "from": "eu-shop", "to": "orders", "attributes": { "region": "eu", "total": 250 } },
        { "kind": "publish", "from": "us-shop", "to": "orders", "attributes": { "region": "us", "total": 20 } },
        { "kind": "publish", "from": "reports", "to": "docs", "attributes": { "format": "csv" } },
        { "kind": "bind", "from": "orders", "to": "eu-billing", "filter": { "region": ["eu"] } },
        { "kind": "bind", "from": "orders", "to": "big-orders", "filter": { "total": [{ "numeric": [">=", 100] }] } },
        { "kind": "bind", "from": "orders", "to": "audit" },
        { "kind": "bind", "from": "docs", "to": "pdf-queue", "headers": { "format": "pdf" } }
      ]
    }"#;
    let mut w = World::new(ScenarioV2::from_json(text).unwrap().plan().unwrap()).unwrap();
    w.advance_to(Millis::from_secs(9));
    let published = |q: &str| {
        (0..w.members().len())
            .find(|&i| w.member_nodes(i as u16).queue == q)
            .map(|i| w.members()[i].counts().published)
            .unwrap()
    };
    assert_eq!(published("eu-billing"), 10, "eu orders only");
    assert_eq!(
        published("big-orders"),
        10,
        "the eu orders are the big ones"
    );
    assert_eq!(published("audit"), 20, "no policy: every order");
    assert_eq!(published("pdf-queue"), 0);
    assert_eq!(w.unroutable(), 10, "csv reports match no binding");
}
