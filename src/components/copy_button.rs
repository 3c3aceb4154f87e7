//! Every Copy button on the page (the link to this moment, a system's configuration, the platform
//! lens's export) and what it says afterwards.
//!
//! # Contract
//! - The status beside the button says "Copied" only once the browser has written the
//!   clipboard. A course page's iframe without the `clipboard-write` permission, or a page
//!   served over plain HTTP (where `navigator.clipboard` does not exist), is refused; then the
//!   status says so, and the text to copy is selected, so the keyboard's copy still works.
//! - The status is a live region that is always in the page, so a screen reader announces the
//!   outcome; it is the button's next sibling, and the text to copy is the first `input` or
//!   `pre` in the button's parent, so one function serves every Copy button without ids (a
//!   mounted playground lives in a shadow root, where `document.getElementById` finds nothing).

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, HtmlInputElement};
use yew::prelude::*;

/// Said when the browser refused: what happened, and what to do instead.
pub const REFUSED: &str =
    "Not copied: the clipboard is blocked here. The text is selected: press Ctrl+C (⌘C on a Mac).";

/// A Copy button, with `title` saying what it copies when the label does not, and the status
/// it reports to. `onclick` computes the text and hands it to [`copy`].
pub fn copy_button(
    id: &'static str,
    label: &'static str,
    title: Option<&'static str>,
    disabled: bool,
    onclick: Callback<MouseEvent>,
) -> Html {
    html! {
        <>
            <button type="button" {id} {title} {disabled} {onclick}>{ label }</button>
            <span class="copy-status" role="status"></span>
        </>
    }
}

/// Writes `text` to the clipboard for the Copy button `e` came from, then reports the outcome
/// in its status (see the module docs).
pub fn copy(e: &MouseEvent, text: &str) {
    let Some(button) = e
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .and_then(|t| t.closest("button").ok().flatten())
    else {
        return;
    };
    let status = button.next_element_sibling();
    if let Some(s) = &status {
        s.set_text_content(None);
    }
    // `navigator.clipboard` is missing outside secure contexts; calling it then would throw
    // through the wasm, so ask first.
    let written = web_sys::window()
        .map(|w| w.navigator())
        .filter(|n| {
            js_sys::Reflect::get(n, &JsValue::from_str("clipboard"))
                .is_ok_and(|c| !c.is_undefined())
        })
        .map(|n| JsFuture::from(n.clipboard().write_text(text)));
    wasm_bindgen_futures::spawn_local(async move {
        let copied = match written {
            Some(promise) => promise.await.is_ok(),
            None => false,
        };
        if !copied {
            select_source(&button);
        }
        if let Some(s) = status {
            s.set_text_content(Some(if copied { "Copied" } else { REFUSED }));
        }
    });
}

/// Selects the text a refused Copy button was for, so that Ctrl+C copies it.
fn select_source(button: &Element) {
    let Some(source) = button
        .parent_element()
        .and_then(|p| p.query_selector("input, pre").ok().flatten())
    else {
        return;
    };
    if let Some(input) = source.dyn_ref::<HtmlInputElement>() {
        let _ = input.focus();
        input.select();
    } else if let Some(selection) = web_sys::window().and_then(|w| w.get_selection().ok().flatten())
    {
        let _ = selection.select_all_children(&source);
    }
}
