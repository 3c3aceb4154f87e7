//! The Systems menu: every built-in system is a scenario file, one is on the page at a time,
//! picking one starts it over, and a link reopens the system it was taken on. Native, through
//! the reducer.
#![cfg(not(any(target_arch = "wasm32", feature = "fetched-lessons")))]

use std::rc::Rc;

use queue_engine::Millis;
use queue_playground::components::system_names;
use queue_playground::panels::Panel;
use queue_playground::state::{Action, Playground};
use yew::Reducible;

fn now(p: &Playground) -> Millis {
    p.world.borrow().now()
}

/// Plays at 100× for `secs` simulated seconds, in ticks of 100 real ms.
fn play(mut p: Rc<Playground>, secs: u64) -> Rc<Playground> {
    p = p.reduce(Action::SetSpeed(100.0));
    p = p.reduce(Action::SetPlaying(true));
    let until = Millis(now(&p).0 + secs * 1000);
    while now(&p) < until {
        p = p.reduce(Action::Tick { real_ms: 100.0 });
    }
    p.reduce(Action::SetPlaying(false))
}

/// The system's name as the page shows it: a panel's, or the main queue's scenario.
fn shown(p: &Playground) -> String {
    p.system
        .map_or_else(|| p.scenario_name.to_string(), |s| s.system().to_owned())
}

/// What the system on the page shows at the playground's time: the panel's numbers, or the
/// main queue's event-log hash.
fn figures(p: &Playground) -> String {
    let t = now(p);
    match p.stage() {
        Some(panel) => format!("{:?}", p.panels.borrow_mut().numbers(panel, t)),
        None => format!("{:x}", p.world.borrow().log_hash()),
    }
}

#[test]
fn every_system_in_the_menu_opens_from_the_start_and_its_link_reopens_it() {
    let names: Vec<&str> = system_names().collect();
    assert_eq!(names.len(), 12, "{names:?}");
    for name in names {
        // Picked after a while on another system: it starts over at zero.
        let mut p = play(Rc::new(Playground::from_query("s=kitchen-outage")), 30);
        p = p.reduce(Action::OpenSystem(name.into()));
        assert_eq!(shown(&p), name);
        assert_eq!(now(&p), Millis::ZERO, "{name} starts from the beginning");
        assert!(
            p.playing,
            "{name} plays at once, as the page does on opening"
        );
        assert_eq!(p.error, None);
        assert_eq!(
            p.stage(),
            Panel::by_system(name),
            "{name} is on the page, alone"
        );
        p = play(p, 40);
        let link = p.link();
        assert!(link.contains(&format!("s={name}&")), "{name}: {link}");
        let again = Playground::from_query(&link);
        assert!(again.notices.is_empty(), "{name}: {:?}", again.notices);
        assert_eq!(shown(&again), name);
        assert_eq!(now(&again), now(&p));
        assert_eq!(
            figures(&again),
            figures(&p),
            "{name} reopens with the same numbers"
        );
    }
}

#[test]
fn a_panels_system_keeps_through_a_reset_and_gives_way_to_a_lesson() {
    let mut p = Rc::new(Playground::from_query("s=orders-log"));
    assert_eq!(p.stage(), Some(Panel::Log));
    assert_eq!(
        &*p.scenario_name, "pizza-shop",
        "the main queue keeps its default"
    );
    let base = (*p.scenario).clone();
    p = play(p, 10).reduce(Action::Reset(Box::new(base)));
    assert_eq!(
        p.stage(),
        Some(Panel::Log),
        "starting over stays on the log"
    );
    assert!(p.link().contains("s=orders-log&"));

    // A lesson runs its own system, whatever the menu had opened.
    let on_queue = p
        .clone()
        .reduce(Action::LoadLesson(Some("poison-pill".into())));
    assert_eq!(on_queue.stage(), None);
    assert!(
        !on_queue.link().contains("s="),
        "a lesson's link carries its own scenario"
    );
    let on_exchanges = p.reduce(Action::LoadLesson(Some("rabbitmq-routing".into())));
    assert_eq!(on_exchanges.stage(), Some(Panel::Exchanges));
    // Leaving it goes back to free play on the pizza shop.
    let left = on_exchanges.reduce(Action::LoadLesson(None));
    assert_eq!((left.stage(), &*left.scenario_name), (None, "pizza-shop"));
}

#[test]
fn an_unknown_system_names_every_one_there_is_and_changes_nothing() {
    let p = Playground::from_query("s=kafka");
    let notice = p.notices.first().expect("a notice");
    assert_eq!(notice.param, "s");
    assert_eq!(notice.given, "kafka");
    for name in system_names() {
        assert!(notice.expected.contains(name), "{}", notice.expected);
    }
    assert_eq!((p.stage(), &*p.scenario_name), (None, "pizza-shop"));
    // The menu only offers known names; anything else is ignored, not a crash.
    let p = Rc::new(p).reduce(Action::OpenSystem("nope".into()));
    assert_eq!((p.stage(), &*p.scenario_name), (None, "pizza-shop"));
}

