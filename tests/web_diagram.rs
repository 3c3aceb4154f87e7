//! The main queue's close-up in a real browser: how many tokens each layout draws, where
//! they sit, and which of them glide.
#![cfg(target_arch = "wasm32")]

mod browser;

use std::cell::RefCell;

use browser::{root, settle};
use queue_engine::topology::plan::Plan;
use queue_engine::topology::profile::QueueProfile;
use queue_engine::{Millis, Scenario, World};
use queue_playground::components::Glides;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Element;
use yew::Callback;

wasm_bindgen_test_configure!(run_in_browser);

/// Html rendered as it is: the diagram is a view function, not a component.
#[derive(yew::Properties, PartialEq)]
struct RenderedProps {
    html: yew::Html,
}

#[yew::component]
fn Rendered(props: &RenderedProps) -> yew::Html {
    props.html.clone()
}

/// Renders the queue diagram of a world's first queue, with as many tokens as the app gives
/// it in that layout, and returns its root.
async fn diagram(world: &World, compact: bool, profile: QueueProfile) -> Element {
    drawn(world, compact, profile, &Default::default()).await
}

/// The same, remembering where its tokens were in `glides`.
async fn drawn(
    world: &World,
    compact: bool,
    profile: QueueProfile,
    glides: &RefCell<Glides>,
) -> Element {
    use queue_playground::components::{diagram, Diagram, COMPACT_TOKEN_CAP, TOKEN_CAP};
    let cap = if compact {
        COMPACT_TOKEN_CAP
    } else {
        TOKEN_CAP
    };
    let root = root();
    // The queue's kind comes from the settings in force, not from the world drawn.
    let mut settings = world.members()[0].scenario().clone();
    settings.queue.profile = Some(profile);
    let html = diagram(Diagram {
        snapshot: &world.members()[0].snapshot(cap),
        selected: None,
        settings: &settings,
        onselect: &Callback::noop(),
        fast: false,
        compact,
        glides,
    });
    yew::Renderer::<Rendered>::with_root_and_props(root.clone(), RenderedProps { html }).render();
    settle().await;
    root
}

/// A compact lesson's diagram keeps one row of tokens per place, so it is 90 units shorter on
/// a course page; the count beside the place stays exact. The queue names its platform's kind.
#[wasm_bindgen_test]
async fn a_compact_diagram_draws_one_row_per_place_and_says_what_is_left_out() {
    use queue_playground::components::{COMPACT_TOKEN_CAP, TOKEN_CAP};
    let mut world = World::new(Plan::single(Scenario {
        consumers: queue_engine::ConsumerConfig {
            count: 0,
            ..Default::default()
        },
        ..Scenario::default()
    }))
    .unwrap();
    world.advance_to(Millis::from_secs(60));
    let sim = &world.members()[0];
    let waiting = sim.snapshot(usize::MAX).visible.len();
    assert!(waiting > TOKEN_CAP, "{waiting} waiting");
    let mut drawn = Vec::new();
    for (compact, cap) in [(false, TOKEN_CAP), (true, COMPACT_TOKEN_CAP)] {
        let root = diagram(&world, compact, QueueProfile::RabbitmqQuorum).await;
        let tokens = root.query_selector_all(".tokens .token").unwrap().length() as usize;
        let view_box = root
            .query_selector("svg")
            .unwrap()
            .unwrap()
            .get_attribute("viewBox")
            .unwrap();
        let text = root.text_content().unwrap();
        assert!(text.contains("orders (quorum)"), "{text}");
        assert!(text.contains(&format!("visible {waiting}")), "{text}");
        assert!(text.contains(&format!("+{} more", waiting - cap)), "{text}");
        drawn.push((tokens, view_box));
    }
    assert_eq!(drawn[0], (TOKEN_CAP, "0 0 800 330".to_owned()));
    assert_eq!(drawn[1], (COMPACT_TOKEN_CAP, "0 0 800 240".to_owned()));

    // Delayed messages keep to the one row beside their label, in either layout: a second
    // row crossed the queue box's edge and the arrow to the DLQ.
    let mut world = World::new(Plan::single(Scenario {
        queue: queue_engine::QueueConfig {
            delay: Millis::from_secs(60),
            ..Default::default()
        },
        ..Scenario::default()
    }))
    .unwrap();
    world.advance_to(Millis::from_secs(30));
    assert!(world.members()[0].snapshot(usize::MAX).delayed.len() > 13);
    for (compact, row_y) in [(false, "196"), (true, "134")] {
        let root = diagram(&world, compact, QueueProfile::SqsStandard).await;
        let tokens = root.query_selector_all(".tokens .token").unwrap();
        let ys: Vec<String> = (0..tokens.length())
            .map(|i| {
                let style = tokens
                    .item(i)
                    .unwrap()
                    .dyn_into::<Element>()
                    .unwrap()
                    .get_attribute("style")
                    .unwrap();
                style
                    .rsplit(',')
                    .next()
                    .unwrap()
                    .trim_end_matches("px)")
                    .trim_end_matches(".0")
                    .to_owned()
            })
            .collect();
        assert_eq!(ys.len(), 13, "{ys:?}");
        assert!(ys.iter().all(|y| y == row_y), "{ys:?}");
    }
}

