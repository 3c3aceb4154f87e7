//! Lesson tracing: one message's trace runs from the order service through the queue to the
//! kitchen, the data store and the reply, with the queue wait visible; batch spans link.

mod common;
use common::*;
use queue_engine::envelope::Envelope;
use queue_engine::trace::SpanKind;
use serde_json::json;

/// semantics.md §11: `send` is a PRODUCER span, `receive` CLIENT and `process` CONSUMER; a
/// single-message process span takes the message's creation context as its parent.
#[test]
fn a_single_message_trace_is_one_waterfall_from_send_to_reply() {
    let mut sim = sim(json!({
        "reply_queue": true,
        "producers": [{ "rate": 0 }],
        "consumers": { "processing": { "mean": "200ms" } },
        "commands": [ { "at": "1100ms", "do": { "type": "send" } } ]
    }));
    sim.advance_to(secs(5));
    let trace = sim.trace(1).expect("message 1 has a trace");
    assert!(trace.complete);
    let names: Vec<&str> = trace.spans.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "send orders",
            "wait in queue",
            "receive orders",
            "process orders",
            "INSERT orders",
            "send orders-replies",
            "process orders-replies"
        ]
    );
    let send = &trace.spans[0];
    let wait = &trace.spans[1];
    let process = &trace.spans[3];
    assert_eq!(send.kind, SpanKind::Producer);
    assert!(
        wait.derived && wait.end > wait.start,
        "time in queue is visible: {} to {}",
        wait.start,
        wait.end
    );
    assert_eq!(trace.spans[2].kind, SpanKind::Client);
    assert_eq!(process.kind, SpanKind::Consumer);
    assert_eq!(
        process.parent,
        Some(send.span_id),
        "a single-message process span is a child of the send"
    );
    assert_eq!(process.end.0 - process.start.0, 200);
    assert_eq!(trace.spans[4].parent, Some(process.span_id));
    assert_eq!(trace.spans[5].parent, Some(process.span_id));
    // The envelope carries the same context the trace starts from.
    let envelope = Envelope::for_message(sim.message(1).unwrap(), sim.scenario());
    assert_eq!(envelope.traceparent, trace.ids.traceparent());
    assert!(trace
        .spans
        .iter()
        .filter(|s| !s.derived)
        .all(|s| s.trace_id == send.trace_id));
}

/// semantics.md §11: a batch process span cannot have several parents, so it links to each
/// message's context instead.
#[test]
fn a_batch_process_span_links_to_each_message_instead_of_having_a_parent() {
    let sends: Vec<_> = (0..3)
        .map(|_| json!({ "at": 0, "do": { "type": "send" } }))
        .collect();
    let mut sim = sim(json!({
        "producers": [{ "rate": 0 }],
        "consumers": { "batch_size": 3 },
        "commands": sends
    }));
    sim.advance_to(secs(5));
    for id in 1..=3 {
        let trace = sim.trace(id).unwrap();
        let process = trace
            .spans
            .iter()
            .find(|s| s.kind == SpanKind::Consumer)
            .unwrap();
        assert_eq!(process.parent, None);
        assert_eq!(
            process.links,
            vec![(trace.ids.trace_id, trace.ids.send_span)]
        );
        assert_ne!(
            process.trace_id, trace.ids.trace_id,
            "the batch has its own trace"
        );
    }
}

/// semantics.md §11: a `traceparent` is `00-<32 hex>-<16 hex>-<2 hex>`, 55 characters, and an
/// all-zero trace or span id is invalid.
#[test]
fn the_otlp_export_has_valid_ids_and_leaves_out_derived_spans() {
    let mut sim = sim(
        json!({ "producers": [{ "rate": 0 }], "commands": [ { "at": 0, "do": { "type": "send" } } ] }),
    );
    sim.advance_to(secs(2));
    let trace = sim.trace(1).unwrap();
    let otlp = trace.to_otlp_json();
    let spans: Vec<&serde_json::Value> = otlp["resourceSpans"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["scopeSpans"][0]["spans"].as_array().unwrap())
        .collect();
    assert_eq!(
        spans.len(),
        trace.spans.iter().filter(|s| !s.derived).count()
    );
    for s in spans {
        let trace_id = s["traceId"].as_str().unwrap();
        let span_id = s["spanId"].as_str().unwrap();
        assert_eq!(trace_id.len(), 32);
        assert_eq!(span_id.len(), 16);
        assert!(trace_id.chars().any(|c| c != '0') && span_id.chars().any(|c| c != '0'));
        assert!(s["name"].as_str().unwrap() != "wait in queue");
    }
    let tp = trace.ids.traceparent();
    assert_eq!(tp.len(), 55);
    assert!(tp.starts_with("00-") && tp.ends_with("-01"));
}

