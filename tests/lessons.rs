//! Every lesson is held to the engine: it parses, its scenario is valid, and at the checkpoint's
//! time exactly one choice is true, the one pinned below. A lesson whose text promises
//! something the engine does not do fails here, not in front of a learner.
// The lessons are read from the embedded files (not with `fetched-lessons`, the page's build).
#![cfg(not(feature = "fetched-lessons"))]

use queue_engine::topology::plan::Plan;
use queue_engine::{Millis, World};
use queue_playground::lessons::{self, Lesson, Numbers, SOURCES};
use queue_playground::panels::{self, Model, Panels};

/// The choice the engine's numbers must pick for each lesson (what the lesson teaches).
const EXPECTED: &[(&str, &str)] = &[
    ("kitchen-offline", "drained"),
    ("http-vs-queue", "errors"),
    ("friday-rush", "waiting"),
    ("scale-consumers", "holds"),
    ("consumer-lag", "trend"),
    ("poison-pill", "forever"),
    ("dlq-redrive", "three"),
    ("same-setting-different-platform", "four"),
    ("batch-failure", "twice"),
    ("throw-vs-return", "split"),
    ("retry-backoff", "dlq"),
    ("visibility-timeout", "twice"),
    ("delivery-guarantees", "lost"),
    ("celery-acks-late", "again"),
    ("ordering", "group-waits"),
    ("backpressure", "refused"),
    ("delay-queue", "none"),
    ("cloudevents", "dedup"),
    ("schema-version", "set-aside"),
    ("claim-check", "reference"),
    ("reply-to", "each"),
    ("tracing", "long"),
    ("fan-out", "keeps-up"),
    ("pubsub-vs-queue", "once-thrice"),
    ("stream-replay", "replayed"),
    ("rabbitmq-routing", "dropped"),
    ("redis-pel", "claimed"),
    ("partition-keys", "per-key"),
    ("log-lag", "idle"),
    ("rebalance-skip", "skipped"),
];

fn parsed() -> Vec<Lesson> {
    SOURCES
        .iter()
        .map(|(name, text)| {
            let lesson =
                lessons::parse(text).unwrap_or_else(|e| panic!("lessons/{name}.json: {e}"));
            assert_eq!(lesson.id, *name, "file name and id agree");
            lesson
        })
        .collect()
}

/// The numbers at the checkpoint, on whichever model the lesson runs.
fn numbers(lesson: &Lesson) -> Numbers {
    lesson
        .numbers_at_checkpoint()
        .unwrap_or_else(|e| panic!("{}: scenario invalid: {e}", lesson.id))
}

fn run(lesson: &Lesson) -> World {
    let scenario = lesson
        .scenario()
        .unwrap_or_else(|e| panic!("{}: scenario invalid: {e}", lesson.id));
    let mut world = World::new(Plan::single(scenario)).expect("valid");
    world.advance_to(lesson.checkpoint.until);
    world
}

#[test]
fn every_lesson_parses_and_all_of_them_load() {
    let lessons = parsed();
    assert_eq!(
        lessons::all().len(),
        lessons.len(),
        "none skipped at runtime"
    );
    let mut ids: Vec<&str> = lessons.iter().map(|l| l.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), lessons.len(), "ids are unique");
    assert_eq!(
        EXPECTED.len(),
        lessons.len(),
        "every lesson has a pinned answer"
    );
}

/// The README tells a newcomer how many lessons there are and how many run on another model
/// than the queue; it said 25 and six while the folder held 30 and eight.
#[test]
fn the_readme_counts_the_lessons_there_are() {
    let lessons = parsed();
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let words = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    let all = format!("opens {} guided lessons", lessons.len());
    assert!(readme.contains(&all), "README should say: {all}");
    let others = lessons.iter().filter(|l| l.model != Model::Queue).count();
    let word = words[others];
    let others = format!(
        "{}{} lessons run on another model",
        word[..1].to_uppercase(),
        &word[1..]
    );
    assert!(readme.contains(&others), "README should say: {others}");
}

