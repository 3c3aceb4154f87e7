//! Redis Streams: a crashed consumer's entries stay in the pending entries list until they are
//! claimed (XAUTOCLAIM after a minimum idle time, delivery count + 1); an entry that keeps
//! failing goes to a dead stream by the delivery-count pattern.

use queue_engine::redis_stream::{RedisConfig, RedisStreamSim};
use queue_engine::Millis;

#[test]
fn a_crashed_consumers_entries_wait_in_the_pel_until_claimed() {
    let mut sim = RedisStreamSim::new(RedisConfig {
        rate: 10.0,
        count: 20,
        processing: Millis(180),
        ..Default::default()
    });
    sim.advance_to(Millis(5_050));
    sim.crash(0);
    let orphans: Vec<_> = sim
        .pel
        .iter()
        .filter(|(_, p)| p.consumer == 0)
        .map(|(id, _)| *id)
        .collect();
    assert!(!orphans.is_empty(), "kitchen-1 held entries when it died");
    sim.advance_to(Millis(9_000));
    for id in &orphans {
        assert_eq!(
            sim.pel[id].consumer, 0,
            "nobody takes them before min-idle: {id}"
        );
        assert_eq!(sim.pel[id].deliveries, 1);
    }
    sim.advance_to(Millis(30_000));
    for id in &orphans {
        assert!(
            !sim.pel.contains_key(id),
            "{id} was claimed and acknowledged"
        );
    }
    assert!(sim.counts.claimed >= orphans.len() as u64);
    assert_eq!(
        sim.counts.acked + sim.pel.len() as u64 + sim.undelivered(),
        sim.counts.added,
        "every entry acked, pending or not yet read"
    );
    assert!(sim.consumers[1].acked > sim.consumers[0].acked);
}

#[test]
fn an_entry_that_keeps_failing_goes_to_the_dead_stream() {
    let mut sim = RedisStreamSim::new(RedisConfig {
        rate: 5.0,
        poison_share: 0.1,
        max_deliveries: 3,
        ..Default::default()
    });
    sim.advance_to(Millis::from_secs(120));
    assert!(sim.counts.dead > 0);
    for (id, deliveries) in &sim.dead_stream {
        assert_eq!(*deliveries, 3, "{id}");
        assert!(!sim.pel.contains_key(id), "acknowledged once moved");
        assert!(sim.entry(*id).is_some_and(|e| e.poison));
    }
    // The PEL holds only entries still in play, not every failure ever.
    assert!(sim.pel.len() < 30, "{} pending", sim.pel.len());
}

#[test]
fn ids_are_milliseconds_and_a_sequence_and_only_grow() {
    let mut sim = RedisStreamSim::new(RedisConfig {
        rate: 2500.0,
        ..Default::default()
    });
    sim.advance_to(Millis(10));
    let ids: Vec<String> = sim.entries.iter().map(|e| e.id.to_string()).collect();
    assert_eq!(ids[0], "0-0");
    assert!(sim
        .entries
        .iter()
        .zip(sim.entries.iter().skip(1))
        .all(|(a, b)| a.id < b.id));
}

/// Semantics notes §4 (observed on Redis 7.0.15): `MAXLEN ~` trims regardless of consumer
/// groups. Entries nobody read are lost; a pending entry whose data went stays in the pending
/// list, and XAUTOCLAIM then reports it deleted and drops it.
#[test]
fn trimming_ignores_the_group_so_unread_entries_are_lost() {
    use queue_engine::redis_stream::MAXLEN;
    let mut sim = RedisStreamSim::new(RedisConfig {
        rate: 500.0,
        consumers: 1,
        processing: Millis(50),
        count: 100,
        ..Default::default()
    });
    // It reads a batch, then dies holding it: those entries stay pending.
    sim.advance_to(Millis::from_secs(1));
    sim.crash(0);
    assert!(!sim.pel.is_empty());
    sim.advance_to(Millis::from_secs(60));
    let c = &sim.counts;
    assert!((30_000..=30_001).contains(&c.added));
    assert_eq!(sim.entries.len(), MAXLEN as usize, "trimmed to MAXLEN");
    assert!(c.trimmed_unread > 19_000, "unread entries trimmed: {c:?}");
    assert!(
        c.deleted_pending > 0,
        "data-less pending entries dropped: {c:?}"
    );
    assert_eq!(
        c.acked
            + c.dead
            + sim.pel.len() as u64
            + sim.undelivered()
            + c.trimmed_unread
            + c.deleted_pending,
        c.added,
        "every entry accounted for"
    );
}

#[test]
fn an_entry_carries_a_valid_cloudevent_keyed_by_its_own_id() {
    let mut sim = RedisStreamSim::new(RedisConfig::default());
    sim.advance_to(Millis::from_secs(5));
    let (&id, _) = sim.pel.iter().next().expect("something pending");
    let env = sim.entry(id).unwrap().envelope();
    let parsed: cloudevents::Event =
        serde_json::from_str(&env.to_json_string()).expect("a valid CloudEvent");
    assert_eq!(cloudevents::AttributesReader::id(&parsed), env.id);
    assert_eq!(env.time, queue_engine::envelope::rfc3339(Millis(id.ms)));
    let other = sim
        .pel
        .keys()
        .nth(1)
        .map(|k| sim.entry(*k).unwrap().envelope().id);
    assert_ne!(other, Some(env.id.clone()), "each entry is its own event");
}
