//! Lesson reply-to: the kitchen replies to the queue the order names, and the reply correlates
//! with the request.

mod common;
use common::*;
use queue_engine::envelope::{field_doc, Envelope, Origin};
use queue_engine::EventKind;
use serde_json::json;

/// semantics.md §10: CloudEvents has no standard reply-to attribute; the envelope carries the
/// reply queue as a custom extension, and says so.
#[test]
fn replies_arrive_on_the_queue_named_in_each_message_and_correlate() {
    let mut sim = sim(json!({
        "reply_queue": true,
        "producers": [{ "rate": 5, "stop": "20s" }],
        "limits": { "event_log": 10000 }
    }));
    let events = run(&mut sim, secs(40));
    let c = sim.counts();
    assert_eq!(c.replies_sent, c.processed);
    assert_eq!(c.replies_received, c.processed);
    for e in &events {
        if let EventKind::ReplyReceived { msg } = e.kind {
            let m = sim.message(msg).unwrap();
            let processed_at = match m.state() {
                queue_engine::MsgState::Processed { at } => at,
                s => panic!("replied to a message that is {s:?}"),
            };
            assert!(e.t >= processed_at, "the reply follows the processing");
        }
    }
    let envelope = Envelope::for_message(sim.message(1).unwrap(), sim.scenario());
    assert_eq!(envelope.replyto.as_deref(), Some("orders-replies"));
    assert_eq!(
        field_doc("replyto").unwrap().origin,
        Origin::Custom,
        "replyto is labelled as our own extension"
    );
}

#[test]
fn without_a_reply_queue_no_replyto_is_set() {
    let mut sim = sim(json!({ "producers": [{ "rate": 5, "stop": "2s" }] }));
    sim.advance_to(secs(5));
    assert_eq!(
        Envelope::for_message(sim.message(1).unwrap(), sim.scenario()).replyto,
        None
    );
    assert_eq!(sim.counts().replies_sent, 0);
}
