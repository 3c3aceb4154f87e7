//! What an SQS run puts on the wire, as pure functions: the endpoint of an `sqs+http://` URL,
//! the run's queue names, the `CreateQueue` attributes and the message bodies. No client and
//! no I/O here, so every rule is unit-tested; each platform rule names its section of the
//! semantics notes.

use std::sync::atomic::{AtomicU32, Ordering};

use aws_sdk_sqs::types::QueueAttributeName;
use queue_engine::Payload;

use crate::plan::{payload_name, Publish, QueuePlan};
use crate::Error;

static RUN: AtomicU32 = AtomicU32::new(0);

/// The `http://` endpoint of an `sqs+http://` URL. TLS is not built in (the endpoint is a
/// local moto), so `sqs+https://` is refused with the reason.
pub fn endpoint(url: &str) -> Result<String, Error> {
    if let Some(rest) = url.strip_prefix("sqs+http://") {
        return Ok(format!("http://{rest}"));
    }
    if url.starts_with("sqs+https://") {
        return Err(Error::Broker(format!(
            "{url}: TLS is not built in; verify talks to a local endpoint over sqs+http://"
        )));
    }
    Err(Error::File(format!(
        "{url}: an SQS endpoint is given as sqs+http://HOST:PORT"
    )))
}

/// The broker names of one run's queues.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Names {
    pub queue: String,
    pub dlq: Option<String>,
}

/// The start of every name one run declares: `qsim-<pid>-<n>-`, unique to the run.
pub(crate) fn run_prefix() -> String {
    let n = RUN.fetch_add(1, Ordering::Relaxed);
    format!("qsim-{}-{n}-", std::process::id())
}

/// SQS queue names: up to 80 letters, digits, `-` and `_`, and FIFO ones end in `.fifo`. SNS
/// topic names follow the same rule, with 256 characters.
pub(crate) fn queue_name(prefix: &str, node: &str, fifo: bool) -> String {
    let clean: String = node
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '_' => c,
            _ => '-',
        })
        .collect();
    let suffix = if fifo { ".fifo" } else { "" };
    let room = 80 - prefix.len() - suffix.len();
    format!("{prefix}{}{suffix}", &clean[..clean.len().min(room)])
}

impl Names {
    pub fn new(q: &QueuePlan) -> Names {
        let prefix = run_prefix();
        Names {
            queue: queue_name(&prefix, &q.node, q.fifo()),
            dlq: q.dlq.as_ref().map(|d| queue_name(&prefix, d, q.fifo())),
        }
    }
}

/// The `CreateQueue` attributes of the queue (`dlq_arn`: its dead-letter queue) or, with
/// `is_dlq`, of the dead-letter queue, which must be FIFO when the source is (§1.3).
pub fn queue_attributes(
    q: &QueuePlan,
    is_dlq: bool,
    dlq_arn: Option<&str>,
) -> Vec<(QueueAttributeName, String)> {
    let mut attrs = Vec::new();
    if q.fifo() {
        attrs.push((QueueAttributeName::FifoQueue, "true".into()));
        attrs.push((
            QueueAttributeName::ContentBasedDeduplication,
            "false".into(),
        ));
    }
    if is_dlq {
        return attrs;
    }
    if let Some(secs) = q.visibility_secs {
        attrs.push((QueueAttributeName::VisibilityTimeout, secs.to_string()));
    }
    if let (Some(arn), Some(n)) = (dlq_arn, q.max_receive_count) {
        attrs.push((
            QueueAttributeName::RedrivePolicy,
            format!(r#"{{"deadLetterTargetArn":"{arn}","maxReceiveCount":{n}}}"#),
        ));
    }
    attrs
}

/// The message body: the engine id and the payload kind, all a consumer needs.
pub fn body(p: &Publish) -> String {
    format!(
        r#"{{"id":{},"payload":"{}"}}"#,
        p.id,
        payload_name(p.payload)
    )
}

/// The engine id and whether it is poison, from a body written by [`body`].
pub fn parse_body(text: &str) -> Option<(u64, bool)> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    let id = v.get("id")?.as_u64()?;
    let poison = v.get("payload")?.as_str()? == payload_name(Payload::Poison);
    Some((id, poison))
}

