//! Scenarios built into the page: the main queue's systems in the Systems menu (`?s=NAME`),
//! the worlds the panels run, and the frame-time benchmark's backlogs.

use queue_engine::stream::StreamScenario;
use queue_engine::topology::plan::Plan;
use queue_engine::Scenario;

/// Lowered from `scenarios/*.json` (version 2 topologies) by `build.rs`.
pub const BUILT_IN: &[(&str, &str)] = &[
    (
        "pizza-shop",
        include_str!(concat!(env!("OUT_DIR"), "/scenarios/pizza-shop.json")),
    ),
    (
        "http-vs-queue",
        include_str!(concat!(env!("OUT_DIR"), "/scenarios/http-vs-queue.json")),
    ),
    (
        "kitchen-outage",
        include_str!(concat!(env!("OUT_DIR"), "/scenarios/kitchen-outage.json")),
    ),
    (
        "rabbitmq-quorum-orders",
        include_str!(concat!(
            env!("OUT_DIR"),
            "/scenarios/rabbitmq-quorum-orders.json"
        )),
    ),
    (
        "service-bus-orders",
        include_str!(concat!(
            env!("OUT_DIR"),
            "/scenarios/service-bus-orders.json"
        )),
    ),
    (
        "pubsub-orders",
        include_str!(concat!(env!("OUT_DIR"), "/scenarios/pubsub-orders.json")),
    ),
    (
        "activemq-orders",
        include_str!(concat!(env!("OUT_DIR"), "/scenarios/activemq-orders.json")),
    ),
];

/// The frame-time benchmark's backlogs (`cargo xtask bench frames`): only its own build
/// (feature `bench`) carries them, so learners do not download them.
#[cfg(feature = "bench")]
pub const BENCH: &[(&str, &str)] = &[
    (
        "ui-backlog-100",
        include_str!(concat!(env!("OUT_DIR"), "/scenarios/ui-backlog-100.json")),
    ),
    (
        "ui-backlog-1000",
        include_str!(concat!(env!("OUT_DIR"), "/scenarios/ui-backlog-1000.json")),
    ),
    (
        "ui-backlog-10000",
        include_str!(concat!(env!("OUT_DIR"), "/scenarios/ui-backlog-10000.json")),
    ),
];
#[cfg(not(feature = "bench"))]
pub const BENCH: &[(&str, &str)] = &[];

/// The built-in scenario with this name.
pub fn by_name(name: &str) -> Option<Scenario> {
    text(name).and_then(|json| Scenario::from_json(json).ok())
}

/// The built-in scenario with this name, as the JSON text the page carries (a lesson written
/// on it carries the same).
pub fn text(name: &str) -> Option<&'static str> {
    // Two finds, not a chain: with no benchmark scenarios the second is nothing at all.
    BUILT_IN
        .iter()
        .find(|(n, _)| *n == name)
        .or_else(|| BENCH.iter().find(|(n, _)| *n == name))
        .map(|(_, json)| *json)
}

/// The built-in system with this name, as the world's plan, planned from `scenarios/*.json` by
/// `build.rs` (which fails on a file that does not plan). The page has it as Rust
/// ([`written`]); the studio, which reads plans anyway (a system of one's own, `own_plan`),
/// reads the JSON the build wrote beside it, which there costs less.
pub fn plan(name: &str) -> Option<Plan> {
    #[cfg(feature = "studio")]
    {
        let (_, json) = TEXTS.iter().find(|(n, _)| *n == name)?;
        Plan::from_json(json).ok()
    }
    #[cfg(not(feature = "studio"))]
    written(name)
}

/// Each built-in world's plan as the JSON `build.rs` wrote, by name.
#[cfg(any(test, feature = "studio"))]
const TEXTS: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/plans/texts.rs"));

/// The built-in world with this name as `build.rs` wrote its plan in Rust (`OUT_DIR/plans.rs`),
/// calling the small builders below, with only the parts whose readers the page has anyway as
/// JSON: each member's scenario, a producer, a command. Read whole as JSON, plans brought
/// serde's readers for every other part of a plan into the download: 9.5 kB of gzip. A part
/// that does not read (it cannot: the build wrote it) gives no plan rather than a panic.
#[cfg_attr(feature = "studio", allow(dead_code))]
fn written(name: &str) -> Option<Plan> {
    use queue_engine::redis_stream::RedisConfig;
    use queue_engine::topology::log::{LogMember, LogPlan};
    use queue_engine::topology::plan::{Member, MemberNodes, PlannedCommand, PlannedRouter};
    use queue_engine::topology::tokens::Target;
    use queue_engine::topology::RouterType;
    use queue_engine::{Limits, MetricsConfig, Millis};
    // serde_json's own reader rather than the engine's `parse_json`: nothing shows why a
    // part failed, and the wording of that reason cost 1.7 kB of gzip.
    fn json<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
        serde_json::from_str(text).ok()
    }
    // The builders stay out of line: the four worlds call them once per member, node set and
    // router, and each call inlined was its own copy (0.23 kB of gzip in all).
    fn owned(s: Option<&str>) -> Option<String> {
        s.map(str::to_owned)
    }
    /// `dlq`, `consumer`, `store`, `replies` and `dlx`, in that order.
    #[inline(never)]
    fn nodes(queue: &str, more: [Option<&str>; 5], groups: &[&str]) -> MemberNodes {
        let [dlq, consumer, store, replies, dlx] = more.map(owned);
        MemberNodes {
            queue: queue.to_owned(),
            dlq,
            consumer,
            store,
            replies,
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
            dlx,
        }
    }
    #[inline(never)]
    fn member(nodes: MemberNodes, scenario: &str) -> Option<Member> {
        Some(Member {
            nodes,
            scenario: json(scenario)?,
        })
    }
    fn pairs(ps: &[(Option<&str>, u16)]) -> Vec<(Option<String>, u16)> {
        ps.iter().map(|(k, i)| (owned(*k), *i)).collect()
    }
    #[inline(never)]
    fn router(
        name: &str,
        kind: RouterType,
        binds: &[(Option<&str>, u16)],
        publishers: &[(Option<&str>, u16)],
        dead_letter: bool,
    ) -> PlannedRouter {
        PlannedRouter {
            name: name.to_owned(),
            kind,
            binds: pairs(binds),
            publishers: pairs(publishers),
            dead_letter,
        }
    }
    include!(concat!(env!("OUT_DIR"), "/plans.rs"))
}

