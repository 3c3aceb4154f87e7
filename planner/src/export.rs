//! What a built system exports for a real platform, as the lens offers for the built-in ones:
//! Terraform for its AWS part, RabbitMQ definitions, Kafka topics and group properties, Redis
//! commands, and a Lambda event source mapping for each SQS queue a consumer pool reads. Each
//! is the engine's own writer (`qsim terraform` and the others print the same text).
//!
//! # Contract
//! - [`draw`] offers each export the system has as a link that downloads it, with its file
//!   name; one that does not apply (Terraform for a RabbitMQ system) is named with the
//!   writer's reason, so an author knows why it is missing.
//! - A system that does not plan yet offers only what its topology alone gives (not Redis or
//!   Lambda, which need the plan).
//! - RabbitMQ definitions written here read back into the builder as the same routers, queues
//!   and bindings ([`crate::builder::read`], tested).

use std::fmt::Write;

use queue_engine::platform::lambda_mapping;
use queue_engine::topology::plan::Plan;
use queue_engine::topology::profile::QueueProfile;
use queue_engine::topology::scenario::ScenarioV2;
use queue_engine::topology::{definitions, kafka, redis, terraform, Node};

use crate::form::{escape, file_link};

/// One export: its title, its file name, and its text or why the system has none.
pub struct Export {
    pub title: &'static str,
    pub file: String,
    pub text: Result<String, String>,
}

/// Every export of `file`, in the lens's order.
pub fn all(file: &ScenarioV2, plan: Option<&Plan>) -> Vec<Export> {
    let t = &file.topology;
    let said = |e: queue_engine::ScenarioError| e.to_string();
    let mut out = vec![
        Export {
            title: "Terraform for AWS",
            file: "main.tf".to_owned(),
            text: terraform::export(t).map_err(said),
        },
        Export {
            title: "RabbitMQ definitions",
            file: "definitions.json".to_owned(),
            text: definitions::export(t)
                .map(|d| {
                    // No exchange, queue or binding: nothing for RabbitMQ.
                    let lists = d.as_object().into_iter().flat_map(|o| o.values());
                    let empty = lists.filter_map(|v| v.as_array()).all(Vec::is_empty);
                    if empty {
                        String::new()
                    } else {
                        serde_json::to_string_pretty(&d).unwrap_or_default()
                    }
                })
                .map_err(said),
        },
        Export {
            title: "Kafka topics and group properties",
            file: "kafka.sh".to_owned(),
            text: kafka::export(t).map_err(said),
        },
    ];
    if let Some(plan) = plan {
        out.push(Export {
            title: "Redis commands",
            file: "redis.txt".to_owned(),
            text: redis::export(plan).map_err(said),
        });
        // One mapping per SQS queue that a pool reads: Lambda polls the queue for it.
        for m in &plan.members {
            let sqs = matches!(
                t.nodes.iter().find(|(n, _)| *n == m.nodes.queue),
                Some((_, Node::Queue(q))) if matches!(q.profile, QueueProfile::SqsStandard | QueueProfile::SqsFifo)
            );
            if sqs && m.nodes.consumer.is_some() {
                out.push(Export {
                    title: "Lambda event source mapping",
                    file: format!("{}-mapping.json", m.nodes.queue),
                    text: Ok(lambda_mapping(&m.scenario)),
                });
            }
        }
    }
    // A writer with nothing to write (no log, no stream) has nothing to offer either.
    for e in &mut out {
        if matches!(&e.text, Ok(text) if text.trim().is_empty()) {
            e.text = Err("nothing in the system is written in it".to_owned());
        }
    }
    out
}

/// The exports as download links, and those the system has not, with why.
pub fn draw(out: &mut String, file: &ScenarioV2, plan: Option<&Plan>) {
    let exports = all(file, plan);
    out.push_str(r#"<h4 id="builder-exports">Export for a real platform</h4><ul class="builder-exports" aria-labelledby="builder-exports">"#);
    for e in &exports {
        match &e.text {
            Ok(text) => {
                let label = format!("{} ({})", e.title, e.file);
                let _ = write!(out, "<li>{}</li>", file_link(&e.file, text, &label));
            }
            Err(why) => {
                let _ = write!(
                    out,
                    "<li>{}: not offered, {}</li>",
                    escape(e.title),
                    escape(why)
                );
            }
        }
    }
    out.push_str("</ul>");
}