#[cfg(test)]
mod tests {
    use super::*;
    use queue_engine::topology::profile::QueueProfile;
    use queue_engine::Millis;

    fn fifo() -> QueuePlan {
        QueuePlan {
            node: "orders".into(),
            max_length: None,
            reject_publish: false,
            message_ttl_ms: None,
            profile: QueueProfile::SqsFifo,
            delivery_limit: None,
            dlq: Some("orders-dlq".into()),
            max_receive_count: Some(3),
            visibility_secs: Some(2),
            max_redeliveries: None,
        }
    }

    fn value(attrs: &[(QueueAttributeName, String)], k: QueueAttributeName) -> Option<&str> {
        attrs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.as_str())
    }

    /// Semantics notes §1.3: the redrive policy is `{"deadLetterTargetArn", "maxReceiveCount"}`
    /// on the source queue, and a FIFO source needs a FIFO dead-letter queue.
    #[test]
    fn fifo_attributes_carry_the_redrive_policy_and_a_fifo_dlq() {
        let a = queue_attributes(&fifo(), false, Some("arn:aws:sqs:us-east-1:1:q-dlq.fifo"));
        assert_eq!(value(&a, QueueAttributeName::FifoQueue), Some("true"));
        assert_eq!(value(&a, QueueAttributeName::VisibilityTimeout), Some("2"));
        let policy: serde_json::Value =
            serde_json::from_str(value(&a, QueueAttributeName::RedrivePolicy).expect("a policy"))
                .expect("JSON");
        assert_eq!(policy["maxReceiveCount"], 3);
        assert_eq!(
            policy["deadLetterTargetArn"],
            "arn:aws:sqs:us-east-1:1:q-dlq.fifo"
        );
        let d = queue_attributes(&fifo(), true, None);
        assert_eq!(value(&d, QueueAttributeName::FifoQueue), Some("true"));
        assert_eq!(value(&d, QueueAttributeName::RedrivePolicy), None);
    }

    #[test]
    fn standard_queues_have_no_fifo_attributes() {
        let q = QueuePlan {
            profile: QueueProfile::SqsStandard,
            dlq: None,
            max_receive_count: None,
            ..fifo()
        };
        let a = queue_attributes(&q, false, None);
        assert_eq!(value(&a, QueueAttributeName::FifoQueue), None);
        assert_eq!(value(&a, QueueAttributeName::RedrivePolicy), None);
        assert_eq!(value(&a, QueueAttributeName::VisibilityTimeout), Some("2"));
    }

    /// Semantics notes §1.4 (FIFO): FIFO queue names end in `.fifo`; names are at most 80
    /// characters of letters, digits, `-` and `_`.
    #[test]
    fn names_are_unique_valid_and_fifo_suffixed() {
        let a = Names::new(&fifo());
        let b = Names::new(&fifo());
        assert_ne!(a.queue, b.queue);
        assert!(a.queue.ends_with("-orders.fifo"), "{}", a.queue);
        assert!(a
            .dlq
            .as_deref()
            .is_some_and(|d| d.ends_with("-orders-dlq.fifo")));
        let long = queue_name("qsim-1-0-", &"x.y".repeat(40), true);
        assert_eq!(long.len(), 80);
        assert!(
            long.ends_with(".fifo") && !long[..75].contains('.'),
            "{long}"
        );
    }

    #[test]
    fn bodies_round_trip_id_and_payload() {
        let p = Publish {
            id: 42,
            at: Millis(0),
            payload: Payload::Poison,
            group: 2,
        };
        assert_eq!(parse_body(&body(&p)), Some((42, true)));
        let p = Publish {
            payload: Payload::Normal,
            ..p
        };
        assert_eq!(parse_body(&body(&p)), Some((42, false)));
        assert_eq!(parse_body("not json"), None);
    }

    #[test]
    fn urls_are_checked() {
        assert_eq!(
            endpoint("sqs+http://127.0.0.1:5055"),
            Ok("http://127.0.0.1:5055".to_owned())
        );
        assert!(matches!(endpoint("sqs+https://x"), Err(Error::Broker(m)) if m.contains("TLS")));
        assert!(matches!(endpoint("http://x"), Err(Error::File(_))));
    }
}
