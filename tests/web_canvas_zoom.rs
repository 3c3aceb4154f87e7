//! The canvas's zoom in a real browser: its buttons scale the drawing step by step, stop at
//! the ends of the range, keep the keyboard's focus, and Fit shows the whole system in the
//! room the canvas has.
#![cfg(target_arch = "wasm32")]

mod browser;

use std::cell::RefCell;
use std::rc::Rc;

use browser::settle;
use queue_engine::Millis;
use queue_playground::canvas::zoom::{MAX, MIN};
use queue_playground::canvas::{Canvas, CanvasProps, Shown};
use queue_playground::panels::{Panel, PanelHandle, Panels};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};
use yew::Callback;

wasm_bindgen_test_configure!(run_in_browser);

/// The video-upload system (eleven boxes, five columns) on a canvas `width` pixels wide, with
/// the page's own stylesheet (the scale is applied by its CSS).
async fn canvas(width: u32) -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    if document.get_element_by_id("page-style").is_none() {
        let style = document.create_element("style").unwrap();
        style.set_id("page-style");
        style.set_text_content(Some(include_str!("../static/style.css")));
        document.head().unwrap().append_child(&style).unwrap();
    }
    let root = document.create_element("div").unwrap();
    root.set_attribute("style", &format!("width:{width}px"))
        .unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let props = CanvasProps {
        now: Millis::from_secs(5),
        shown: Shown::Panel(
            PanelHandle {
                panels: Rc::new(RefCell::new(Panels::new(42, None))),
                version: 0,
                onaction: Callback::noop(),
            },
            Panel::FanOut,
        ),
        look: None,
    };
    yew::Renderer::<Canvas>::with_root_and_props(root.clone(), props).render();
    settle().await;
    root
}

fn scale(root: &Element) -> f64 {
    let style = root
        .query_selector("figure.canvas")
        .unwrap()
        .unwrap()
        .get_attribute("style")
        .unwrap_or_default();
    style
        .strip_prefix("--zoom:")
        .and_then(|s| s.strip_suffix('%'))
        .and_then(|s| s.parse::<f64>().ok())
        .map(|pct| pct / 100.0)
        .unwrap_or_else(|| panic!("no scale in {style:?}"))
}

async fn press(root: &Element, label: &str) {
    let button: HtmlElement = root
        .query_selector(&format!(r#".zoom button[aria-label="{label}"]"#))
        .unwrap()
        .unwrap_or_else(|| panic!("no button {label}"))
        .unchecked_into();
    button.click();
    settle().await;
}

/// What the zoom group shows beside its buttons, in the live region a screen reader reads
/// out when it changes (an `<output>` is one by its role, `status`).
fn shown(root: &Element) -> String {
    root.query_selector(".zoom > output")
        .unwrap()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn the_buttons_step_the_scale_and_stop_at_the_ends() {
    let root = canvas(1200).await;
    assert_eq!(scale(&root), 1.0);
    assert_eq!(shown(&root), "100 %");
    press(&root, "Zoom in").await;
    assert_eq!(scale(&root), 1.5);
    for _ in 0..5 {
        press(&root, "Zoom in").await;
    }
    assert_eq!(scale(&root), MAX);
    // The buttons are the same elements after every change, so focus stays on them.
    let zoom_in = root
        .query_selector(r#"button[aria-label="Zoom in"]"#)
        .unwrap()
        .unwrap();
    press(&root, "Zoom out").await;
    assert!(
        root.contains(Some(&zoom_in)),
        "a redraw replaced the buttons"
    );
    for _ in 0..11 {
        press(&root, "Zoom out").await;
    }
    assert_eq!(scale(&root), MIN);
    assert_eq!(shown(&root), "25 %");
    // The drawing is that much smaller on screen.
    let svg = root.query_selector("figure.canvas > svg").unwrap().unwrap();
    let full: f64 = svg.get_attribute("width").unwrap().parse().unwrap();
    let drawn = svg.get_bounding_client_rect().width();
    assert!(
        (drawn - full * MIN).abs() < 2.0,
        "drawn {drawn} px for {full} at 25 %"
    );
}

#[wasm_bindgen_test]
async fn fit_shows_the_whole_system_in_a_narrow_canvas() {
    let root = canvas(360).await;
    let figure = root.query_selector("figure.canvas").unwrap().unwrap();
    let svg = root.query_selector("figure.canvas > svg").unwrap().unwrap();
    assert!(
        svg.get_bounding_client_rect().width() > f64::from(figure.client_width()),
        "at full size the system is wider than a phone"
    );
    press(&root, "Fit the whole system in view").await;
    assert!(scale(&root) < 1.0);
    let drawn = svg.get_bounding_client_rect().width();
    assert!(
        drawn <= f64::from(figure.client_width()) + 1.0,
        "{drawn} px in {} px",
        figure.client_width()
    );
    // Fit never enlarges a system that already fits.
    let wide = canvas(2000).await;
    press(&wide, "Fit the whole system in view").await;
    assert_eq!(scale(&wide), 1.0);
}
