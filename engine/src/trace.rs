//! Traces: W3C trace context ids derived from the seed, and OpenTelemetry messaging spans for one
//! message, built on demand from its record and the events still in the log.
//!
//! Span names and kinds follow the OpenTelemetry messaging conventions: `send {queue}` PRODUCER,
//! `receive {queue}` CLIENT, `process {queue}` CONSUMER. A single-message process span is a child
//! of the send span's context; a batch process span cannot have several parents, so it starts its
//! own trace and LINKS to each message's context.

use serde::Serialize;
use serde_json::Value;

use crate::envelope::{mix, EPOCH_UNIX_MS};
use crate::event::{Event, EventKind};
use crate::kernel::time::Millis;
use crate::message::MsgState;
use crate::scenario::Scenario;
use crate::sim::Sim;

/// The ids of a message's creation context.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TraceIds {
    pub trace_id: u128,
    pub send_span: u64,
}

impl TraceIds {
    pub fn for_message(seed: u64, event: u64) -> TraceIds {
        let hi = mix(seed.rotate_left(1) ^ mix(event ^ 0x7472_6163));
        let lo = mix(hi ^ event);
        TraceIds {
            trace_id: nonzero128((u128::from(hi) << 64) | u128::from(lo)),
            send_span: span_id(seed, event, 0),
        }
    }

    /// `00-<trace id>-<parent id>-01`: version 00, sampled.
    pub fn traceparent(&self) -> String {
        format!("00-{:032x}-{:016x}-01", self.trace_id, self.send_span)
    }
}

fn nonzero128(x: u128) -> u128 {
    if x == 0 {
        1
    } else {
        x
    }
}

