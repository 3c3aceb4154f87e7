//! A log scenario (the lessons' `StreamScenario` JSON: one topic, its producers, its consumer
//! groups and their timed commands) as the world's plan, so the page runs its log lessons on
//! the one engine.
//!
//! # Contract
//! - The topic becomes the world's one log and each group a consumer group of it; each
//!   producer becomes a world producer whose `keys` are its groups (`store-N` keys), with its
//!   hot-key and keyless shares. The first producer's keyless partitioner is the log's.
//! - Timed commands are aimed as a version 2 file's would be: a crash or seek at its group,
//!   `set_hot_key` at the first producer. Adding or removing one member at a planned time has
//!   no fixed meaning once members crash, so it is refused by name (a person's click can do
//!   it: [`crate::World::command`] with `scale_consumers` counts the live members then).
//! - Whatever [`StreamScenario::validate`] refuses is refused here, with its path.

use super::log::{LogMember, LogPlan};
use super::plan::{MemberNodes, Plan, PlannedCommand, Target};
use crate::command::Command;
use crate::error::ScenarioError;
use crate::scenario::{Limits, MetricsConfig, ProducerConfig};
use crate::stream::{KeylessPartitioner, StreamCommand, StreamScenario};

impl Plan {
    /// See the module docs.
    pub fn from_stream(sc: &StreamScenario) -> Result<Plan, ScenarioError> {
        sc.validate()?;
        let producers: Vec<(String, ProducerConfig)> = sc
            .producers
            .iter()
            .map(|p| {
                let config = ProducerConfig {
                    name: p.name.clone(),
                    rate: p.rate,
                    stop: p.stop,
                    poison_share: p.poison_share,
                    groups: p.keys,
                    hot_key_share: p.hot_key_share,
                    keyless_share: p.keyless_share,
                    ..ProducerConfig::default()
                };
                (p.name.clone(), config)
            })
            .collect();
        let keyless = sc
            .producers
            .first()
            .map_or((KeylessPartitioner::Sticky, 16), |p| {
                (p.keyless, p.sticky_batch)
            });
        let commands = sc
            .commands
            .iter()
            .enumerate()
            .map(|(i, tc)| {
                let group = |g: usize| Target::Group {
                    log: 0,
                    group: g as u16,
                };
                let (target, command) = match tc.command {
                    StreamCommand::CrashConsumer { group: g, consumer } => (
                        group(g),
                        Command::Crash {
                            consumer: consumer as u32,
                        },
                    ),
                    StreamCommand::Seek { group: g, to } => (group(g), Command::Seek { to }),
                    StreamCommand::SetHotKey { share } => (
                        Target::Producer(0),
                        Command::SetHotKey { producer: 0, share },
                    ),
                    StreamCommand::AddConsumer { .. } | StreamCommand::RemoveConsumer { .. } => {
                        return Err(ScenarioError::field(
                            format!("commands[{i}].do"),
                            "crash_consumer, seek or set_hot_key (a planned add or remove of \
                             one member has no fixed meaning once members crash)",
                            "add_consumer or remove_consumer",
                        ))
                    }
                };
                Ok(PlannedCommand {
                    at: tc.at,
                    target,
                    command,
                })
            })
            .collect::<Result<Vec<_>, ScenarioError>>()?;
        let log = LogMember {
            nodes: MemberNodes {
                queue: sc.topic.name.clone(),
                dlq: None,
                consumer: None,
                store: None,
                replies: None,
                groups: sc.groups.iter().map(|g| g.name.clone()).collect(),
            },
            run: LogPlan::Kafka {
                scenario: StreamScenario {
                    producers: Vec::new(),
                    commands: Vec::new(),
                    ..sc.clone()
                },
                keyless,
            },
        };
        Ok(Plan {
            name: sc.name.clone(),
            seed: sc.seed,
            routes: vec![vec![0]; producers.len()],
            producers,
            members: Vec::new(),
            logs: vec![log],
            commands,
            metrics: MetricsConfig::default(),
            limits: Limits::default(),
        })
    }
}
