//! Kafka consumer groups have no DLQ: a record that keeps failing is published by the
//! application to `<topic>-dlt` with its origin in headers, and the partition moves on.

mod common;

use queue_engine::stream::StreamScenario;
use queue_engine::Millis;

#[test]
fn a_failing_record_goes_to_the_dead_letter_topic_with_its_origin() {
    let sc = StreamScenario::from_json(
        r#"{ "topic": { "name": "orders", "partitions": 3 },
             "producers": [{ "rate": 10, "poison_share": 0.1, "stop": "30s" }],
             "groups": [ { "max_attempts": 3 } ] }"#,
    )
    .unwrap();
    let mut sim = common::OneLog::new(sc).unwrap();
    sim.advance_to(Millis::from_secs(60));
    let g = &sim.groups[0].counts;
    assert!(g.dead_lettered > 10, "{g:?}");
    assert_eq!(g.failures, 3 * g.dead_lettered, "three attempts each");
    assert_eq!(
        g.processed + g.dead_lettered,
        sim.published(),
        "the partition moved on"
    );
    assert_eq!(sim.dlt_topic(), "orders-dlt");
    for d in &sim.dlt {
        assert_eq!(d.topic, "orders-dlt");
        assert_eq!(d.original_topic, "orders");
        let record = sim.partitions[d.original_partition as usize]
            .records
            .iter()
            .find(|r| r.offset == d.original_offset)
            .expect("the headers point at the original record");
        assert!(record.poison);
        assert_eq!(record.key.name(), d.key);
    }
    assert_eq!(sim.group_lag(0), 0);
}

#[test]
fn stream_scenarios_reject_bad_fields_with_the_path() {
    let e = StreamScenario::from_json(r#"{ "topic": { "partitions": 0 } }"#).unwrap_err();
    assert_eq!(e.to_string(), "topic.partitions: expected 1 to 64; got 0");
    let e = StreamScenario::from_json(r#"{ "commands": [ { "at": "1s", "do": { "type": "seek", "group": 3, "to": "earliest" } } ] }"#).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("commands[0].do.group: expected a group index below 1"),
        "{e}"
    );
    assert!(
        StreamScenario::from_json(r#"{ "topic": { "partitons": 3 } }"#).is_err(),
        "unknown fields are refused"
    );
}
