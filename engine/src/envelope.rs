//! CloudEvents 1.0.2 envelopes, built on demand from a message record.
//!
//! Everything is deterministic: the event id is derived from the seed and the event number,
//! `time` from simulated time on a fixed epoch, trace ids from the seed. `replyto` is **not** a
//! CloudEvents attribute: the spec has no standard reply-to, so it is a custom extension here,
//! and every rendering and explanation says so.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::command::Payload;
use crate::kernel::time::Millis;
use crate::message::Message;
use crate::scenario::{QueueKind, Scenario};

/// Simulated time 0 is this instant (2026-01-09T17:00:00Z, a Friday evening at the pizza shop).
pub const EPOCH_UNIX_MS: u64 = 1_767_978_000_000;

/// A JSON object from its fields: one small function where each `json!` object was its own
/// inlined run of map inserts through the generic serializer.
pub(crate) fn obj(fields: Vec<(&str, Value)>) -> Value {
    // Inserted one by one: collecting would sort first, and bring a sort into the page.
    let mut map = Map::new();
    for (k, v) in fields {
        map.insert(k.to_owned(), v);
    }
    Value::Object(map)
}

/// The malformed order's fields after its `order_id` (left empty): "a dozen" is no quantity.
fn poison_fields() -> Vec<(&'static str, Value)> {
    vec![
        ("order_id", Value::Null),
        ("pizza", Value::from("pineapple")),
        ("size", Value::from("XXL")),
        ("quantity", Value::from("a dozen")),
    ]
}

/// The malformed order as data.
pub(crate) fn poison_order(order: &str) -> Value {
    let mut fields = poison_fields();
    fields[0].1 = Value::from(order);
    obj(fields)
}

/// The attributes of one event, in the order the spec lists them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Envelope {
    pub specversion: String,
    pub id: String,
    pub source: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub subject: String,
    pub time: String,
    pub datacontenttype: String,
    pub dataschema: String,
    pub data: Value,
    pub traceparent: String,
    pub partitionkey: String,
    /// FIFO only: the position in the queue, zero-padded so that text order is numeric order.
    pub sequence: Option<String>,
    /// Custom extension (not part of CloudEvents): where the consumer should send its reply.
    pub replyto: Option<String>,
    /// Dataref extension: where a body stored aside can be fetched (the claim check).
    pub dataref: Option<String>,
}

/// How an envelope travels over one protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Binding {
    Http,
    Kafka,
    Amqp,
    Sqs,
}

impl Binding {
    pub const ALL: [Binding; 4] = [Binding::Http, Binding::Kafka, Binding::Amqp, Binding::Sqs];

    pub fn label(self) -> &'static str {
        match self {
            Binding::Http => "HTTP",
            Binding::Kafka => "Kafka",
            Binding::Amqp => "AMQP",
            Binding::Sqs => "SQS",
        }
    }
}

/// One envelope as it would appear on the wire: metadata lines and a body.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rendering {
    pub binding: Binding,
    pub structured: bool,
    /// Headers, record headers, application properties or message attributes, in order.
    pub metadata: Vec<(String, String)>,
    pub body: String,
    /// What a reader should know about this rendering.
    pub note: String,
}