/// An embedded lesson shows only what it needs, so every name it lists must be a region a
/// course author could also name in `hide=` or `show=`, and a lesson that runs on a panel of
/// its own needs that panel rather than the queue's diagram.
#[test]
fn every_lesson_needs_real_regions_and_its_own_model() {
    for lesson in parsed() {
        let controls = queue_playground::embed::CONTROLS.iter().map(|(n, _)| *n);
        for region in &lesson.regions {
            assert!(
                queue_playground::embed::REGIONS.contains(&region.as_str())
                    || controls.clone().any(|c| c == region),
                "{}: regions: {region:?} is neither a region nor a control",
                lesson.id,
            );
        }
        let needs = lesson.needs();
        assert!(
            needs.contains(&"lesson") && needs.contains(&"controls"),
            "{}",
            lesson.id
        );
        let own = match lesson.model {
            Model::Queue => "diagram",
            Model::Log => "stream",
            Model::FanOut => "fanout",
            Model::PubsubVsQueue => "queue-vs-topic",
            Model::Exchanges => "exchanges",
            Model::Redis => "redis",
        };
        assert!(needs.contains(&own), "{}: {needs:?}", lesson.id);
        assert_eq!(
            needs.contains(&"diagram"),
            lesson.model == Model::Queue,
            "{}: the queue's diagram only for queue lessons",
            lesson.id
        );
    }
    // A step that sends the learner to the metrics or the event log keeps that region.
    for (id, region) in [("kitchen-offline", "metrics"), ("retry-backoff", "log")] {
        let lesson = parsed().into_iter().find(|l| l.id == id).unwrap();
        assert!(lesson.needs().contains(&region), "{id}");
    }
}

/// The nodes of the system a lesson runs, as the canvas draws them: a panel's file, or the
/// main queue's scenario as the page runs it.
fn drawn(lesson: &Lesson) -> Vec<String> {
    let Some(panel) = panels::Panel::of(lesson.model) else {
        let sc = lesson.scenario().expect("the lesson's scenario");
        let w =
            queue_engine::World::new(queue_engine::topology::plan::Plan::single(sc)).expect("runs");
        let g = queue_playground::canvas::graph::graph(&w, false);
        return g.places.into_iter().map(|p| p.name).collect();
    };
    let file = format!(
        "{}/scenarios/{}.json",
        env!("CARGO_MANIFEST_DIR"),
        panel.system()
    );
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
    let s = queue_engine::ScenarioV2::from_json(&text).expect("a valid scenario");
    s.topology.nodes.into_iter().map(|(name, _)| name).collect()
}

