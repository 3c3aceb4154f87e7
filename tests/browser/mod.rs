//! What every browser test of the page needs: a fresh element to render into, and a wait for
//! Yew's scheduler to finish what a render or an event queued.
// Each test file is its own crate and uses only some of these.
#![allow(dead_code)]

use std::time::Duration;

use web_sys::Element;

/// A new `<div>` at the end of the test page's body.
pub fn root() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    root
}

/// Yields once, so that the renders and effects already queued run.
pub async fn settle() {
    yew::platform::time::sleep(Duration::ZERO).await;
}
