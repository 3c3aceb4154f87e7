//! A plan that did not come from the planner (a lesson file on a system of one's own, edited
//! by hand): `World::check` passes every plan the planner makes as `World::new` built
//! it, and refuses one whose indices or timed commands point past its own nodes, naming the
//! field, instead of panicking later.

use proptest::prelude::*;
use queue_engine::topology::plan::{Plan, Target};
use queue_engine::{Command, Millis, ScenarioError, ScenarioV2, World};

/// Every scenario file in the repository, as the planner plans it.
fn plans() -> Vec<(String, Plan)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).unwrap();
            let plan = ScenarioV2::from_json(&text).unwrap().plan().unwrap();
            out.push((path.display().to_string(), plan));
        }
    }
    assert!(out.len() >= 10, "the scenario files are found");
    out
}

/// The world from `plan`, if it passes the check.
fn checked(plan: Plan) -> Result<World, ScenarioError> {
    let world = World::new(plan)?;
    world.check()?;
    Ok(world)
}

fn refused(plan: Plan) -> (String, String, String) {
    match checked(plan) {
        Err(ScenarioError::Field {
            path,
            expected,
            given,
        }) => (path, expected, given),
        Err(other) => panic!("expected a field error, got {other}"),
        Ok(_) => panic!("expected the plan to be refused"),
    }
}

fn pizza() -> Plan {
    plans()
        .into_iter()
        .find(|(p, _)| p.ends_with("pizza-shop.json"))
        .unwrap()
        .1
}

#[test]
fn every_planned_system_runs_as_the_planner_made_it() {
    for (path, plan) in plans() {
        let mut trusted = World::new(plan.clone()).unwrap();
        let mut checked = checked(plan).unwrap_or_else(|e| panic!("{path}: {e}"));
        trusted.advance_to(Millis::from_mins(3));
        checked.advance_to(Millis::from_mins(3));
        assert_eq!(trusted.log_hash(), checked.log_hash(), "{path}");
    }
}

#[test]
fn a_route_to_a_member_it_does_not_have_is_named() {
    let mut plan = pizza();
    plan.routes[0].push(7);
    let (path, expected, given) = refused(plan);
    assert_eq!((path.as_str(), given.as_str()), ("routes", "7"));
    assert_eq!(expected, "one of the system's queues and logs");

    let mut plan = pizza();
    plan.routes.push(vec![0]);
    let (path, expected, given) = refused(plan);
    assert_eq!((path.as_str(), given.as_str()), ("routes", "2"));
    assert_eq!(expected, "one list of members for each producer");
}

#[test]
fn a_router_binding_past_the_members_is_named() {
    let (_, mut plan) = plans()
        .into_iter()
        .find(|(p, _)| p.ends_with("rabbitmq-pizza.json"))
        .unwrap();
    let members = plan.members.len() + plan.logs.len();
    plan.routers[0].binds[0].1 = members as u16;
    let (path, _, given) = refused(plan);
    assert_eq!((path.as_str(), given), ("routers", members.to_string()));
}

#[test]
fn a_timed_command_for_a_node_it_does_not_have_is_named() {
    let mut plan = pizza();
    plan.commands
        .push(queue_engine::topology::plan::PlannedCommand {
            at: Millis::from_secs(5),
            target: Target::Member(3),
            command: Command::Crash { consumer: 0 },
        });
    let (path, expected, _) = refused(plan);
    assert_eq!(path, "commands");
    assert_eq!(expected, "a command for a node of this world");

    // In range, but out of the ranges a person's command is held to.
    let mut plan = pizza();
    plan.commands
        .push(queue_engine::topology::plan::PlannedCommand {
            at: Millis::from_secs(5),
            target: Target::Producer(0),
            command: Command::SetRate {
                producer: 0,
                rate: -3.0,
            },
        });
    let (path, _, given) = refused(plan);
    assert!(path.starts_with("commands."), "{path}");
    assert_eq!(given, "-3");
}

proptest! {
    /// Whatever indices a hand-edited plan names, it is refused or it runs: never a panic.
    #[test]
    fn any_indices_are_refused_or_run(
        route in 0u16..6,
        bind in 0u16..12,
        publisher in 0u16..4,
        target in 0u16..6,
    ) {
        for (_, mut plan) in plans() {
            if let Some(r) = plan.routes.first_mut() {
                r.push(route);
            }
            if let Some(r) = plan.routers.first_mut() {
                r.binds.push((None, bind));
                r.publishers.push((None, publisher));
            }
            plan.commands.push(queue_engine::topology::plan::PlannedCommand {
                at: Millis::from_secs(1),
                target: Target::Member(target),
                command: Command::Crash { consumer: 0 },
            });
            if let Ok(mut world) = checked(plan) {
                world.advance_to(Millis::from_secs(30));
            }
        }
    }
}
