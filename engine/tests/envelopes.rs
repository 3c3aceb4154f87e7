//! Every envelope the engine emits parses and validates with the official CloudEvents SDK, and
//! each binary rendering carries every attribute under its binding's naming rule.

mod common;
use cloudevents::{AttributesReader, Event};
use common::*;
use queue_engine::envelope::{field_doc, Binding, Envelope};
use serde_json::json;

fn envelopes(kind: &str, reply: bool) -> Vec<Envelope> {
    let mut sim = sim(json!({
        "queue": { "kind": kind },
        "reply_queue": reply,
        "producers": [{ "rate": 20, "stop": "10s", "poison_share": 0.1, "transient_share": 0.1, "groups": 3, "duplicate_share": 0.1 }]
    }));
    sim.advance_to(secs(15));
    sim.messages()
        .into_iter()
        .map(|m| Envelope::for_message(m, sim.scenario()))
        .collect()
}

#[test]
fn every_envelope_is_a_valid_cloudevent_by_the_official_sdk() {
    for (kind, reply) in [("standard", false), ("fifo", true)] {
        let all = envelopes(kind, reply);
        assert!(all.len() > 150);
        for envelope in &all {
            let text = envelope.to_json_string();
            let event: Event =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("SDK rejected {text}: {e}"));
            assert_eq!(event.specversion().as_str(), "1.0");
            assert_eq!(event.id(), envelope.id);
            assert_eq!(event.source().to_string(), envelope.source);
            assert_eq!(event.ty(), envelope.ty);
            assert_eq!(event.subject(), Some(envelope.subject.as_str()));
            assert_eq!(event.datacontenttype(), Some("application/json"));
            assert_eq!(
                event.dataschema().map(|u| u.to_string()),
                Some(envelope.dataschema.clone())
            );
            assert_eq!(
                event
                    .time()
                    .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
                Some(envelope.time.clone())
            );
            let ext = |name: &str| event.extension(name).map(|v| v.to_string());
            assert_eq!(ext("traceparent"), Some(envelope.traceparent.clone()));
            assert_eq!(ext("partitionkey"), Some(envelope.partitionkey.clone()));
            assert_eq!(ext("sequence"), envelope.sequence.clone());
            assert_eq!(ext("replyto"), envelope.replyto.clone());
        }
    }
}

#[test]
fn duplicate_sends_share_the_event_id_and_distinct_events_do_not() {
    let all = envelopes("standard", false);
    let mut ids: Vec<&str> = all.iter().map(|e| e.id.as_str()).collect();
    let total = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert!(
        ids.len() < total,
        "some duplicate sends reuse their event's id"
    );
    let mut sim = sim(json!({ "producers": [{ "rate": 10, "stop": "5s" }] }));
    sim.advance_to(secs(6));
    let mut unique: Vec<String> = sim
        .messages()
        .iter()
        .map(|m| Envelope::for_message(m, sim.scenario()).id)
        .collect();
    let n = unique.len();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        n,
        "without duplicate sends every id is unique"
    );
}

/// semantics.md §10: in binary content mode every context attribute travels as a header with
/// its binding's prefix (`ce-`, `ce_`, `cloudEvents:`), and `replyto` is flagged as custom.
#[test]
fn binary_renderings_carry_every_attribute_with_the_binding_prefix() {
    let envelope = envelopes("fifo", true).remove(0);
    let attrs: Vec<&str> = envelope
        .attributes()
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| *n != "data" && *n != "datacontenttype")
        .collect();
    for (binding, prefix) in [
        (Binding::Http, "ce-"),
        (Binding::Kafka, "ce_"),
        (Binding::Amqp, "cloudEvents:"),
        (Binding::Sqs, "ce-"),
    ] {
        let r = envelope.binary(binding);
        for a in &attrs {
            assert!(
                r.metadata
                    .iter()
                    .any(|(k, _)| k.starts_with(&format!("{prefix}{a}"))),
                "{binding:?} lacks {a}"
            );
        }
        assert!(
            r.note.contains("custom extension"),
            "replyto is flagged as custom in every rendering"
        );
        let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(
            body, envelope.data,
            "binary mode: the body is the data alone"
        );
        let structured = envelope.structured(binding);
        assert!(structured.metadata[0]
            .1
            .starts_with("application/cloudevents+json"));
    }
    let kafka = envelope.binary(Binding::Kafka);
    assert_eq!(
        kafka.metadata[0],
        ("key".to_owned(), envelope.partitionkey.clone())
    );
    assert!(envelope.binary(Binding::Sqs).note.contains("no official"));
    for (name, _) in envelope.attributes() {
        assert!(field_doc(name).is_some(), "{name} has no explanation");
    }
}

#[test]
fn poison_orders_carry_the_malformed_body() {
    let all = envelopes("standard", false);
    let poison = all
        .iter()
        .find(|e| e.data["pizza"] == "pineapple")
        .expect("a poison order");
    assert_eq!(
        poison.data["quantity"], "a dozen",
        "quantity is text, not a number: it fails validation"
    );
}

#[test]
fn a_log_record_has_a_valid_envelope_whose_key_is_the_partition_key() {
    use queue_engine::envelope::{Binding, Envelope};
    use queue_engine::stream::{partition_for, StreamScenario};
    let sc =
        StreamScenario::from_json(r#"{ "producers": [{ "rate": 20, "stop": "5s" }] }"#).unwrap();
    let mut sim = common::OneLog::new(sc.clone()).unwrap();
    sim.advance_to(queue_engine::Millis::from_secs(10));
    let (p, log) = sim
        .partitions
        .iter()
        .enumerate()
        .find(|(_, l)| !l.records.is_empty())
        .unwrap();
    let record = &log.records[0];
    let env = Envelope::for_record(record, p as u32, &sc);
    let key = record.key.name().unwrap();
    assert_eq!(env.partitionkey, key);
    assert_eq!(
        partition_for(key.as_bytes(), 4) as usize,
        p,
        "the key decided the partition"
    );
    let kafka = env.binary(Binding::Kafka);
    assert_eq!(kafka.metadata[0], ("key".to_owned(), key));
    let json = env.to_json_string();
    let parsed: cloudevents::Event = serde_json::from_str(&json).expect("a valid CloudEvent");
    assert_eq!(cloudevents::AttributesReader::id(&parsed), env.id);
}

#[test]
fn every_copy_of_an_upload_is_the_same_valid_cloudevent_typed_as_a_video() {
    let mut topic = common::example_world("video-upload", 7);
    topic.advance_to(queue_engine::Millis::from_secs(5));
    let first = &topic.members()[0];
    let m = first.messages()[0].clone();
    let env = Envelope::for_video_upload(&m, first.scenario());
    assert_eq!(env.ty, "com.example.video.uploaded.v1");
    assert!(env.subject.starts_with("vid-"), "{}", env.subject);
    assert_eq!(env.data["video_id"], env.subject.as_str());
    for (i, sim) in topic.members().iter().enumerate().skip(1) {
        let copy = sim.message(m.id()).unwrap();
        assert_eq!(copy.event(), m.event());
        assert_eq!(
            Envelope::for_video_upload(copy, sim.scenario()),
            env,
            "{}'s copy is the same event",
            topic.member_nodes(i as u16).queue
        );
    }
    let parsed: cloudevents::Event =
        serde_json::from_str(&env.to_json_string()).expect("a valid CloudEvent");
    assert_eq!(cloudevents::AttributesReader::ty(&parsed), env.ty);
    assert_eq!(cloudevents::AttributesReader::id(&parsed), env.id);
}