impl Envelope {
    #[inline]
    pub fn for_message(m: &Message, scenario: &Scenario) -> Envelope {
        let seed = scenario.seed;
        let order = format!("ord-{:05}", m.event());
        let producer = scenario.producers.get(m.producer() as usize);
        let claim_check = m.payload() == Payload::Large && producer.is_some_and(|p| p.claim_check);
        let v2 = m.payload() == Payload::V2;
        // Built field by field through one helper: each `json!` object is its own inlined
        // run of map inserts, which the page paid for once per shape.
        let mut fields = vec![("order_id", Value::from(order.as_str()))];
        match m.payload() {
            Payload::Large => {
                let photo = if claim_check {
                    obj(vec![
                        ("bytes", Value::from(crate::command::LARGE_PAYLOAD_BYTES)),
                        ("stored", Value::from("aside, see dataref")),
                    ])
                } else {
                    Value::from(format!(
                        "({} bytes of base64 inline)",
                        crate::command::LARGE_PAYLOAD_BYTES
                    ))
                };
                fields.extend([("pizza", Value::from("custom design")), ("photo", photo)]);
            }
            Payload::Poison => fields = poison_fields(),
            _ => {
                const PIZZAS: [&str; 5] = [
                    "margherita",
                    "marinara",
                    "quattro formaggi",
                    "diavola",
                    "funghi",
                ];
                let pick = (mix(seed ^ m.event()) % PIZZAS.len() as u64) as usize;
                let item = vec![
                    ("pizza", Value::from(PIZZAS[pick])),
                    ("size", Value::from("large")),
                    ("quantity", Value::from(1 + (mix(m.event()) % 3))),
                ];
                if v2 {
                    // Version 2 holds a list of items, which a version 1 reader cannot parse.
                    fields.push(("items", Value::Array(vec![obj(item)])));
                } else {
                    fields.extend(item);
                }
            }
        }
        fields[0].1 = Value::from(order.as_str());
        let data = obj(fields);
        let trace = crate::trace::TraceIds::for_message(seed, m.event());
        Envelope {
            specversion: "1.0".into(),
            id: event_uuid(seed, m.event()),
            source: format!("/pizza-shop/{}", producer_name(scenario, m.producer())),
            ty: format!("com.example.pizzashop.order.placed.v{}", 1 + u8::from(v2)),
            subject: order.clone(),
            time: rfc3339(m.published_at()),
            datacontenttype: "application/json".into(),
            dataschema: format!(
                "https://schemas.example.com/pizzashop/order-placed/v{}.json",
                1 + u8::from(v2)
            ),
            data,
            traceparent: trace.traceparent(),
            partitionkey: format!("store-{}", m.group()),
            sequence: (scenario.queue.kind == QueueKind::Fifo).then(|| format!("{:020}", m.seq())),
            replyto: scenario
                .reply_queue
                .then(|| format!("{}-replies", scenario.queue.name)),
            dataref: claim_check
                .then(|| format!("https://blobs.example.com/pizza-shop/photos/{order}.jpg")),
        }
    }

    /// A message of the video-upload system: the same id, time and trace as
    /// [`Self::for_message`] gives it, so every subscription's copy matches, but typed,
    /// named and shaped as a "video uploaded" event.
    pub fn for_video_upload(m: &Message, scenario: &Scenario) -> Envelope {
        let mut env = Envelope::for_message(m, scenario);
        let video = format!("vid-{:05}", m.event());
        let channel = format!("channel-{}", m.group());
        env.source = "/video-platform/upload-service".into();
        env.ty = "com.example.video.uploaded.v1".into();
        env.dataschema = "https://schemas.example.com/video/uploaded/v1.json".into();
        env.data = obj(vec![
            ("video_id", Value::from(video.as_str())),
            ("channel", Value::from(channel.as_str())),
            ("duration_s", Value::from(30 + mix(m.event()) % 570)),
            ("corrupt", Value::from(m.payload() == Payload::Poison)),
        ]);
        env.partitionkey = channel;
        env.subject = video;
        env
    }

    /// The envelope of a record in the partitioned log: `partitionkey` is the record key (the
    /// Kafka binding maps it to the record key), `sequence` is the record's offset.
    pub fn for_record(
        r: &crate::stream::Record,
        partition: u32,
        scenario: &crate::stream::StreamScenario,
    ) -> Envelope {
        let seed = scenario.seed;
        let event = r.seq + 1;
        let order = format!("ord-{event:05}");
        let data = if r.poison {
            poison_order(&order)
        } else {
            obj(vec![
                ("order_id", Value::from(order.as_str())),
                ("pizza", Value::from("margherita")),
                ("size", Value::from("large")),
                ("quantity", Value::from(1 + (mix(event) % 3))),
            ])
        };
        let trace = crate::trace::TraceIds::for_message(seed, event);
        Envelope {
            specversion: "1.0".into(),
            id: event_uuid(seed, event),
            source: format!(
                "/pizza-shop/{}",
                scenario
                    .producers
                    .first()
                    .map_or("order-service", |p| p.name.as_str())
            ),
            ty: "com.example.pizzashop.order.placed.v1".into(),
            subject: order,
            time: rfc3339(r.published_at),
            datacontenttype: "application/json".into(),
            dataschema: "https://schemas.example.com/pizzashop/order-placed/v1.json".into(),
            data,
            traceparent: trace.traceparent(),
            partitionkey: r
                .key
                .name()
                .unwrap_or_else(|| format!("(no key: partition {partition})")),
            sequence: Some(format!("{:020}", r.offset)),
            replyto: None,
            dataref: None,
        }
    }

