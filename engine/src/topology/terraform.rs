//! A topology's AWS part as Terraform: SNS topics, SQS queues with their redrive policies, the
//! topics' subscriptions (with their filter policies) and the queue policies that let a topic
//! send to its subscribers.
//!
//! # Contract
//! - SNS topics and `sqs_standard` / `sqs_fifo` queues are written; producers, consumer pools
//!   and stores have no place in it and are left out (as in [`super::definitions`]).
//! - A queue's lock and retention are written in the profile's terms, its default when the
//!   file says nothing (§1.1); delay and long-poll wait only when the file sets them. A
//!   dead-letter edge becomes the source's `redrive_policy`, with `maxReceiveCount` its delivery
//!   limit or SQS's default (§1.3).
//! - A topic that a FIFO queue subscribes to is written as a FIFO topic (§5).
//! - A bind edge from a topic becomes an `aws_sns_topic_subscription` with `protocol = "sqs"`
//!   and the edge's filter policy (§5), and each subscribed queue gets an `aws_sqs_queue_policy`
//!   allowing `sqs:SendMessage` from its topics only: without one, SNS cannot deliver.
//! - Anything AWS has no equivalent for (another platform's queue, an exchange, a log) is
//!   refused, naming the node, what was expected and what was given.

use std::fmt::Write;

use super::profile::QueueProfile;
use super::{EdgeKind, Node, RouterType, Topology};
use crate::error::ScenarioError;
use crate::kernel::time::Millis;
use crate::platform::tf_name as tf;

/// Whole seconds, rounded up as the lens's Terraform rounds them.
fn secs(t: Millis) -> u64 {
    crate::platform::secs(t.0)
}

/// A resource of one-line attributes, their `=` lined up as `terraform fmt` lines them up.
fn resource(out: &mut String, kind: &str, name: &str, lines: &[(&str, String)]) {
    let width = lines.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let _ = writeln!(out, "resource \"{kind}\" \"{name}\" {{");
    for (key, value) in lines {
        let _ = writeln!(out, "  {key:<width$} = {value}");
    }
    out.push_str("}\n\n");
}

/// A JSON value as the HCL expression `terraform fmt` writes for it: `{ "k" : v }`, `[a, b]`,
/// strings with HCL's template markers escaped, so a filter value is taken literally.
fn hcl(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Object(m) if m.is_empty() => "{}".to_owned(),
        Value::Object(m) => {
            let fields: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{} : {}", hcl(&Value::from(k.as_str())), hcl(v)))
                .collect();
            format!("{{ {} }}", fields.join(", "))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(hcl).collect();
            format!("[{}]", items.join(", "))
        }
        Value::String(_) => v.to_string().replace("${", "$${").replace("%{", "%%{"),
        other => other.to_string(),
    }
}

