//! `qsim run --events`: one JSON object per event, with its time, node, message and copy, so
//! that anyone can check the engine from outside (the schema is in the README). Bad files and
//! options exit with status 2 and a message naming the path.

use std::collections::BTreeSet;
use std::process::Command;

use serde_json::Value;

fn qsim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_qsim"))
        .args(args)
        .output()
        .unwrap()
}

fn repo(rel: &str) -> String {
    format!("{}/../{rel}", env!("CARGO_MANIFEST_DIR"))
}

/// Runs `qsim run FILE --until UNTIL --events …`: the report, and every event line parsed.
fn run_with_events(file: &str, until: &str) -> (Value, Vec<Value>) {
    let out_file = std::env::temp_dir().join(format!(
        "qsim-events-{}-{}.jsonl",
        std::process::id(),
        file.replace('/', "_")
    ));
    let out = qsim(&[
        "run",
        &repo(file),
        "--until",
        until,
        "--no-messages",
        "--events",
        out_file.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = std::fs::read_to_string(&out_file).unwrap();
    std::fs::remove_file(&out_file).ok();
    let lines = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (report, lines)
}

#[test]
fn every_event_is_one_line_with_its_time_node_and_message() {
    let (report, lines) = run_with_events("scenarios/kitchen-outage.json", "3m");
    // Nothing is lost between drains: the file has every event the run counted.
    assert_eq!(lines.len() as u64, report["events"].as_u64().unwrap());
    let nodes: BTreeSet<&str> = lines.iter().filter_map(|l| l["node"].as_str()).collect();
    let file: Value = serde_json::from_str(
        &std::fs::read_to_string(repo("scenarios/kitchen-outage.json")).unwrap(),
    )
    .unwrap();
    let names: BTreeSet<&str> = file["nodes"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert!(
        nodes.is_subset(&names),
        "{nodes:?} are not all nodes of {names:?}"
    );
    for place in ["orders", "orders-dlq", "kitchen", "replies", "orders-db"] {
        assert!(nodes.contains(place), "no event at {place}");
    }
    let mut last = 0;
    for l in &lines {
        let t = l["t"].as_u64().expect("t in ms");
        assert!(t >= last, "events are in time order");
        last = t;
        assert!(l["kind"].is_string());
        if l.get("msg").is_some() {
            assert_eq!(l["copy"], 0, "{l}");
        }
    }
    let published = lines.iter().filter(|l| l["kind"] == "published").count() as u64;
    assert_eq!(published, report["published"].as_u64().unwrap());
    assert_eq!(report["queues"][0]["queue"], "orders");
    // The kitchen goes offline at 60 s: an event at the consumer pool says so.
    assert!(lines
        .iter()
        .any(|l| l["kind"] == "consumer_offline" && l["node"] == "kitchen" && l["t"] == 60_000));
}

#[test]
fn check_reads_both_versions_and_convert_lifts_version_1() {
    let v1 = std::env::temp_dir().join(format!("qsim-v1-{}.json", std::process::id()));
    std::fs::write(
        &v1,
        r#"{"version": 1, "seed": 4, "dlq": {"max_receive_count": 3}}"#,
    )
    .unwrap();
    let out = qsim(&[
        "check",
        v1.to_str().unwrap(),
        &repo("scenarios/pizza-shop.json"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = qsim(&["convert", v1.to_str().unwrap()]);
    std::fs::remove_file(&v1).ok();
    assert!(out.status.success());
    let v2 = String::from_utf8(out.stdout).unwrap();
    let lifted = queue_engine::ScenarioV2::from_json(&v2).unwrap();
    assert_eq!(lifted.seed, 4);
    assert_eq!(lifted.lower().unwrap().dlq.unwrap().max_receive_count, 3);
}

#[test]
fn a_bad_file_exits_2_naming_the_path() {
    let bad = std::env::temp_dir().join(format!("qsim-bad-{}.json", std::process::id()));
    std::fs::write(
        &bad,
        r#"{"version": 2, "nodes": {"orders": {"queue": {"profile": "service_bus", "visibility_timeout": "10m"}}}}"#,
    )
    .unwrap();
    let out = qsim(&["run", bad.to_str().unwrap()]);
    std::fs::remove_file(&bad).ok();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("qsim-bad"), "{err}");
    let out = qsim(&["run", &repo("scenarios/pizza-shop.json"), "--until", "soon"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--until"));
}

/// In a world the events name each queue's own nodes, and `copy` tells the copies of one
/// published event apart: every subscription's copy shares the event's CloudEvents id.
#[test]
fn a_worlds_events_name_each_copy_and_share_the_event_id() {
    let (report, lines) = run_with_events("scenarios/video-upload.json", "30s");
    assert_eq!(lines.len() as u64, report["events"].as_u64().unwrap());
    let queues = [
        "transcoder-queue",
        "thumbnail-queue",
        "moderation-queue",
        "indexer-queue",
    ];
    for (copy, queue) in queues.iter().enumerate() {
        let events: Vec<u64> = lines
            .iter()
            .filter(|l| l["kind"] == "published" && l["node"] == *queue)
            .map(|l| {
                assert_eq!(l["copy"], copy, "{l}");
                l["event"].as_u64().unwrap()
            })
            .collect();
        assert!(events.len() > 20, "{queue}: {} copies", events.len());
        let first: Vec<u64> = lines
            .iter()
            .filter(|l| l["kind"] == "published" && l["node"] == queues[0])
            .map(|l| l["event"].as_u64().unwrap())
            .collect();
        assert_eq!(
            events, first,
            "{queue} has a copy of every upload, same ids"
        );
    }
    // Each pool's events are at its own node.
    assert!(lines
        .iter()
        .any(|l| l["kind"] == "processed" && l["node"] == "thumbnail"));
    assert_eq!(report["queues"].as_array().unwrap().len(), 4);
}
