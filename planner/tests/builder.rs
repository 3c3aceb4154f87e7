//! The builder, step by step, as an author uses it: systems built from an empty file give the
//! same plan (and so the same run) as the scenario files they copy; a value a node refuses
//! changes nothing and names the field; unfinished systems are kept and say why they do not
//! run; and no sequence of steps panics.

use proptest::prelude::*;
use queue_engine::topology::plan::Plan;
use queue_engine::topology::scenario::ScenarioFile;
use queue_planner::builder::{step, Built, Session, Step};

fn run(steps: &[(&str, &[&str])]) -> Built {
    let mut text = String::new();
    let mut last = None;
    for (op, args) in steps {
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        let s = Step::parse(op, &args).unwrap_or_else(|e| panic!("{op}: {e}"));
        let built = step(&text, &s).unwrap_or_else(|e| panic!("{op} {args:?}: {e}"));
        text = built.text.clone();
        last = Some(built);
    }
    last.expect("at least one step")
}

fn file_plan(name: &str) -> Plan {
    let path = format!("{}/../scenarios/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).unwrap();
    ScenarioFile::from_json(&text)
        .unwrap()
        .into_v2()
        .plan()
        .unwrap()
}

fn built_plan(built: &Built) -> Plan {
    Plan::from_json(built.plan.as_deref().expect("it runs")).unwrap()
}

/// The pizza shop with its DLQ, as `scenarios/pizza-shop.json` has it, from an empty file.
const PIZZA_SHOP: &[(&str, &[&str])] = &[
    ("new", &[]),
    ("set", &["", "name", "pizza-shop"]),
    ("set", &["", "seed", "42"]),
    (
        "set",
        &[
            "",
            "description",
            "The running example: an order service sends orders through a queue to the kitchen.",
        ],
    ),
    ("add", &["producer", "order-service"]),
    ("add", &["queue", "orders"]),
    ("add", &["queue", "orders-dlq"]),
    ("add", &["consumer", "kitchen"]),
    ("add", &["queue", "replies"]),
    ("add", &["store", "orders-db"]),
    ("connect", &["publish", "order-service", "orders", ""]),
    ("connect", &["subscribe", "orders", "kitchen", ""]),
    ("connect", &["dead_letter", "orders", "orders-dlq", ""]),
    ("connect", &["reply", "kitchen", "replies", ""]),
    ("connect", &["write", "kitchen", "orders-db", ""]),
    ("set", &["order-service", "rate", "5"]),
    ("set", &["order-service", "poison_share", "0.02"]),
    ("set", &["order-service", "transient_share", "0.05"]),
    ("set", &["orders", "delivery_limit", "3"]),
    ("set", &["kitchen", "count", "2"]),
    ("set", &["kitchen", "processing.mean", "300ms"]),
    (
        "set",
        &["kitchen", "processing.distribution", "exponential"],
    ),
];

#[test]
fn the_pizza_shop_built_from_nothing_plans_as_its_file_does() {
    let built = run(PIZZA_SHOP);
    assert_eq!(built_plan(&built), file_plan("pizza-shop"));
    assert!(
        built.status.ends_with("It runs on the canvas."),
        "{}",
        built.status
    );
    // The file it wrote reads back to the same plan, as a file opened later would.
    let again = ScenarioFile::from_json(&built.text)
        .unwrap()
        .into_v2()
        .plan()
        .unwrap();
    assert_eq!(again, file_plan("pizza-shop"));
}

#[test]
fn a_value_the_node_refuses_changes_nothing_and_names_the_field() {
    let built = run(PIZZA_SHOP);
    let refused = step(
        &built.text,
        &Step::Set {
            node: "orders".into(),
            field: "delivery_limit".into(),
            value: "0".into(),
        },
    )
    .unwrap_err();
    assert_eq!(
        refused,
        "nodes.orders.queue.delivery_limit: expected a whole number from 1 to 1000 (`maxReceiveCount`, Amazon SQS standard queue); got 0"
    );
    let refused = step(
        &built.text,
        &Step::Set {
            node: "kitchen".into(),
            field: "processing.mean".into(),
            value: "soon".into(),
        },
    )
    .unwrap_err();
    assert!(
        refused.starts_with("nodes.kitchen.consumer.processing.mean: expected a duration"),
        "{refused}"
    );
    assert!(refused.ends_with("got \"soon\""), "{refused}");
}

#[test]
fn an_unfinished_system_is_kept_and_says_why_it_does_not_run() {
    let built = run(&[("new", &[]), ("add", &["consumer", "kitchen"])]);
    assert_eq!(built.plan, None);
    assert!(
        built
            .status
            .starts_with("Added the consumer kitchen. It does not run yet: "),
        "{}",
        built.status
    );
    // What was already wrong with a node does not stop its other settings.
    let set = Step::Set {
        node: "kitchen".into(),
        field: "count".into(),
        value: "3".into(),
    };
    let set = step(&built.text, &set).unwrap();
    assert!(
        set.text.contains(r#""kitchen": {"consumer":{"count":3}}"#),
        "{}",
        set.text
    );
    // A setting that needs wiring first says what to wire.
    let built = run(&[("new", &[]), ("add", &["queue", "orders"])]);
    let limit = Step::Set {
        node: "orders".into(),
        field: "delivery_limit".into(),
        value: "3".into(),
    };
    let refused = step(&built.text, &limit).unwrap_err();
    assert!(
        refused.contains("expected a dead_letter edge from this queue"),
        "{refused}"
    );
}

#[test]
fn every_scenario_file_opens_in_the_builder_as_it_plans() {
    let dir = format!("{}/../scenarios", env!("CARGO_MANIFEST_DIR"));
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let shown = step(&text, &Step::Show).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let direct = ScenarioFile::from_json(&text)
            .unwrap()
            .into_v2()
            .plan()
            .unwrap();
        assert_eq!(built_plan(&shown), direct, "{}", path.display());
        assert!(shown.status.starts_with("Read "), "{}", shown.status);
    }
    // A version 1 file is refused, saying how to convert it; so is another version.
    for (text, given) in [
        (r#"{"seed":3}"#, "none"),
        (r#"{"version":1,"seed":3}"#, "1"),
    ] {
        assert_eq!(
            step(text, &Step::Show).unwrap_err(),
            format!("version: expected 2, the format of scenarios/*.json (a version 1 file of one queue converts with `qsim convert FILE`); got {given}")
        );
    }
    assert!(step(r#"{"version":3}"#, &Step::Show)
        .unwrap_err()
        .starts_with("version: expected 2, the format of scenarios/*.json; got 3"));
    assert!(step("not json", &Step::Show)
        .unwrap_err()
        .starts_with("not valid JSON at line 1"));
}

#[test]
fn wiring_that_means_nothing_is_refused_before_it_is_added() {
    let built = run(&[
        ("new", &[]),
        ("add", &["producer", "p"]),
        ("add", &["queue", "q"]),
    ]);
    let refused = step(
        &built.text,
        &Step::Connect {
            kind: "subscribe".into(),
            from: "p".into(),
            to: "q".into(),
            key: String::new(),
        },
    )
    .unwrap_err();
    assert!(
        refused.starts_with("edge.from: expected a queue or log node"),
        "{refused}"
    );
    let refused = step(
        &built.text,
        &Step::Add {
            kind: "queue".into(),
            name: "q".into(),
        },
    )
    .unwrap_err();
    assert!(
        refused.starts_with("name: expected a name no other node has"),
        "{refused}"
    );
    let refused = step(
        &built.text,
        &Step::Add {
            kind: "queue".into(),
            name: "a b".into(),
        },
    )
    .unwrap_err();
    assert!(refused.contains("got \"a b\""), "{refused}");
}

#[test]
fn removing_a_node_removes_its_edges_and_keeps_the_others_in_place() {
    let built = run(PIZZA_SHOP);
    let gone = Step::Remove {
        name: "replies".into(),
    };
    let removed = step(&built.text, &gone).unwrap();
    assert_eq!(
        removed.status,
        "Removed replies and 1 edge. It runs on the canvas."
    );
    assert_eq!(built_plan(&removed).members[0].nodes.replies, None);
    let file: serde_json::Value = serde_json::from_str(&removed.text).unwrap();
    assert_eq!(file["edges"].as_array().unwrap().len(), 4);
    // The others keep their order (the text lists them as they were added).
    let at = |n: &str| removed.text.find(&format!("\"{n}\": {{")).unwrap();
    let order = [
        "order-service",
        "orders",
        "orders-dlq",
        "kitchen",
        "orders-db",
    ]
    .map(at);
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{}", removed.text);
}

#[test]
fn the_controls_name_every_node_and_edge_and_escape_what_the_file_says() {
    let built = run(PIZZA_SHOP);
    for node in [
        "order-service",
        "orders",
        "orders-dlq",
        "kitchen",
        "replies",
        "orders-db",
    ] {
        assert!(
            built
                .html
                .contains(&format!("data-op=\"remove\" data-node=\"{node}\"")),
            "{node}"
        );
    }
    assert!(built.html.contains("order-service → orders: publish"));
    assert!(
        built
            .html
            .contains("maxReceiveCount: default 10, 1 to 1000"),
        "the platform's own name and range"
    );
    // An object's properties are fields of their own.
    assert!(
        built
            .html
            .contains(r#"data-node="kitchen" data-field="processing.mean" value="300""#),
        "{}",
        built.html
    );
    let described = step(
        &built.text,
        &Step::Set {
            node: "order-service".into(),
            field: "schema_version".into(),
            value: "2".into(),
        },
    )
    .unwrap();
    assert!(described
        .html
        .contains(r#"data-field="schema_version" value="2""#));
    let hostile = step(
        &built.text,
        &Step::Set {
            node: String::new(),
            field: "description".into(),
            value: "<script>alert(1)</script>".into(),
        },
    )
    .unwrap();
    assert!(!hostile.html.contains("<script>"));
}

fn any_step() -> impl Strategy<Value = (String, Vec<String>)> {
    let word = prop::sample::select(vec![
        "",
        "p",
        "q",
        "kitchen",
        "orders",
        "a b",
        "producer",
        "queue",
        "consumer",
        "router",
        "log",
        "store",
        "publish",
        "subscribe",
        "bind",
        "dead_letter",
        "0",
        "1",
        "3",
        "rate",
        "count",
        "delivery_limit",
        "processing.mean",
        "300ms",
        "{}",
        "[",
        "name",
        "seed",
        "#0",
        "#1",
        "group.commit",
        "key",
        "crash",
        "take",
        "seek",
        "consumer=0",
        "outcome=ack",
        "to=earliest",
        "60s",
        "{\"a\":[",
        "x=\"é, y\" ,=",
        "rabbitmq_classic",
        "profile",
    ]);
    (
        prop::sample::select(vec![
            "new",
            "show",
            "add",
            "remove",
            "connect",
            "disconnect",
            "set",
            "command",
            "uncommand",
            "bogus",
        ])
        .prop_map(str::to_owned),
        prop::collection::vec(word.prop_map(str::to_owned), 0..5),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Any steps in any order: each is applied or refused, and the file always reads back.
    #[test]
    fn any_steps_get_answers_and_the_file_stays_readable(steps in prop::collection::vec(any_step(), 1..25)) {
        let mut text = String::new();
        for (op, args) in steps {
            let Ok(s) = Step::parse(&op, &args) else { continue };
            if let Ok(built) = step(&text, &s) {
                prop_assert!(ScenarioFile::from_json(&built.text).is_ok() || built.plan.is_none());
                // Whatever the builder writes, it reads again.
                prop_assert!(queue_planner::builder::read(&built.text).is_ok(), "{}", built.text);
                text = built.text;
            }
        }
    }
}

#[test]
fn undo_and_redo_walk_the_steps_and_open_folds_stay_open() {
    let mut session = Session::default();
    let mut answer = |op: &str, text: &str, open: &[&str], args: &[&str]| {
        let open = open.iter().map(|o| (*o).to_owned()).collect();
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        session.answer(op, text, open, &args)
    };
    let empty = answer("new", "", &[], &[]).unwrap();
    assert!(
        empty.html.contains(r#"data-op="undo" disabled>"#),
        "nothing to undo yet"
    );
    let added = answer("add", &empty.text, &[], &["queue", "q"]).unwrap();
    assert!(added.html.contains(r#"data-op="undo">Undo"#));
    let undone = answer("undo", &added.text, &[], &[]).unwrap();
    assert_eq!(undone.text, empty.text);
    assert!(undone.html.contains(r#"data-op="redo">Redo"#));
    let redone = answer("redo", &undone.text, &["q"], &[]).unwrap();
    assert_eq!(redone.text, added.text);
    assert!(redone.html.contains(r#"<details data-node="q" open>"#));
    let nothing = answer("redo", &redone.text, &[], &[]).unwrap_err();
    assert_eq!(nothing, "redo: expected a step to redo; got none");
    // A refused step is not a step to undo.
    answer("add", &redone.text, &[], &["queue", "q"]).unwrap_err();
    assert_eq!(
        answer("undo", &redone.text, &[], &[]).unwrap().text,
        empty.text
    );
    // Each answer offers the file to download, every byte escaped for the link.
    assert!(redone
        .html
        .contains(r#"download="my-system.json" href="data:application/json;charset=utf-8,%7B%0A"#));
}

#[test]
fn switching_a_queues_profile_names_its_settings_anew_and_leaves_out_what_has_no_equivalent() {
    let built = run(PIZZA_SHOP);
    assert!(
        built.html.contains("VisibilityTimeout: default 30 s"),
        "SQS's own name"
    );
    // A RabbitMQ quorum queue has a delivery limit of its own name.
    let quorum = Step::Set {
        node: "orders".into(),
        field: "profile".into(),
        value: "rabbitmq_quorum".into(),
    };
    let quorum = step(&built.text, &quorum).unwrap();
    assert!(quorum.html.contains("x-delivery-limit"), "{}", quorum.html);
    assert!(
        quorum.html.contains("consumer_timeout: default "),
        "{}",
        quorum.html
    );
    // A classic queue has none: the limit is left out, by name (planner/tests/switch.rs).
    let classic = Step::Set {
        node: "orders".into(),
        field: "profile".into(),
        value: "rabbitmq_classic".into(),
    };
    let classic = step(&built.text, &classic).unwrap();
    assert!(
        classic.status.contains("left out: delivery_limit 3"),
        "{}",
        classic.status
    );
}
