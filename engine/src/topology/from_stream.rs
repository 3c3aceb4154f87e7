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
                let (target, command) = aim(&tc.command, None).ok_or_else(|| {
                    ScenarioError::field(
                        format!("commands[{i}].do"),
                        "crash_consumer, seek or set_hot_key (a planned add or remove of \
                         one member has no fixed meaning once members crash)",
                        "add_consumer or remove_consumer",
                    )
                })?;
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
                dlx: None,
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
            routers: Vec::new(),
        })
    }
}

impl Plan {
    /// The plan's one Kafka log, its groups and its producers as a log scenario, without the
    /// plan's timed commands: how the page's log panel runs a scenario file, where a person's
    /// buttons (add, crash, rewind) stand in for them. The inverse of [`Plan::from_stream`]
    /// for everything but the commands: a producer setting a log scenario cannot hold, a
    /// queue, a second log or a Redis stream is refused by name rather than dropped.
    pub fn log_system(&self) -> Result<StreamScenario, ScenarioError> {
        let refuse = |path: String, given: &str| {
            Err(ScenarioError::field(
                path,
                "one Kafka log, the consumer groups that read it and producers that publish only to it",
                given,
            ))
        };
        if !self.members.is_empty() {
            return refuse("nodes".into(), "a queue");
        }
        let [log] = &self.logs[..] else {
            return refuse("nodes".into(), &format!("{} logs", self.logs.len()));
        };
        let LogPlan::Kafka {
            scenario,
            keyless: (keyless, sticky_batch),
        } = &log.run
        else {
            return refuse(format!("nodes.{}", log.nodes.queue), "a Redis stream");
        };
        let mut producers = Vec::new();
        for (i, (name, config)) in self.producers.iter().enumerate() {
            let p = crate::stream::StreamProducer {
                name: name.clone(),
                rate: config.rate,
                keys: config.groups,
                hot_key_share: config.hot_key_share,
                keyless_share: config.keyless_share,
                keyless: *keyless,
                sticky_batch: *sticky_batch,
                poison_share: config.poison_share,
                stop: config.stop,
            };
            // What `from_stream` makes of it again must be the producer as it is.
            let back = Plan::from_stream(&StreamScenario {
                producers: vec![p.clone()],
                ..scenario.clone()
            })?;
            if back.producers[0].1 != *config || self.routes[i] != [0] {
                return refuse(
                    format!("nodes.{name}.producer"),
                    "a producer with settings a log has (rate, keys, hot key, keyless and poison shares, stop)",
                );
            }
            producers.push(p);
        }
        Ok(StreamScenario {
            name: self.name.clone(),
            seed: self.seed,
            producers,
            commands: Vec::new(),
            ..scenario.clone()
        })
    }
}

/// A log command as the world's: a crash or seek at its group, the hot key at the first
/// producer. Adding or removing one member needs the group's live members now (`live`), so
/// without them it has no meaning (None).
fn aim(c: &StreamCommand, live: Option<&dyn Fn(usize) -> u32>) -> Option<(Target, Command)> {
    let group = |g: usize| Target::Group {
        log: 0,
        group: g as u16,
    };
    Some(match *c {
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
        StreamCommand::AddConsumer { group: g } => (
            group(g),
            Command::ScaleConsumers {
                count: live?(g) + 1,
            },
        ),
        StreamCommand::RemoveConsumer { group: g } => (
            group(g),
            Command::ScaleConsumers {
                count: live?(g).saturating_sub(1),
            },
        ),
    })
}

impl crate::World {
    /// A person's command in a log panel, for a world planned by [`Plan::from_stream`]: aimed
    /// at the log's group or the producer, adding or removing one member from the members
    /// alive now. Refused as the log scenario's own command would be (a group that does not
    /// exist, a share outside 0 to 1).
    pub fn log_command(&mut self, c: &StreamCommand) -> Result<(), ScenarioError> {
        let log = self.logs().first().and_then(|l| l.as_kafka());
        if let Some(stream) = log {
            stream.scenario().validate_command("command", c)?;
        }
        let live = |g: usize| {
            log.and_then(|s| s.groups.get(g)).map_or(0, |grp| {
                grp.members.iter().filter(|m| m.alive).count() as u32
            })
        };
        let (target, command) = aim(c, Some(&live)).expect("live members are known");
        self.command(target, command)
    }
}