/// A span id for (event, n), never zero (an all-zero id is invalid in W3C Trace Context).
pub fn span_id(seed: u64, event: u64, n: u64) -> u64 {
    mix(mix(seed ^ event.rotate_left(23)) ^ n).max(1)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SpanKind {
    Internal,
    Client,
    Producer,
    Consumer,
}

impl SpanKind {
    /// OTLP's numeric kind.
    pub fn otlp(self) -> u8 {
        match self {
            SpanKind::Internal => 1,
            SpanKind::Client => 3,
            SpanKind::Producer => 4,
            SpanKind::Consumer => 5,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Span {
    pub trace_id: u128,
    pub span_id: u64,
    pub parent: Option<u64>,
    /// Linked contexts (trace id, span id): how a batch span refers to each message.
    pub links: Vec<(u128, u64)>,
    pub name: String,
    pub kind: SpanKind,
    pub start: Millis,
    pub end: Millis,
    pub service: String,
    pub attributes: Vec<(String, String)>,
    /// Not a real span: the time between send and receive, drawn to make queue wait visible.
    pub derived: bool,
}

/// A message's spans in start order, for a waterfall view.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trace {
    pub ids: TraceIds,
    pub spans: Vec<Span>,
    /// False when the log no longer holds every event of this message (only the last attempt shows).
    pub complete: bool,
}

impl crate::World {
    /// The trace of one message of member `m` (its copy), or None if it is no longer in the
    /// store. Built from the events still in the world's log window.
    #[inline]
    pub fn trace(&self, m: u16, id: u64) -> Option<Trace> {
        let recent: Vec<&Event> = self
            .recent_events()
            .filter(|e| e.member == Some(m))
            .map(|e| &e.event)
            .collect();
        self.members().get(m as usize)?.trace_in(id, &recent)
    }
}

impl Sim {
    fn trace_in(&self, id: u64, recent: &[&Event]) -> Option<Trace> {
        let m = self.message(id)?;
        let sc: &Scenario = &self.sc;
        let ids = TraceIds::for_message(sc.seed, m.event());
        let queue = sc.queue.name.clone();
        let system = sc.queue.profile().messaging_system();
        let producer = sc
            .producers
            .get(m.producer() as usize)
            .map_or("order-service".to_owned(), |p| p.name.clone());
        let consumer_name = sc.consumers.name.clone();
        let attrs = |op: &str, extra: &[(&str, String)]| {
            let mut a = vec![
                ("messaging.system".to_owned(), system.to_owned()),
                ("messaging.destination.name".to_owned(), queue.clone()),
                ("messaging.operation.type".to_owned(), op.to_owned()),
                ("messaging.message.id".to_owned(), m.id().to_string()),
            ];
            a.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
            a
        };
        let mut spans = vec![Span {
            trace_id: ids.trace_id,
            span_id: ids.send_span,
            parent: None,
            links: Vec::new(),
            name: format!("send {queue}"),
            kind: SpanKind::Producer,
            start: m.published_at(),
            end: m.published_at(),
            service: producer.clone(),
            attributes: attrs("send", &[]),
            derived: false,
        }];
        let timeline: Vec<&Event> = recent
            .iter()
            .copied()
            .filter(|e| e.msg() == Some(id))
            .collect();
        let complete = timeline
            .first()
            .is_some_and(|e| matches!(e.kind, EventKind::Published { .. }));
        let mut attempt = 0u64;
        let mut last_receive: Option<(Millis, u32, u64)> = None;
        let mut waited_from = m.published_at();
        for &e in &timeline {
            match &e.kind {
                EventKind::Received {
                    consumer,
                    receive,
                    batch,
                    ..
                } => {
                    attempt += 1;
                    spans.push(Span {
                        trace_id: ids.trace_id,
                        span_id: span_id(sc.seed, m.event(), attempt * 10 + 1),
                        parent: None,
                        links: Vec::new(),
                        name: "wait in queue".into(),
                        kind: SpanKind::Internal,
                        start: waited_from,
                        end: e.t,
                        service: queue.clone(),
                        attributes: vec![(
                            "note".into(),
                            "derived from send and receive times; not an emitted span".into(),
                        )],
                        derived: true,
                    });
                    spans.push(Span {
                        trace_id: ids.trace_id,
                        span_id: span_id(sc.seed, m.event(), attempt * 10 + 2),
                        parent: None,
                        links: vec![(ids.trace_id, ids.send_span)],
                        name: format!("receive {queue}"),
                        kind: SpanKind::Client,
                        start: e.t,
                        end: e.t,
                        service: format!("{consumer_name}-{}", consumer + 1),
                        attributes: attrs(
                            "receive",
                            &[("messaging.message.delivery_count", receive.to_string())],
                        ),
                        derived: false,
                    });
                    last_receive = Some((e.t, *consumer, *batch));
                }
                EventKind::Processed { .. }
                | EventKind::Failed { .. }
                | EventKind::SkippedDuplicate { .. }
                | EventKind::Rejected { .. } => {
                    let Some((start, consumer, batch)) = last_receive else {
                        continue;
                    };
                    // This message's own receive is in the log, so the count is at least 1.
                    let batch_size = Sim::batch_size_of(recent, batch).unwrap_or(1);
                    let process_id = span_id(sc.seed, m.event(), attempt * 10 + 3);
                    let (trace_id, parent, links) = if batch_size > 1 {
                        // A batch span starts its own trace and links to each message's context.
                        let batch_trace = (u128::from(mix(sc.seed ^ batch)) << 64)
                            | u128::from(mix(batch ^ 0x6261_7463)).max(1);
                        (batch_trace, None, vec![(ids.trace_id, ids.send_span)])
                    } else {
                        (ids.trace_id, Some(ids.send_span), Vec::new())
                    };
                    let outcome = match &e.kind {
                        EventKind::Processed {
                            duplicate: true, ..
                        } => "processed (duplicate)",
                        EventKind::Processed { .. } => "processed",
                        EventKind::Failed { .. } => "failed",
                        EventKind::SkippedDuplicate { .. } => "skipped: already processed",
                        _ => "rejected: invalid",
                    };
                    let service = format!("{consumer_name}-{}", consumer + 1);
                    spans.push(Span {
                        trace_id,
                        span_id: process_id,
                        parent,
                        links,
                        name: format!("process {queue}"),
                        kind: SpanKind::Consumer,
                        start,
                        end: e.t,
                        service: service.clone(),
                        attributes: attrs(
                            "process",
                            &[
                                ("messaging.batch.message_count", batch_size.to_string()),
                                ("outcome", outcome.into()),
                            ],
                        ),
                        derived: false,
                    });
                    if matches!(e.kind, EventKind::Processed { .. }) && sc.data_store {
                        // The engine models processing as one duration; its last tenth is shown as the write.
                        let write = Millis((e.t.0.saturating_sub(start.0) / 10).max(1));
                        spans.push(Span {
                            trace_id,
                            span_id: span_id(sc.seed, m.event(), attempt * 10 + 4),
                            parent: Some(process_id),
                            links: Vec::new(),
                            name: "INSERT orders".into(),
                            kind: SpanKind::Client,
                            start: e.t.saturating_sub(write),
                            end: e.t,
                            service: service.clone(),
                            attributes: vec![
                                ("db.operation.name".into(), "INSERT".into()),
                                ("db.collection.name".into(), "orders".into()),
                            ],
                            derived: false,
                        });
                    }
                    waited_from = e.t;
                }
                EventKind::ReplySent { .. } => {
                    let reply_queue = format!("{queue}-replies");
                    let parent = spans
                        .iter()
                        .rev()
                        .find(|s| s.kind == SpanKind::Consumer)
                        .map(|s| (s.trace_id, s.span_id));
                    let (trace_id, parent) =
                        parent.map_or((ids.trace_id, None), |(t, s)| (t, Some(s)));
                    let send_id = span_id(sc.seed, m.event(), attempt * 10 + 5);
                    spans.push(Span {
                        trace_id,
                        span_id: send_id,
                        parent,
                        links: Vec::new(),
                        name: format!("send {reply_queue}"),
                        kind: SpanKind::Producer,
                        start: e.t,
                        end: e.t,
                        service: consumer_name.clone(),
                        attributes: vec![
                            ("messaging.destination.name".into(), reply_queue.clone()),
                            ("messaging.operation.type".into(), "send".into()),
                        ],
                        derived: false,
                    });
                    // This reply's arrival, from the same window of events as the rest: the
                    // first to arrive after it was sent (a duplicate sends a second).
                    let replied = timeline
                        .iter()
                        .find(|r| r.t >= e.t && matches!(r.kind, EventKind::ReplyReceived { .. }))
                        .map(|r| r.t);
                    if let Some(at) = replied {
                        spans.push(Span {
                            trace_id,
                            span_id: span_id(sc.seed, m.event(), attempt * 10 + 6),
                            parent: Some(send_id),
                            links: Vec::new(),
                            name: format!("process {reply_queue}"),
                            kind: SpanKind::Consumer,
                            start: at,
                            end: at,
                            service: producer.clone(),
                            attributes: vec![
                                ("messaging.destination.name".into(), reply_queue.clone()),
                                ("messaging.operation.type".into(), "process".into()),
                            ],
                            derived: false,
                        });
                    }
                }
                _ => {}
            }
        }
        if matches!(m.state(), MsgState::Visible) || (attempt == 0 && !m.state().is_terminal()) {
            spans.push(Span {
                trace_id: ids.trace_id,
                span_id: span_id(sc.seed, m.event(), 999),
                parent: None,
                links: Vec::new(),
                name: "wait in queue".into(),
                kind: SpanKind::Internal,
                start: waited_from,
                end: self.now,
                service: queue.clone(),
                attributes: vec![("note".into(), "still waiting".into())],
                derived: true,
            });
        }
        Some(Trace {
            ids,
            spans,
            complete,
        })
    }

    fn batch_size_of(recent: &[&Event], batch: u64) -> Option<u32> {
        let n = recent
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Received { batch: b, .. } if b == batch))
            .count();
        (n > 0).then_some(n as u32)
    }
}

impl Trace {
    /// OTLP/JSON (the shape of an `ExportTraceServiceRequest`), derived spans left out.
    pub fn to_otlp_json(&self) -> Value {
        use crate::envelope::obj;
        let nanos =
            |t: Millis| Value::from(((EPOCH_UNIX_MS + t.0) as u128 * 1_000_000).to_string());
        let hex = |n: u128, width: usize| Value::from(format!("{n:0width$x}"));
        let attribute = |k: &str, v: &str| {
            obj(vec![
                ("key", Value::from(k)),
                ("value", obj(vec![("stringValue", Value::from(v))])),
            ])
        };
        let mut by_service: Vec<(String, Vec<Value>)> = Vec::new();
        for s in self.spans.iter().filter(|s| !s.derived) {
            let span = obj(vec![
                ("traceId", hex(s.trace_id, 32)),
                ("spanId", hex(u128::from(s.span_id), 16)),
                (
                    "parentSpanId",
                    s.parent
                        .map_or_else(|| Value::from(""), |p| hex(u128::from(p), 16)),
                ),
                ("name", Value::from(s.name.as_str())),
                ("kind", Value::from(s.kind.otlp())),
                ("startTimeUnixNano", nanos(s.start)),
                ("endTimeUnixNano", nanos(s.end)),
                (
                    "attributes",
                    Value::Array(s.attributes.iter().map(|(k, v)| attribute(k, v)).collect()),
                ),
                (
                    "links",
                    Value::Array(
                        s.links
                            .iter()
                            .map(|&(t, id)| {
                                obj(vec![
                                    ("traceId", hex(t, 32)),
                                    ("spanId", hex(u128::from(id), 16)),
                                ])
                            })
                            .collect(),
                    ),
                ),
            ]);
            match by_service.iter_mut().find(|(name, _)| *name == s.service) {
                Some((_, spans)) => spans.push(span),
                None => by_service.push((s.service.clone(), vec![span])),
            }
        }
        let resources = by_service.into_iter().map(|(service, spans)| {
            obj(vec![
                (
                    "resource",
                    obj(vec![(
                        "attributes",
                        Value::Array(vec![attribute("service.name", &service)]),
                    )]),
                ),
                (
                    "scopeSpans",
                    Value::Array(vec![obj(vec![
                        (
                            "scope",
                            obj(vec![("name", Value::from("queue-playground"))]),
                        ),
                        ("spans", Value::Array(spans)),
                    ])]),
                ),
            ])
        });
        obj(vec![("resourceSpans", Value::Array(resources.collect()))])
    }
}