/// Every lesson stops at least once on its way, at the moment that matters. A lesson's moments
/// come in time order before its checkpoint, and each points at a region the lesson shows,
/// which the stylesheet outlines and labels.
#[test]
fn every_moment_is_on_the_way_and_looks_at_a_region_the_lesson_shows() {
    let css =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/static/style.css")).unwrap();
    let mut with = 0;
    for lesson in parsed() {
        let mut last = queue_engine::Millis::ZERO;
        for m in &lesson.moments {
            assert!(
                m.at > last && m.at < lesson.checkpoint.until,
                "{}: moment at {}",
                lesson.id,
                m.at
            );
            last = m.at;
            assert!(!m.say.is_empty(), "{}", lesson.id);
            if let Some(look) = &m.look {
                // A region, then at most one number in it.
                let mut words = look.split(' ');
                let region = words.next().unwrap_or_default();
                assert!(
                    lesson.needs().contains(&region),
                    "{}: looks at {region}, which it does not show",
                    lesson.id
                );
                let rule = format!(r#"[data-look~="{region}"] .region-{region} > h2::after"#);
                assert!(
                    css.contains(&rule),
                    "{}: no look-here rule for {region}",
                    lesson.id
                );
                // A number the stylesheet outlines and points at, or a node the canvas draws,
                // which the canvas outlines and points at itself.
                if let Some(number) = words.next() {
                    let rule = format!(r#"[data-look~="{number}"] "#);
                    assert!(
                        css.matches(&rule).count() == 2
                            || drawn(&lesson).contains(&number.to_owned()),
                        "{}: {number} needs an outline and a pointer, or a node of its system",
                        lesson.id
                    );
                }
                assert_eq!(words.next(), None, "{}: {look}", lesson.id);
            }
        }
        with += usize::from(!lesson.moments.is_empty());
    }
    assert_eq!(
        with,
        parsed().len(),
        "every lesson stops at least once on its way"
    );
}

/// The compact layout applies to an embedded lesson only, keeps what the lesson needs, adds
/// what `show=` names, and `show=all` turns it off; controls (not regions) are never dropped.
#[test]
fn the_compact_embed_keeps_what_the_lesson_needs_and_what_show_adds() {
    use queue_playground::embed::{parse_option, EmbedOptions};
    let mut notices = Vec::new();
    let mut o = EmbedOptions::default();
    assert!(!o.compact(true), "not embedded: the full page");
    parse_option(&mut o, "embed", "1", &mut notices);
    assert!(o.compact(true) && !o.compact(false), "free play stays full");
    let needed = ["lesson", "diagram"];
    assert!(o.keeps("diagram", &needed));
    assert!(!o.keeps("metrics", &needed) && !o.keeps("redis", &needed));
    assert!(o.keeps("timetravel", &needed), "a control, not a region");
    parse_option(&mut o, "show", "metrics,log", &mut notices);
    assert!(o.keeps("metrics", &needed) && o.keeps("log", &needed));
    assert!(!o.keeps("redis", &needed));
    parse_option(&mut o, "show", "all", &mut notices);
    assert!(!o.compact(true));
    assert!(notices.is_empty(), "{notices:?}");
    parse_option(&mut o, "show", "everything", &mut notices);
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].param, "show");
    assert!(
        notices[0].expected.contains("all"),
        "{}",
        notices[0].expected
    );
}

#[test]
fn the_engine_picks_exactly_the_pinned_choice_for_every_lesson() {
    for lesson in parsed() {
        let numbers = numbers(&lesson);
        let matching: Vec<&str> = lesson
            .matching(&numbers)
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        let expected = EXPECTED
            .iter()
            .find(|(id, _)| *id == lesson.id)
            .map(|(_, c)| *c)
            .unwrap_or_else(|| panic!("{}: no pinned answer", lesson.id));
        assert_eq!(
            matching,
            vec![expected],
            "{}: numbers at {}: {numbers:?}",
            lesson.id,
            lesson.checkpoint.until
        );
        let verdict = lesson.verdict(&numbers, lesson.checkpoint.until, expected);
        assert!(verdict.correct());
        assert!(
            !verdict.text.contains('{'),
            "{}: reveal filled: {}",
            lesson.id,
            verdict.text
        );
    }
}

#[test]
fn every_condition_and_placeholder_names_a_real_number() {
    let queue_numbers = lessons::numbers(
        &World::new(Plan::single(Default::default()))
            .unwrap()
            .members()[0],
    );
    for lesson in parsed() {
        // A log or topic lesson names that model's numbers, which exist from time zero.
        let known = match lesson.panel() {
            Some((panel, spec)) => Panels::new(0, Some((panel, spec))).numbers(panel, Millis::ZERO),
            None => queue_numbers.clone(),
        };
        let cp = &lesson.checkpoint;
        assert!(
            cp.choices.len() >= 2,
            "{}: a prediction needs choices",
            lesson.id
        );
        assert!(!lesson.steps.is_empty(), "{}: steps", lesson.id);
        for choice in &cp.choices {
            assert!(
                !choice.when.is_empty(),
                "{}/{}: a condition",
                lesson.id,
                choice.id
            );
            for w in &choice.when {
                assert!(
                    known.get(&w.metric).is_some(),
                    "{}: unknown metric {}",
                    lesson.id,
                    w.metric
                );
                assert!(
                    w.at_least.is_some() || w.at_most.is_some(),
                    "{}: empty bound",
                    lesson.id
                );
            }
        }
        let filled = lessons::fill(&cp.reveal, &known);
        assert!(
            !filled.contains('{'),
            "{}: unknown placeholder in {filled}",
            lesson.id
        );
    }
}