/// The topology's SNS topics and SQS queues as Terraform (HCL).
pub fn export(t: &Topology) -> Result<String, ScenarioError> {
    let mut out = String::new();
    for (name, node) in &t.nodes {
        match node {
            Node::Router(r) if r.kind == RouterType::Sns => {
                // AWS lets a FIFO queue subscribe only to a FIFO topic, whose name ends in .fifo.
                let fifo = t.edges_of(EdgeKind::Bind).any(|(_, e)| {
                    e.from == *name
                        && t.nodes.iter().any(|(n, q)| {
                            *n == e.to
                                && matches!(q, Node::Queue(q) if q.profile == QueueProfile::SqsFifo)
                        })
                });
                let mut lines = vec![("name", format!("\"{name}\""))];
                if fifo {
                    lines[0].1 = format!("\"{name}.fifo\"");
                    lines.push(("fifo_topic", "true".to_owned()));
                }
                resource(&mut out, "aws_sns_topic", &tf(name), &lines);
            }
            Node::Queue(q)
                if matches!(q.profile, QueueProfile::SqsStandard | QueueProfile::SqsFifo) =>
            {
                let fifo = q.profile == QueueProfile::SqsFifo;
                let p = q.profile;
                let _ = writeln!(out, "resource \"aws_sqs_queue\" \"{}\" {{", tf(name));
                let _ = writeln!(
                    out,
                    "  name                       = \"{name}{}\"",
                    if fifo { ".fifo" } else { "" }
                );
                let _ = writeln!(
                    out,
                    "  visibility_timeout_seconds = {}",
                    secs(q.visibility_timeout.unwrap_or(p.visibility().default))
                );
                let _ = writeln!(
                    out,
                    "  message_retention_seconds  = {}",
                    secs(q.retention.unwrap_or(p.retention().default))
                );
                if let Some(d) = q.delay {
                    let _ = writeln!(out, "  delay_seconds              = {}", secs(d));
                }
                if let Some(w) = q.receive_wait {
                    let _ = writeln!(out, "  receive_wait_time_seconds  = {}", secs(w));
                }
                if fifo {
                    let _ = writeln!(out, "  fifo_queue                 = true");
                }
                if let Some((_, dlq)) = t
                    .edges_of(EdgeKind::DeadLetter)
                    .find(|(_, e)| e.from == *name)
                {
                    let limit = q
                        .delivery_limit
                        .or(p.delivery_limit().map(|l| l.default))
                        .unwrap_or(10);
                    let _ = write!(
                        out,
                        "  redrive_policy = jsonencode({{\n    deadLetterTargetArn = aws_sqs_queue.{}.arn\n    maxReceiveCount     = {limit}\n  }})\n",
                        tf(&dlq.to)
                    );
                }
                out.push_str("}\n\n");
            }
            Node::Router(r) => {
                return Err(ScenarioError::field(
                    format!("nodes.{name}"),
                    "an SNS topic (Terraform for AWS)",
                    format!("a {} exchange", r.kind.id()),
                ))
            }
            Node::Queue(q) => {
                return Err(ScenarioError::field(
                    format!("nodes.{name}"),
                    "an sqs_standard or sqs_fifo queue (Terraform for AWS)",
                    format!("a {} queue", q.profile.id()),
                ))
            }
            Node::Log(_) => {
                return Err(ScenarioError::field(
                    format!("nodes.{name}"),
                    "an SNS topic or an SQS queue (Terraform for AWS)",
                    "a log",
                ))
            }
            Node::Producer(_) | Node::Consumer(_) | Node::Store(_) => {}
        }
    }
    let subscriptions: Vec<_> = t.edges_of(EdgeKind::Bind).map(|(_, e)| e).collect();
    for e in &subscriptions {
        let (topic, queue) = (tf(&e.from), tf(&e.to));
        let mut lines = vec![
            ("topic_arn", format!("aws_sns_topic.{topic}.arn")),
            ("protocol", "\"sqs\"".to_owned()),
            ("endpoint", format!("aws_sqs_queue.{queue}.arn")),
        ];
        if let Some(filter) = &e.filter {
            lines.push(("filter_policy", format!("jsonencode({})", hcl(filter))));
        }
        resource(
            &mut out,
            "aws_sns_topic_subscription",
            &format!("{topic}_to_{queue}"),
            &lines,
        );
    }
    // One policy per subscribed queue, naming every topic that sends to it.
    let mut queues: Vec<&str> = Vec::new();
    for e in &subscriptions {
        if !queues.contains(&e.to.as_str()) {
            queues.push(&e.to);
        }
    }
    for q in queues {
        let topics: Vec<String> = subscriptions
            .iter()
            .filter(|e| e.to == q)
            .map(|e| format!("aws_sns_topic.{}.arn", tf(&e.from)))
            .collect();
        let q = tf(q);
        let _ = write!(
            out,
            "resource \"aws_sqs_queue_policy\" \"{q}\" {{\n  queue_url = aws_sqs_queue.{q}.id\n  policy = jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [{{\n      Effect    = \"Allow\"\n      Principal = {{ Service = \"sns.amazonaws.com\" }}\n      Action    = \"sqs:SendMessage\"\n      Resource  = aws_sqs_queue.{q}.arn\n      Condition = {{ ArnEquals = {{ \"aws:SourceArn\" = [{}] }} }}\n    }}]\n  }})\n}}\n\n",
            topics.join(", ")
        );
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    Ok(out)
}
