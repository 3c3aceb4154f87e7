//! What an ActiveMQ run puts on the wire, as pure functions: the address of a `stomp://` URL,
//! the run's destination names, the STOMP headers of each frame, and how a received frame is
//! read back. No client and no I/O here, so every rule is unit-tested; each platform rule
//! names its section of the semantics notes.
//!
//! # Names and the broker's policies
//! The queue is `qsim.r<N>.<pid>-<n>-<node>`, where `N` is the scenario's
//! `maximumRedeliveries`. The verification broker's `redeliveryPlugin` has one policy per `N`
//! (destination `qsim.r<N>.>`), and a `gcInactiveDestinations` policy on `qsim.>` that removes
//! the queue once it is empty and unused ([`broker_policies`] is that configuration).

use std::sync::atomic::{AtomicU32, Ordering};

use queue_engine::Payload;

use crate::plan::{payload_name, Publish, QueuePlan, ACTIVEMQ_BROKER_DELAY};
use crate::Error;

static RUN: AtomicU32 = AtomicU32::new(0);

/// ActiveMQ Classic's shared dead-letter queue (semantics notes §8), the default
/// `sharedDeadLetterStrategy` target.
pub const SHARED_DLQ: &str = "ActiveMQ.DLQ";
/// The message properties (STOMP headers become JMS string properties, and selectors accept
/// only Java identifiers: no `-`).
pub const ID_HEADER: &str = "qsim_id";
pub const PAYLOAD_HEADER: &str = "qsim_payload";
pub const RUN_HEADER: &str = "qsim_run";
/// `inactiveTimoutBeforeGC` of the clean-up policy: an empty queue with no consumer is
/// removed about this long after the run (plus the broker's purge period).
pub const GC_AFTER_MS: u64 = 1_000;

/// The `HOST:PORT` of a `stomp://HOST:PORT` URL. TLS (`stomp+ssl://`) is refused: verify
/// talks to a local broker.
pub fn address(url: &str) -> Result<String, Error> {
    if let Some(rest) = url.strip_prefix("stomp://") {
        let rest = rest.trim_end_matches('/');
        if rest.is_empty() || rest.contains('/') {
            return Err(Error::File(format!(
                "{url}: an ActiveMQ broker is given as stomp://HOST:PORT"
            )));
        }
        return Ok(rest.to_owned());
    }
    if url.starts_with("stomp+ssl://") || url.starts_with("stomp+tls://") {
        return Err(Error::Broker(format!(
            "{url}: TLS is not used; verify talks to a local broker over stomp://"
        )));
    }
    Err(Error::File(format!(
        "{url}: an ActiveMQ broker is given as stomp://HOST:PORT"
    )))
}

/// The broker names of one run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Names {
    /// The run's id, carried by every message as [`RUN_HEADER`].
    pub run: String,
    /// The queue's physical name (no `/queue/` prefix).
    pub queue: String,
}

/// ActiveMQ destination names are free text, but `.` separates the segments wildcards match
/// and `*`, `>` and `,` are wildcard or list syntax: keep letters, digits, `-` and `_`.
fn clean(node: &str) -> String {
    node.chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '_' => c,
            _ => '_',
        })
        .collect()
}

impl Names {
    pub fn new(q: &QueuePlan) -> Names {
        let n = RUN.fetch_add(1, Ordering::Relaxed);
        let run = format!("{}-{n}", std::process::id());
        Names {
            queue: format!(
                "qsim.r{}.{run}-{}",
                q.max_redeliveries.unwrap_or(0),
                clean(&q.node)
            ),
            run,
        }
    }

    pub fn destination(&self) -> String {
        format!("/queue/{}", self.queue)
    }

    /// The selector that picks this run's messages out of the shared dead-letter queue.
    pub fn dlq_selector(&self) -> String {
        format!("{RUN_HEADER} = '{}'", self.run)
    }
}

