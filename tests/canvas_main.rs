//! The main queue's system on the canvas: the pizza shop as the playground runs it (one queue
//! member, `Plan::single`), with no router column left empty, and its synchronous baseline
//! drawn as the direct call it is.
#![cfg(not(target_arch = "wasm32"))]

use queue_engine::topology::plan::Plan;
use queue_engine::{EdgeKind, Millis, Mode, Scenario, World};
use queue_playground::canvas::flow::crossed;
use queue_playground::canvas::graph::{graph, Graph, Role};

fn main_world(change: impl FnOnce(&mut Scenario)) -> World {
    let mut sc = Scenario {
        reply_queue: true,
        dlq: Some(queue_engine::DlqConfig::default()),
        ..Scenario::default()
    };
    change(&mut sc);
    World::new(Plan::single(sc)).expect("the default scenario runs")
}

fn at(g: &Graph, role: Role) -> Vec<(&str, u16, u16)> {
    g.places
        .iter()
        .filter(|p| p.role == role)
        .map(|p| (p.name.as_str(), p.col, p.row))
        .collect()
}

/// With no router, the queue sits in the column after the producer, and the pool, store and
/// reply queue follow: four columns, not five with one empty.
#[test]
fn the_pizza_shop_leaves_no_empty_column() {
    let w = main_world(|_| {});
    let g = graph(&w, false);
    assert_eq!(g.cols, 4);
    assert_eq!(at(&g, Role::Producer), [("order-service", 0, 0)]);
    assert_eq!(at(&g, Role::Queue), [("orders", 1, 0)]);
    assert_eq!(at(&g, Role::DeadLetter), [("orders-dlq", 1, 1)]);
    assert_eq!(at(&g, Role::Consumer), [("kitchen", 2, 0)]);
    assert_eq!(at(&g, Role::Store), [("orders-db", 3, 0)]);
    assert_eq!(at(&g, Role::Replies), [("replies", 3, 1)]);
    let kinds: Vec<EdgeKind> = g.links.iter().map(|l| l.kind).collect();
    assert!(kinds.contains(&EdgeKind::Publish) && !kinds.contains(&EdgeKind::Call));
    // Unkeyed edges leave a narrow gap, so the four boxes fit a course page's panel.
    let text = queue_playground::canvas::svg(&w, &g, "x", "x");
    assert!(text.contains(r#"width="784""#), "{}", &text[..200]);
}

/// In HTTP mode there is no queue: the service calls the kitchen, and a call's token goes out
/// when it is made and comes back when it ends, served or failed.
#[test]
fn the_http_baseline_is_a_call_from_the_service_to_the_kitchen() {
    let mut w = main_world(|sc| sc.mode = Mode::Http);
    let g = graph(&w, false);
    let names: Vec<(&str, Role)> = g.places.iter().map(|p| (p.name.as_str(), p.role)).collect();
    assert_eq!(
        names,
        [
            ("kitchen", Role::Consumer),
            ("orders-db", Role::Store),
            ("order-service", Role::Producer)
        ],
        "no queue, no dead-letter queue, no reply queue is drawn"
    );
    let call = g
        .links
        .iter()
        .find(|l| l.kind == EdgeKind::Call)
        .expect("a call edge");
    assert_eq!(g.places[call.from].name, "order-service");
    assert_eq!(g.places[call.to].name, "kitchen");
    w.advance_to(Millis::from_secs(60));
    let c = w.members()[0].counts().clone();
    assert!(c.published > 0 && c.processed > 0);
    assert_eq!(
        crossed(&w, &g, call),
        Some([c.published, c.processed + c.producer_errors, 0])
    );
}