/// The log panel's system, `scenarios/orders-log.json` as the log scenario `build.rs` wrote
/// (its topic, groups and producer; the panel's buttons stand in for the file's timed
/// commands), from `seed`.
pub fn log_system(seed: u64) -> StreamScenario {
    StreamScenario {
        seed,
        ..StreamScenario::from_json(LOG).unwrap_or_default()
    }
}

const LOG: &str = include_str!(concat!(env!("OUT_DIR"), "/streams/orders-log.json"));

/// The log panel's system from `seed`, as a log scenario's JSON text (what a lesson on the
/// log carries).
pub fn log_text(seed: u64) -> String {
    crate::authoring::with_seed(LOG, seed)
}

/// A built-in system's configuration to copy, borrowed from the page's data: the App draws
/// it every frame, so it is not copied each time.
pub struct Copyable {
    /// The system, whose configuration is the file `exports/{name}.txt`.
    pub name: &'static str,
    pub title: &'static str,
    /// `json`, `hcl`, `properties` or `redis`, as the lens's exports say it.
    pub format: &'static str,
    /// The text, in builds that carry it (native code, the browser tests). The page's and the
    /// studio's builds (`fetched-lessons`) carry "" and fetch the file when the box is first
    /// opened, as they fetch a lesson: few visits open one, and the five weigh 2.2 kB of gzip.
    pub text: &'static str,
}

#[cfg(feature = "fetched-lessons")]
macro_rules! carried {
    ($name:literal) => {
        ""
    };
}
#[cfg(not(feature = "fetched-lessons"))]
macro_rules! carried {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/exports/",
            $name,
            ".txt"
        ))
    };
}

/// The configuration to copy for a built-in system of several nodes (None: nothing to copy
/// yet): `exports/NAME.txt`, the engine's own exporter's text for the system's file, as `qsim
/// definitions`, `qsim terraform`, `qsim kafka` or `qsim redis` prints it (`tests/systems.rs`
/// holds the files to that, and rewrites them with `UPDATE_EXPORTS=1`). The log's is its
/// file's: the panel's switches change the run, not this text, and its title says so.
pub fn export(name: &str) -> Option<Copyable> {
    let (name, title, format, text) = match name {
        "rabbitmq-pizza" => (
            "rabbitmq-pizza",
            "RabbitMQ definitions, for rabbitmqctl import_definitions",
            "json",
            carried!("rabbitmq-pizza"),
        ),
        "video-upload" => (
            "video-upload",
            "Terraform: the SNS topic, its SQS queues and subscriptions",
            "hcl",
            carried!("video-upload"),
        ),
        "queue-vs-topic" => (
            "queue-vs-topic",
            "Terraform: the SQS queues, the SNS topic and its subscriptions",
            "hcl",
            carried!("queue-vs-topic"),
        ),
        "orders-log" => (
            "orders-log",
            "Kafka: the topic and consumer groups as the file sets them, not the switches above",
            "properties",
            carried!("orders-log"),
        ),
        "redis-orders" => (
            "redis-orders",
            "Redis: the stream, its consumer group, the janitor and the dead stream",
            "redis",
            carried!("redis-orders"),
        ),
        _ => return None,
    };
    Some(Copyable {
        name,
        title,
        format,
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plans `build.rs` wrote as Rust are the plans it planned: each equals the plan read
    /// back from the JSON the build wrote beside it.
    #[test]
    fn each_built_in_world_is_its_planned_plan() {
        assert_eq!(TEXTS.len(), 4);
        for (name, json) in TEXTS {
            let read = Plan::from_json(json).expect("the build's JSON reads");
            assert_eq!(written(name), Some(read.clone()), "{name}");
            assert_eq!(plan(name), Some(read), "{name}");
        }
        assert_eq!(written("no-such-world"), None);
        assert_eq!(plan("no-such-world"), None);
    }
}
