//! `qsim-verify`: replays a version 2 scenario on a real broker and compares it, message by
//! message, with the engine's own run. It covers RabbitMQ (classic and quorum queues, over
//! AMQP), SQS (standard and FIFO queues, on moto's server mode) and ActiveMQ Classic (over
//! STOMP, with the broker's redelivery policies) for queue-shaped scenarios, Redis (a stream
//! with one consumer group, over RESP) for a Redis Streams log, and one router's routing: a
//! RabbitMQ exchange, or an SNS topic with filter policies on moto; see the README's
//! "`qsim verify`" section.
//!
//! # Contract
//! - Native only, and nothing depends on this crate: broker clients never reach `queue-engine`
//!   or the app (the engine is a dependency here, never the other way round).
//! - [`plan::load`] refuses (as [`Error::File`]) any scenario a broker cannot replay
//!   deterministically, with the field and the reason.
//! - [`broker::run`] (RabbitMQ), [`sqs::run`], [`routing::amqp::run`], [`routing::sns::run`]
//!   and [`redis_streams::run`] delete every queue, exchange, topic, subscription or stream
//!   they declared, even when
//!   the run fails. [`activemq::run`] empties its queue and takes its own dead letters out of
//!   `ActiveMQ.DLQ`; the broker's `gcInactiveDestinations` policy then removes the queue
//!   (STOMP has no way to delete one).
//! - A scenario runs only on its own platform's broker: the URL scheme (`amqp://`,
//!   `sqs+http://`, `stomp://`, `redis://`) must match the queue's profile (or the log), or the
//!   run is refused before it starts.
//! - [`compare::compare`] is pure: engine facts and broker facts in, differences out.

pub mod activemq;
pub mod broker;
pub mod compare;
pub mod plan;
pub mod redis_streams;
pub mod routing;
pub mod sqs;
pub mod trace;

use std::fmt;

use queue_engine::topology::RouterType;
use queue_engine::Millis;
use serde::Serialize;

/// Why a verification could not be carried out (both exit with status 2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The scenario file or an option is bad, or asks for what the broker run cannot replay.
    File(String),
    /// The broker cannot be reached or refused something.
    Broker(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::File(m) => write!(f, "bad scenario: {m}"),
            Error::Broker(m) => write!(f, "broker: {m}"),
        }
    }
}

impl std::error::Error for Error {}

impl Error {
    /// A file error prefixed with the file's path.
    pub fn in_file(self, path: &str) -> Error {
        match self {
            Error::File(m) => Error::File(format!("{path}: {m}")),
            other => other,
        }
    }
}

/// The `--report` file: the run's settings and the comparison.
#[derive(Serialize)]
pub struct RunReport<'a> {
    pub scenario: &'a str,
    pub file: &'a str,
    pub broker: &'a str,
    pub until_ms: u64,
    pub time_scale: f64,
    /// The settings scaled for the broker (`name: simulated → broker`).
    pub scaled: &'a [String],
    pub wall_ms: u64,
    pub comparison: &'a compare::Comparison,
}

/// What the bin prints above the table: the scenario, the window and what was scaled.
pub struct Summary {
    pub name: String,
    pub until: Millis,
    pub scale: f64,
    pub scaled: Vec<String>,
}

impl Summary {
    fn of(name: String, until: Millis, scale: f64, scaled: Vec<String>) -> Summary {
        Summary {
            name,
            until,
            scale,
            scaled,
        }
    }
}

/// Loads `file`, runs the engine, replays it on the broker at `url` and compares. A file with
/// a log goes to Redis; any other to the broker its queue's profile names.
pub fn verify(
    file: &str,
    url: &str,
    until: Option<Millis>,
) -> Result<(Summary, compare::Comparison), Error> {
    let scenario = plan::read(file)?;
    let until = until.unwrap_or(plan::DEFAULT_UNTIL);
    if scenario
        .topology
        .of_kind(queue_engine::NodeKind::Log)
        .next()
        .is_some()
    {
        if !url.starts_with("redis") {
            return Err(Error::File(format!(
                "{file}: a log node runs on --broker redis://127.0.0.1:PORT, not {url}"
            )));
        }
        let plan = redis_streams::plan(&scenario, until).map_err(|e| e.in_file(file))?;
        let observed = redis_streams::run(&plan, url)?;
        let comparison = compare::compare(&plan.expected, &observed);
        return Ok((
            Summary::of(plan.name, plan.until, plan.scale, plan.scaled),
            comparison,
        ));
    }
    if routing::is_routing(&scenario) {
        let plan = routing::plan(&scenario, until).map_err(|e| e.in_file(file))?;
        let (scheme, wanted) = if plan.kind == RouterType::Sns {
            (
                "sqs+http",
                "an SNS topic is checked on --broker sqs+http://127.0.0.1:PORT (moto)",
            )
        } else {
            (
                "amqp",
                "an exchange is checked on --broker amqp://127.0.0.1:PORT",
            )
        };
        if !url.starts_with(scheme) {
            return Err(Error::File(format!("{file}: {wanted}, not {url}")));
        }
        let observed = if plan.kind == RouterType::Sns {
            routing::sns::run(&plan, url)?
        } else {
            routing::amqp::run(&plan, url)?
        };
        let comparison = compare::compare(&plan.expected, &observed);
        let scaled = vec![
            "nothing: routing happens at publish, so the messages go back to back in the \
             engine's order"
                .to_owned(),
        ];
        return Ok((Summary::of(plan.name, plan.until, 1.0, scaled), comparison));
    }
    let plan = plan::plan(&scenario, until).map_err(|e| e.in_file(file))?;
    let wanted = if url.starts_with("sqs+") {
        plan::Platform::Sqs
    } else if url.starts_with("amqp") {
        plan::Platform::Rabbitmq
    } else if url.starts_with("stomp") {
        plan::Platform::Activemq
    } else {
        return Err(Error::File(format!(
            "--broker {url}: expected amqp://HOST:PORT (RabbitMQ), sqs+http://HOST:PORT (SQS), \
             stomp://HOST:PORT (ActiveMQ) or redis://HOST:PORT (Redis Streams)"
        )));
    };
    if wanted != plan.platform {
        return Err(Error::File(format!(
            "{file}: nodes.{}.queue.profile is {}, which runs on --broker {}, not {url}",
            plan.queue.node,
            plan.queue.profile.id(),
            plan.platform.scheme()
        )));
    }
    let observed = match plan.platform {
        plan::Platform::Rabbitmq => broker::run(&plan, url)?,
        plan::Platform::Sqs => sqs::run(&plan, url)?,
        plan::Platform::Activemq => activemq::run(&plan, url)?,
    };
    let comparison = compare::compare(&plan.expected, &observed);
    Ok((
        Summary::of(plan.name, plan.until, plan.scale, plan.scaled),
        comparison,
    ))
}