/// A message whose processing outlasts its visibility timeout is received and processed
/// again (§1.2), and each processing sends a reply; each reply span ends when its own reply
/// arrives.
#[test]
fn each_reply_of_a_duplicate_has_its_own_arrival() {
    let mut sim = sim(json!({
        "reply_queue": true,
        "producers": [{ "rate": 0 }],
        "queue": { "visibility_timeout": "1s" },
        "consumers": { "count": 2, "processing": { "mean": "1500ms" } },
        "commands": [ { "at": "100ms", "do": { "type": "send" } } ]
    }));
    sim.advance_to(secs(10));
    let trace = sim.trace(1).expect("message 1 has a trace");
    let sends: Vec<_> = trace
        .spans
        .iter()
        .filter(|s| s.name == "send orders-replies")
        .collect();
    let arrivals: Vec<_> = trace
        .spans
        .iter()
        .filter(|s| s.name == "process orders-replies")
        .collect();
    assert!(
        sends.len() >= 2,
        "processed more than once, replied each time"
    );
    assert_eq!(arrivals.len(), sends.len());
    for (send, arrival) in sends.iter().zip(&arrivals) {
        assert_eq!(arrival.parent, Some(send.span_id));
        assert!(
            arrival.start >= send.end,
            "a reply arrives after it is sent"
        );
    }
    for pair in arrivals.windows(2) {
        assert!(
            pair[1].start > pair[0].start,
            "each arrival is its own reply's: {} then {}",
            pair[0].start,
            pair[1].start
        );
    }
}

/// semantics.md §11: each span carries the OpenTelemetry messaging attributes (the system,
/// the destination, the operation type and the message id), and a batch's process span
/// `messaging.batch.message_count`.
#[test]
fn spans_carry_the_messaging_attributes_and_a_batch_its_size() {
    let sends: Vec<_> = (0..3)
        .map(|_| json!({ "at": 0, "do": { "type": "send" } }))
        .collect();
    let mut sim = sim(json!({
        "queue": { "name": "orders" },
        "producers": [{ "rate": 0 }],
        "consumers": { "batch_size": 3 },
        "commands": sends
    }));
    sim.advance_to(secs(5));
    let trace = sim.trace(2).unwrap();
    let attr = |s: &queue_engine::trace::Span, key: &str| {
        s.attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    let send = &trace.spans[0];
    assert_eq!(send.name, "send orders");
    assert_eq!(attr(send, "messaging.system").as_deref(), Some("aws_sqs"));
    assert_eq!(
        attr(send, "messaging.destination.name").as_deref(),
        Some("orders")
    );
    assert_eq!(
        attr(send, "messaging.operation.type").as_deref(),
        Some("send")
    );
    assert_eq!(attr(send, "messaging.message.id").as_deref(), Some("2"));
    let process = trace
        .spans
        .iter()
        .find(|s| s.kind == SpanKind::Consumer)
        .unwrap();
    assert_eq!(process.name, "process orders");
    assert_eq!(
        attr(process, "messaging.operation.type").as_deref(),
        Some("process")
    );
    assert_eq!(
        attr(process, "messaging.batch.message_count").as_deref(),
        Some("3")
    );
}

/// semantics.md §11: `messaging.system` names the queue's platform with OpenTelemetry's own
/// values, so a trace of a RabbitMQ or Pub/Sub queue does not claim to be SQS.
#[test]
fn the_messaging_system_is_the_queues_platform() {
    for (profile, system) in [
        ("sqs_standard", "aws_sqs"),
        ("sqs_fifo", "aws_sqs"),
        ("rabbitmq_classic", "rabbitmq"),
        ("rabbitmq_quorum", "rabbitmq"),
        ("service_bus", "servicebus"),
        ("pubsub", "gcp_pubsub"),
        ("activemq", "activemq"),
    ] {
        let fifo = profile == "sqs_fifo";
        let mut sim = sim(json!({
            "queue": { "profile": profile, "kind": if fifo { "fifo" } else { "standard" } },
            "dlq": { "max_receive_count": 5 },
            "producers": [{ "rate": 0 }],
            "commands": [{ "at": 0, "do": { "type": "send" } }]
        }));
        sim.advance_to(secs(5));
        let trace = sim.trace(1).expect("message 1 has a trace");
        let messaging = trace.spans.iter().filter(|s| {
            ["send ", "receive ", "process "]
                .iter()
                .any(|op| s.name.starts_with(op))
        });
        assert_eq!(
            messaging.clone().count(),
            3,
            "{profile}: send, receive, process"
        );
        for span in messaging {
            let found = span
                .attributes
                .iter()
                .find(|(k, _)| k == "messaging.system")
                .map(|(_, v)| v.as_str());
            assert_eq!(found, Some(system), "{profile}: {}", span.name);
        }
    }
}
