//! Properties of the partitioned log over random topics, workloads, groups and membership
//! changes (joins, clean leaves, crashes).

mod common;

use std::collections::HashMap;

use proptest::prelude::*;
use queue_engine::stream::{
    CommitMode, GroupConfig, Rebalance, StreamCommand, StreamProducer, StreamScenario,
    TimedStreamCommand, TopicConfig,
};
use queue_engine::Millis;

// One parameter per dimension proptest generates; a struct would only rename them.
#[allow(clippy::too_many_arguments)]
fn scenario(
    partitions: u32,
    rate: f64,
    keys: u32,
    consumers: u32,
    commit: CommitMode,
    rebalance: Rebalance,
    changes: Vec<(u64, u8)>,
    seed: u64,
) -> StreamScenario {
    let commands = changes
        .into_iter()
        .map(|(at, kind)| TimedStreamCommand {
            at: Millis(at),
            command: match kind % 3 {
                0 => StreamCommand::AddConsumer { group: 0 },
                1 => StreamCommand::RemoveConsumer { group: 0 },
                _ => StreamCommand::CrashConsumer {
                    group: 0,
                    consumer: usize::from(kind) % 4,
                },
            },
        })
        .collect();
    StreamScenario {
        seed,
        topic: TopicConfig {
            partitions,
            ..Default::default()
        },
        producers: vec![StreamProducer {
            rate,
            keys,
            stop: Some(Millis::from_secs(20)),
            poison_share: 0.02,
            ..Default::default()
        }],
        groups: vec![
            GroupConfig {
                consumers,
                commit,
                rebalance,
                ..Default::default()
            },
            GroupConfig {
                name: "audit".into(),
                consumers: 1,
                ..Default::default()
            },
        ],
        commands,
        ..Default::default()
    }
}

fn commit_mode() -> impl Strategy<Value = CommitMode> {
    prop_oneof![
        Just(CommitMode::AfterProcessing),
        Just(CommitMode::BeforeProcessing),
        Just(CommitMode::Auto)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn logs_and_groups_keep_their_promises(
        partitions in 1u32..8,
        rate in 1.0f64..80.0,
        keys in 1u32..30,
        consumers in 1u32..4,
        commit in commit_mode(),
        cooperative in any::<bool>(),
        changes in prop::collection::vec((0u64..25_000, any::<u8>()), 0..5),
        seed in any::<u64>(),
    ) {
        let rebalance = if cooperative { Rebalance::Cooperative } else { Rebalance::Eager };
        let sc = scenario(partitions, rate, keys, consumers, commit, rebalance, changes, seed);
        let mut sim = common::OneLog::new(sc).unwrap();
        for step in 1..=12u64 {
            sim.advance_to(Millis(step * 5_000));
            for g in 0..2 {
                for p in 0..partitions as usize {
                    let log = &sim.partitions[p];
                    let cursor = &sim.groups[g].cursors[p];
                    // Offsets are dense and in order.
                    for (i, r) in log.records.iter().enumerate() {
                        prop_assert_eq!(r.offset, log.start + i as u64);
                    }
                    prop_assert!(cursor.committed.unwrap_or(0) <= log.end());
                    // Committing after processing never passes a record that was not handled.
                    let after = g == 1 || commit == CommitMode::AfterProcessing;
                    if after {
                        for r in log.records.iter().take_while(|r| Some(r.offset) < cursor.committed) {
                            let times = sim.times_processed(g, p, r.offset).unwrap();
                            prop_assert!(times > 0 || r.poison, "g{} p{} offset {} committed unprocessed", g, p, r.offset);
                        }
                    }
                }
                let c = &sim.groups[g].counts;
                if g == 1 || commit == CommitMode::AfterProcessing {
                    prop_assert_eq!(c.skipped, 0);
                }
            }
        }
        // Once everything is drained: every record was processed, dead-lettered or skipped.
        sim.advance_to(Millis::from_secs(300));
        for g in 0..2 {
            let c = &sim.groups[g].counts;
            let alive = sim.groups[g].members.iter().any(|m| m.alive);
            if alive {
                prop_assert_eq!(sim.group_lag(g), 0, "group {} drained", g);
                prop_assert_eq!(c.processed - c.duplicates + c.dead_lettered + c.skipped, sim.published(), "group {}: {:?}", g, c);
            }
            // The first processing of each key follows publish order.
            let mut last: HashMap<queue_engine::stream::Key, u64> = HashMap::new();
            let mut seen = std::collections::HashSet::new();
            for (key, seq) in &sim.groups[g].order {
                if !seen.insert(*seq) {
                    continue;
                }
                if let Some(prev) = last.insert(*key, *seq) {
                    prop_assert!(*seq > prev, "group {} key {:?}: {} after {}", g, key, seq, prev);
                }
            }
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_log(seed in any::<u64>(), partitions in 1u32..6) {
        let run = || {
            let mut sim = common::OneLog::new(scenario(partitions, 30.0, 10, 2, CommitMode::Auto, Rebalance::Cooperative,
                vec![(5_000, 2), (9_000, 0)], seed)).unwrap();
            sim.advance_to(Millis::from_secs(40));
            (sim.groups[0].counts.clone(), sim.groups[0].order.clone(), sim.partitions.iter().map(|p| p.end()).collect::<Vec<_>>())
        };
        prop_assert_eq!(run(), run());
    }
}
