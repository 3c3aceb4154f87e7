//! Lesson claim-check: a body over the queue's maximum message size is refused at the send
//! (SQS `MaximumMessageSize`, 1 MiB: semantics §1.1), and a producer that stores it aside sends
//! a small message whose envelope carries a `dataref` to it (CloudEvents Dataref extension,
//! semantics §10).

mod common;
use common::*;
use queue_engine::envelope::{field_doc, Binding, Envelope};
use queue_engine::{EventKind, MsgState, Scenario, LARGE_PAYLOAD_BYTES};
use serde_json::json;

fn two_producers() -> serde_json::Value {
    json!({
        "producers": [
            { "name": "order-service", "rate": 0, "claim_check": true },
            { "name": "old-kiosk", "rate": 0 }
        ],
        "limits": { "event_log": 10000 },
        "commands": [
            { "at": "1s", "do": { "type": "send", "payload": "large" } },
            { "at": "2s", "do": { "type": "send", "producer": 1, "payload": "large" } }
        ]
    })
}

/// §1.1: SQS's MaximumMessageSize defaults to, and is at most, 1 MiB; a 3 MB photo is over it.
#[test]
fn sqs_refuses_a_body_over_its_maximum_message_size() {
    assert_eq!(Scenario::default().queue.max_message_size, 1_048_576);
    const { assert!(LARGE_PAYLOAD_BYTES > 1_048_576) };
    let mut sim = sim(two_producers());
    let events = run(&mut sim, secs(30));
    let c = sim.counts();
    assert_eq!((c.too_large, c.producer_errors), (1, 1), "{c:?}");
    assert_eq!(c.published, 1, "only the claim-checked order was enqueued");
    let refused = events
        .iter()
        .find(|e| matches!(e.kind, EventKind::TooLarge { producer: 1, .. }))
        .expect("the kiosk's refusal is logged");
    assert!(refused.describe().contains("maximum message size"));
}

/// §10: the Dataref extension. The stored-aside order reaches the consumer as an ordinary,
/// small message with a `dataref`, in every binding, and is processed.
#[test]
fn a_claim_checked_order_is_small_and_carries_a_dataref() {
    let mut sim = sim(two_producers());
    run(&mut sim, secs(30));
    assert_eq!(sim.counts().claim_checked, 1);
    let m = sim.message(1).expect("the claim-checked order");
    assert!(matches!(m.state(), MsgState::Processed { .. }));
    let env = Envelope::for_message(m, sim.scenario());
    let dataref = env.dataref.clone().expect("a dataref");
    assert!(
        dataref.ends_with(&format!("{}.jpg", env.subject)),
        "{dataref}"
    );
    let text = env.to_json_string();
    assert!(
        text.len() < 2_000,
        "the message stays small: {} bytes",
        text.len()
    );
    assert!(text.contains("\"dataref\""));
    for binding in Binding::ALL {
        let r = env.binary(binding);
        assert!(
            r.metadata.iter().any(|(k, _)| k.contains("dataref")),
            "{binding:?}: {:?}",
            r.metadata
        );
    }
    assert!(field_doc("dataref").unwrap().spec.contains("Dataref"));
}

/// The limit is a fact of SQS only: a queue set to accept larger bodies enqueues the photo
/// inline, and its envelope has no dataref.
#[test]
fn a_larger_limit_takes_the_photo_inline() {
    let mut file = two_producers();
    file["queue"] = json!({ "max_message_size": 4_000_000 });
    let mut sim = sim(file);
    run(&mut sim, secs(30));
    let c = sim.counts();
    assert_eq!((c.too_large, c.claim_checked, c.published), (0, 1, 2));
    let inline = sim.message(2).unwrap();
    let env = Envelope::for_message(inline, sim.scenario());
    assert_eq!(env.dataref, None);
    assert!(env.data["photo"]
        .as_str()
        .unwrap()
        .contains("bytes of base64"));
}

/// §1.1 as a range: a version 1 file below 1 KiB, and an SQS node above 1 MiB, are refused
/// with the field, what was expected and what was given.
#[test]
fn a_maximum_message_size_out_of_range_is_refused() {
    let err = queue_engine::Scenario::from_json(
        &json!({ "queue": { "max_message_size": 10 } }).to_string(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("queue.max_message_size") && err.contains("1024"),
        "{err}"
    );
    let file = json!({
        "version": 2,
        "nodes": {
            "p": { "producer": {} },
            "q": { "queue": { "profile": "sqs_standard", "max_message_size": 2_000_000 } }
        },
        "edges": [{ "kind": "publish", "from": "p", "to": "q" }]
    });
    let err = queue_engine::ScenarioV2::from_json(&file.to_string())
        .and_then(|s| s.plan().map(|_| ()))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("nodes.q.queue.max_message_size") && err.contains("1048576"),
        "{err}"
    );
}