/// The token's `style` attribute.
fn style(root: &Element, id: u64) -> Option<String> {
    let token = root
        .query_selector(&format!(".tokens .token[data-msg='{id}']"))
        .unwrap()?;
    Some(format!(
        "{}|{}",
        token.get_attribute("class").unwrap(),
        token.get_attribute("style").unwrap()
    ))
}

/// A message that changes place (taken from the queue into flight) glides from where it was
/// drawn last; the ones behind it, which only move up a slot in their row, jump. Forty glides
/// at every dequeue kept the main thread drawing half as many frames again at 1x.
#[wasm_bindgen_test]
async fn only_a_token_that_changes_place_glides_from_where_it_was() {
    let mut world = World::new(Plan::single(Scenario {
        consumers: queue_engine::ConsumerConfig {
            count: 1,
            processing: queue_engine::ProcessingTime {
                mean: Millis::from_secs(2),
                ..Default::default()
            },
            ..Default::default()
        },
        ..Scenario::default()
    }))
    .unwrap();
    world.advance_to(Millis::from_secs(20));
    let glides = RefCell::new(Glides::default());
    let before = world.members()[0].snapshot(usize::MAX);
    let first = drawn(&world, false, QueueProfile::SqsStandard, &glides).await;
    let queued: Vec<u64> = before.visible.iter().take(10).map(|t| t.id).collect();
    assert!(queued.len() > 2, "a backlog to take from: {queued:?}");
    let taken = loop {
        let t = world.now().0 + 100;
        world.advance_to(Millis(t));
        let now = world.members()[0].snapshot(usize::MAX);
        if let Some(id) = queued
            .iter()
            .find(|id| now.in_flight.iter().any(|t| t.id == **id))
        {
            break *id;
        }
        assert!(t < 60_000, "nothing was taken from the queue in 40 s");
    };
    let then = drawn(&world, false, QueueProfile::SqsStandard, &glides).await;
    let (was, is) = (style(&first, taken).unwrap(), style(&then, taken).unwrap());
    let old = was.split("transform:").nth(1).unwrap();
    assert!(is.contains("glide"), "{is}");
    assert!(is.ends_with(&format!(";--from:{old}")), "{was} -> {is}");
    let mut shifted = 0;
    for id in queued.iter().filter(|id| **id != taken) {
        let (Some(was), Some(is)) = (style(&first, *id), style(&then, *id)) else {
            continue;
        };
        assert!(!is.contains("glide"), "{id} stayed queued: {is}");
        shifted += usize::from(was != is);
    }
    assert!(shifted > 0, "the queue moved up");
}