/// Issue 12: the verdict prints every number the answer turns on as a number (`{name}`, not
/// only the word form `{name|one|many}`), so a learner on a phone reads the key number where
/// they read the verdict; `tests/e2e/lessons.test.mjs` checks the verdict is on screen.
#[test]
fn every_number_the_answer_turns_on_is_printed_in_the_verdict() {
    for lesson in parsed() {
        let cp = &lesson.checkpoint;
        for w in cp.choices.iter().flat_map(|c| &c.when) {
            let placeholder = format!("{{{}}}", w.metric);
            assert!(
                cp.reveal.contains(&placeholder),
                "{}: the verdict never prints {placeholder}, which a choice turns on",
                lesson.id
            );
        }
    }
}

#[test]
fn a_wrong_prediction_is_reported_as_wrong_with_the_real_answer() {
    let lesson = lessons::by_id("poison-pill").unwrap();
    let world = run(lesson);
    let verdict = lesson.verdict(&lessons::numbers(&world.members()[0]), world.now(), "dlq");
    assert!(!verdict.correct());
    assert_eq!(verdict.actual.as_deref(), Some("forever"));
    assert_eq!(verdict.at, lesson.checkpoint.until);
}

#[test]
fn fill_leaves_unknown_names_and_stray_braces_as_written() {
    let mut n = lessons::Numbers::new();
    n.insert("a".into(), 3.0);
    n.insert("b".into(), 2.5);
    assert_eq!(lessons::fill("{a} and {b} {c} {", &n), "3 and 2.5 {c} {");
}

#[test]
fn fill_picks_the_word_that_agrees_with_the_number() {
    let mut n = lessons::Numbers::new();
    n.insert("one".into(), 1.0);
    n.insert("two".into(), 2.0);
    let t = "{one} {one|is|are} waiting, {two} {two|is|are} lost, {x|a|b}";
    assert_eq!(lessons::fill(t, &n), "1 is waiting, 2 are lost, {x|a|b}");
}

#[test]
fn the_run_speed_reaches_the_checkpoint_in_seconds_and_never_slows_down() {
    use queue_engine::Millis;
    assert_eq!(
        lessons::speed_to_reach(Millis(0), Millis(120_000), 1.0, 8000.0),
        25.0,
        "two minutes in under five seconds, slow enough to follow"
    );
    assert_eq!(
        lessons::speed_to_reach(Millis(0), Millis(600_000), 1.0, 6000.0),
        100.0
    );
    assert_eq!(
        lessons::speed_to_reach(Millis(0), Millis(8_000), 1.0, 8000.0),
        1.0
    );
    assert_eq!(
        lessons::speed_to_reach(Millis(0), Millis(8_000), 1000.0, 8000.0),
        1000.0
    );
}

#[test]
fn log_and_topic_lessons_describe_their_model_and_leave_the_queue_alone() {
    for lesson in parsed() {
        if lesson.model == Model::Queue {
            assert!(lesson.panel().is_none());
            continue;
        }
        assert!(
            lesson.panel().is_some(),
            "{}: its scenario must describe a {:?}",
            lesson.id,
            lesson.model
        );
        // The pizza shop keeps running beside it, unchanged.
        assert_eq!(
            lesson.scenario().unwrap(),
            queue_playground::scenarios::by_name("pizza-shop").unwrap()
        );
    }
}