    /// The attributes as an ordered list of (name, JSON value), `data` last.
    #[inline]
    pub fn attributes(&self) -> Vec<(&'static str, Value)> {
        let mut attrs = vec![
            ("specversion", Value::from(self.specversion.as_str())),
            ("id", Value::from(self.id.as_str())),
            ("source", Value::from(self.source.as_str())),
            ("type", Value::from(self.ty.as_str())),
            ("subject", Value::from(self.subject.as_str())),
            ("time", Value::from(self.time.as_str())),
            (
                "datacontenttype",
                Value::from(self.datacontenttype.as_str()),
            ),
            ("dataschema", Value::from(self.dataschema.as_str())),
            ("traceparent", Value::from(self.traceparent.as_str())),
            ("partitionkey", Value::from(self.partitionkey.as_str())),
        ];
        if let Some(seq) = &self.sequence {
            attrs.push(("sequence", Value::from(seq.as_str())));
        }
        if let Some(reply) = &self.replyto {
            attrs.push(("replyto", Value::from(reply.as_str())));
        }
        if let Some(at) = &self.dataref {
            attrs.push(("dataref", Value::from(at.as_str())));
        }
        attrs.push(("data", self.data.clone()));
        attrs
    }

    /// The JSON event format (`application/cloudevents+json`).
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        for (name, value) in self.attributes() {
            map.insert(name.to_owned(), value);
        }
        Value::Object(map)
    }

    pub fn to_json_string(&self) -> String {
        format!("{:#}", self.to_json())
    }

    fn metadata_attributes(&self) -> Vec<(&'static str, String)> {
        self.attributes()
            .into_iter()
            .filter(|(name, _)| *name != "data" && *name != "datacontenttype")
            .map(|(name, value)| {
                (
                    name,
                    value
                        .as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| value.to_string()),
                )
            })
            .collect()
    }

    /// Structured mode: the whole event is the body.
    pub fn structured(&self, binding: Binding) -> Rendering {
        let content_type = "application/cloudevents+json; charset=UTF-8".to_owned();
        let metadata = match binding {
            Binding::Http => vec![("content-type".into(), content_type)],
            Binding::Kafka => vec![("content-type".into(), content_type)],
            Binding::Amqp => vec![("content-type (property)".into(), content_type)],
            Binding::Sqs => vec![("contentType (String attribute)".into(), content_type)],
        };
        Rendering {
            binding,
            structured: true,
            metadata,
            body: self.to_json_string(),
            note: format!(
                "Structured mode over {}: one JSON document carries every attribute and the data.",
                binding.label()
            ) + CUSTOM_NOTE,
        }
    }

    /// Binary mode: attributes travel as protocol metadata, the body is just the data.
    #[inline]
    pub fn binary(&self, binding: Binding) -> Rendering {
        let attrs = self.metadata_attributes();
        let mut metadata: Vec<(String, String)> = Vec::new();
        let note = match binding {
            Binding::Http => {
                metadata.push(("content-type".into(), self.datacontenttype.clone()));
                metadata.extend(attrs.into_iter().map(|(k, v)| (format!("ce-{k}"), v)));
                "HTTP binary mode: each attribute is a ce- header; content-type carries datacontenttype."
            }
            Binding::Kafka => {
                metadata.push(("key".into(), self.partitionkey.clone()));
                metadata.push(("content-type".into(), self.datacontenttype.clone()));
                metadata.extend(attrs.into_iter().map(|(k, v)| (format!("ce_{k}"), v)));
                "Kafka binary mode: each attribute is a ce_ record header; the partitionkey becomes the record key, so the same store lands on the same partition."
            }
            Binding::Amqp => {
                metadata.push((
                    "content-type (property)".into(),
                    self.datacontenttype.clone(),
                ));
                metadata.extend(
                    attrs
                        .into_iter()
                        .map(|(k, v)| (format!("cloudEvents:{k}"), v)),
                );
                "AMQP binary mode: each attribute is an application property named cloudEvents:<name>."
            }
            Binding::Sqs => {
                metadata.push((
                    "contentType (String attribute)".into(),
                    self.datacontenttype.clone(),
                ));
                metadata.extend(
                    attrs
                        .into_iter()
                        .map(|(k, v)| (format!("ce-{k} (String)"), v)),
                );
                "SQS has no official CloudEvents binding. This follows the common convention of one String message attribute per attribute, named like the HTTP headers. SQS allows at most 10 message attributes per message, which this event exceeds: in practice structured mode is the safer choice on SQS."
            }
        };
        Rendering {
            binding,
            structured: false,
            metadata,
            body: format!("{:#}", self.data),
            note: note.to_owned() + CUSTOM_NOTE,
        }
    }
}

