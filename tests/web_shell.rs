//! The app shell in a real browser: every layout region renders, with its heading.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

async fn mount_app() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<queue_playground::App>::with_root(root.clone()).render();
    yew::platform::time::sleep(Duration::ZERO).await;
    root
}

#[wasm_bindgen_test]
async fn every_layout_region_renders_with_a_heading() {
    let root = mount_app().await;
    for (id, heading) in [
        ("diagram", "Diagram"),
        ("controls", "Controls"),
        ("inspector", "Message inspector"),
        ("metrics", "Metrics"),
        ("log", "Event log"),
    ] {
        let region = root
            .query_selector(&format!("#region-{id}"))
            .unwrap()
            .unwrap_or_else(|| panic!("region {id} is missing"));
        let labelled_by = region.get_attribute("aria-labelledby").unwrap();
        let title = root
            .query_selector(&format!("#{labelled_by}"))
            .unwrap()
            .expect("the region's aria-labelledby points at its heading");
        assert_eq!(title.text_content().unwrap(), heading);
    }
}

#[wasm_bindgen_test]
async fn header_names_the_product_and_footer_shows_the_build() {
    let root = mount_app().await;
    let brand = root.query_selector("h1").unwrap().unwrap();
    assert!(brand.text_content().unwrap().contains("Queue Playground"));
    let version = root.query_selector(".build-version").unwrap().unwrap();
    let text = version.text_content().unwrap();
    assert_eq!(text, queue_playground::BUILD_VERSION);
    assert!(
        text.starts_with('v'),
        "build version reads like v0.1.0, got {text:?}"
    );
}