#[test]
fn the_learners_own_actions_change_a_log_lesson_verdict() {
    use queue_engine::stream::CommitMode;
    // rebalance-skip's fix, as the learner makes it: commit after processing, same crash.
    let lesson = lessons::by_id("rebalance-skip").unwrap();
    let until = lesson.checkpoint.until;
    let (panel, spec) = lesson.panel().unwrap();
    let mut run = Panels::new(0, Some((panel, spec)));
    run.at(panel, until);
    let panels::Spec::Log(sc) = run.spec(panel) else {
        panic!("rebalance-skip runs on the log")
    };
    let mut sc = (**sc).clone();
    sc.groups[0].commit = CommitMode::AfterProcessing;
    run.set_log(until, sc).unwrap();
    assert_eq!(
        run.world(panel).unwrap().now(),
        until,
        "the new log catches up to now"
    );
    let n = run.numbers(panel, until);
    assert_eq!(n.get("kitchen_skipped"), Some(&0.0), "{n:?}");
    assert!(
        n.get("kitchen_duplicates").is_some_and(|&d| d >= 1.0),
        "{n:?}"
    );
    let verdict = lesson.verdict(&n, until, "twice");
    assert!(verdict.correct(), "{verdict:?}");
}

/// The change each of these lessons' last step suggests gives the other answer, with the
/// same seed: what the learner is told to try does what the lesson says.
#[test]
fn the_fix_each_lesson_suggests_changes_the_engine_answer() {
    let file = |id: &str| -> serde_json::Value {
        let (_, text) = SOURCES.iter().find(|(i, _)| *i == id).unwrap();
        serde_json::from_str(text).unwrap()
    };
    // Semantics §9 (Celery): early acknowledgement is the default, and a task a dead worker
    // had started is not redelivered. acks_late runs it again instead (the lesson's answer).
    let mut celery = file("celery-acks-late");
    celery["scenario"]["consumers"]["ack"] = "before_processing".into();
    // A group needs partitions, not only members: four partitions keep all four kitchen
    // members busy.
    let mut log = file("log-lag");
    log["scenario"]["topic"]["partitions"] = 4.into();
    // A consumer that throws on an unknown version retries it like a poison pill, and one
    // that reads version 2 cooks it.
    let mut throws = file("schema-version");
    throws["scenario"]["consumers"]["on_invalid"] = "throw".into();
    let mut upgraded = file("schema-version");
    upgraded["scenario"]["consumers"]["schema_version"] = 2.into();
    // With no claim check, the order service's photos are refused as well.
    let mut naive = file("claim-check");
    naive["scenario"]["producers"][0]["claim_check"] = false.into();
    for (changed, then) in [
        (celery, "lost"),
        (log, "four"),
        (throws, "retried"),
        (upgraded, "cooked"),
        (naive, "both-refused"),
    ] {
        let lesson = lessons::parse(&changed.to_string()).unwrap();
        let n = numbers(&lesson);
        let picked: Vec<&str> = lesson.matching(&n).iter().map(|c| c.id.as_str()).collect();
        assert_eq!(picked, [then], "{}: {n:?}", lesson.id);
    }
}

/// Each lesson names the queue controls its steps use among its regions, from the embed's own
/// list; embedded compact it shows those and the four that run the clock, and hides the rest.
#[test]
fn every_lesson_names_the_controls_it_uses() {
    use queue_playground::embed::{EmbedOptions, CONTROLS};
    let extra: Vec<&str> = CONTROLS[4..].iter().map(|(n, _)| *n).collect();
    assert_eq!(
        CONTROLS[..4].iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        ["play", "step", "reset", "speed"]
    );
    for lesson in parsed() {
        // A lesson on another model drives its own panel, not the queue's controls.
        let controls = lesson
            .regions
            .iter()
            .filter(|r| extra.contains(&r.as_str()));
        if lesson.model != Model::Queue {
            assert_eq!(controls.count(), 0, "{}", lesson.id);
        }
    }
    let poison = lessons::by_id("poison-pill").unwrap();
    let options = EmbedOptions {
        hidden: vec!["seed"],
        ..Default::default()
    }
    .keeping(&poison.regions);
    let shown: Vec<&str> = CONTROLS
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| !options.hidden(n))
        .collect();
    assert_eq!(shown, ["play", "step", "reset", "speed", "poison", "dlq"]);
    // What the author locked stays in view, to say so.
    let locked = EmbedOptions {
        locked: vec!["ordering"],
        ..Default::default()
    }
    .keeping(&poison.regions);
    assert!(!locked.hidden("ordering") && locked.hidden("batch"));
}