const CUSTOM_NOTE: &str = " Note: replyto, where present, is our custom extension; CloudEvents defines no reply-to attribute.";

fn producer_name(scenario: &Scenario, producer: u32) -> String {
    scenario
        .producers
        .get(producer as usize)
        .map_or_else(|| "order-service".to_owned(), |p| p.name.clone())
}

/// SplitMix64: a fast, well-mixed 64-bit hash for deriving ids from the seed.
pub(crate) fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A UUID-shaped (version 4 layout) id derived from the seed and the event number: unique per
/// event within a run, identical across runs with the same seed.
pub fn event_uuid(seed: u64, event: u64) -> String {
    let hi = mix(seed ^ mix(event));
    let lo = mix(hi ^ event.rotate_left(17));
    let hi = (hi & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
    let lo = (lo & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0xffff,
        lo >> 48,
        lo & 0xffff_ffff_ffff
    )
}

/// RFC 3339 UTC timestamp of a simulated time, with milliseconds.
pub fn rfc3339(t: Millis) -> String {
    let ms = EPOCH_UNIX_MS + t.0;
    let secs = ms / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60,
        ms % 1000
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Where an attribute comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Required,
    Optional,
    /// A documented CloudEvents extension.
    Extension,
    /// Ours, not part of CloudEvents.
    Custom,
}

/// Why one attribute earns its place, for the inspector.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct FieldDoc {
    pub name: &'static str,
    pub origin: Origin,
    pub why: &'static str,
    pub without: &'static str,
    pub spec: &'static str,
}