/// The SEND headers of one message. `persistent:true` matters: the broker's dead-letter
/// strategy discards a non-persistent poison message instead of moving it
/// (`processNonPersistent` is false by default; semantics notes §8, observed).
pub fn send_headers(p: &Publish, names: &Names) -> Vec<(String, String)> {
    vec![
        ("persistent".into(), "true".into()),
        (ID_HEADER.into(), p.id.to_string()),
        (PAYLOAD_HEADER.into(), payload_name(p.payload).into()),
        (RUN_HEADER.into(), names.run.clone()),
    ]
}

pub fn body(p: &Publish) -> Vec<u8> {
    format!(
        "{{\"id\":{},\"payload\":\"{}\"}}",
        p.id,
        payload_name(p.payload)
    )
    .into_bytes()
}

/// The extra SUBSCRIBE headers of a consumer: one message at a time, like the engine's
/// consumer (`activemq.prefetchSize`, ActiveMQ's STOMP extension).
pub fn consumer_headers() -> Vec<(String, String)> {
    vec![("activemq.prefetchSize".into(), "1".into())]
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// What a MESSAGE frame carries for the run: its engine id and whether it is poison. Frames of
/// other runs (a shared broker) read as `None`.
pub fn read(headers: &[(String, String)], names: &Names) -> Option<(u64, bool)> {
    if header(headers, RUN_HEADER) != Some(names.run.as_str()) {
        return None;
    }
    let id = header(headers, ID_HEADER)?.parse().ok()?;
    let poison = header(headers, PAYLOAD_HEADER) == Some(payload_name(Payload::Poison));
    Some((id, poison))
}

/// Where a message found in the dead-letter queue died: `dead_lettered` when its
/// `original-destination` is the run's queue, otherwise a place that names the other queue
/// (it would be a difference).
pub fn dead_place(headers: &[(String, String)], names: &Names) -> String {
    match header(headers, "original-destination") {
        Some(d) if d == names.destination() => "dead_lettered".into(),
        Some(d) => format!("dead_lettered from {d}"),
        None => "dead_lettered (no original-destination)".into(),
    }
}

/// The broker configuration the ActiveMQ runs need, as the elements to put inside
/// `<broker>` (with `schedulerSupport="true"` and `schedulePeriodForDestinationPurge` on the
/// broker element): a `redeliveryPlugin` policy per `maximumRedeliveries` from 0 to `max`,
/// all with the constant [`ACTIVEMQ_BROKER_DELAY`], and the queue clean-up policy.
/// `cargo xtask verify` writes exactly this into its private broker's `activemq.xml`.
pub fn broker_policies(max: u32, gc_after_ms: u64) -> String {
    let d = ACTIVEMQ_BROKER_DELAY.0;
    let entries: String = (0..=max)
        .map(|n| {
            format!(
                "          <redeliveryPolicy queue=\"qsim.r{n}.>\" maximumRedeliveries=\"{n}\" \
                 initialRedeliveryDelay=\"{d}\" redeliveryDelay=\"{d}\"/>\n"
            )
        })
        .collect();
    format!(
        "    <destinationPolicy><policyMap><policyEntries>\n\
         \x20     <policyEntry queue=\"qsim.>\" gcInactiveDestinations=\"true\" \
         inactiveTimoutBeforeGC=\"{gc_after_ms}\"/>\n\
         \x20   </policyEntries></policyMap></destinationPolicy>\n\
         \x20   <plugins>\n\
         \x20     <redeliveryPlugin fallbackToDeadLetter=\"true\" sendToDlqIfMaxRetriesExceeded=\"true\">\n\
         \x20       <redeliveryPolicyMap><redeliveryPolicyMap><redeliveryPolicyEntries>\n\
         {entries}\
         \x20       </redeliveryPolicyEntries></redeliveryPolicyMap></redeliveryPolicyMap>\n\
         \x20     </redeliveryPlugin>\n\
         \x20   </plugins>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use queue_engine::topology::profile::QueueProfile;
    use queue_engine::Millis;

    fn queue(limit: u32) -> QueuePlan {
        QueuePlan {
            node: "orders.eu*".into(),
            max_length: None,
            reject_publish: false,
            message_ttl_ms: None,
            profile: QueueProfile::Activemq,
            delivery_limit: None,
            dlq: None,
            max_receive_count: None,
            visibility_secs: None,
            max_redeliveries: Some(limit),
        }
    }

    fn publish(id: u64, payload: Payload) -> Publish {
        Publish {
            id,
            at: Millis(0),
            payload,
            group: 1,
        }
    }

    #[test]
    fn urls_are_stomp_host_port_only() {
        assert_eq!(
            address("stomp://127.0.0.1:61613"),
            Ok("127.0.0.1:61613".into())
        );
        assert_eq!(
            address("stomp://127.0.0.1:61613/"),
            Ok("127.0.0.1:61613".into())
        );
        assert!(matches!(address("stomp+ssl://h:1"), Err(Error::Broker(m)) if m.contains("TLS")));
        assert!(matches!(address("amqp://h:1"), Err(Error::File(_))));
        assert!(matches!(address("stomp://h:1/vhost"), Err(Error::File(_))));
    }

    /// The queue name selects the broker's policy for the scenario's limit (`qsim.r<N>.>`),
    /// and stays one name segment per part whatever the node is called.
    #[test]
    fn the_queue_name_carries_the_limit_and_a_unique_run() {
        let a = Names::new(&queue(6));
        let b = Names::new(&queue(6));
        assert_ne!(a.run, b.run);
        assert!(a.queue.starts_with("qsim.r6."), "{}", a.queue);
        assert!(a.queue.ends_with("-orders_eu_"), "{}", a.queue);
        assert_eq!(a.queue.matches('.').count(), 2, "{}", a.queue);
        assert_eq!(a.destination(), format!("/queue/{}", a.queue));
        assert_eq!(a.dlq_selector(), format!("qsim_run = '{}'", a.run));
    }

    #[test]
    fn messages_are_persistent_and_read_back_by_run() {
        let names = Names::new(&queue(3));
        let h = send_headers(&publish(42, Payload::Poison), &names);
        assert!(h.contains(&("persistent".into(), "true".into())));
        assert_eq!(read(&h, &names), Some((42, true)));
        let good = send_headers(&publish(7, Payload::Normal), &names);
        assert_eq!(read(&good, &names), Some((7, false)));
        // Another run's message on a shared broker is not ours.
        let other = Names::new(&queue(3));
        assert_eq!(read(&h, &other), None);
        assert_eq!(
            body(&publish(7, Payload::Normal)),
            br#"{"id":7,"payload":"normal"}"#.to_vec()
        );
    }

    #[test]
    fn a_dead_letter_must_come_from_the_runs_queue() {
        let names = Names::new(&queue(3));
        let from = |d: &str| vec![("original-destination".to_string(), d.to_string())];
        assert_eq!(
            dead_place(&from(&names.destination()), &names),
            "dead_lettered"
        );
        assert_eq!(
            dead_place(&from("/queue/elsewhere"), &names),
            "dead_lettered from /queue/elsewhere"
        );
        assert!(dead_place(&[], &names).contains("no original-destination"));
    }

    #[test]
    fn the_broker_policies_cover_every_limit_with_the_fixed_delay() {
        let xml = broker_policies(2, 1500);
        for n in 0..=2 {
            assert!(
                xml.contains(&format!(
                    "queue=\"qsim.r{n}.>\" maximumRedeliveries=\"{n}\" \
                     initialRedeliveryDelay=\"1000\" redeliveryDelay=\"1000\""
                )),
                "{xml}"
            );
        }
        assert!(!xml.contains("qsim.r3."), "{xml}");
        assert!(xml.contains("inactiveTimoutBeforeGC=\"1500\""), "{xml}");
        assert!(
            xml.contains("sendToDlqIfMaxRetriesExceeded=\"true\""),
            "{xml}"
        );
    }
}