/// semantics.md §2.5 against §1.3, §6 and §7: the lesson's queue is what a quorum queue with
/// x-delivery-limit 3 lowers to, and the same "3" written for SQS or Service Bus makes the
/// engine pick "three" instead, while Pub/Sub refuses it.
#[test]
fn the_same_limit_on_each_platform_is_the_profiles_own_arithmetic() {
    use queue_engine::ScenarioV2;
    let lesson = lessons::by_id("same-setting-different-platform").unwrap();
    let ours = lesson.scenario().unwrap();
    let topology = |profile: &str, dlq: bool| {
        let mut nodes = serde_json::json!({
            "order-service": { "producer": { "rate": 2 } },
            "orders": { "queue": { "profile": profile, "delivery_limit": 3 } },
            "kitchen": { "consumer": { "count": 2, "processing": { "mean": "200ms" } } }
        });
        let mut edges = vec![
            serde_json::json!({ "kind": "publish", "from": "order-service", "to": "orders" }),
            serde_json::json!({ "kind": "subscribe", "from": "orders", "to": "kitchen" }),
        ];
        if dlq {
            nodes["orders.dead"] = serde_json::json!({ "queue": { "profile": profile } });
            edges.push(
                serde_json::json!({ "kind": "dead_letter", "from": "orders", "to": "orders.dead" }),
            );
        }
        let file = serde_json::json!({ "version": 2, "seed": 42, "nodes": nodes, "edges": edges });
        ScenarioV2::from_json(&file.to_string()).and_then(|s| s.lower())
    };
    let quorum = topology("rabbitmq_quorum", true).unwrap();
    assert_eq!(
        ours.queue.retry, quorum.queue.retry,
        "a nack requeues at once"
    );
    assert_eq!(ours.queue.profile(), quorum.queue.profile());
    assert_eq!(
        ours.queue.visibility_timeout,
        quorum.queue.visibility_timeout
    );
    assert_eq!(
        ours.dlq.as_ref().map(|d| d.max_receive_count),
        quorum.dlq.as_ref().map(|d| d.max_receive_count),
        "x-delivery-limit 3 is four deliveries"
    );
    // SQS waits out its 30 s visibility timeout between receives, so look later than the
    // lesson's checkpoint.
    for (profile, dlq) in [("sqs_standard", true), ("service_bus", false)] {
        let mut other = topology(profile, dlq).unwrap();
        other.commands = ours.commands.clone();
        let mut world = World::new(Plan::single(other)).unwrap();
        world.advance_to(Millis::from_mins(5));
        let n = lessons::numbers(&world.members()[0]);
        let picked: Vec<&str> = lesson.matching(&n).iter().map(|c| c.id.as_str()).collect();
        assert_eq!(picked, ["three"], "{profile}: {n:?}");
    }
    let refused = topology("pubsub", true).unwrap_err().to_string();
    assert!(refused.contains("5 to 100"), "{refused}");
}

/// A lesson on the broker or the stream runs the example file as it is; a setting there would
/// be ignored, so it is refused with the field's name, what was expected and what was given.
#[test]
fn a_broker_or_stream_lesson_refuses_settings_it_would_ignore() {
    for id in ["rabbitmq-routing", "redis-pel"] {
        let (_, text) = SOURCES.iter().find(|(i, _)| *i == id).unwrap();
        let mut file: serde_json::Value = serde_json::from_str(text).unwrap();
        file["scenario"] = serde_json::json!({ "seed": 7 });
        let lesson = lessons::parse(&file.to_string()).unwrap();
        let err = lesson.numbers_at_checkpoint().unwrap_err();
        assert!(
            err.starts_with("scenario: expected {}") && err.contains("\"seed\":7"),
            "{id}: {err}"
        );
    }
}