/// One explanation per attribute the playground emits, in our own words. Every system's
/// envelope reads these (pizza orders, video uploads, log records), so they name no one system;
/// only `dataref` does, because only the pizza shop's photo orders carry it.
pub const FIELD_DOCS: &[FieldDoc] = &[
    FieldDoc {
        name: "specversion",
        origin: Origin::Required,
        why: "Says which version of the CloudEvents spec this envelope follows, so a consumer knows how to read every other attribute.",
        without: "A consumer would have to guess the envelope's shape, and a future format change would silently break old readers.",
        spec: "CloudEvents 1.0.2, core attribute specversion (REQUIRED, \"1.0\")",
    },
    FieldDoc {
        name: "id",
        origin: Origin::Required,
        why: "Identifies this event. Together with source it is unique, so a consumer can recognise a redelivery or a producer's retry and process it once.",
        without: "Duplicates (which at-least-once delivery guarantees will happen) look like new events, and the same work is done twice.",
        spec: "CloudEvents 1.0.2, core attribute id (REQUIRED; source + id unique)",
    },
    FieldDoc {
        name: "source",
        origin: Origin::Required,
        why: "Names who produced the event, as a URI reference. It scopes the id and tells an operator where to look when an event is wrong.",
        without: "Two services could mint the same id, and nobody could tell which one sent a bad event.",
        spec: "CloudEvents 1.0.2, core attribute source (REQUIRED, URI-reference)",
    },
    FieldDoc {
        name: "type",
        origin: Origin::Required,
        why: "Says what happened (an order placed, a video uploaded), reverse-DNS prefixed and versioned, so consumers can route and filter without opening the data.",
        without: "Every consumer must parse the body to learn what kind of event it holds, and routing rules cannot be written.",
        spec: "CloudEvents 1.0.2, core attribute type (REQUIRED; SHOULD be reverse-DNS prefixed)",
    },
    FieldDoc {
        name: "subject",
        origin: Optional,
        why: "Names the thing the event is about (this order, this video) in the context of the source, so a subscriber can filter on it cheaply.",
        without: "Filtering by subject means decoding every payload.",
        spec: "CloudEvents 1.0.2, optional attribute subject",
    },
    FieldDoc {
        name: "time",
        origin: Optional,
        why: "When the event happened, in RFC 3339. Time in a queue is not the event's time: a message that waited an hour still says when it happened.",
        without: "Consumers would stamp events when they received them, and a backlog would rewrite history.",
        spec: "CloudEvents 1.0.2, optional attribute time (RFC 3339 timestamp)",
    },
    FieldDoc {
        name: "datacontenttype",
        origin: Optional,
        why: "Says how data is encoded (JSON here), so the consumer knows how to decode it.",
        without: "The consumer has to sniff the bytes, and a switch to another encoding breaks it silently.",
        spec: "CloudEvents 1.0.2, optional attribute datacontenttype (RFC 2046 media type)",
    },
    FieldDoc {
        name: "dataschema",
        origin: Optional,
        why: "Points at the schema the data follows, versioned (v1). When the producer moves to v2, old and new consumers can tell which shape they hold.",
        without: "A schema change looks like corrupt data, and an old consumer crashes instead of sending the event aside.",
        spec: "CloudEvents 1.0.2, optional attribute dataschema (URI)",
    },
    FieldDoc {
        name: "data",
        origin: Optional,
        why: "What the event carries (the order, the upload). The envelope around it stays the same for every kind of event, which is what lets generic tooling route and trace them.",
        without: "An event with no data can still announce that something happened, but a consumer would not know what to work on.",
        spec: "CloudEvents 1.0.2, event data; JSON format puts JSON data in \"data\"",
    },
    FieldDoc {
        name: "traceparent",
        origin: Origin::Extension,
        why: "Carries the W3C trace context of the send, so the consumer's work joins the same trace: one waterfall from the send to the finished work, queue wait included.",
        without: "The trace stops at the queue. Time spent waiting and the consumer's work show up as unrelated traces.",
        spec: "CloudEvents Distributed Tracing extension; W3C Trace Context traceparent (00-trace id-parent id-flags)",
    },
    FieldDoc {
        name: "partitionkey",
        origin: Origin::Extension,
        why: "The key that decides where the event goes (the store or channel here): the same key keeps its order, in a FIFO message group or a Kafka partition.",
        without: "Related events scatter across partitions or groups, and their order is lost.",
        spec: "CloudEvents Partitioning extension (partitionkey)",
    },
    FieldDoc {
        name: "sequence",
        origin: Origin::Extension,
        why: "The event's position in its stream, so a consumer can detect gaps and put events back in order.",
        without: "A consumer cannot tell a missing event from one that has not arrived yet.",
        spec: "CloudEvents Sequence extension (sequence, a lexically ordered string)",
    },
    FieldDoc {
        name: "replyto",
        origin: Origin::Custom,
        why: "Names the queue the consumer should reply to. The producer decides where replies go, so the consumer never hard-codes a caller.",
        without: "The consumer would need to know every caller's reply address in advance.",
        spec: "NOT a CloudEvents attribute: CloudEvents has no reply-to. This is our custom extension (names must be lowercase letters and digits).",
    },
    FieldDoc {
        name: "dataref",
        origin: Origin::Extension,
        why: "Points at the photo in the blob store. The producer stored it there first and sends only this reference: a claim check. The message stays a few hundred bytes, and only the consumer that needs the photo fetches it.",
        without: "The 3 MB photo rides inside the message, over SQS's 1 MiB maximum, and the send is refused.",
        spec: "CloudEvents Dataref extension (dataref, a URI reference to the stored data)",
    },
];

use Origin::Optional;

/// The explanation for one attribute, if the playground emits it.
pub fn field_doc(name: &str) -> Option<&'static FieldDoc> {
    FIELD_DOCS.iter().find(|d| d.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_matches_known_dates() {
        assert_eq!(rfc3339(Millis::ZERO), "2026-01-09T17:00:00.000Z");
        assert_eq!(
            rfc3339(Millis(7 * 3_600_000 + 1_234)),
            "2026-01-10T00:00:01.234Z"
        );
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn event_ids_are_uuid_shaped_distinct_and_reproducible() {
        let a = event_uuid(1, 1);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert_eq!(a, event_uuid(1, 1));
        assert_ne!(a, event_uuid(1, 2));
        assert_ne!(a, event_uuid(2, 1));
    }

    #[test]
    fn every_emitted_attribute_has_an_explanation_and_names_are_valid() {
        for doc in FIELD_DOCS {
            assert!(
                doc.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
                "{}",
                doc.name
            );
            assert!(doc.name.len() <= 20);
        }
        assert_eq!(field_doc("replyto").unwrap().origin, Origin::Custom);
        // Read on every system's envelope: a video upload's "time" is not "when the order was
        // placed", and its "data" is not what the kitchen cooks.
        for doc in FIELD_DOCS.iter().filter(|d| d.name != "dataref") {
            let text = format!("{} {}", doc.why, doc.without).to_lowercase();
            for word in ["pizza", "kitchen", "cook"] {
                assert!(!text.contains(word), "{}: {text}", doc.name);
            }
        }
    }
}