/// The same shop on each broker's queue is that broker's queue on the page: it counts
/// deliveries as the broker does (semantics.md §2.5, §6, §7, §8) because it runs exactly the
/// scenario file, to the log hash `qsim` recorded for it, and the lens and the line under the
/// diagram name that broker, not SQS.
#[test]
fn each_brokers_queue_runs_its_own_file_and_names_its_platform() {
    use queue_engine::platform::Platform;
    use queue_engine::topology::profile::QueueProfile;
    use queue_playground::components::checked_note;
    let systems = [
        (
            "rabbitmq-quorum-orders",
            QueueProfile::RabbitmqQuorum,
            "Checked on RabbitMQ 3.",
        ),
        (
            "service-bus-orders",
            QueueProfile::ServiceBus,
            "Not checked against Service Bus",
        ),
        (
            "pubsub-orders",
            QueueProfile::Pubsub,
            "Not checked against Pub/Sub",
        ),
        (
            "activemq-orders",
            QueueProfile::Activemq,
            "Checked on ActiveMQ Classic 5.",
        ),
    ];
    for (name, profile, line) in systems {
        let p = Rc::new(Playground::from_query("")).reduce(Action::OpenSystem(name.into()));
        assert_eq!((p.stage(), &*p.scenario_name), (None, name));
        assert_eq!(p.scenario.queue.profile(), profile, "{name}");
        assert_ne!(Platform::of(profile), Platform::Sqs, "{name}");
        let note = checked_note(name).unwrap_or_else(|| panic!("{name} has a line"));
        assert!(note.starts_with(line), "{name}: {note}");
        let file = std::fs::read_to_string(format!("scenarios/{name}.5m.loghash")).unwrap();
        let mut world = p.world.borrow_mut();
        world.advance_to(Millis::from_mins(5));
        assert_eq!(format!("{:016x}", world.log_hash()), file.trim(), "{name}");
    }
}

/// `exports/NAME.txt` must be `expected`; with `UPDATE_EXPORTS=1` it is rewritten to it (then
/// the build carries the new text from the next compile on).
fn held_to(name: &str, expected: &str) -> String {
    if std::env::var_os("UPDATE_EXPORTS").is_some() {
        std::fs::write(format!("exports/{name}.txt"), expected).expect("exports/ is writable");
    }
    expected.to_owned()
}

/// The RabbitMQ broker's configuration to copy is its file's exchanges, queues and bindings
/// as `qsim definitions` prints them, and reads back as the same topology (semantics notes
/// §2.1, §2.3, §2.4, §2.5, via the engine's exporter, which `cargo xtask verify` puts through
/// a real RabbitMQ). The SNS systems' is their Terraform, as `qsim terraform` prints it, and
/// the Kafka log's its topic commands and consumer properties, as `qsim kafka` prints them,
/// and the Redis stream's its commands, as `qsim redis` prints them.
/// Systems with nothing to copy yet offer nothing.
#[test]
fn each_systems_configuration_is_the_engines_export() {
    use queue_engine::topology::{definitions, kafka, redis, terraform};
    use queue_engine::ScenarioFile;
    let topology = |name: &str| {
        let file = std::fs::read_to_string(format!("scenarios/{name}.json")).expect("the file");
        ScenarioFile::from_json(&file)
            .expect("it reads")
            .into_v2()
            .topology
    };
    let export = queue_playground::scenarios::export("rabbitmq-pizza").expect("an export");
    assert_eq!(export.format, "json");
    let shown: serde_json::Value = serde_json::from_str(export.text).expect("JSON");
    assert_eq!(
        export.text,
        held_to(
            "rabbitmq-pizza",
            &serde_json::to_string_pretty(
                &definitions::export(&topology("rabbitmq-pizza")).expect("exports")
            )
            .expect("JSON")
        ),
        "what `qsim definitions` prints"
    );
    let back = definitions::import(&shown).expect("imports");
    assert_eq!(
        definitions::export(&back).expect("exports again"),
        shown,
        "imported and exported again, unchanged"
    );
    for name in ["video-upload", "queue-vs-topic"] {
        let export = queue_playground::scenarios::export(name).expect("an export");
        assert_eq!(export.format, "hcl");
        assert_eq!(
            export.text,
            held_to(
                name,
                terraform::export(&topology(name))
                    .expect("all AWS")
                    .trim_end()
            ),
            "what `qsim terraform {name}` prints"
        );
    }
    let export = queue_playground::scenarios::export("orders-log").expect("an export");
    assert_eq!(export.format, "properties");
    assert_eq!(
        export.text,
        held_to(
            "orders-log",
            kafka::export(&topology("orders-log"))
                .expect("all Kafka")
                .trim_end()
        ),
        "what `qsim kafka orders-log` prints"
    );
    let export = queue_playground::scenarios::export("redis-orders").expect("an export");
    assert_eq!(export.format, "redis");
    let plan = ScenarioFile::from_json(
        &std::fs::read_to_string("scenarios/redis-orders.json").expect("the file"),
    )
    .expect("it reads")
    .into_v2()
    .plan()
    .expect("it plans");
    assert_eq!(
        export.text,
        held_to(
            "redis-orders",
            redis::export(&plan).expect("all Redis").trim_end()
        ),
        "what `qsim redis redis-orders` prints"
    );
    for name in system_names() {
        let offered = queue_playground::scenarios::export(name).is_some();
        // The one-queue systems have the platform lens's exports instead.
        let expected = [
            "rabbitmq-pizza",
            "video-upload",
            "queue-vs-topic",
            "orders-log",
            "redis-orders",
        ]
        .contains(&name);
        assert_eq!(offered, expected, "{name}");
    }
}