/// What a moment says is happening is what the engine shows at its time: each claim is one of
/// the numbers a checkpoint can ask about, on the lesson's own run.
#[test]
fn each_moment_says_what_the_engine_shows_at_its_time() {
    // (lesson, moment, number, value at the moment)
    let claims: &[(&str, usize, &str, f64)] = &[
        // "The first retry ... has failed too."
        ("retry-backoff", 0, "max_receive_count", 2.0),
        ("retry-backoff", 0, "dead_lettered", 0.0),
        // "... so the order is in the DLQ now."
        ("retry-backoff", 1, "dead_lettered", 1.0),
        // "... the second worker is cooking the same order now" while the first still is.
        ("visibility-timeout", 0, "max_receive_count", 2.0),
        ("visibility-timeout", 0, "processed", 0.0),
        // "Order 1 threw ... and waits to be retried; order 2 ... was logged and deleted."
        ("throw-vs-return", 0, "processing_failures", 1.0),
        ("throw-vs-return", 0, "processed", 0.0),
        ("throw-vs-return", 0, "rejected", 1.0),
        // "The queue holds its 50 orders now, and ... refused for the first time".
        ("backpressure", 0, "visible", 50.0),
        ("backpressure", 0, "producer_errors", 1.0),
        // "... went back to the queue and were received again: ... cooked twice."
        ("batch-failure", 0, "processing_failures", 2.0),
        ("batch-failure", 0, "duplicates", 3.0),
        // "The first of those tasks have just come back ...: acks_late lost none of them."
        ("celery-acks-late", 0, "max_receive_count", 2.0),
        ("celery-acks-late", 0, "lost", 0.0),
        // "... almost 90 orders wait".
        ("consumer-lag", 0, "visible", 88.0),
        // "A worker has just crashed mid-batch ...: Lost counts three already."
        ("delivery-guarantees", 0, "crashes", 1.0),
        ("delivery-guarantees", 0, "lost", 3.0),
        // "... its first two orders, and both ... replies are already back".
        ("reply-to", 0, "processed", 2.0),
        ("reply-to", 0, "replies_received", 2.0),
        // "... has set the first two aside in the DLQ without a single retry."
        ("schema-version", 0, "dead_lettered", 2.0),
        ("schema-version", 0, "max_receive_count", 1.0),
        // "... The FIFO queue knew the id and dropped the copy".
        ("cloudevents", 0, "deduplicated", 1.0),
        ("cloudevents", 0, "duplicates", 0.0),
        // "Six orders have been sent so far, and the queue's box counts every one as delayed."
        ("delay-queue", 0, "published", 6.0),
        ("delay-queue", 0, "delayed", 6.0),
        ("delay-queue", 0, "receives", 0.0),
        // "The first malformed order has just moved to the dead-letter queue."
        ("dlq-redrive", 0, "dead_lettered", 1.0),
        // "... the kitchen is about a hundred records behind, while analytics ... keeps up."
        ("log-lag", 0, "kitchen_lag", 99.0),
        ("log-lag", 0, "analytics_lag", 1.0),
    ];
    let lessons = parsed();
    for &(id, m, number, value) in claims {
        let lesson = lessons.iter().find(|l| l.id == id).expect("a lesson");
        let at = lesson.moments[m].at;
        let numbers = lessons::numbers_at(lesson.model, lesson.scenario.get(), at).expect("runs");
        assert_eq!(
            numbers.get(number).copied(),
            Some(value),
            "{id}, moment {m} at {at}: {number}"
        );
    }
}
